package kitsune.internal.http;

import java.net.SocketAddress;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

import org.eclipse.jetty.io.Connection;
import org.eclipse.jetty.io.EndPoint;
import org.eclipse.jetty.util.thread.Scheduler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import kitsune.api.conf.ConfigKeys;

/**
 * Closes an HTTP connection whose first request has not got its whole header in within the login timeout. The idle
 * timeout alone lets a client that sends a header byte now and then hold a connection, and one of the connection
 * slots, for as long as it likes without ever logging in (a "slowloris"); the request's body has its own deadline.
 * A connection is known by its peer's address and port, which a TLS connection and the HTTP connection inside it
 * share. Used by the Thrift HTTP port and by the REST / console port: whoever parses the requests calls
 * {@link #headerArrived} when a request's header is whole.
 */
public final class HeaderDeadline implements Connection.Listener {
    private static final Logger LOG = LoggerFactory.getLogger(HeaderDeadline.class);

    private final Scheduler scheduler;
    private final Duration timeout;
    private final String port;
    /** Connections whose first request's header is still coming, by peer, with the socket's end point. */
    private final Map<SocketAddress, EndPoint> waiting = new ConcurrentHashMap<>();

    /**
     * @param port what the port is, for the log line (e.g. "Thrift HTTP")
     */
    public HeaderDeadline(Scheduler scheduler, Duration timeout, String port) {
        this.scheduler = scheduler;
        this.timeout = timeout;
        this.port = port;
    }

    @Override
    public void onOpened(Connection connection) {
        EndPoint socket = connection.getEndPoint();
        SocketAddress peer = socket.getRemoteSocketAddress();
        // the second opening under one peer is the HTTP connection inside a TLS one: the first one's deadline holds;
        // a connection closed as it opened (refused) has nothing to wait for
        if (peer == null || !socket.isOpen() || waiting.putIfAbsent(peer, socket) != null) return;
        scheduler.schedule(() -> expire(peer, socket), timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    @Override
    public void onClosed(Connection connection) {
        SocketAddress peer = connection.getEndPoint().getRemoteSocketAddress();
        if (peer != null) waiting.remove(peer, connection.getEndPoint());
    }

    /** A request's header has arrived on the peer's connection: its deadline is met. */
    public void headerArrived(SocketAddress peer) {
        if (peer != null) waiting.remove(peer);
    }

    /** Connections waiting for their first header, for tests. */
    public int waiting() {
        return waiting.size();
    }

    private void expire(SocketAddress peer, EndPoint socket) {
        if (!waiting.remove(peer, socket) || !socket.isOpen()) return;
        LOG.warn("Closing the {} connection from {}: its first request's header did not arrive within {}={}", port,
                peer, ConfigKeys.THRIFT_LOGIN_TIMEOUT.name(), timeout);
        socket.close();
    }
}
