package kitsune.frontend.thrift.impl;

import java.util.concurrent.TimeUnit;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.ssl.SslHandler;

/**
 * Sends a client its last message (why it is refused) and closes the connection so that the client gets to read it:
 * closing a socket with unread input resets the connection, and a reset may reach the client before the message
 * does. So the server stops writing, reads and discards until the client hangs up, and closes at the latest
 * {@link #LINGER_SECONDS} later.
 */
final class Farewell {
    static final int LINGER_SECONDS = 2;

    private Farewell() {
    }

    /** The handler of {@code ctx} must discard what the client sends from now on. */
    static void say(ChannelHandlerContext ctx, ByteBuf message) {
        Channel channel = ctx.channel();
        ctx.writeAndFlush(message).addListener((ChannelFutureListener) written -> {
            if (!written.isSuccess()) {
                channel.close();
                return;
            }
            // Over TLS the output stays open: closing it would skip TLS's own close, which the close below sends.
            if (channel.pipeline().get(SslHandler.class) == null && channel instanceof SocketChannel socket) {
                socket.shutdownOutput();
            }
            channel.config().setAutoRead(true);
            channel.eventLoop().schedule(() -> {
                channel.close();
            }, LINGER_SECONDS, TimeUnit.SECONDS);
        });
    }
}
