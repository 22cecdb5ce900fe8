package kitsune.session.impl;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import kitsune.api.conf.ConfigException;
import kitsune.api.conf.ConfigKey;
import kitsune.api.conf.ConfigKeys;
import kitsune.api.conf.EngineMaxima;
import kitsune.api.conf.KeyLists;
import kitsune.api.conf.KitsuneConf;

/**
 * Reads the configuration map of a client's OpenSession as Kyuubi does: Hive JDBC sends
 * {@code set:hiveconf:k=v} for {@code ?k=v}, {@code set:hivevar:k=v} for {@code #k=v} and always
 * {@code use:database}; other clients may send bare keys. The engine gets the map unchanged (it applies the
 * settings and the database itself); the server takes from it only what routes the session and launches its
 * engine.
 */
final class ConfNormalizer {
    private static final Logger LOG = LoggerFactory.getLogger(ConfNormalizer.class);
    /**
     * The keys a session may set that decide which engine serves it (besides spark.*, passed to launches), or that
     * this server applies to the session's calls (kyuubi.operation.query.timeout, lowered only; who answers GetInfo).
     */
    static final Set<String> ROUTING_KEYS = Set.of(
            ConfigKeys.ENGINE_SHARE_LEVEL.name(),
            ConfigKeys.ENGINE_SHARE_LEVEL_SUBDOMAIN.name(),
            ConfigKeys.ENGINE_POOL_SIZE.name(),
            ConfigKeys.ENGINE_POOL_NAME.name(),
            ConfigKeys.ENGINE_POOL_SELECT_POLICY.name(),
            ConfigKeys.ENGINE_TYPE.name(),
            ConfigKeys.SPARK_HOME.name(),
            ConfigKeys.ENGINE_IDLE_TIMEOUT.name(),
            ConfigKeys.ENGINE_BIND_HOST.name(),
            ConfigKeys.ENGINE_INIT_TIMEOUT.name(),
            ConfigKeys.ENGINE_LAUNCH_ASYNC.name(),
            ConfigKeys.SERVER_INFO_PROVIDER.name(),
            ConfigKeys.OPERATION_QUERY_TIMEOUT.name());

    private static final String SET_PREFIX = "set:";
    private static final String USE_PREFIX = "use:";
    /** Prefixes after "set:" that name a variable scope, as in Hive's SET command. */
    private static final String[] SCOPES = {"hiveconf:", "hivevar:", "system:", "metaconf:"};

    private ConfNormalizer() {
    }

    /**
     * The session's overrides of the server configuration: routing keys and spark.*, without their
     * set:hiveconf:/set:hivevar: prefix.
     *
     * @throws ConfigException naming key, value and what is allowed, for a routing key with an invalid value
     */
    static Map<String, String> overrides(Map<String, String> client) {
        Map<String, String> overrides = new LinkedHashMap<>();
        if (client == null) return overrides;
        for (Map.Entry<String, String> e : client.entrySet()) {
            String key = e.getKey();
            if (key == null || key.startsWith(USE_PREFIX)) continue; // use:database / use:catalog: engine's
            String k = stripScope(key);
            if (isRouting(k)) {
                String value = e.getValue() == null ? "" : e.getValue().trim();
                validate(k, value);
                overrides.put(k, value);
            }
        }
        return overrides;
    }

    /**
     * A session may shorten how long it waits for a new engine, not lengthen it beyond what the operator set: a
     * waiting session holds a launch lock every other session of that engine space queues behind.
     *
     * @throws ConfigException naming the key, both values and the fix
     */
    static void checkWithinServerLimits(KitsuneConf server, KitsuneConf session) {
        checkWithinServerLimits(server, session, Map.of());
    }

