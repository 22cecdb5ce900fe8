package kitsune.session.impl;

import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.UnaryOperator;

import kitsune.api.conf.ConfigException;
import kitsune.api.conf.ConfigKeys;
import kitsune.api.conf.KitsuneConf;
import kitsune.api.engine.ShareLevel;
import kitsune.api.registry.EngineSpace;

/**
 * Which engine space serves a session, by share level, as Kyuubi's EngineRef decides it, including the engine of a
 * pool (kyuubi.engine.pool.size) the session goes to.
 */
final class EngineSpaces {
    static final String DEFAULT_SUBDOMAIN = "default";
    private static final int MAX_POLLING_COUNTERS = 10_000;
    /** POLLING turns, per routing user, share level and pool. */
    private final Map<String, AtomicInteger> turns = new ConcurrentHashMap<>();

    static EngineSpace of(KitsuneConf conf, String user, String refId, String version, ServerIdentity identity) {
        return new EngineSpaces().space(conf, user, refId, version, identity);
    }

    /**
     * @param conf    the session's effective configuration
     * @param user    the session user
     * @param refId   the new session's id: names the engine's space at CONNECTION level
     * @param version the provider's engine space version for this configuration
     */
    EngineSpace space(KitsuneConf conf, String user, String refId, String version, ServerIdentity identity) {
        return space(conf, user, refId, version, identity, identity::primaryGroupOf);
    }

    /** @param groupOf a user's primary group, asked only at GROUP level */
    EngineSpace space(KitsuneConf conf, String user, String refId, String version, ServerIdentity identity,
            UnaryOperator<String> groupOf) {
        ShareLevel level = ShareLevel.valueOf(conf.get(ConfigKeys.ENGINE_SHARE_LEVEL));
        String routingUser = switch (level) {
            case CONNECTION, USER -> user;
            case GROUP -> groupOf.apply(user);
            case SERVER -> identity.osUser();
        };
        String subdomain = level == ShareLevel.CONNECTION ? refId : pooledSubdomain(conf, level, routingUser);
        return new EngineSpace(conf.get(ConfigKeys.HA_NAMESPACE), version, level, conf.get(ConfigKeys.ENGINE_TYPE),
                routingUser, subdomain);
    }

    /**
     * The session's subdomain, or with a pool and none named, "<pool name>-<index>" of the pool's engine this session
     * goes to: RANDOM, or POLLING in turn.
     */
    private String pooledSubdomain(KitsuneConf conf, ShareLevel level, String routingUser) {
        int size = Math.min(conf.get(ConfigKeys.ENGINE_POOL_SIZE), conf.get(ConfigKeys.ENGINE_POOL_SIZE_THRESHOLD));
        if (size < 1 || !conf.get(ConfigKeys.ENGINE_SHARE_LEVEL_SUBDOMAIN).isBlank()) return subdomain(conf);
        String name = conf.get(ConfigKeys.ENGINE_POOL_NAME).trim();
        checkPoolName(name);
        int index;
        if (conf.get(ConfigKeys.ENGINE_POOL_SELECT_POLICY).equals("POLLING")) {
            if (turns.size() > MAX_POLLING_COUNTERS) turns.clear(); // a bound, not an exact count across many users
            int turn = turns.computeIfAbsent(level + "/" + routingUser + "/" + name, k -> new AtomicInteger())
                    .getAndIncrement();
            index = Math.floorMod(turn, size);
        } else {
            index = ThreadLocalRandom.current().nextInt(size);
        }
        return (name + "-" + index).toLowerCase(Locale.ROOT);
    }

    /** A pool name becomes part of a subdomain: the same characters, and room for "-<index>". */
    static void checkPoolName(String name) {
        String key = ConfigKeys.ENGINE_POOL_NAME.name();
        boolean ok = !name.isEmpty() && name.length() <= 100 && name.charAt(0) != '.'
                && name.chars().allMatch(c -> c > 0x20 && c < 0x7f && c != '/');
        if (!ok) {
            throw new ConfigException(key, "Invalid value for " + key + ": '" + name
                    + "' (allowed: 1 to 100 printable ASCII characters without spaces or '/', not starting with '.')");
        }
    }

    /** kyuubi.engine.share.level.subdomain, lower-cased as Kyuubi does, or "default". */
    static String subdomain(KitsuneConf conf) {
        String s = conf.get(ConfigKeys.ENGINE_SHARE_LEVEL_SUBDOMAIN).trim();
        if (s.isEmpty()) return DEFAULT_SUBDOMAIN;
        checkSubdomain(s);
        return s.toLowerCase(Locale.ROOT);
    }

    /** A subdomain becomes one znode name: printable ASCII, no '/', not starting with '.'. */
    static void checkSubdomain(String s) {
        boolean ok = !s.isEmpty() && s.length() <= 128 && s.charAt(0) != '.'
                && s.chars().allMatch(c -> c > 0x20 && c < 0x7f && c != '/');
        if (!s.isEmpty() && !ok) {
            String key = ConfigKeys.ENGINE_SHARE_LEVEL_SUBDOMAIN.name();
            throw new ConfigException(key, "Invalid value for " + key + ": '" + s
                    + "' (allowed: up to 128 printable ASCII characters without spaces or '/', not starting with '.')");
        }
    }
}
