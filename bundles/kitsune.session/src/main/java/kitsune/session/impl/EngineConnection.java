package kitsune.session.impl;

import java.time.Duration;

import org.apache.hive.service.rpc.thrift.TCLIService;
import org.apache.thrift.TApplicationException;
import org.apache.thrift.TConfiguration;
import org.apache.thrift.TException;
import org.apache.thrift.protocol.TBinaryProtocol;
import org.apache.thrift.transport.TSocket;
import org.apache.thrift.transport.TTransport;
import org.apache.thrift.transport.TTransportException;

import kitsune.api.conf.ConfigKeys;
import kitsune.api.conf.KitsuneConf;
import kitsune.api.engine.EngineConf;
import kitsune.api.registry.ServiceNode;
import kitsune.thrift.EngineChallenge;
import kitsune.thrift.EngineChallengeClientTransport;

/**
 * One Thrift connection to an engine (binary protocol, after a login in which the engine and then this server prove
 * they know the engine secret, or raw when engine security is off), one call at a time; an
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
     * Connects to a registered engine. An engine whose node says {@link EngineConf#AUTH_HMAC} must first prove that
     * it knows the engine secret ({@link EngineChallenge}), then this server proves it too; the secret itself never
     * travels. An engine that asks for the secret in clear ({@link EngineConf#AUTH_PLAIN}, older Kitsune versions)
     * gets nothing, and with kyuubi.engine.security.enabled an engine that asks for no login at all is not used
     * either: either may be a node planted in the engine space.
     *
     * @param connectTimeout how long connecting and logging in may take; reads have no timeout afterwards
     *                       (operations long-poll and synchronous statements may run for hours); a reply is
     *                       bounded by kitsune.engine.reply.max.bytes, read from conf now
     */
    static EngineConnection open(ServiceNode node, KitsuneConf conf, Duration connectTimeout)
            throws EngineCallException {
        int maxMessageSize = conf.get(ConfigKeys.ENGINE_REPLY_MAX_BYTES);
        String hostPort = node.hostPort();
        String auth = node.attributes().get(EngineConf.NODE_AUTH);
        String secret = conf.get(ConfigKeys.ENGINE_SECRET);
        String upgrade = "stop it (bin/kitsune-ctl delete engine, or the console) so that this server launches an "
                + "engine of its own version";
        if (EngineConf.AUTH_PLAIN.equals(auth)) {
            throw new EngineCallException("The engine at " + hostPort + " (" + node.path() + ") asks for the engine "
                    + "secret in clear (" + EngineConf.NODE_AUTH + "=" + EngineConf.AUTH_PLAIN + ", an engine of an "
                    + "older Kitsune, or a node planted in its engine space): this server does not send it; " + upgrade,
                    null);
        }
        boolean challenge = EngineConf.AUTH_HMAC.equals(auth);
        if (!challenge && auth != null) {
            throw new EngineCallException("The engine at " + hostPort + " (" + node.path() + ") asks for a login "
                    + "this server does not know (" + EngineConf.NODE_AUTH + "=" + auth + "); " + upgrade, null);
        }
        if (!challenge && conf.get(ConfigKeys.ENGINE_SECURITY_ENABLED)) {
            throw new EngineCallException("The engine at " + hostPort + " (" + node.path() + ") takes connections "
                    + "without a login, so it cannot prove that it is an engine of this namespace, and "
                    + ConfigKeys.ENGINE_SECURITY_ENABLED.name() + " is on here (an engine launched with it off, or a "
                    + "node planted in its engine space); " + upgrade, null);
        }
        if (challenge && secret.isEmpty()) {
            throw new EngineCallException("The engine at " + hostPort + " takes only connections that prove they "
                    + "know the engine secret, but this server has none (" + ConfigKeys.ENGINE_SECRET.name()
                    + " is not set and " + ConfigKeys.ENGINE_SECURITY_ENABLED.name() + " is off); set both as on "
                    + "the server that launched it", null);
        }
        try {
            int timeout = (int) Math.min(Integer.MAX_VALUE, connectTimeout.toMillis());
            TConfiguration tc = TConfiguration.custom().setMaxMessageSize(maxMessageSize)
                    .setMaxFrameSize(maxMessageSize).build();
            TSocket socket = new TSocket(tc, node.host(), node.port(), 0, timeout);
            TTransport transport = socket;
            if (challenge) {
                socket.setTimeout(timeout); // the login as a whole is bounded below; no single read waits longer
                // the engine knows its space's secret only: one planted in another space cannot answer
                transport = new EngineChallengeClientTransport(EngineChallenge.spaceSecret(secret,
                        node.parentPath()), EngineChallenge.address(node.host(), node.port()), socket);
            }
            open(transport, socket, timeout);
            if (challenge) socket.setTimeout(0);
            return new EngineConnection(hostPort, socket, new BoundedReplies(transport, maxMessageSize));
        } catch (TTransportException e) {
            String cause = cause(e);
            if (challenge && !refusedConnection(e)) {
                throw new EngineCallException("Cannot log in to the engine at " + hostPort + " (" + node.path()
                        + "): " + cause + ". It is not an engine of this namespace (a node planted in its engine "
                        + "space?) or it was launched by a server with another engine secret: set "
                        + ConfigKeys.ENGINE_SECRET.name() + " to one value on every server of the namespace", e, true);
            }
            throw new EngineCallException("Cannot connect to the engine at " + hostPort + ": " + cause, e);
        }
    }

    /** Opens the transport; a login that has not completed within the timeout is cut off by closing the socket. */
    private static void open(TTransport transport, TSocket socket, int timeoutMillis) throws TTransportException {
        if (transport == socket) {
            socket.open();
            return;
        }
        java.util.concurrent.ScheduledFuture<?> cut = LOGIN_DEADLINES.schedule(socket::close, timeoutMillis,
                java.util.concurrent.TimeUnit.MILLISECONDS);
        try {
            transport.open();
        } catch (TTransportException e) {
            socket.close();
            throw e;
        } finally {
            cut.cancel(false);
        }
        if (!socket.isOpen()) {
            throw new TTransportException("the engine did not complete the login within " + timeoutMillis + " ms");
        }
    }

    private static final java.util.concurrent.ScheduledExecutorService LOGIN_DEADLINES =
            java.util.concurrent.Executors.newSingleThreadScheduledExecutor(
                    kitsune.internal.threads.NamedThreads.daemon("kitsune-engine-login-deadline"));

    private static boolean refusedConnection(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof java.net.ConnectException || t instanceof java.net.NoRouteToHostException) return true;
        }
        return false;
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
