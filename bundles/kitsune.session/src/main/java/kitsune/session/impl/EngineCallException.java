package kitsune.session.impl;

/** A call to an engine failed below TCLIService (connection refused, reset, timeout); the message names the engine. */
final class EngineCallException extends Exception {
    private static final long serialVersionUID = 1L;

    /** The login failed because whatever listens at the address did not prove it is the engine of the node. */
    private final boolean unproven;

    EngineCallException(String message, Throwable cause) {
        this(message, cause, false);
    }

    EngineCallException(String message, Throwable cause, boolean unproven) {
        super(message, cause);
        this.unproven = unproven;
    }

    boolean unproven() {
        return unproven;
    }
}
