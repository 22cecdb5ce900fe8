package kitsune.session.impl;

import java.util.Locale;

import kitsune.api.conf.ConfigException;
import kitsune.api.conf.ConfigKeys;
import kitsune.api.conf.KitsuneConf;
import kitsune.api.engine.ShareLevel;
import kitsune.api.registry.EngineSpace;

/** Which engine space serves a session, by share level, as Kyuubi's EngineRef decides it. */
final class EngineSpaces {
    static final String DEFAULT_SUBDOMAIN = "default";

    private EngineSpaces() {
    }

    /**
     * @param conf    the session's effective configuration
     * @param user    the session user
     * @param refId   the new session's id: names the engine's space at CONNECTION level
     * @param version the provider's engine space version for this configuration
     */
    static EngineSpace of(KitsuneConf conf, String user, String refId, String version, ServerIdentity identity) {
        ShareLevel level = ShareLevel.valueOf(conf.get(ConfigKeys.ENGINE_SHARE_LEVEL));
        String subdomain = subdomain(conf);
        String routingUser = switch (level) {
            case CONNECTION, USER -> user;
            case GROUP -> identity.primaryGroupOf(user);
            case SERVER -> identity.osUser();
        };
        return new EngineSpace(conf.get(ConfigKeys.HA_NAMESPACE), version, level, conf.get(ConfigKeys.ENGINE_TYPE),
                routingUser, level == ShareLevel.CONNECTION ? refId : subdomain);
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
