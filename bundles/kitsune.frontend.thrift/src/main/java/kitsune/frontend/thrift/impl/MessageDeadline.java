package kitsune.frontend.thrift.impl;

import java.time.Duration;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

import io.netty.channel.ChannelHandlerContext;

import kitsune.api.conf.ConfigKeys;

/**
 * A message (a Thrift call or a SASL data frame) whose first bytes arrived must arrive whole within
 * kyuubi.frontend.thrift.login.timeout, or the connection is closed: a client that stops in the middle of a message,
 * or sends it a few bytes at a time, holds its partial message in the server's memory only that long. Used from a
 * decoder on its channel's event loop.
 */
final class MessageDeadline {
    private final Duration timeout;
    private ScheduledFuture<?> timer;

    MessageDeadline(Duration timeout) {
        this.timeout = timeout;
    }

    /** A message has begun and is not whole yet: starts the clock unless it runs already. */
    void begun(ChannelHandlerContext ctx) {
        if (timer != null || timeout.isZero() || timeout.isNegative()) return;
        schedule(ctx);
    }

    private void schedule(ChannelHandlerContext ctx) {
        timer = ctx.executor().schedule(() -> {
            timer = null;
            if (!ctx.channel().isActive()) return;
            if (!ctx.channel().config().isAutoRead()) {
                // the server is answering a call and not reading: the rest may be waiting for it, not the client
                schedule(ctx);
                return;
            }
            ctx.fireExceptionCaught(new ProtocolViolation("a message did not arrive whole within "
                    + ConfigKeys.THRIFT_LOGIN_TIMEOUT.name() + "=" + timeout + " of its first bytes"));
        }, timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** The message is whole (or the connection ends): stops the clock. */
    void ended() {
        if (timer != null) {
            timer.cancel(false);
            timer = null;
        }
    }
}
