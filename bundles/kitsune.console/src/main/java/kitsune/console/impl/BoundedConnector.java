package kitsune.console.impl;

import java.net.SocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import org.eclipse.jetty.io.Connection;
import org.eclipse.jetty.io.EndPoint;
import org.eclipse.jetty.io.SocketChannelEndPoint;
import org.eclipse.jetty.server.ConnectionFactory;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.SslConnectionFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import kitsune.api.conf.ConfigKeys;
import kitsune.internal.http.HeaderDeadline;

/**
 * The HTTP service's port (REST API, Web Console) with the Thrift HTTP port's bounds before a login: a connection
 * whose first request's header is not whole within kyuubi.frontend.thrift.login.timeout is closed
 * ({@link HeaderDeadline}), at most kitsune.frontend.rest.connections.max are open at once (one more is closed as soon
 * as it opens, before a byte of it is read), and the idle timeout of Felix HTTP's own connector
 * (kitsune.frontend.rest.max.idle.time). It takes the place of the connector Felix HTTP built from its configuration
 * (see {@link PortBounds}), with that connector's host, port, TLS and HTTP settings: its connection factories are
 * copied (the HTTP configuration as a copy, so the header customizer added here leaves Felix's untouched; the TLS
 * context factory is shared).
 */
final class BoundedConnector extends ServerConnector {
    private static final Logger LOG = LoggerFactory.getLogger(BoundedConnector.class);
    private static final long REFUSAL_LOG_INTERVAL_NANOS = Duration.ofSeconds(10).toNanos();

    private final AtomicInteger open = new AtomicInteger();
    private final AtomicLong refused = new AtomicLong();
    private final AtomicLong lastRefusalLog = new AtomicLong(System.nanoTime() - REFUSAL_LOG_INTERVAL_NANOS);
    private volatile int maxConnections;
    private volatile HeaderDeadline headerDeadline;

    private BoundedConnector(Server server, int acceptors, int selectors, ConnectionFactory... factories) {
        super(server, acceptors, selectors, factories);
    }

    /** A connector on {@code felix}'s host and port with its TLS and HTTP settings and the bounds. */
    static BoundedConnector replacing(ServerConnector felix, int maxConnections, Duration loginTimeout) {
        List<ConnectionFactory> factories = new ArrayList<>();
        for (ConnectionFactory f : felix.getConnectionFactories()) {
            if (f instanceof HttpConnectionFactory http) {
                HttpConnectionFactory copy = new HttpConnectionFactory(new HttpConfiguration(http.getHttpConfiguration()));
                copy.setInputBufferSize(http.getInputBufferSize());
                factories.add(copy);
            } else if (f instanceof SslConnectionFactory ssl) {
                factories.add(new SslConnectionFactory(ssl.getSslContextFactory(), ssl.getNextProtocol()));
            } else {
                factories.add(f);
            }
        }
        Server server = felix.getServer();
        BoundedConnector c = new BoundedConnector(server, felix.getAcceptors(),
                felix.getSelectorManager().getSelectorCount(), factories.toArray(new ConnectionFactory[0]));
        c.setHost(felix.getHost());
        c.setPort(felix.getPort()); // Felix HTTP has resolved 0 to a free port already
        c.setIdleTimeout(felix.getIdleTimeout());
        c.setAcceptQueueSize(felix.getAcceptQueueSize());
        c.setReuseAddress(felix.getReuseAddress());
        c.maxConnections = maxConnections;
        c.headerDeadline = new HeaderDeadline(server.getScheduler(), loginTimeout, "REST/console HTTP");
        // the first listener: a connection above the maximum is closed before the header deadline counts it
        c.addEventListener(c.new Refuser());
        c.addEventListener(c.headerDeadline);
        HttpConnectionFactory http = c.getConnectionFactory(HttpConnectionFactory.class);
        if (http != null) {
            http.getHttpConfiguration().addCustomizer((request, responseHeaders) -> {
                c.headerDeadline.headerArrived(request.getConnectionMetaData().getRemoteSocketAddress());
                return request;
            });
        }
        return c;
    }

    /** New bounds for the connections that open from now on (a changed kyuubi-defaults.conf). */
    void update(int maxConnections, Duration loginTimeout) {
        this.maxConnections = maxConnections;
        HeaderDeadline old = headerDeadline;
        HeaderDeadline fresh = new HeaderDeadline(getServer().getScheduler(), loginTimeout, "REST/console HTTP");
        addEventListener(fresh);
        headerDeadline = fresh;
        removeEventListener(old);
    }

    /** Open client sockets, for tests and the refusal. */
    int openConnections() {
        return open.get();
    }

    int maxConnections() {
        return maxConnections;
    }

    HeaderDeadline headerDeadline() {
        return headerDeadline;
    }

    @Override
    protected void onEndPointOpened(EndPoint endPoint) {
        open.incrementAndGet();
        super.onEndPointOpened(endPoint);
    }

    @Override
    protected void onEndPointClosed(EndPoint endPoint) {
        open.decrementAndGet();
        super.onEndPointClosed(endPoint);
    }

    /** Closes a client socket that opens while the port already holds the most it may. */
    private final class Refuser implements Connection.Listener {
        @Override
        public void onOpened(Connection connection) {
            EndPoint socket = connection.getEndPoint();
            // the socket's own connection (TLS or HTTP), not the HTTP connection inside a TLS one
            if (!(socket instanceof SocketChannelEndPoint)) return;
            int max = maxConnections;
            if (open.get() <= max) return;
            SocketAddress peer = socket.getRemoteSocketAddress();
            socket.close();
            long n = refused.incrementAndGet();
            long now = System.nanoTime();
            long last = lastRefusalLog.get();
            if (now - last >= REFUSAL_LOG_INTERVAL_NANOS && lastRefusalLog.compareAndSet(last, now)) {
                refused.addAndGet(-n);
                LOG.warn("Refused {} connection(s) to the HTTP service on port {} (latest from {}): all {} are open "
                        + "({}={}); raise it or find the clients that hold them", n, getLocalPort(),
                        peer, max, ConfigKeys.REST_MAX_CONNECTIONS.name(), max);
            }
        }

        @Override
        public void onClosed(Connection connection) {
        }
    }
}
