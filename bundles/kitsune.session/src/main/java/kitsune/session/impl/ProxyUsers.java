package kitsune.session.impl;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import kitsune.api.conf.ConfigException;
import kitsune.api.conf.KitsuneConf;

/**
 * Impersonation as Kyuubi and HiveServer2 allow it: a client logged in as one user (say a BI tool's service account)
 * opens a session for another with {@code hive.server2.proxy.user} (a JDBC URL session variable) or
 * {@code kyuubi.session.proxy.user}, if Hadoop's proxy-user rules in the server configuration allow it:
 * {@code hadoop.proxyuser.<real>.users} (names, or *) and {@code hadoop.proxyuser.<real>.hosts} (client addresses, or
 * *). Both must be set; nothing is allowed by default.
 */
final class ProxyUsers {
    static final List<String> KEYS = List.of("kyuubi.session.proxy.user", "hive.server2.proxy.user");

    private ProxyUsers() {
    }

    /** The user the client asks to act as, if any (with or without Hive's set:hiveconf: prefix). */
    static Optional<String> requested(Map<String, String> client) {
        if (client == null) return Optional.empty();
        for (Map.Entry<String, String> e : client.entrySet()) {
            if (e.getKey() == null || e.getValue() == null || e.getValue().isBlank()) continue;
            if (KEYS.contains(ConfNormalizer.stripScope(e.getKey()))) return Optional.of(e.getValue().trim());
        }
        return Optional.empty();
    }

    /** Returns normally when {@code real} may act as {@code proxy} from {@code address}. */
    static void authorize(KitsuneConf conf, String real, String proxy, String address) {
        String users = conf.raw("hadoop.proxyuser." + real + ".users");
        String hosts = conf.raw("hadoop.proxyuser." + real + ".hosts");
        if (!allows(users, proxy) || !allows(hosts, address)) {
            throw new ConfigException(KEYS.get(1), "User " + real + " is not allowed to impersonate " + proxy
                    + " from " + address + " (server configuration hadoop.proxyuser." + real + ".users and "
                    + "hadoop.proxyuser." + real + ".hosts)");
        }
    }

    private static boolean allows(String list, String value) {
        if (list == null || value == null) return false;
        return Arrays.stream(list.split(",")).map(String::trim).anyMatch(v -> v.equals("*") || v.equals(value));
    }
}
