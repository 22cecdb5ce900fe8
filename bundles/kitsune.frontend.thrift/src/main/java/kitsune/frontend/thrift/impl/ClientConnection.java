package kitsune.frontend.thrift.impl;

import java.io.IOException;
import java.util.ArrayDeque;
import java.util.Queue;
import java.util.UUID;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

import javax.net.ssl.SSLException;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.ssl.NotSslRecordException;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import io.netty.util.ReferenceCountUtil;

import kitsune.api.conf.ConfigKeys;
import kitsune.thrift.CliBackend;
import kitsune.thrift.ClientContext;
import kitsune.internal.text.LogText;

/**
 * One admitted client connection, last in its pipeline; all its state lives on the connection's event loop. It
 * receives whole Thrift messages and runs them on the worker pool one at a time, in order (reading pauses while a call
 * runs, so a client cannot queue up work), and writes each reply. It gives the connection its {@link ClientContext}
 * (with SASL once the login succeeded), closes it if no login (SASL) or no first call (NOSASL) arrives within
 * kyuubi.frontend.thrift.login.timeout, names what went wrong in one WARN line when a client is cut off, and tells the
 * backend once the connection is gone and its last call has returned ({@link CliBackend#connectionClosed}).
 */
final class ClientConnection extends ChannelInboundHandlerAdapter {
    private static final Logger LOG = LoggerFactory.getLogger(ClientConnection.class);

    private final FrontendSettings settings;
    private final Connections connections;
    private final WorkerPool workers;
    private final GuardedProcessor calls;
    private final Supplier<CliBackend> backend;
    private final String peer;
    private final Queue<byte[]> waiting = new ArrayDeque<>();
    private Channel channel;
    private ClientContext context;
    private ScheduledFuture<?> loginTimer;
    private boolean calling;
    private boolean closed;
    /** The slot taken in {@link Connections} is given back once, whichever way the connection ends. */
    private boolean released;
    /** Why the connection is being closed has been said (logged) already. */
    private boolean reported;

    ClientConnection(FrontendSettings settings, Connections connections, WorkerPool workers, GuardedProcessor calls,
            Supplier<CliBackend> backend, String peer) {
        this.settings = settings;
        this.connections = connections;
        this.workers = workers;
        this.calls = calls;
        this.backend = backend;
        this.peer = peer;
    }

    /** Closes the connection from any thread (a stopping server). */
    void close() {
        Channel c = channel;
        if (c != null) c.close();
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        channel = ctx.channel();
        connections.started(this);
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        if (!settings.sasl()) begin(null);
        loginTimer = ctx.executor().schedule(this::loginTimedOut, settings.loginTimeout().toMillis(),
                TimeUnit.MILLISECONDS);
        ctx.fireChannelActive();
    }

    private void loginTimedOut() {
        if (closed) return;
        if (settings.sasl()) {
            report("SASL handshake failed: no handshake within " + ConfigKeys.THRIFT_LOGIN_TIMEOUT.name() + "="
                    + settings.loginTimeout());
        } else {
            report("no call within " + ConfigKeys.THRIFT_LOGIN_TIMEOUT.name() + "=" + settings.loginTimeout());
        }
        channel.close();
    }

    /** The connection may make calls from now on; {@code user} is the SASL user, null with NOSASL. */
    private void begin(String user) {
        context = new ClientContext(UUID.randomUUID().toString(), user, Peers.address(channel));
        LOG.debug("Connection {} from {} (user {})", context.connectionId(), peer, LogText.of(user));
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object event) {
        if (event instanceof SaslHandshake.Authenticated authenticated) {
            cancelLoginTimer();
            begin(authenticated.user());
        } else if (event instanceof SslHandshakeCompletionEvent tls && !tls.isSuccess()) {
            if (ctx.channel().isActive()) {
                report((settings.sasl() ? "SASL handshake failed: " : "") + describeTls(tls.cause()));
            } else {
                reported = true;
                LOG.debug("Connection from {} closed during the TLS handshake", peer);
            }
        }
        ctx.fireUserEventTriggered(event);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        byte[] request;
        try {
            if (closed || context == null || !(msg instanceof ByteBuf call)) return;
            request = ByteBufUtil.getBytes(call);
        } finally {
            ReferenceCountUtil.release(msg);
        }
        if (!settings.sasl()) cancelLoginTimer(); // the first call arrived
        waiting.add(request);
        if (!calling) callNext();
    }

