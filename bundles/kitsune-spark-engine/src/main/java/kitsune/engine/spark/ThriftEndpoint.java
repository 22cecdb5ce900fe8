package kitsune.engine.spark;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

import org.apache.hive.service.rpc.thrift.TCLIService;
import org.apache.thrift.protocol.TBinaryProtocol;
import org.apache.thrift.protocol.TProtocol;
import org.apache.thrift.server.ServerContext;
import org.apache.thrift.server.TServerEventHandler;
import org.apache.thrift.server.TThreadPoolServer;
import org.apache.thrift.transport.TServerSocket;
import org.apache.thrift.transport.TSocket;
import org.apache.thrift.transport.TTransport;
import org.apache.thrift.transport.TTransportException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import kitsune.thrift.ClientContext;
import kitsune.thrift.EngineChallenge;
import kitsune.thrift.EngineChallengeServerTransport;
import kitsune.thrift.EngineChallengeTransportFactory;
import kitsune.internal.threads.NamedThreads;

/**
 * The engine's TCLIService listener: the binary protocol, after a login in which the connecting server proves that
 * it knows the engine secret ({@link EngineChallenge}, SASL framing from then on), or, with engine security off, raw
 * TCP with no SASL or framing (what Hive JDBC's auth=noSasl speaks); one pooled worker thread per connection up to a
 * bound, strings and containers limited to the maximum message size. It knows which connection each call comes from, so that the
 * sessions a connection opened are closed when it drops.
 */
final class ThriftEndpoint {
    private static final Logger LOG = LoggerFactory.getLogger(ThriftEndpoint.class);

    /** How long a connection may take to log in, as a whole. */
    static final Duration LOGIN_DEADLINE = Duration.ofSeconds(15);

    private final ThreadLocal<ClientContext> current = new ThreadLocal<>();
    private final CountDownLatch serving = new CountDownLatch(1);
    private final TServerSocket socket;
    private final TThreadPoolServer server;
    private final Thread serveThread;

    /**
     * Binds host:0 now, so the port is known (and accepting into the backlog) before start.
     *
     * @param host           the address to bind
     * @param advertisedHost the host this engine registers in its node: logins must be meant for it and this port
     * @param secret         the shared engine secret every connection must prove it knows, or null for raw
     *                       connections
     */
    ThriftEndpoint(String host, String advertisedHost, int maxWorkers, int maxMessageSize, String secret,
            TCLIService.Iface service, Consumer<ClientContext> connectionClosed) throws TTransportException {
        socket = new TServerSocket(new InetSocketAddress(host, 0));
        TThreadPoolServer.Args args = new TThreadPoolServer.Args(socket)
                .processor(new TCLIService.Processor<>(service))
                .protocolFactory(new TBinaryProtocol.Factory(false, true, maxMessageSize, maxMessageSize))
                .minWorkerThreads(1)
                .maxWorkerThreads(maxWorkers);
        if (secret != null) {
            args.transportFactory(new EngineChallengeTransportFactory(maxMessageSize, secret,
                    EngineChallenge.address(advertisedHost, port()), LOGIN_DEADLINE));
        }
        server = new TThreadPoolServer(args);
        server.setServerEventHandler(new ConnectionTracker(connectionClosed));
        serveThread = NamedThreads.daemon("kitsune-thrift-serve").newThread(server::serve);
    }

    int port() {
        return socket.getServerSocket().getLocalPort();
    }

    /** Starts serving and waits until the server loop runs. */
    void start(long timeoutMillis) throws InterruptedException {
        serveThread.start();
        if (!serving.await(timeoutMillis, TimeUnit.MILLISECONDS)) {
            throw new IllegalStateException("Thrift server did not start serving within " + timeoutMillis + " ms");
        }
    }

    /** The connection of the calling worker thread. */
    ClientContext currentConnection() {
        ClientContext ctx = current.get();
        return ctx != null ? ctx : new ClientContext("unknown", null, null);
    }

    void stop() {
        server.stop();
    }

    private final class ConnectionTracker implements TServerEventHandler {
        private final Consumer<ClientContext> connectionClosed;

        ConnectionTracker(Consumer<ClientContext> connectionClosed) {
            this.connectionClosed = connectionClosed;
        }

        @Override
        public void preServe() {
            serving.countDown();
        }

        @Override
        public ServerContext createContext(TProtocol input, TProtocol output) {
            TTransport t = input.getTransport();
            if (t instanceof EngineChallengeServerTransport sasl) t = sasl.getUnderlyingTransport();
            String address = t instanceof TSocket s && s.getSocket().getInetAddress() != null
                    ? s.getSocket().getInetAddress().getHostAddress() : null;
            return new Connection(new ClientContext(UUID.randomUUID().toString(), null, address));
        }

        @Override
        public void deleteContext(ServerContext context, TProtocol input, TProtocol output) {
            current.remove();
            try {
                connectionClosed.accept(((Connection) context).client);
            } catch (RuntimeException e) {
                LOG.warn("Closing the sessions of a dropped connection failed: {}", e.toString());
            }
        }

        @Override
        public void processContext(ServerContext context, TTransport in, TTransport out) {
            current.set(((Connection) context).client);
        }
    }

    private record Connection(ClientContext client) implements ServerContext {
        @Override
        public <T> T unwrap(Class<T> iface) {
            return iface.isInstance(this) ? iface.cast(this) : null;
        }

        @Override
        public boolean isWrapperFor(Class<?> iface) {
            return iface.isInstance(this);
        }
    }
}
