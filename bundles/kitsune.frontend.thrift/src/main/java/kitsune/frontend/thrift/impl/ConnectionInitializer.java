package kitsune.frontend.thrift.impl;

import java.util.function.Supplier;

import javax.net.ssl.SSLEngine;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.LengthFieldPrepender;
import io.netty.handler.ssl.SslHandler;

import kitsune.internal.kerberos.KerberosIdentity;
import kitsune.thrift.CliBackend;
import kitsune.thrift.PlainCredentials;

/**
 * Sets up each accepted connection's pipeline: TLS if configured; then, for an admitted connection, the SASL
 * handshake (followed by SASL frames) or nothing (NOSASL), the cutting into Thrift messages, and the connection's
 * calls; for a connection above kitsune.frontend.connections.max, the refusal instead.
 */
final class ConnectionInitializer extends ChannelInitializer<SocketChannel> {
    private static final Logger LOG = LoggerFactory.getLogger(ConnectionInitializer.class);

    private final FrontendSettings settings;
    private final Supplier<SSLEngine> tls;
    private final PlainCredentials credentials;
    private final Connections connections;
    private final WorkerPool workers;
    private final GuardedProcessor calls;
    private final Supplier<CliBackend> backend;
    private final KerberosIdentity kerberos;

    /**
     * @param tls      makes each connection's TLS engine; null without TLS
     * @param kerberos the server's identity for GSSAPI logins; null without KERBEROS
     */
    ConnectionInitializer(FrontendSettings settings, Supplier<SSLEngine> tls, PlainCredentials credentials,
            KerberosIdentity kerberos, Connections connections, WorkerPool workers, GuardedProcessor calls,
            Supplier<CliBackend> backend) {
        this.kerberos = kerberos;
        this.settings = settings;
        this.tls = tls;
        this.credentials = credentials;
        this.connections = connections;
        this.workers = workers;
        this.calls = calls;
        this.backend = backend;
    }

    @Override
    protected void initChannel(SocketChannel channel) {
        String peer = Peers.describe(channel);
        ChannelPipeline pipeline = channel.pipeline();
        if (tls != null) {
            SslHandler handler = new SslHandler(tls.get());
            handler.setHandshakeTimeoutMillis(0); // the login timeout covers the TLS handshake too
            pipeline.addLast("tls", handler);
        }
        if (!connections.tryAdmit()) {
            String reason = connections.refusal();
            LOG.warn("Refusing connection from {}: {}", peer, reason);
            if (!connections.tryRefuse()) {
                channel.close();
                return;
            }
            if (!settings.sasl()) {
                pipeline.addLast("thrift", new ThriftMessageDecoder(settings.maxMessageSize(), null, true,
                        settings.loginTimeout()));
            }
            pipeline.addLast("refuser", new ConnectionRefuser(settings.sasl(), reason, connections, peer));
            return;
        }
        if (settings.sasl()) {
            pipeline.addLast("sasl", new SaslHandshake(settings, credentials, kerberos, workers, peer));
            pipeline.addLast("sasl-frames-out", new LengthFieldPrepender(4));
        }
        pipeline.addLast("thrift", new ThriftMessageDecoder(settings.maxMessageSize(),
                settings.sasl() ? null : settings.authentication(), !settings.sasl(), settings.loginTimeout()));
        pipeline.addLast("connection", new ClientConnection(settings, connections, workers, calls, backend, peer));
    }
}
