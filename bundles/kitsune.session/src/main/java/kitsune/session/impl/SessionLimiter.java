package kitsune.session.impl;

import java.util.HashMap;
import java.util.Map;

import kitsune.api.conf.ConfigKey;
import kitsune.api.conf.ConfigKeys;
import kitsune.api.conf.KitsuneConf;

/**
 * Kyuubi's connection limits, counted per session held open on this server: per user, per client address and per
 * user and address, with the unlimited list (never counted) and the two deny lists. A session takes its slots when
 * it is opened, before an engine is looked for, and gives them back exactly once however it ends (CloseSession, idle
 * timeout, a dropped connection, a drain). The limits are read at each OpenSession, so a change of the configuration
 * applies to the next session; sessions already open stay.
 */
final class SessionLimiter {
    private final Map<String, Integer> perUser = new HashMap<>();
    private final Map<String, Integer> perAddress = new HashMap<>();
    private final Map<String, Integer> perUserAddress = new HashMap<>();

    /** The slots one session holds; {@link #release()} gives them back once. */
    final class Permit {
        private final String user;
        private final String address;
        private boolean released;

        private Permit(String user, String address) {
            this.user = user;
            this.address = address;
        }

        void release() {
            synchronized (SessionLimiter.this) {
                if (released) return;
                released = true;
                if (user == null) return; // an unlimited user: nothing was counted
                decrement(perUser, user);
                if (address != null) {
                    decrement(perAddress, address);
                    decrement(perUserAddress, user + "@" + address);
                }
            }
        }
    }

    /**
     * Takes a slot for a new session of that user from that address.
     *
     * @param address the client's IP address, null when unknown (then only the per-user limit applies)
     * @throws SessionRefusedException naming the key and the limit when a deny list or a limit refuses it
     */
    synchronized Permit acquire(KitsuneConf conf, String user, String address) throws SessionRefusedException {
        if (conf.get(ConfigKeys.LIMIT_CONNECTIONS_USER_DENY_LIST).contains(user)) {
            throw new SessionRefusedException(user + " may not open sessions on this server ("
                    + ConfigKeys.LIMIT_CONNECTIONS_USER_DENY_LIST.name() + ")");
        }
        if (address != null && conf.get(ConfigKeys.LIMIT_CONNECTIONS_IP_DENY_LIST).contains(address)) {
            throw new SessionRefusedException("No session may be opened from " + address + " on this server ("
                    + ConfigKeys.LIMIT_CONNECTIONS_IP_DENY_LIST.name() + ")");
        }
        if (conf.get(ConfigKeys.LIMIT_CONNECTIONS_USER_UNLIMITED_LIST).contains(user)) return new Permit(null, null);
        check(conf, ConfigKeys.LIMIT_CONNECTIONS_PER_USER, perUser, user, user);
        if (address != null) {
            check(conf, ConfigKeys.LIMIT_CONNECTIONS_PER_IPADDRESS, perAddress, address, address);
            check(conf, ConfigKeys.LIMIT_CONNECTIONS_PER_USER_IPADDRESS, perUserAddress, user + "@" + address,
                    user + " from " + address);
        }
        perUser.merge(user, 1, Integer::sum);
        if (address != null) {
            perAddress.merge(address, 1, Integer::sum);
            perUserAddress.merge(user + "@" + address, 1, Integer::sum);
        }
        return new Permit(user, address);
    }

    /** Sessions counted for that user (all addresses); for tests and the log. */
    synchronized int sessionsOf(String user) {
        return perUser.getOrDefault(user, 0);
    }

    /** Whether nothing is counted any more: every permit was released. */
    synchronized boolean isEmpty() {
        return perUser.isEmpty() && perAddress.isEmpty() && perUserAddress.isEmpty();
    }

    private static void check(KitsuneConf conf, ConfigKey<Integer> key, Map<String, Integer> counts, String counted,
            String who) throws SessionRefusedException {
        Integer limit = conf.get(key);
        if (limit == null || limit <= 0) return;
        int held = counts.getOrDefault(counted, 0);
        if (held >= limit) {
            throw new SessionRefusedException("Session limit reached: " + who + " already holds " + held
                    + " session(s) on this server (" + key.name() + "=" + limit + "); close one or ask the operator "
                    + "to raise the limit");
        }
    }

    private static void decrement(Map<String, Integer> counts, String key) {
        counts.computeIfPresent(key, (k, n) -> n <= 1 ? null : n - 1);
    }
}
