package kitsune.api.conf;

/** A configuration value that cannot be used. The message is one line naming key, value and what is allowed. */
public class ConfigException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final String key;

    public ConfigException(String key, String message) {
        super(message);
        this.key = key;
    }

    /** The offending key, or null when the problem is not about one key (e.g. a missing file). */
    public String key() {
        return key;
    }
}
