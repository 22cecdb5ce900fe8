package kitsune.api.registry;

import java.util.Locale;

import kitsune.api.engine.ShareLevel;

/**
 * Where an engine registers, laid out as Kyuubi lays it out:
 * {@code /<namespace>_<version>_<SHARELEVEL>_<ENGINETYPE>/<routingUser>/<subdomain>}.
 * The version slot holds the engine space version (engine protocol and home), not the server's build version,
 * so that a rolling upgrade of servers keeps finding running engines.
 *
 * @param subdomain for CONNECTION level the session's reference id; otherwise the subdomain ("default" if unset)
 */
public record EngineSpace(String namespace, String version, ShareLevel shareLevel, String engineType,
        String routingUser, String subdomain) {

    public EngineSpace {
        namespace = ZkPaths.trimSlashes(namespace);
        requireName("namespace", namespace);
        requireName("version", version);
        requireName("user", routingUser);
        requireName("subdomain", subdomain);
        engineType = engineType.toUpperCase(Locale.ROOT);
    }

    private static void requireName(String what, String value) {
        if (value == null || value.isEmpty() || value.contains("/")) {
            throw new IllegalArgumentException("Invalid engine space " + what + ": '" + value + "'");
        }
    }

    /** {@code /<ns>_<v>_<SL>_<TYPE>}: the parent of every user's engines of this kind. */
    public String commonParent() {
        return "/" + namespace + "_" + version + "_" + shareLevel + "_" + engineType;
    }

    /** The znode whose children are the engines of this space. */
    public String path() {
        return commonParent() + "/" + routingUser + "/" + subdomain;
    }

    /** The znode of the launch lock that keeps two servers from launching two engines for this space. */
    public String lockPath() {
        return commonParent() + "_lock/" + routingUser + "/" + subdomain;
    }

    /** Kyuubi's default Spark application name for an engine of this space. */
    public String defaultAppName(String refId) {
        if (shareLevel == ShareLevel.CONNECTION) {
            return "kyuubi_CONNECTION_" + engineType + "_" + routingUser + "_" + refId;
        }
        return "kyuubi_" + shareLevel + "_" + engineType + "_" + routingUser + "_" + subdomain + "_" + refId;
    }
}
