package kitsune.session.impl;

/** A call to an engine failed below TCLIService (connection refused, reset, timeout); the message names the engine. */
final class EngineCallException extends Exception {
    private static final long serialVersionUID = 1L;

    EngineCallException(String message, Throwable cause) {
        super(message, cause);
    }
}
