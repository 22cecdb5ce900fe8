package kitsune.session.impl;

/** A session handle refused to this caller, with the reason it may read. */
final class SessionRefusedException extends Exception {
    private static final long serialVersionUID = 1L;

    SessionRefusedException(String message) {
        super(message);
    }
}
