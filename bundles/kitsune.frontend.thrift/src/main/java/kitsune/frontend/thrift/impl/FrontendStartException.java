package kitsune.frontend.thrift.impl;

/** The frontend cannot serve; the message is the one line an operator needs (address, key to change). */
final class FrontendStartException extends Exception {
    private static final long serialVersionUID = 1L;

    FrontendStartException(String message, Throwable cause) {
        super(message, cause);
    }
}
