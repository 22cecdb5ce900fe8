package kitsune.session.impl;

import java.time.Duration;

import org.apache.hive.service.rpc.thrift.TCLIService;
import org.apache.thrift.TApplicationException;
import org.apache.thrift.TConfiguration;
import org.apache.thrift.TException;
import org.apache.thrift.protocol.TBinaryProtocol;
import org.apache.thrift.transport.TSocket;
import org.apache.thrift.transport.TTransportException;

/**
 * One session's Thrift connection to its engine (raw socket, binary protocol, as engines serve). Thrift clients
 * are not thread-safe and a client may call from several threads at once (e.g. Statement.cancel while a fetch
 * runs), so calls are serialised. Any failure below TCLIService leaves the stream in an unknown state: the
 * connection is then broken for good.
 */
final class EngineConnection implements AutoCloseable {
    @FunctionalInterface
    interface Call<R> {
        R on(TCLIService.Client client) throws TException;
    }

    private final String hostPort;
    private final TSocket socket;
    private final TCLIService.Client client;
    private volatile String broken;

    private EngineConnection(String hostPort, TSocket socket) {
        this.hostPort = hostPort;
        this.socket = socket;
        this.client = new TCLIService.Client(new TBinaryProtocol(socket));
    }

    /**
     * @param connectTimeout how long connecting may take; reads have no timeout (operations long-poll and
     *                       synchronous statements may run for hours)
     */
    static EngineConnection open(String host, int port, Duration connectTimeout, int maxMessageSize)
            throws EngineCallException {
        String hostPort = host + ":" + port;
        try {
            TConfiguration conf = TConfiguration.custom().setMaxMessageSize(maxMessageSize)
                    .setMaxFrameSize(maxMessageSize).build();
            TSocket socket = new TSocket(conf, host, port, 0, (int) Math.min(Integer.MAX_VALUE,
                    connectTimeout.toMillis()));
            socket.open();
            return new EngineConnection(hostPort, socket);
        } catch (TTransportException e) {
            throw new EngineCallException("Cannot connect to the engine at " + hostPort + ": " + cause(e), e);
        }
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
            socket.setTimeout(0);
        }
    }

    synchronized <R> R call(String what, Call<R> call) throws EngineCallException {
        if (broken != null) {
            throw new EngineCallException("The connection to the engine at " + hostPort + " is broken (" + broken
                    + "); open a new session", null);
        }
        try {
            return call.on(client);
        } catch (TApplicationException e) {
            // The engine answered with an exception: the stream is intact, only this call failed.
            throw new EngineCallException("The engine at " + hostPort + " failed " + what + ": " + e.getMessage(),
                    e);
        } catch (TException | RuntimeException e) {
            broken = cause(e);
            socket.close();
            throw new EngineCallException(what + " to the engine at " + hostPort + " failed: " + broken
                    + "; this session cannot continue, open a new one", e);
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
