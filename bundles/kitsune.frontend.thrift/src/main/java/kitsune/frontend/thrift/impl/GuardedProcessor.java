package kitsune.frontend.thrift.impl;

import java.io.IOException;
import java.net.SocketException;
import java.net.SocketTimeoutException;

import org.apache.thrift.TException;
import org.apache.thrift.TProcessor;
import org.apache.thrift.protocol.TProtocol;
import org.apache.thrift.protocol.TProtocolException;
import org.apache.thrift.transport.TTransportException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import kitsune.api.conf.ConfigKeys;
import kitsune.thrift.FrameTooLargeException;

/**
 * One connection's processor. A call that cannot be read (garbage, oversized message, wrong protocol) ends the
 * connection with one WARN line naming the peer and the cause; TThreadPoolServer would log a stack trace at ERROR
 * for each, so the failure is handed on as a quiet end-of-file. A NOSASL connection has no handshake to bound, so
 * its first call must arrive within the login timeout instead (the socket timeout is lifted after it).
 */
final class GuardedProcessor implements TProcessor {
    private static final Logger LOG = LoggerFactory.getLogger(GuardedProcessor.class);
    /** libthrift's text (with type END_OF_FILE) when a field exceeds the transport's maximum message size. */
    private static final String MAX_MESSAGE_SIZE_REACHED = "MaxMessageSize reached";

    private final TProcessor delegate;
    private final ClientSocket socket;
    private final String peer;
    private final FrontendSettings settings;
    private boolean awaitingFirstCall;

    GuardedProcessor(TProcessor delegate, ClientSocket socket, FrontendSettings settings) {
        this.delegate = delegate;
        this.socket = socket;
        this.peer = Peers.describe(socket);
        this.settings = settings;
        this.awaitingFirstCall = !settings.sasl();
        if (awaitingFirstCall) socket.setTimeout(timeoutMillis(settings));
    }

    static int timeoutMillis(FrontendSettings settings) {
        return (int) Math.min(Integer.MAX_VALUE, settings.loginTimeout().toMillis());
    }

    @Override
    public void process(TProtocol in, TProtocol out) throws TException {
        int firstByte = awaitingFirstCall ? firstByte() : 0x80;
        if (firstByte < 0) throw quiet("closed before its first call");
        try {
            delegate.process(in, out);
            if (awaitingFirstCall) {
                awaitingFirstCall = false;
                socket.setTimeout(0); // calls may be minutes apart (and GetOperationStatus long-polls)
            }
        } catch (FrameTooLargeException e) {
            throw close("frame of " + e.size() + " bytes exceeds " + maxSize());
        } catch (TTransportException e) {
            if (MAX_MESSAGE_SIZE_REACHED.equals(e.getMessage())) throw close("message exceeds " + maxSize());
            if (e.getType() == TTransportException.END_OF_FILE || e.getType() == TTransportException.TIMED_OUT
                    || e.getCause() instanceof SocketException) {
                // The client hung up or its socket was closed (e.g. by a server stop): nothing to report.
                throw quiet(e.toString());
            }
            throw close("transport error: " + e.getMessage());
        } catch (TProtocolException e) {
            // A Thrift binary call starts with 0x80 (strict version); anything else names the kind of client.
            String hint = firstByte == 0x80 ? ""
                    : " (" + ClientSocket.describeFirstByte(firstByte) + " on this " + settings.authentication()
                            + " port" + (firstByte == 0x01 ? "; " + ConfigKeys.AUTHENTICATION.name()
                                    + "=NOSASL needs ;auth=noSasl in the JDBC URL)" : ")");
            throw close("not a Thrift binary protocol call: " + e.getMessage() + hint);
        } catch (TException | RuntimeException e) {
            throw close(e.getClass().getSimpleName() + ": " + e.getMessage());
        }
    }

    /** The first byte of the connection's first call, awaited within the login timeout; -1 if it hung up. */
    private int firstByte() throws TTransportException {
        try {
            return socket.firstByte();
        } catch (SocketTimeoutException e) {
            throw close("no call within " + ConfigKeys.THRIFT_LOGIN_TIMEOUT.name() + "=" + settings.loginTimeout());
        } catch (IOException e) {
            return -1;
        }
    }

    private String maxSize() {
        return ConfigKeys.THRIFT_MAX_MESSAGE_SIZE.name() + "=" + settings.maxMessageSize() + " bytes";
    }

    private TTransportException quiet(String why) {
        LOG.debug("Connection from {} ended: {}", peer, why);
        return new TTransportException(TTransportException.END_OF_FILE, why);
    }

    private TTransportException close(String cause) {
        LOG.warn("Closing connection from {}: {}", peer, cause);
        return new TTransportException(TTransportException.END_OF_FILE, cause);
    }
}
