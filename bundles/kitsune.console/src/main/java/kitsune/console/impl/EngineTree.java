package kitsune.console.impl;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import kitsune.api.engine.EngineConf;
import kitsune.api.engine.ShareLevel;
import kitsune.api.registry.Discovery;
import kitsune.api.registry.DiscoveryException;
import kitsune.api.registry.ServiceNode;

/**
 * Walks the engine spaces ({@code /<ns>_<version>_<SHARELEVEL>_<TYPE>/<user>/<subdomain>/serverUri=...}) through the
 * server's {@link Discovery}: its ZooKeeper client, identity and timeouts.
 */
final class EngineTree {
    private EngineTree() {
    }

    /** An engine registered in an engine space. */
    /**
     * @param application the Spark application (and standalone driver) id, as {@link EngineConf#application}
     * @param master      the master and deploy mode, as {@link EngineConf#master}
     */
    record EngineRow(String user, String shareLevel, String subdomain, String engineType, String versionSlot,
            String hostPort, String refId, String application, String master, String znode, Instant created) {
        Duration age() {
            return created == null ? null : Duration.between(created, Instant.now());
        }
    }

    /** Every engine registered in the namespace's engine spaces, by space, user and subdomain. */
    static List<EngineRow> engines(Discovery d, String namespace) throws DiscoveryException {
        List<EngineRow> rows = new ArrayList<>();
        for (String space : sorted(d.children("/"))) {
            Space s = Space.parse(namespace, space);
            if (s == null) continue;
            for (String user : sorted(d.children("/" + space))) {
                for (String sub : sorted(d.children("/" + space + "/" + user))) {
                    for (ServiceNode n : d.list("/" + space + "/" + user + "/" + sub)) {
                        // gone between the listing and this question: it was created, so show it without an age
                        Instant created = d.created(n.path()).orElse(null);
                        rows.add(new EngineRow(user, s.shareLevel, sub, s.engineType, s.version, n.hostPort(),
                                n.refId(), EngineConf.application(n.attributes()), EngineConf.master(n.attributes()),
                                n.path(), created));
                    }
                }
            }
        }
        return rows;
    }

    private static List<String> sorted(List<String> names) {
        List<String> c = new ArrayList<>(names);
        c.sort(null);
        return c;
    }

    /** {@code <ns>_<version>_<SHARELEVEL>_<TYPE>}; the version may itself hold underscores, the type does too. */
    record Space(String version, String shareLevel, String engineType) {
        static Space parse(String namespace, String name) {
            String prefix = namespace + "_";
            if (!name.startsWith(prefix) || name.endsWith("_lock")) return null;
            String rest = name.substring(prefix.length());
            for (ShareLevel level : ShareLevel.values()) {
                String marker = "_" + level.name() + "_";
                int i = rest.lastIndexOf(marker);
                if (i > 0 && i + marker.length() < rest.length()) {
                    return new Space(rest.substring(0, i), level.name(), rest.substring(i + marker.length()));
                }
            }
            return null;
        }
    }
}
