package kitsune.api.conf;

/**
 * One supported configuration key: its name (Kyuubi's where Kyuubi has one), default, type and meaning.
 *
 * @param name          the key as written in kyuubi-defaults.conf
 * @param defaultValue  the raw default, or null when the key has no default
 * @param type          how values are parsed and validated
 * @param restartNeeded true when a running server cannot apply a change of this key
 * @param doc           one sentence for the configuration reference
 */
public record ConfigKey<T>(String name, String defaultValue, ValueType<T> type, boolean restartNeeded, String doc) {

    /** The parsed default, or null if there is none. */
    public T parsedDefault() {
        return defaultValue == null ? null : type.parse(name, defaultValue);
    }
}
