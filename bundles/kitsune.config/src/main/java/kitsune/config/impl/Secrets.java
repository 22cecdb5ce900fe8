package kitsune.config.impl;

import java.util.Locale;

/** Which keys hold secrets: their values never appear in a log line or an error message. */
final class Secrets {
    private Secrets() {
    }

    static boolean isSecret(String key) {
        String k = key.toLowerCase(Locale.ROOT);
        return k.contains("password") || k.contains("secret") || k.contains("digest");
    }

    /** The value as it may be shown: quoted, or masked for secret keys. */
    static String show(String key, String value) {
        return isSecret(key) ? "'******'" : "'" + value + "'";
    }
}
