package kitsune.frontend.thrift.impl;

import java.util.Arrays;
import java.util.concurrent.TimeUnit;

import org.apache.thrift.TApplicationException;
import org.apache.thrift.TException;
import org.apache.thrift.protocol.TBinaryProtocol;
import org.apache.thrift.protocol.TMessage;
import org.apache.thrift.protocol.TMessageType;
import org.apache.thrift.transport.TMemoryBuffer;
import org.apache.thrift.transport.TMemoryInputTransport;
import org.apache.thrift.transport.sasl.NegotiationStatus;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.ReferenceCountUtil;

/**
 * Tells a client that arrives while the port holds all the connections it may (kitsune.frontend.connections.max)
 * that the server is full, at once and in the client's own protocol, so that Hive JDBC reports the reason (and can
 * move on to another server) instead of hanging or seeing a bare reset: a SASL client gets a SASL ERROR message as
 * soon as it connects, a NOSASL client gets a TApplicationException in reply to its first call. The connection is
 * closed when the client hangs up, at the latest a few seconds later.
 */
final class ConnectionRefuser extends ChannelInboundHandlerAdapter {
    private static final Logger LOG = LoggerFactory.getLogger(ConnectionRefuser.class);
    private final boolean sasl;
    private final String reason;
    private final Connections connections;
    private final String peer;
    private boolean answered;

    ConnectionRefuser(boolean sasl, String reason, Connections connections, String peer) {
        this.sasl = sasl;
        this.reason = reason;
        this.connections = connections;
        this.peer = peer;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        if (sasl) {
            answered = true;
            Farewell.say(ctx, SaslHandshake.message(ctx.alloc(), NegotiationStatus.ERROR, reason));
        } else {
            // a NOSASL client is answered when its first call arrives, if it does soon
            ctx.executor().schedule(() -> {
                ctx.close();
            }, Farewell.LINGER_SECONDS, TimeUnit.SECONDS);
        }
        ctx.fireChannelActive();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        try {
            if (!answered && msg instanceof ByteBuf call) {
                answered = true;
                Farewell.say(ctx, Unpooled.wrappedBuffer(failure(ByteBufUtil.getBytes(call))));
            }
        } catch (TException e) {
            LOG.debug("Could not tell {} why it was refused: {}", peer, e.toString());
            ctx.close();
        } finally {
            ReferenceCountUtil.release(msg);
        }
    }

    /** The reply to a call: a TApplicationException with the reason. */
    private byte[] failure(byte[] call) throws TException {
        TMessage request = new TBinaryProtocol(new TMemoryInputTransport(call)).readMessageBegin();
        TMemoryBuffer buffer = new TMemoryBuffer(256);
        TBinaryProtocol out = new TBinaryProtocol(buffer);
        out.writeMessageBegin(new TMessage(request.name, TMessageType.EXCEPTION, request.seqid));
        new TApplicationException(TApplicationException.INTERNAL_ERROR, reason).write(out);
        out.writeMessageEnd();
        return Arrays.copyOf(buffer.getArray(), buffer.length());
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        LOG.debug("Could not tell {} why it was refused: {}", peer, cause.toString());
        ctx.close();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        connections.refused();
        ctx.fireChannelInactive();
    }
}
