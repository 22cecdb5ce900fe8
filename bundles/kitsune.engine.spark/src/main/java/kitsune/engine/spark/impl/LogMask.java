package kitsune.engine.spark.impl;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import kitsune.api.conf.ConfigKeys;

/**
 * Masks secrets in what an engine wrote to its log before any of it is shown to a user or written to the server's
 * log: every value of a setting whose key looks secret ({@link ConfigKeys#looksSecret}: the engine secret, the
 * ZooKeeper digest and its password, passwords, tokens, access keys), wherever it appears, and the value of any
 * {@code key=value} or {@code key: value} whose key looks secret, also of settings this server does not know.
 */
final class LogMask {
    static final String MASK = "******";
    private static final Pattern SECRET_SETTING = Pattern.compile(
            "(?i)([\\w.\\-]*(?:password|secret|digest|token|credential|access[._-]?key|passwd)[\\w.\\-]*"
                    + "[\"']?\\s*[=:]\\s*[\"']?)([^\\s,;\"'&]+)");

    private final List<String> values;

    private LogMask(List<String> values) {
        this.values = values;
    }

    /** The secrets among these settings (server configuration, engine properties). */
    @SafeVarargs
    static LogMask of(Map<String, String>... settings) {
        List<String> values = new ArrayList<>();
        for (Map<String, String> m : settings) {
            m.forEach((k, v) -> {
                if (v == null || v.isBlank() || !ConfigKeys.looksSecret(k)) return;
                values.add(v.trim());
                // user:password (ZooKeeper's digest): the password alone shows up too
                int colon = v.indexOf(':');
                if (k.endsWith(".digest") && colon > 0 && colon < v.length() - 1) values.add(v.substring(colon + 1));
            });
        }
        values.sort(Comparator.comparingInt(String::length).reversed());
        return new LogMask(List.copyOf(values));
    }

    String apply(String text) {
        if (text == null || text.isEmpty()) return text;
        String out = text;
        for (String v : values) out = out.replace(v, MASK);
        Matcher m = SECRET_SETTING.matcher(out);
        return m.replaceAll(r -> Matcher.quoteReplacement(r.group(1)) + MASK);
    }
}
