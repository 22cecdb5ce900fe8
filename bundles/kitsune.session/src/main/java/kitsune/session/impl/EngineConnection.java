package kitsune.session.impl;

import java.time.Duration;
import java.util.Map;

import javax.security.auth.callback.Callback;
import javax.security.auth.callback.CallbackHandler;
import javax.security.auth.callback.NameCallback;
import javax.security.auth.callback.PasswordCallback;
import javax.security.sasl.SaslException;

import org.apache.hive.service.rpc.thrift.TCLIService;
import org.apache.thrift.TApplicationException;
import org.apache.thrift.TConfiguration;
import org.apache.thrift.TException;
import org.apache.thrift.protocol.TBinaryProtocol;
import org.apache.thrift.transport.TSaslClientTransport;
import org.apache.thrift.transport.TSocket;
import org.apache.thrift.transport.TTransport;
import org.apache.thrift.transport.TTransportException;

import kitsune.api.conf.ConfigKeys;
import kitsune.api.conf.KitsuneConf;
import kitsune.api.engine.EngineConf;
import kitsune.api.registry.ServiceNode;

/**
 * One Thrift connection to an engine (raw socket, binary protocol, as engines serve), one call at a time; an
 * {@link EngineChannel} lends it to one call after another. Any failure below TCLIService leaves the stream in an
 * unknown state: the connection is then broken for good and its channel closes it.
 */
final class EngineConnection implements AutoCloseable {
    @FunctionalInterface
    interface Call<R> {
        R on(TCLIService.Client client) throws TException;
    }

    private final String hostPort;
    private final TSocket socket;
    private final BoundedReplies replies;
    private final TCLIService.Client client;
    private volatile String broken;

    /**
     * @param socket    the TCP connection (its read timeout is set per call)
     * @param transport what calls go through: the socket itself, or SASL over it
     */
    private EngineConnection(String hostPort, TSocket socket, BoundedReplies transport) {
        this.hostPort = hostPort;
        this.socket = socket;
        this.replies = transport;
        this.client = new TCLIService.Client(new TBinaryProtocol(transport));
    }

    /**
     * Connects to a registered engine: with SASL PLAIN and the shared engine secret when its node says it requires
     * them ({@link EngineConf#NODE_AUTH}), else raw TCP.
     *
     * @param connectTimeout how long connecting may take; reads have no timeout (operations long-poll and
     *                       synchronous statements may run for hours); a reply is bounded by
     *                       kitsune.engine.reply.max.bytes, read from conf now
     */
    static EngineConnection open(ServiceNode node, KitsuneConf conf, Duration connectTimeout)
            throws EngineCallException {
        int maxMessageSize = conf.get(ConfigKeys.ENGINE_REPLY_MAX_BYTES);
        String hostPort = node.hostPort();
        boolean secured = EngineConf.AUTH_PLAIN.equals(node.attributes().get(EngineConf.NODE_AUTH));
        String secret = conf.get(ConfigKeys.ENGINE_SECRET);
        if (secured && secret.isEmpty()) {
            throw new EngineCallException("The engine at " + hostPort + " takes only connections with the engine secret "
                    + "(" + ConfigKeys.ENGINE_SECURITY_ENABLED.name() + "), but " + ConfigKeys.ENGINE_SECRET.name()
                    + " is not set on this server", null);
        }
        try {
            TConfiguration tc = TConfiguration.custom().setMaxMessageSize(maxMessageSize)
                    .setMaxFrameSize(maxMessageSize).build();
            TSocket socket = new TSocket(tc, node.host(), node.port(), 0, (int) Math.min(Integer.MAX_VALUE,
                    connectTimeout.toMillis()));
            TTransport transport = secured ? plain(socket, secret) : socket;
            transport.open();
            return new EngineConnection(hostPort, socket, new BoundedReplies(transport, maxMessageSize));
        } catch (TTransportException | SaslException e) {
            throw new EngineCallException("Cannot connect to the engine at " + hostPort + ": " + cause(e), e);
        }
    }

    /** SASL PLAIN with the JDK's PLAIN client; the engine checks the password only. */
    private static TTransport plain(TSocket socket, String secret) throws SaslException, TTransportException {
        CallbackHandler credentials = callbacks -> {
            for (Callback cb : callbacks) {
                if (cb instanceof NameCallback n) n.setName("kitsune");
                if (cb instanceof PasswordCallback p) p.setPassword(secret.toCharArray());
            }
        };
        return new TSaslClientTransport("PLAIN", null, null, null, Map.of(), credentials, socket);
    }

    /** Whether opening failed because nothing listens on the engine's port. */
    static boolean refused(EngineCallException e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof java.net.ConnectException) return true;
        }
        return false;
    }

    String hostPort() {
        return hostPort;
    }

    boolean isBroken() {
        return broken != null;
    }

    /** A call that must not wait forever for a hung engine (e.g. closing a session); reads time out. */
    synchronized <R> R call(String what, Duration timeout, Call<R> call) throws EngineCallException {
        socket.setTimeout((int) Math.min(Integer.MAX_VALUE, timeout.toMillis()));
        try {
            return call(what, call);
        } finally {
            if (broken == null) socket.setTimeout(0); // a broken connection's socket is closed already
        }
    }

    synchronized <R> R call(String what, Call<R> call) throws EngineCallException {
        if (broken != null) {
            throw new EngineCallException("The connection to the engine at " + hostPort + " is broken (" + broken
                    + ")", null);
        }
        try {
            replies.startCall();
            return call.on(client);
        } catch (TApplicationException e) {
            // The engine answered with an exception: the stream is intact, only this call failed.
            throw new EngineCallException("The engine at " + hostPort + " failed " + what + ": " + e.getMessage(),
                    e);
        } catch (TException | RuntimeException e) {
            broken = cause(e);
            socket.close();
            throw new EngineCallException(what + " to the engine at " + hostPort + " failed: " + broken, e);
        }
    }

    @Override
    public void close() {
        socket.close();
    }

    private static String cause(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) t = t.getCause();
        String msg = t.getMessage();
        return msg == null || msg.isBlank() ? t.getClass().getSimpleName() : msg;
    }
}
