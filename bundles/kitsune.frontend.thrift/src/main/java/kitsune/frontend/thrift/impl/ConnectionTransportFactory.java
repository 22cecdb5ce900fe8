package kitsune.frontend.thrift.impl;

import java.net.SocketTimeoutException;
import java.util.Collections;
import java.util.Map;
import java.util.WeakHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.apache.thrift.TConfiguration;
import org.apache.thrift.transport.TSocket;
import org.apache.thrift.transport.TTransport;
import org.apache.thrift.transport.TTransportException;
import org.apache.thrift.transport.TTransportFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import kitsune.api.conf.ConfigKeys;
import kitsune.thrift.PlainCredentials;
import kitsune.thrift.PlainSaslServerTransport;

/**
 * Turns an accepted socket into the connection's transport: applies the maximum message size, and with SASL runs
 * the PLAIN handshake under the login timeout. A failed handshake is logged as one line naming the peer and the
 * cause, and ends the connection quietly (as an end-of-file, which TThreadPoolServer does not log).
 * TThreadPoolServer asks once for the input and once for the output transport; both get the same one.
 */
final class ConnectionTransportFactory extends TTransportFactory {
    private static final Logger LOG = LoggerFactory.getLogger(ConnectionTransportFactory.class);
    private static final Pattern INVALID_STATUS = Pattern.compile("Invalid status (-?\\d+)");

    private final FrontendSettings settings;
    private final PlainCredentials credentials;
    private final Map<TTransport, TTransport> pending = Collections.synchronizedMap(new WeakHashMap<>());

    ConnectionTransportFactory(FrontendSettings settings, PlainCredentials credentials) {
        this.settings = settings;
        this.credentials = credentials;
    }

    @Override
    public TTransport getTransport(TTransport base) throws TTransportException {
        TTransport made = pending.remove(base);
        if (made != null) return made;
        made = open((TSocket) base);
        pending.put(base, made);
        return made;
    }

    private TTransport open(TSocket socket) throws TTransportException {
        TConfiguration conf = socket.getConfiguration();
        conf.setMaxMessageSize(settings.maxMessageSize());
        conf.setMaxFrameSize(settings.maxMessageSize());
        socket.updateKnownMessageSize(0); // re-reads the limit just set
        if (!settings.sasl()) return socket;

        PlainSaslServerTransport sasl = new PlainSaslServerTransport(socket, settings.maxMessageSize(), credentials);
        String peer = Peers.describe(socket); // now: a failed handshake closes the socket
        try {
            socket.setTimeout(GuardedProcessor.timeoutMillis(settings));
            sasl.open();
            socket.setTimeout(0);
            return sasl;
        } catch (TTransportException | RuntimeException e) {
            socket.close();
            if (e instanceof TTransportException t && t.getType() == TTransportException.END_OF_FILE) {
                LOG.debug("Connection from {} closed during the SASL handshake", peer);
            } else {
                LOG.warn("Closing connection from {}: SASL handshake failed: {}", peer, describe(e));
            }
            throw new TTransportException(TTransportException.END_OF_FILE, "SASL handshake failed", e);
        }
    }

    /** The handshake failure in words an operator can act on. */
    private String describe(Exception e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof javax.net.ssl.SSLException tls) {
                return "TLS handshake failed (" + tls.getMessage() + "): the client does not speak TLS (JDBC URLs "
                        + "need ;ssl=true and a trust store with this server's certificate) or does not trust it";
            }
        }
        if (e.getCause() instanceof SocketTimeoutException
                || e instanceof TTransportException t && t.getType() == TTransportException.TIMED_OUT) {
            return "no handshake within " + ConfigKeys.THRIFT_LOGIN_TIMEOUT.name() + "=" + settings.loginTimeout();
        }
        String msg = String.valueOf(e.getMessage()).lines().findFirst().orElse("");
        Matcher m = INVALID_STATUS.matcher(msg);
        if (m.find()) {
            int status = Integer.parseInt(m.group(1));
            if (status == -128) {
                return msg + " (a client without SASL, e.g. a JDBC URL with ;auth=noSasl, on this SASL port; "
                        + ConfigKeys.AUTHENTICATION.name() + "=" + settings.authentication() + ")";
            }
            if (status >= 32 && status < 127) {
                return msg + " ('" + (char) status + "': text, e.g. an HTTP client, on this binary Thrift port)";
            }
            return msg + " (not a Thrift SASL client)";
        }
        if (msg.startsWith("Invalid payload header length")) return msg + " (not a Thrift SASL client)";
        if (msg.startsWith("Unsupported SASL mechanism")) {
            return msg + " (" + ConfigKeys.AUTHENTICATION.name() + "=" + settings.authentication() + ")";
        }
        return msg.isEmpty() ? e.getClass().getSimpleName() : msg;
    }
}
