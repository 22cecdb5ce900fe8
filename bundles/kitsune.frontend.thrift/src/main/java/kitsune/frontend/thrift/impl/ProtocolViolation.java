package kitsune.frontend.thrift.impl;

import io.netty.handler.codec.DecoderException;

/**
 * What a client sent cannot be served (garbage, a message above the size limit, the wrong protocol): the connection
 * is closed with one WARN line naming the peer and this message, which says what was wrong and what to change.
 */
final class ProtocolViolation extends DecoderException {
    private static final long serialVersionUID = 1L;

    ProtocolViolation(String message) {
        super(message);
    }

    @Override
    public synchronized Throwable fillInStackTrace() {
        return this; // a client's mistake, not the server's: the message is all there is to say
    }
}