    private void callNext() {
        byte[] request;
        while (true) {
            request = waiting.poll();
            if (request == null) {
                channel.config().setAutoRead(true);
                return;
            }
            // the last fetch of a result and the close of an ended operation are answered here, on the event loop
            GuardedProcessor.Reply now = calls.processAtOnce(request, context);
            if (now == null) break;
            channel.writeAndFlush(Unpooled.wrappedBuffer(now.buffer(), 0, now.length()))
                    .addListener(ChannelFutureListener.CLOSE_ON_FAILURE);
        }
        calling = true;
        channel.config().setAutoRead(false);
        ClientContext client = context;
        byte[] call = request;
        try {
            workers.execute(() -> {
                GuardedProcessor.Reply reply = calls.process(call, client);
                try {
                    channel.eventLoop().execute(() -> answered(reply));
                } catch (RejectedExecutionException stopped) {
                    // the server stopped without waiting for this call any longer: nothing is left to answer
                    connections.finished(this);
                }
            });
        } catch (RejectedExecutionException stopping) {
            calling = false;
            channel.close();
        }
    }

    /** On the event loop, once a call has run. */
    private void answered(GuardedProcessor.Reply reply) {
        calling = false;
        if (closed) {
            finish();
            return;
        }
        if (reply.closeCause() != null) {
            report(reply.closeCause());
            channel.close();
            return;
        }
        if (reply.length() > 0) {
            channel.writeAndFlush(Unpooled.wrappedBuffer(reply.buffer(), 0, reply.length()))
                    .addListener(ChannelFutureListener.CLOSE_ON_FAILURE);
        }
        callNext();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (cause instanceof ProtocolViolation violation) {
            report(violation.getMessage());
        } else if (reported || closed) {
            LOG.debug("Connection from {}: {}", peer, cause.toString());
        } else if (cause.getCause() instanceof SSLException || cause instanceof SSLException) {
            SslHandler tls = ctx.pipeline().get(SslHandler.class);
            boolean handshaking = tls != null && !tls.handshakeFuture().isSuccess();
            report(handshaking ? (settings.sasl() ? "SASL handshake failed: " : "") + describeTls(cause)
                    : "TLS failed: " + firstLine(cause.getCause() == null ? cause : cause.getCause()));
        } else if (cause instanceof IOException) {
            // the client hung up or reset the connection: nothing to report
            reported = true;
            LOG.debug("Connection from {} ended: {}", peer, cause.toString());
        } else {
            reported = true;
            LOG.warn("Closing connection from {}: unexpected failure", peer, cause);
        }
        ctx.close();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        closed = true;
        cancelLoginTimer();
        release();
        waiting.clear();
        if (!calling) finish();
        ctx.fireChannelInactive();
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        // a channel that closes before it was ever active has no channelInactive
        release();
        if (!closed) {
            closed = true;
            if (!calling) finish();
        }
    }

    private void release() {
        if (released) return;
        released = true;
        connections.release();
    }

    /** The connection is gone and no call of it runs: tells the backend, on a worker (it may block). */
    private void finish() {
        ClientContext client = context;
        context = null;
        CliBackend b = client == null ? null : backend.get();
        if (b == null) {
            connections.finished(this);
            return;
        }
        try {
            workers.execute(() -> {
                try {
                    b.connectionClosed(client);
                } catch (RuntimeException e) {
                    LOG.warn("Closing the sessions of connection {} failed", client.connectionId(), e);
                } finally {
                    connections.finished(this);
                }
            });
        } catch (RejectedExecutionException stopping) {
            LOG.warn("The sessions of connection {} from {} were not closed: the frontend stopped first",
                    client.connectionId(), peer);
            connections.finished(this);
        }
    }

    private void cancelLoginTimer() {
        if (loginTimer != null) {
            loginTimer.cancel(false);
            loginTimer = null;
        }
    }

    /** Says once, as one WARN line, why the connection is being closed. */
    private void report(String cause) {
        if (reported) return;
        reported = true;
        LOG.warn("Closing connection from {}: {}", peer, LogText.of(cause));
    }

    /** A failed TLS handshake in words an operator can act on. */
    private static String describeTls(Throwable cause) {
        Throwable t = cause;
        while (t.getCause() != null && !(t instanceof SSLException)) t = t.getCause();
        String what = t instanceof NotSslRecordException ? "not a TLS record" : firstLine(t);
        return "TLS handshake failed (" + what + "): the client does not speak TLS (JDBC URLs need ;ssl=true and a "
                + "trust store with this server's certificate) or does not trust it";
    }

    private static String firstLine(Throwable t) {
        String message = t.getMessage();
        if (message == null) return t.getClass().getSimpleName();
        return message.lines().findFirst().orElse(t.getClass().getSimpleName());
    }
}
