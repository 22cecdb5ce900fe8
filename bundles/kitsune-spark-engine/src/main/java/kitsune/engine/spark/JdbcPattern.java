package kitsune.engine.spark;

import java.util.regex.Pattern;

/**
 * A JDBC metadata name pattern: {@code %} any run, {@code _} one character, backslash escapes. As in HiveServer2,
 * a null or empty pattern and {@code *} match everything, and names match without regard to case (the Hive
 * metastore lower-cases them).
 */
final class JdbcPattern {
    private final Pattern regex;
    private final boolean all;
    private final String source;

    private JdbcPattern(String pattern) {
        source = pattern;
        all = pattern == null || pattern.isEmpty() || pattern.equals("%") || pattern.equals("*");
        regex = all ? null : Pattern.compile(toRegex(pattern), Pattern.CASE_INSENSITIVE | Pattern.DOTALL);
    }

    static JdbcPattern of(String pattern) {
        return new JdbcPattern(pattern);
    }

    boolean matchesAll() {
        return all;
    }

    /**
     * A pattern in Spark's catalog syntax ({@code *} any run, case-insensitive) that matches at least every name this
     * one matches, for the catalog to filter by before the exact match: letters and digits stay, {@code %} and any
     * other character become {@code *}. The catalog (the Hive metastore) then returns, and Spark reads the
     * metadata of, only the candidate tables instead of all of them.
     */
    String catalogPattern() {
        if (all) return "*";
        StringBuilder sb = new StringBuilder();
        String pattern = source;
        for (int i = 0; i < pattern.length(); i++) {
            char c = pattern.charAt(i);
            boolean plain = c < 128 && Character.isLetterOrDigit(c);
            if (c == '\\' && i + 1 < pattern.length()) {
                char next = pattern.charAt(++i);
                plain = next < 128 && Character.isLetterOrDigit(next);
                c = next;
            }
            if (plain) {
                sb.append(c);
            } else if (sb.isEmpty() || sb.charAt(sb.length() - 1) != '*') {
                sb.append('*');
            }
        }
        return sb.toString();
    }

    boolean matches(String name) {
        return all || (name != null && regex.matcher(name).matches());
    }

    private static String toRegex(String pattern) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < pattern.length(); i++) {
            char c = pattern.charAt(i);
            if (c == '\\' && i + 1 < pattern.length()) {
                sb.append(Pattern.quote(String.valueOf(pattern.charAt(++i))));
            } else if (c == '%' || c == '*') {
                sb.append(".*");
            } else if (c == '_') {
                sb.append('.');
            } else {
                sb.append(Pattern.quote(String.valueOf(c)));
            }
        }
        return sb.toString();
    }
}
