package kitsune.config.impl;

import kitsune.api.conf.ConfigKeys;

/** Which keys hold secrets: their values never appear in a log line or an error message. */
final class Secrets {
    private Secrets() {
    }

    static boolean isSecret(String key) {
        return ConfigKeys.looksSecret(key);
    }

    /** The value as it may be shown: quoted, or masked for secret keys. */
    static String show(String key, String value) {
        return isSecret(key) ? "'******'" : "'" + value + "'";
    }
}
