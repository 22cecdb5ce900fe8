package kitsune.api.registry;

/** ZooKeeper could not answer; the message names what was attempted and why it failed. */
public class DiscoveryException extends Exception {
    private static final long serialVersionUID = 1L;

    public DiscoveryException(String message) {
        super(message);
    }

    public DiscoveryException(String message, Throwable cause) {
        super(message, cause);
    }
}
