package kitsune.session.impl;

/**
 * What a user name may be. A user name becomes a znode name (engine spaces, launch locks), an engine's work directory
 * and a proxy user on a cluster, so names that could climb out of those ({@code ..}, {@code /}, {@code \}) or
 * forge log lines (control characters) are refused here, explicitly, rather than by accident of ZooKeeper's path
 * validation or the file system.
 */
final class UserNames {
    private UserNames() {
    }

    /** @throws IllegalArgumentException with a one-line message naming what is wrong */
    static void check(String name) {
        if (name == null || name.isEmpty()) throw new IllegalArgumentException("An empty user name is not allowed");
        String why = null;
        if (name.contains("..")) {
            why = "'..'";
        } else if (name.indexOf('/') >= 0) {
            why = "'/'";
        } else if (name.indexOf('\\') >= 0) {
            why = "'\\'";
        } else if (name.chars().anyMatch(Character::isISOControl)) {
            why = "a control character";
        }
        if (why != null) {
            throw new IllegalArgumentException("Invalid user name '" + printable(name) + "': a user name may not "
                    + "contain " + why + " (nor '..', '/', '\\' or control characters)");
        }
    }

    /** The name with control characters shown as \\uXXXX, so that it cannot break a log line or a message. */
    static String printable(String name) {
        if (name == null) return "null";
        StringBuilder b = new StringBuilder(name.length());
        name.codePoints().forEach(c -> {
            if (Character.isISOControl(c)) {
                b.append(String.format("\\u%04x", c));
            } else {
                b.appendCodePoint(c);
            }
        });
        return b.toString();
    }
}
