package kitsune.frontend.thrift.impl;

import java.lang.management.ManagementFactory;
import java.net.BindException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

import javax.management.ObjectName;
import javax.net.ssl.SSLEngine;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.nio.NioServerSocketChannel;

import kitsune.internal.kerberos.KerberosIdentity;
import kitsune.api.conf.ConfigKeys;
import kitsune.api.metrics.ServerMetrics;
import kitsune.api.registry.ServerEndpoint;
import kitsune.internal.threads.NamedThreads;
import kitsune.thrift.CliBackend;
import kitsune.thrift.PlainCredentials;

/**
 * The binary TCLIService server, usable without OSGi. A selector server: a few event-loop threads accept, read and
 * write every connection (TLS, SASL, cutting bytes into Thrift messages), so an idle connection costs memory and a
 * file descriptor but no thread; calls and login checks run on the {@link WorkerPool}
 * (kyuubi.frontend.thrift.max.worker.threads), one call at a time per connection. Connections are bounded by
 * kitsune.frontend.connections.max. Stopping stops accepting, closes client connections and waits, bounded, for
 * their last calls and for the backend to have closed their sessions.
 */
final class ThriftFrontendServer {
    private static final Logger LOG = LoggerFactory.getLogger(ThriftFrontendServer.class);
    private static final int BACKLOG = 128;
    /** Event-loop threads: enough to keep TLS and large results off one core, and no more whatever the load. */
    private static final int MAX_EVENT_LOOPS = 8;
    private static final Duration EVENT_LOOP_STOP = Duration.ofSeconds(2);

    private final FrontendSettings settings;
    private final Supplier<CliBackend> backend;
    private final PlainCredentials credentials;
    private final KerberosIdentity kerberos;
    private final Supplier<ServerMetrics> metrics;
    private EventLoopGroup eventLoops;
    private WorkerPool workers;
    private Connections connections;
    private Channel serverChannel;
    private int port;

    /** Accepting every SASL PLAIN login (kyuubi.authentication=NONE). */
    ThriftFrontendServer(FrontendSettings settings, Supplier<CliBackend> backend) {
        this(settings, backend, PlainCredentials.ANY);
    }

    ThriftFrontendServer(FrontendSettings settings, Supplier<CliBackend> backend, PlainCredentials credentials) {
        this(settings, backend, credentials, null, Recorder.OFF);
    }

    /**
     * @param kerberos the server's identity for Kerberos (GSSAPI) logins, with KERBEROS; else null
     * @param metrics  where the frontend records its calls, logins and threads
     */
    ThriftFrontendServer(FrontendSettings settings, Supplier<CliBackend> backend, PlainCredentials credentials,
            KerberosIdentity kerberos, Supplier<ServerMetrics> metrics) {
        this.settings = settings;
        this.backend = backend;
        this.credentials = credentials;
        this.kerberos = kerberos;
        this.metrics = metrics;
    }

    /** Binds and starts serving; returns once the port accepts. */
    void start() throws FrontendStartException {
        String where = settings.bindHostForDisplay() + ":" + settings.port();
        InetSocketAddress address = address();
        Supplier<SSLEngine> tls = null;
        if (settings.tls().enabled()) {
            try {
                tls = settings.tls().engines();
            } catch (FrontendStartException e) {
                throw new FrontendStartException("Cannot start the Thrift frontend: " + e.getMessage(), e.getCause());
            }
        }
        workers = new WorkerPool(settings.minWorkers(), settings.maxWorkers(), metrics);
        connections = new Connections(settings.maxConnections());
        eventLoops = new NioEventLoopGroup(Math.min(MAX_EVENT_LOOPS, Runtime.getRuntime().availableProcessors()),
                NamedThreads.daemon("kitsune-thrift-io"));
        GuardedProcessor calls = GuardedProcessor.forBackend(backend, settings, metrics);
        ServerBootstrap bootstrap = new ServerBootstrap().group(eventLoops).channel(NioServerSocketChannel.class)
                .option(ChannelOption.SO_BACKLOG, BACKLOG)
                // a restarted server must not wait for old connections' TIME_WAIT
                .option(ChannelOption.SO_REUSEADDR, true)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childOption(ChannelOption.SO_KEEPALIVE, true)
                .childHandler(new ConnectionInitializer(settings, tls, credentials, kerberos, connections, workers,
                        calls, backend));
        try {
            serverChannel = bootstrap.bind(address).syncUninterruptibly().channel();
        } catch (Exception e) { // Netty rethrows the bind's checked exception undeclared
            stop(Duration.ofSeconds(1));
            if (e instanceof BindException) {
                boolean inUse = String.valueOf(e.getMessage()).contains("in use");
                throw new FrontendStartException("Cannot start the Thrift frontend: " + where + " is not available ("
                        + e.getMessage() + "); " + (inUse
                                ? "set " + ConfigKeys.THRIFT_BIND_PORT.name() + " to a free port (0 picks one)"
                                : "check " + ConfigKeys.THRIFT_BIND_HOST.name() + " (an address of this machine)"), e);
            }
            throw new FrontendStartException("Cannot start the Thrift frontend on " + where + ": " + e.getMessage(),
                    e);
        }
        port = ((InetSocketAddress) serverChannel.localAddress()).getPort();
        warnIfFewFileDescriptors();
    }

