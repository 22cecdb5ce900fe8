package kitsune.frontend.thrift.impl;

import java.util.UUID;
import java.util.function.Supplier;

import org.apache.thrift.protocol.TProtocol;
import org.apache.thrift.server.ServerContext;
import org.apache.thrift.server.TServerEventHandler;
import org.apache.thrift.transport.TTransport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import kitsune.thrift.CliBackend;
import kitsune.thrift.ClientContext;
import kitsune.thrift.PlainSaslServerTransport;

/**
 * Gives every connection its ClientContext, makes it the current one while that connection's calls run (each
 * connection has its own worker thread), and tells the backend when the connection is gone.
 */
final class Connections implements TServerEventHandler {
    private static final Logger LOG = LoggerFactory.getLogger(Connections.class);
    private final ThreadLocal<ClientContext> current = new ThreadLocal<>();
    private final Supplier<CliBackend> backend;

    Connections(Supplier<CliBackend> backend) {
        this.backend = backend;
    }

    /** The context of the connection whose call runs on this thread. */
    ClientContext current() {
        return current.get();
    }

    @Override
    public void preServe() {
    }

    @Override
    public ServerContext createContext(TProtocol input, TProtocol output) {
        TTransport t = input.getTransport();
        String user = t instanceof PlainSaslServerTransport sasl ? sasl.user() : null;
        ClientContext ctx = new ClientContext(UUID.randomUUID().toString(), user, Peers.address(t));
        LOG.debug("Connection {} from {} (user {})", ctx.connectionId(), Peers.describe(t), user);
        return new Connection(ctx);
    }

    @Override
    public void processContext(ServerContext serverContext, TTransport in, TTransport out) {
        current.set(((Connection) serverContext).client);
    }

    @Override
    public void deleteContext(ServerContext serverContext, TProtocol input, TProtocol output) {
        current.remove();
        CliBackend b = backend.get();
        if (b == null || serverContext == null) return;
        try {
            b.connectionClosed(((Connection) serverContext).client);
        } catch (RuntimeException e) {
            LOG.warn("Closing the sessions of connection {} failed: {}",
                    ((Connection) serverContext).client.connectionId(), e.toString());
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
