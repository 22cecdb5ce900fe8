package kitsune.frontend.thrift.impl;

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
 * share.
 */
final class HeaderDeadline implements Connection.Listener {
    private static final Logger LOG = LoggerFactory.getLogger(HeaderDeadline.class);

    private final Scheduler scheduler;
    private final Duration timeout;
    /** Connections whose first request's header is still coming, by peer, with the socket's end point. */
    private final Map<SocketAddress, EndPoint> waiting = new ConcurrentHashMap<>();

    HeaderDeadline(Scheduler scheduler, Duration timeout) {
        this.scheduler = scheduler;
        this.timeout = timeout;
    }

    @Override
    public void onOpened(Connection connection) {
        EndPoint socket = connection.getEndPoint();
        SocketAddress peer = socket.getRemoteSocketAddress();
        // the second opening under one peer is the HTTP connection inside a TLS one: the first one's deadline holds
        if (peer == null || waiting.putIfAbsent(peer, socket) != null) return;
        scheduler.schedule(() -> expire(peer, socket), timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    @Override
    public void onClosed(Connection connection) {
        SocketAddress peer = connection.getEndPoint().getRemoteSocketAddress();
        if (peer != null) waiting.remove(peer, connection.getEndPoint());
    }

    /** A request's header has arrived on the peer's connection: its deadline is met. */
    void headerArrived(SocketAddress peer) {
        if (peer != null) waiting.remove(peer);
    }

    /** Connections waiting for their first header, for tests. */
    int waiting() {
        return waiting.size();
    }

    private void expire(SocketAddress peer, EndPoint socket) {
        if (!waiting.remove(peer, socket)) return;
        LOG.warn("Closing the HTTP connection from {}: its first request's header did not arrive within {}={}", peer,
                ConfigKeys.THRIFT_LOGIN_TIMEOUT.name(), timeout);
        socket.close();
    }
}
