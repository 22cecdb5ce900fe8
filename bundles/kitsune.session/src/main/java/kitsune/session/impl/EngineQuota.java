package kitsune.session.impl;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.HashSet;
import java.util.Set;
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
 * plus the launches under way for it on every server: each admitted launch leaves a record under
 * {@code /<namespace>_launches/<owner>/<refId>} until its engine registered or failed, and the count and the record
 * are one step under the owner's ZooKeeper lock, so N servers launching for one owner at once stay within the limit.
 * A record older than kyuubi.session.engine.initialize.timeout and a minute (its server died mid-launch) no longer
 * counts and is removed.
 */
final class EngineQuota {
    private static final Logger LOG = LoggerFactory.getLogger(EngineQuota.class);
    /** Engine space roots: {@code <ns>_<version>_<SHARELEVEL>_<TYPE>}, not their {@code _lock} twins. */
    private static final Pattern SPACE_ROOT = Pattern.compile(".+_(CONNECTION|USER|GROUP|SERVER)_[A-Z][A-Z_]*");
    private static final Duration LOCK_WAIT = Duration.ofSeconds(15);
    private static final Duration STALE_AFTER_INIT_TIMEOUT = Duration.ofMinutes(1);

    private final Clock clock;

    EngineQuota() {
        this(Clock.systemUTC());
    }

    EngineQuota(Clock clock) {
        this.clock = clock;
    }

    static String launchesPath(String namespace, String owner) {
        return "/" + namespace + "_launches/" + owner;
    }

    /** A launch admitted: {@link #close()} once it registered or failed. */
    final class Admission implements AutoCloseable {
        private final Discovery discovery;
        private final String record;

        Admission(Discovery discovery, String record) {
            this.discovery = discovery;
            this.record = record;
        }

        @Override
        public void close() {
            if (record == null) return;
            try {
                discovery.delete(record);
            } catch (DiscoveryException e) {
                LOG.warn("Could not remove the launch record {} (it stops counting after {} and {}): {}", record,
                        ConfigKeys.ENGINE_INIT_TIMEOUT.name(), STALE_AFTER_INIT_TIMEOUT, e.getMessage());
            }
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
        if (max <= 0) return new Admission(discovery, null);
        String launches = launchesPath(space.namespace(), owner);
        long staleBefore = clock.millis() - conf.get(ConfigKeys.ENGINE_INIT_TIMEOUT).plus(STALE_AFTER_INIT_TIMEOUT)
                .toMillis();
        String refusal;
        try {
            refusal = discovery.withLock("/" + space.namespace() + "_launches_lock/" + owner, LOCK_WAIT, () -> {
                Set<String> engines = registered(discovery, space.namespace(), owner);
                for (String launch : discovery.children(launches)) {
                    String path = launches + "/" + launch;
                    if (startedMillis(discovery, path) < staleBefore) {
                        LOG.info("Launch record {} is older than {} and a minute: its launch ended without it; "
                                + "removing it", path, ConfigKeys.ENGINE_INIT_TIMEOUT.name());
                        discovery.delete(path);
                    } else {
                        engines.add(launch); // an engine that registered meanwhile is counted once (its refId)
                    }
                }
                if (engines.size() >= max) {
                    return limitReached(owner, engines.size(), space.namespace(), max);
                }
                discovery.write(launches + "/" + refId, Long.toString(clock.millis())
                        .getBytes(StandardCharsets.US_ASCII));
                return null;
            });
        } catch (EngineException e) {
            throw e;
        } catch (Exception e) {
            throw new EngineException("Cannot count the engines of " + owner + " for "
                    + ConfigKeys.ENGINE_MAX_PER_USER.name() + ": " + e.getMessage(), e);
        }
        if (refusal != null) {
            LOG.warn("Refused to launch an engine in {}: {}", space.path(), refusal);
            throw new EngineException(refusal);
        }
        return new Admission(discovery, launches + "/" + refId);
    }

    /**
     * Refuses at once, without the owner's lock and without writing anything, when the owner already has as many
     * engines (registered or starting) as the limit allows: a login that would launch is refused at OpenSession even
     * when its engine is launched in the background. Best effort: {@link #admit} decides at the launch.
     *
     * @throws EngineException with the message {@link #admit} would give
     */
    void precheck(Discovery discovery, EngineSpace space, KitsuneConf conf) throws EngineException {
        String owner = space.routingUser();
        int max = conf.get(ConfigKeys.ENGINE_MAX_PER_USER);
        if (max <= 0) return;
        String launches = launchesPath(space.namespace(), owner);
        long staleBefore = clock.millis() - conf.get(ConfigKeys.ENGINE_INIT_TIMEOUT).plus(STALE_AFTER_INIT_TIMEOUT)
                .toMillis();
        Set<String> engines = registered(discovery, space.namespace(), owner);
        try {
            for (String launch : discovery.children(launches)) {
                if (startedMillis(discovery, launches + "/" + launch) >= staleBefore) engines.add(launch);
            }
        } catch (DiscoveryException e) {
            LOG.debug("Not counting the launches under {}: {}", launches, e.getMessage());
        }
        if (engines.size() >= max) {
            String refusal = limitReached(owner, engines.size(), space.namespace(), max);
            LOG.warn("Refused a session that would launch an engine in {}: {}", space.path(), refusal);
            throw new EngineException(refusal);
        }
    }

    private static String limitReached(String owner, int engines, String namespace, int max) {
        return "Engine limit reached: " + owner + " already has " + engines + " engine(s) running or starting in "
                + "namespace " + namespace + " (" + ConfigKeys.ENGINE_MAX_PER_USER.name() + "=" + max + "); use one of "
                + "them (the same share level and subdomain), stop one (bin/kitsune-ctl delete engine, or the "
                + "console), or ask the operator to raise the limit";
    }

    /** When a launch record was written; 0 (stale) when it cannot be read as such. */
    private static long startedMillis(Discovery discovery, String path) {
        try {
            return discovery.read(path).map(b -> Long.parseLong(new String(b, StandardCharsets.US_ASCII).trim()))
                    .orElse(0L);
        } catch (DiscoveryException | NumberFormatException e) {
            return 0;
        }
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
