package kitsune.internal.text;

/**
 * Text a client chose (user names, SASL mechanisms and messages, method names, paths, parser errors quoting its bytes)
 * as it may appear in a log line or an error message: control characters, line and paragraph separators and backslashes escaped, so that a
 * client cannot end the line and forge another, and cut to {@link #MAX_CHARS} characters, so that it cannot fill the
 * log.
 */
public final class LogText {
    public static final int MAX_CHARS = 300;

    private LogText() {
    }

    public static String of(Object value) {
        if (value == null) return "null";
        String text = value.toString();
        StringBuilder b = new StringBuilder(Math.min(text.length(), MAX_CHARS) + 16);
        int shown = 0;
        int i = 0;
        for (; i < text.length() && shown < MAX_CHARS; i++, shown++) {
            char c = text.charAt(i);
            switch (c) {
                case '\n' -> b.append("\\n");
                case '\r' -> b.append("\\r");
                case '\t' -> b.append("\\t");
                case '\\' -> b.append("\\\\");
                default -> {
                    if (Character.isISOControl(c) || c == '\u2028' || c == '\u2029' || c == '\u0085'
                            || Character.isSurrogate(c) && !validPair(text, i)) {
                        b.append(String.format("\\u%04x", (int) c));
                    } else {
                        b.append(c);
                    }
                }
            }
        }
        if (i < text.length()) b.append("...(").append(text.length() - i).append(" more chars)");
        return b.toString();
    }

    /** Whether the text has a character that would break a log line (a control or line separator). */
    public static boolean hasControl(String text) {
        return text != null && text.chars().anyMatch(c -> Character.isISOControl(c) || c == '\u2028'
                || c == '\u2029');
    }

    /** A surrogate that is half of a well-formed pair (shown as is), not a lone one. */
    private static boolean validPair(String text, int i) {
        char c = text.charAt(i);
        if (Character.isHighSurrogate(c)) return i + 1 < text.length() && Character.isLowSurrogate(text.charAt(i + 1));
        return i > 0 && Character.isHighSurrogate(text.charAt(i - 1));
    }
}
