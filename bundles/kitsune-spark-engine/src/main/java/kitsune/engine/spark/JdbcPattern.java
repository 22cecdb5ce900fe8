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

    private JdbcPattern(String pattern) {
        all = pattern == null || pattern.isEmpty() || pattern.equals("%") || pattern.equals("*");
        regex = all ? null : Pattern.compile(toRegex(pattern), Pattern.CASE_INSENSITIVE | Pattern.DOTALL);
    }

    static JdbcPattern of(String pattern) {
        return new JdbcPattern(pattern);
    }

    boolean matchesAll() {
        return all;
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