    /**
     * As above, and the operator's maxima ({@link EngineMaxima}) for what the client itself asked of its engine:
     * kyuubi.session.engine.idle.timeout, memory, cores and executors. Every entry of the client's map is checked
     * (under any scope, so a second spelling of a key can not slip past); {@code server} is the configuration as this
     * user's sessions see it, whose own values (server and ___user___ defaults) are always allowed.
     *
     * @throws ConfigException naming the key, the value, the maximum and the fix
     */
    static void checkWithinServerLimits(KitsuneConf server, KitsuneConf session, Map<String, String> client) {
        Map<String, String> resources = new LinkedHashMap<>();
        if (client != null) {
            for (Map.Entry<String, String> e : client.entrySet()) {
                String key = e.getKey();
                if (key == null || key.startsWith(USE_PREFIX)) continue;
                String k = stripScope(key);
                if (!EngineMaxima.covers(k)) continue;
                String v = e.getValue() == null ? "" : e.getValue();
                if (k.equals(ConfigKeys.ENGINE_IDLE_TIMEOUT.name())) {
                    EngineMaxima.checkIdleTimeout(server, v);
                } else {
                    EngineMaxima.checkResource(server, k, v);
                }
                resources.put(k, v);
            }
        }
        EngineMaxima.checkDynamicAllocation(server, resources); // each key was checked above, under every scope
        Duration allowed = server.get(ConfigKeys.ENGINE_INIT_TIMEOUT);
        Duration asked = session.get(ConfigKeys.ENGINE_INIT_TIMEOUT);
        if (asked.compareTo(allowed) > 0) {
            String key = ConfigKeys.ENGINE_INIT_TIMEOUT.name();
            throw new ConfigException(key, "Invalid value for " + key + ": '" + asked + "' is longer than the "
                    + "server's '" + allowed + "'; a session may only shorten it (or ask the operator to raise it)");
        }
    }

    /**
     * The client's OpenSession map as this server lets it through to the engine: refused when it names a key of
     * kyuubi.session.conf.restrict.list, without the keys of kyuubi.session.conf.ignore.list. Keys are compared
     * without their set:hiveconf:/set:hivevar: scope (the engine applies both); a list entry ending in * matches a
     * prefix.
     *
     * @throws ConfigException naming the key and the list
     */
    static Map<String, String> screen(Map<String, String> client, KitsuneConf server) {
        Map<String, String> out = new LinkedHashMap<>();
        if (client == null) return out;
        for (Map.Entry<String, String> e : client.entrySet()) {
            String key = e.getKey();
            if (key == null) continue;
            String k = key.startsWith(USE_PREFIX) ? null : stripScope(key);
            if (k != null && KeyLists.restricted(server, k)) {
                throw new ConfigException(k, k + " is a restricted key on this server ("
                        + ConfigKeys.SESSION_CONF_RESTRICT_LIST.name() + "); remove it from the session's settings");
            }
            if (k != null && KeyLists.ignored(server, k)) {
                LOG.info("Ignoring the session setting {} ({})", k, ConfigKeys.SESSION_CONF_IGNORE_LIST.name());
                continue;
            }
            out.put(key, e.getValue());
        }
        return out;
    }

    static String stripScope(String key) {
        if (!key.startsWith(SET_PREFIX)) return key;
        String rest = key.substring(SET_PREFIX.length());
        if (rest.startsWith("env:")) {
            throw new ConfigException(key, key + " is forbidden: env:* variables can not be set");
        }
        for (String scope : SCOPES) {
            if (rest.startsWith(scope)) return rest.substring(scope.length());
        }
        return rest;
    }

    static boolean isRouting(String key) {
        return ROUTING_KEYS.contains(key) || key.startsWith("spark.");
    }

    private static void validate(String key, String value) {
        ConfigKey<?> known = ConfigKeys.find(key);
        if (known != null) known.type().parse(key, value);
        if (key.equals(ConfigKeys.ENGINE_SHARE_LEVEL_SUBDOMAIN.name())) EngineSpaces.checkSubdomain(value);
        if (key.equals(ConfigKeys.ENGINE_POOL_NAME.name())) EngineSpaces.checkPoolName(value);
    }
}
