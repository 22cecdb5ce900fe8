package kitsune.api.conf;

import java.util.List;

/**
 * Lists of configuration keys as Kyuubi's kyuubi.session.conf.restrict.list and .ignore.list give them: an entry names
 * a key, or with a trailing {@code *} every key that starts with what comes before it. One rule for sessions and
 * batches alike.
 */
public final class KeyLists {
    private KeyLists() {
    }

    /** Whether the key is named by an entry of the list. */
    public static boolean matches(List<String> entries, String key) {
        for (String entry : entries) {
            if (entry.endsWith("*") ? key.startsWith(entry.substring(0, entry.length() - 1)) : key.equals(entry)) {
                return true;
            }
        }
        return false;
    }

    /** Whether a session or batch may not set the key (kyuubi.session.conf.restrict.list). */
    public static boolean restricted(KitsuneConf server, String key) {
        return matches(server.get(ConfigKeys.SESSION_CONF_RESTRICT_LIST), key);
    }

    /** Whether a session's or batch's value for the key is dropped (kyuubi.session.conf.ignore.list). */
    public static boolean ignored(KitsuneConf server, String key) {
        return matches(server.get(ConfigKeys.SESSION_CONF_IGNORE_LIST), key);
    }
}
