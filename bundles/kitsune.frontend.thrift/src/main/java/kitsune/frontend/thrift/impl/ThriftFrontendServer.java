package kitsune.frontend.thrift.impl;

import java.io.IOException;
import java.net.BindException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

import javax.net.ssl.SSLServerSocket;

import org.apache.hive.service.rpc.thrift.TCLIService;
import org.apache.thrift.TProcessor;
import org.apache.thrift.TProcessorFactory;
import org.apache.thrift.protocol.TBinaryProtocol;
import org.apache.thrift.server.TThreadPoolServer;
import org.apache.thrift.transport.TTransport;

import kitsune.api.conf.ConfigKeys;
import kitsune.api.registry.ServerEndpoint;
import kitsune.thrift.CliBackend;
import kitsune.thrift.PlainCredentials;

/**
 * The binary TCLIService server, usable without OSGi: binds, serves on a TThreadPoolServer with a bounded worker
 * pool, and stops gracefully (stop accepting, close client connections, bounded wait).
 */
final class ThriftFrontendServer {
    private static final int BACKLOG = 128;
    private static final long SERVING_WAIT_MS = 10_000;
    private static final int STOP_WAIT_SECONDS = 10;

    private final FrontendSettings settings;
    private final Supplier<CliBackend> backend;
    private final PlainCredentials credentials;
    private TThreadPoolServer server;
    private AdmittingServerTransport transport;
    private ConnectionRefuser refuser;
    private Thread serveThread;
    private int port;

    /** Accepting every SASL PLAIN login (kyuubi.authentication=NONE). */
    ThriftFrontendServer(FrontendSettings settings, Supplier<CliBackend> backend) {
        this(settings, backend, PlainCredentials.ANY);
    }

    ThriftFrontendServer(FrontendSettings settings, Supplier<CliBackend> backend, PlainCredentials credentials) {
        this.settings = settings;
        this.backend = backend;
        this.credentials = credentials;
    }

    /** Binds and starts serving; returns once the socket accepts. */
    void start() throws FrontendStartException {
        ServerSocket socket = bind();
        port = socket.getLocalPort();
        WorkerPool pool = new WorkerPool(settings.minWorkers(), settings.maxWorkers());
        refuser = new ConnectionRefuser(settings.sasl());
        transport = new AdmittingServerTransport(socket, pool, refuser);
        Connections connections = new Connections(backend);
        TCLIService.Iface handler = BackendDispatcher.create(backend, connections::current);
        TThreadPoolServer.Args args = new TThreadPoolServer.Args(transport)
                .executorService(pool)
                .stopTimeoutVal(STOP_WAIT_SECONDS).stopTimeoutUnit(TimeUnit.SECONDS)
                .transportFactory(new ConnectionTransportFactory(settings, credentials))
                .protocolFactory(new TBinaryProtocol.Factory(true, true))
                .processorFactory(new TProcessorFactory(null) {
                    @Override
                    public TProcessor getProcessor(TTransport client) {
                        return new GuardedProcessor(new TCLIService.Processor<>(handler), (ClientSocket) client,
                                settings);
                    }
                });
        server = new TThreadPoolServer(args);
        server.setServerEventHandler(connections);
        serveThread = new Thread(server::serve, "kitsune-thrift-frontend");
        serveThread.start();
        long deadline = System.currentTimeMillis() + SERVING_WAIT_MS;
        try {
            while (!server.isServing() && serveThread.isAlive() && System.currentTimeMillis() < deadline) {
                Thread.sleep(5);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (!server.isServing()) {
            stop(Duration.ofSeconds(1));
            throw new FrontendStartException("The Thrift frontend on " + hostPort() + " did not start serving", null);
        }
    }

    private ServerSocket bind() throws FrontendStartException {
        String where = settings.bindHostForDisplay() + ":" + settings.port();
        ServerSocket socket = null;
        try {
            InetSocketAddress address = settings.bindHost().isEmpty() ? new InetSocketAddress(settings.port())
                    : new InetSocketAddress(InetAddress.getByName(settings.bindHost()), settings.port());
            if (settings.tls().enabled()) {
                SSLServerSocket tls = (SSLServerSocket) settings.tls().context().getServerSocketFactory()
                        .createServerSocket();
                settings.tls().apply(tls);
                socket = tls;
            } else {
                socket = new ServerSocket();
            }
            socket.setReuseAddress(true); // a restarted server must not wait for old connections' TIME_WAIT
            socket.bind(address, BACKLOG);
            return socket;
        } catch (UnknownHostException e) {
            throw new FrontendStartException("Cannot start the Thrift frontend: bind host " + settings.bindHost()
                    + " does not resolve; check " + ConfigKeys.THRIFT_BIND_HOST.name(), e);
        } catch (BindException e) {
            closeQuietly(socket);
            boolean inUse = String.valueOf(e.getMessage()).contains("in use");
            throw new FrontendStartException("Cannot start the Thrift frontend: " + where + " is not available ("
                    + e.getMessage() + "); " + (inUse
                            ? "set " + ConfigKeys.THRIFT_BIND_PORT.name() + " to a free port (0 picks one)"
                            : "check " + ConfigKeys.THRIFT_BIND_HOST.name() + " (an address of this machine)"), e);
        } catch (IOException e) {
            closeQuietly(socket);
            throw new FrontendStartException("Cannot start the Thrift frontend on " + where + ": " + e.getMessage(),
                    e);
        } catch (FrontendStartException e) {
            closeQuietly(socket);
            throw new FrontendStartException("Cannot start the Thrift frontend: " + e.getMessage(), e.getCause());
        }
    }

    private static void closeQuietly(ServerSocket s) {
        try {
            if (s != null) s.close();
        } catch (IOException ignored) {
            // nothing more to release
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

    ServerEndpoint endpoint() {
        return new ServerEndpoint(settings.advertisedHost(), port, settings.authentication(), settings.tls().enabled());
    }

    /** Stops accepting, closes every client connection (their sessions close), waits at most the timeout. */
    void stop(Duration timeout) {
        if (server == null) return;
        server.stop();
        transport.closeClients();
        refuser.shutdown();
        try {
            // serve() returns once the worker threads have ended (their connections are closed above).
            serveThread.join(Math.max(1, timeout.toMillis()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** True while the serve thread runs (false once a stop has completed). */
    boolean isRunning() {
        return serveThread != null && serveThread.isAlive();
    }
}