    private InetSocketAddress address() throws FrontendStartException {
        if (settings.bindHost().isEmpty()) return new InetSocketAddress(settings.port());
        try {
            return new InetSocketAddress(InetAddress.getByName(settings.bindHost()), settings.port());
        } catch (UnknownHostException e) {
            throw new FrontendStartException("Cannot start the Thrift frontend: bind host " + settings.bindHost()
                    + " does not resolve; check " + ConfigKeys.THRIFT_BIND_HOST.name(), e);
        }
    }

    /**
     * Each connection needs a file descriptor: with fewer than the connection bound, accepting would fail before the
     * bound is reached, and clients would wait instead of being told.
     */
    private void warnIfFewFileDescriptors() {
        long maxFiles;
        try {
            maxFiles = ((Number) ManagementFactory.getPlatformMBeanServer()
                    .getAttribute(new ObjectName("java.lang:type=OperatingSystem"), "MaxFileDescriptorCount"))
                    .longValue();
        } catch (Exception | LinkageError notUnix) {
            return;
        }
        if (maxFiles < settings.maxConnections() + 1024L) {
            LOG.warn("This process may open {} files, too few for {}={} client connections and the server's own "
                    + "files; raise the limit (ulimit -n) or lower {}", maxFiles,
                    ConfigKeys.FRONTEND_MAX_CONNECTIONS.name(), settings.maxConnections(),
                    ConfigKeys.FRONTEND_MAX_CONNECTIONS.name());
        }
    }

    int port() {
        return port;
    }

    String hostPort() {
        return settings.advertisedHost() + ":" + port;
    }

    String jdbcUrl() {
        return "jdbc:hive2://" + hostPort() + "/";
    }

    /** The call workers' figures (kitsune.api.session.ExecPool). */
    kitsune.api.session.ExecPool.Statistic execPool() {
        WorkerPool w = workers;
        if (w == null) return new kitsune.api.session.ExecPool.Statistic(0, 0, 0);
        return new kitsune.api.session.ExecPool.Statistic(w.getPoolSize(), w.getActiveCount(), w.getQueue().size());
    }

    ServerEndpoint endpoint() {
        return new ServerEndpoint(settings.advertisedHost(), port, settings.authentication(), settings.tls().enabled());
    }

    /** Connections open now (admitted, not yet closed). */
    int openConnections() {
        return connections == null ? 0 : connections.open();
    }

    /**
     * Stops accepting, closes every client connection (the backend closes their sessions), and waits at most the
     * timeout for their last calls to return; calls still running then are interrupted. The event loops, which
     * never block, are given {@link #EVENT_LOOP_STOP} more to end.
     */
    void stop(Duration timeout) {
        if (eventLoops == null) return;
        long deadline = System.nanoTime() + timeout.toNanos();
        if (serverChannel != null) serverChannel.close().awaitUninterruptibly(left(deadline), TimeUnit.NANOSECONDS);
        connections.closeAll();
        if (!connections.awaitFinished(Duration.ofNanos(left(deadline)))) {
            LOG.warn("Stopping the Thrift frontend without waiting longer for the calls still running");
        }
        workers.shutdown();
        try {
            if (!workers.awaitTermination(left(deadline), TimeUnit.NANOSECONDS)) {
                workers.shutdownNow();
                // interrupted calls hand their outcome to the event loops: let them before those end
                workers.awaitTermination(EVENT_LOOP_STOP.toMillis(), TimeUnit.MILLISECONDS);
            }
        } catch (InterruptedException e) {
            workers.shutdownNow();
            Thread.currentThread().interrupt();
        }
        eventLoops.shutdownGracefully(0, EVENT_LOOP_STOP.toMillis(), TimeUnit.MILLISECONDS)
                .awaitUninterruptibly(EVENT_LOOP_STOP.toMillis());
    }

    private static long left(long deadline) {
        return Math.max(0, deadline - System.nanoTime());
    }

    /** True from start until a stop has completed. */
    boolean isRunning() {
        return eventLoops != null && !eventLoops.isTerminated();
    }
}
