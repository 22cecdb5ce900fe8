package kitsune.frontend.thrift.impl;

import java.time.Duration;
import java.util.List;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;

import kitsune.api.conf.ConfigKeys;

/**
 * The data frames of Thrift's SASL transport after the handshake: {@code [4-byte big-endian length][payload]} (PLAIN
 * has no security layer, so payloads are the Thrift bytes themselves). A frame announced above
 * kyuubi.frontend.thrift.max.message.size ends the connection before any of it is buffered; a begun frame must
 * arrive whole within kyuubi.frontend.thrift.login.timeout ({@link MessageDeadline}).
 */
final class SaslFrames extends ByteToMessageDecoder {
    private final int maxMessageSize;
    private final MessageDeadline deadline;
    private boolean failed;

    /** @param messageTimeout how long a begun frame may take to arrive whole */
    SaslFrames(int maxMessageSize, Duration messageTimeout) {
        this.maxMessageSize = maxMessageSize;
        this.deadline = new MessageDeadline(messageTimeout);
    }

    @Override
    protected void handlerRemoved0(ChannelHandlerContext ctx) {
        deadline.ended();
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        if (failed) {
            in.skipBytes(in.readableBytes());
            return;
        }
        if (in.readableBytes() < 4) {
            if (in.isReadable()) deadline.begun(ctx);
            return;
        }
        int length = in.getInt(in.readerIndex());
        if (length < 0 || length > maxMessageSize) {
            failed = true;
            deadline.ended();
            in.skipBytes(in.readableBytes());
            throw new ProtocolViolation(length < 0 ? "negative SASL frame size " + length + " (not a Thrift SASL "
                    + "data frame)" : "frame of " + length + " bytes exceeds "
                    + ConfigKeys.THRIFT_MAX_MESSAGE_SIZE.name() + "=" + maxMessageSize + " bytes");
        }
        if (in.readableBytes() < 4 + length) {
            deadline.begun(ctx);
            return;
        }
        deadline.ended();
        in.skipBytes(4);
        out.add(in.readRetainedSlice(length));
    }
}
