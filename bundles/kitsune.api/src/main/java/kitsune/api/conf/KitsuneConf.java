package kitsune.api.conf;

import java.util.ArrayList;
import java.util.Collections;
import java.util.Dictionary;
import java.util.Enumeration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * An immutable set of raw configuration values with typed, validated access. Values absent here fall back
 * to the key's default.
 */
public final class KitsuneConf {
    private final Map<String, String> values;

    private KitsuneConf(Map<String, String> values) {
        this.values = Collections.unmodifiableMap(new TreeMap<>(values));
    }

    public static KitsuneConf of(Map<String, String> values) {
        return new KitsuneConf(values);
    }

    public static KitsuneConf empty() {
        return new KitsuneConf(Map.of());
    }

    /** Builds a conf from Config Admin properties, keeping only string-valued keys that look like conf keys. */
    public static KitsuneConf fromProperties(Map<String, ?> props) {
        Map<String, String> m = new LinkedHashMap<>();
        props.forEach((k, v) -> {
            if (v instanceof String s && k.indexOf('.') > 0 && !k.startsWith("service.") && !k.startsWith("component.")
                    && !k.startsWith("felix.")) {
                m.put(k, s);
            }
        });
        return new KitsuneConf(m);
    }

    public static KitsuneConf fromDictionary(Dictionary<String, ?> dict) {
        Map<String, Object> m = new LinkedHashMap<>();
        if (dict != null) {
            for (Enumeration<String> e = dict.keys(); e.hasMoreElements();) {
                String k = e.nextElement();
                m.put(k, dict.get(k));
            }
        }
        return fromProperties(m);
    }

    /** The typed value of a key, or its default. Throws ConfigException on an invalid value. */
    public <T> T get(ConfigKey<T> key) {
        String raw = values.get(key.name());
        return raw == null ? key.parsedDefault() : key.type().parse(key.name(), raw);
    }

    /** The raw value as written, or null. */
    public String raw(String key) {
        return values.get(key);
    }

    public boolean contains(String key) {
        return values.containsKey(key);
    }

    /** A new conf with these values on top of this one. */
    public KitsuneConf with(Map<String, String> overrides) {
        Map<String, String> m = new LinkedHashMap<>(values);
        m.putAll(overrides);
        return new KitsuneConf(m);
    }

    /** Keys (and values) that start with the prefix, prefix kept. */
    public Map<String, String> withPrefix(String prefix) {
        Map<String, String> m = new TreeMap<>();
        values.forEach((k, v) -> {
            if (k.startsWith(prefix)) m.put(k, v);
        });
        return m;
    }

    /** Keys (and values) that start with any of the prefixes, prefixes kept, in key order. */
    public Map<String, String> withPrefixes(String... prefixes) {
        Map<String, String> m = new TreeMap<>();
        for (String prefix : prefixes) m.putAll(withPrefix(prefix));
        return m;
    }

    public Map<String, String> asMap() {
        return values;
    }

    /**
     * Checks every known key's value and returns one warning per unknown {@code kyuubi.*} or {@code kitsune.*}
     * key. Throws ConfigException, naming key, value and what is allowed, on the first invalid value.
     */
    public List<String> validate() {
        List<String> warnings = new ArrayList<>();
        for (Map.Entry<String, String> e : values.entrySet()) {
            String k = userDefaultKey(e.getKey());
            if (k == null) {
                throw new ConfigException(e.getKey(), "Invalid per-user key " + e.getKey() + " (allowed: "
                        + ConfigKeys.USER_DEFAULTS_MARK + "<user>" + ConfigKeys.USER_DEFAULTS_MARK + ".<key>)");
            }
            ConfigKey<?> known = ConfigKeys.find(k);
            if (known != null) {
                known.type().parse(e.getKey(), e.getValue());
            } else if (ConfigKeys.PASS_THROUGH_PREFIXES.stream().noneMatch(k::startsWith)
                    && (k.startsWith("kyuubi.") || k.startsWith("kitsune."))) {
                warnings.add("Unknown configuration key " + e.getKey() + " is ignored");
            }
        }
        checkLdapStartTls();
        return warnings;
    }

    /** StartTLS upgrades an ldap:// connection; an ldaps:// one is TLS from its first byte and cannot start TLS. */
    private void checkLdapStartTls() {
        if (!get(ConfigKeys.LDAP_STARTTLS)) return;
        for (String url : get(ConfigKeys.LDAP_URL).trim().split("\\s+")) {
            if (url.regionMatches(true, 0, "ldaps:", 0, 6)) {
                throw new ConfigException(ConfigKeys.LDAP_STARTTLS.name(), ConfigKeys.LDAP_STARTTLS.name()
                        + "=true cannot apply to " + url + " in " + ConfigKeys.LDAP_URL.name() + " (ldaps:// is TLS "
                        + "from its first byte); use ldap:// URLs with StartTLS, or set "
                        + ConfigKeys.LDAP_STARTTLS.name() + "=false to keep ldaps://");
            }
        }
    }

    /**
     * This conf as one user's sessions see it before their own overrides: the user's {@code ___user___.key} entries
     * over the plain ones (Kyuubi's per-user defaults). Other users' entries are dropped.
     */
    public KitsuneConf forUser(String user) {
        String mark = ConfigKeys.USER_DEFAULTS_MARK + user + ConfigKeys.USER_DEFAULTS_MARK + ".";
        Map<String, String> m = new LinkedHashMap<>();
        Map<String, String> mine = new LinkedHashMap<>();
        values.forEach((k, v) -> {
            if (k.startsWith(mark)) {
                mine.put(k.substring(mark.length()), v);
            } else if (!k.startsWith(ConfigKeys.USER_DEFAULTS_MARK)) {
                m.put(k, v);
            }
        });
        m.putAll(mine);
        return new KitsuneConf(m);
    }

    /** The key a per-user entry sets (the key itself when it is not one); null for a malformed per-user key. */
    private static String userDefaultKey(String key) {
        if (!key.startsWith(ConfigKeys.USER_DEFAULTS_MARK)) return key;
        int end = key.indexOf(ConfigKeys.USER_DEFAULTS_MARK + ".", ConfigKeys.USER_DEFAULTS_MARK.length());
        if (end <= ConfigKeys.USER_DEFAULTS_MARK.length()) return null;
        String rest = key.substring(end + ConfigKeys.USER_DEFAULTS_MARK.length() + 1);
        return rest.isEmpty() ? null : rest;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof KitsuneConf c && c.values.equals(values);
    }

    @Override
    public int hashCode() {
        return values.hashCode();
    }

    @Override
    public String toString() {
        return "KitsuneConf" + values.keySet();
    }
}
