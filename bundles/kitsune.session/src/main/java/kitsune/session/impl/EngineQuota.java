package kitsune.session.impl;

import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import kitsune.api.conf.ConfigKeys;
import kitsune.api.conf.KitsuneConf;
import kitsune.api.engine.EngineException;
import kitsune.api.registry.Discovery;
import kitsune.api.registry.DiscoveryException;
import kitsune.api.registry.EngineSpace;
import kitsune.api.registry.ServiceNode;

/**
 * kitsune.engine.max.per.user: how many engines one owner (the routing user of an engine space: the user at USER and
 * CONNECTION level, the group at GROUP level) may have at once. Counted before each launch as the engines registered
 * in every engine space of the namespace under that owner (all share levels, subdomains and engine space versions)
 * plus the launches this server has under way for it and that have not registered yet, so that one user asking for
 * many subdomains or CONNECTION-level sessions at once cannot launch engines without bound. Servers do not see each
 * other's launches in progress: N servers launching for one owner at the same moment may go N-1 over the limit.
 */
final class EngineQuota {
    private static final Logger LOG = LoggerFactory.getLogger(EngineQuota.class);
    /** Engine space roots: {@code <ns>_<version>_<SHARELEVEL>_<TYPE>}, not their {@code _lock} twins. */
    private static final Pattern SPACE_ROOT = Pattern.compile(".+_(CONNECTION|USER|GROUP|SERVER)_[A-Z][A-Z_]*");

    /** Launches under way on this server by owner: their refIds. */
    private final Map<String, Set<String>> launching = new ConcurrentHashMap<>();

    /** A launch admitted: {@link #close()} once it registered or failed. */
    final class Admission implements AutoCloseable {
        private final String owner;
        private final String refId;

        Admission(String owner, String refId) {
            this.owner = owner;
            this.refId = refId;
        }

        @Override
        public void close() {
            launching.computeIfPresent(owner, (o, set) -> {
                set.remove(refId);
                return set.isEmpty() ? null : set;
            });
        }
    }

    /**
     * Admits the launch of one more engine for the space's owner, or refuses it naming the key.
     *
     * @throws EngineException when the owner has as many engines as the limit allows
     */
    Admission admit(Discovery discovery, EngineSpace space, String refId, KitsuneConf conf) throws EngineException {
        String owner = space.routingUser();
        int max = conf.get(ConfigKeys.ENGINE_MAX_PER_USER);
        if (max <= 0) return new Admission(owner, refId);
        Set<String> engines = new HashSet<>();
        // the ZooKeeper reads are outside the map's lock; the check and the claim are one step inside it
        Set<String> registered = registered(discovery, space.namespace(), owner);
        String[] refusal = new String[1];
        launching.compute(owner, (o, mine) -> {
            Set<String> set = mine == null ? ConcurrentHashMap.newKeySet() : mine;
            engines.addAll(registered);
            engines.addAll(set);
            if (engines.size() >= max) {
                refusal[0] = "Engine limit reached: " + owner + " already has " + engines.size() + " engine(s) "
                        + "running or starting in namespace " + space.namespace() + " ("
                        + ConfigKeys.ENGINE_MAX_PER_USER.name() + "=" + max + "); use one of them (the same share "
                        + "level and subdomain), stop one (bin/kitsune-ctl delete engine, or the console), or ask the "
                        + "operator to raise the limit";
                return mine;
            }
            set.add(refId);
            return set;
        });
        if (refusal[0] != null) {
            LOG.warn("Refused to launch an engine in {}: {}", space.path(), refusal[0]);
            throw new EngineException(refusal[0]);
        }
        return new Admission(owner, refId);
    }

    /**
     * The refIds (or znode names, for nodes without one) of the engines registered for the owner in every engine
     * space of the namespace. A space this server does not trust (see the HA bundle's ACL checks) or cannot read is
     * left out: a planted node must not count against anyone.
     */
    private static Set<String> registered(Discovery discovery, String namespace, String owner) throws EngineException {
        Set<String> found = new HashSet<>();
        java.util.List<String> roots;
        try {
            roots = discovery.children("/");
        } catch (DiscoveryException e) {
            throw new EngineException("Cannot count the engines of " + owner + " for "
                    + ConfigKeys.ENGINE_MAX_PER_USER.name() + ": " + e.getMessage(), e);
        }
        for (String root : roots) {
            if (!root.startsWith(namespace + "_") || !SPACE_ROOT.matcher(root).matches()) continue;
            String ownerPath = "/" + root + "/" + owner;
            try {
                for (String subdomain : discovery.children(ownerPath)) {
                    for (ServiceNode node : discovery.list(ownerPath + "/" + subdomain)) {
                        found.add(node.refId() != null ? node.refId() : node.path());
                    }
                }
            } catch (DiscoveryException e) {
                LOG.debug("Not counting the engines under {}: {}", ownerPath, e.getMessage());
            }
        }
        return found;
    }
}
