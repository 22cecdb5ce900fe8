package kitsune.frontend.thrift.impl;

import java.time.Duration;
import java.util.List;

import org.apache.thrift.protocol.TType;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;

import kitsune.api.conf.ConfigKeys;

/**
 * Cuts the bytes of a connection into whole TBinaryProtocol messages (strict version, as Thrift's servers read
 * them), so that each can be processed in memory. A raw (NOSASL) connection marks no message boundaries, so they are
 * found by walking the message over the bytes received so far: running out of bytes means waiting for more, while
 * anything that is not a Thrift call, or a message above kyuubi.frontend.thrift.max.message.size, ends the connection
 * at once with a {@link ProtocolViolation}. The walk reads only headers and lengths (a string is skipped, not
 * copied), so trying again on each arrival of bytes stays cheap. Over SASL it reads the frames' payloads.
 */
final class ThriftMessageDecoder extends ByteToMessageDecoder {
    /** libthrift's TBinaryProtocol.VERSION_1 and VERSION_MASK. */
    private static final int VERSION_1 = 0x80010000;
    private static final int VERSION_MASK = 0xffff0000;
    /** As TConfiguration.DEFAULT_RECURSION_DEPTH: deeper structs are refused by the protocol too. */
    private static final int MAX_DEPTH = 64;

    /**
     * The largest first call of a raw (NOSASL) connection: it comes before anything is known of the client, as the
     * SASL negotiation does, and is held to the same bound ({@link SaslHandshake#MAX_NEGOTIATION_BYTES}).
     */
    static final int MAX_FIRST_RAW_CALL = SaslHandshake.MAX_NEGOTIATION_BYTES;

    private final int maxMessageSize;
    /** kyuubi.authentication of a raw port, to name a wrong client by its first byte; null over SASL. */
    private final String rawPortAuthentication;
    private final boolean raw;
    private final MessageDeadline deadline;
    private boolean first = true;
    private boolean failed;

    /**
     * @param raw             a NOSASL connection: its first call is held to {@link #MAX_FIRST_RAW_CALL}
     * @param messageTimeout  how long a begun message may take to arrive whole
     */
    ThriftMessageDecoder(int maxMessageSize, String rawPortAuthentication, boolean raw, Duration messageTimeout) {
        this.maxMessageSize = maxMessageSize;
        this.rawPortAuthentication = rawPortAuthentication;
        this.raw = raw;
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
        int length;
        boolean firstRaw = raw && first && MAX_FIRST_RAW_CALL < maxMessageSize;
        try {
            length = new Walk(in, in.readerIndex(), firstRaw ? MAX_FIRST_RAW_CALL : maxMessageSize).message();
        } catch (ProtocolViolation e) {
            failed = true;
            deadline.ended();
            if (firstRaw && e.getMessage().startsWith(Walk.TOO_LARGE)) {
                in.skipBytes(in.readableBytes());
                throw new ProtocolViolation("a first call above " + MAX_FIRST_RAW_CALL + " bytes (a NOSASL "
                        + "connection's first call is held to that before any other; later ones to "
                        + ConfigKeys.THRIFT_MAX_MESSAGE_SIZE.name() + "=" + maxMessageSize + " bytes)");
            }
            int firstByte = in.getUnsignedByte(in.readerIndex());
            in.skipBytes(in.readableBytes());
            throw first && rawPortAuthentication != null && firstByte != 0x80
                    ? new ProtocolViolation(e.getMessage() + hint(firstByte)) : e;
        }
        if (length < 0) { // incomplete: wait for more bytes, for a bounded time
            deadline.begun(ctx);
            return;
        }
        deadline.ended();
        out.add(in.readRetainedSlice(length));
        first = false;
    }

    /**
     * Checks that {@code body} begins with one whole, well-formed Thrift binary message no larger than
     * {@code maxMessageSize} (the HTTP transport's body), with the same walk as the binary port; a
     * {@link ProtocolViolation} names what is wrong. Thrift's own reader would turn some of these (a negative string
     * length) into index errors of the JDK rather than protocol errors.
     */
    static void checkWhole(byte[] body, int maxMessageSize) {
        int length = new Walk(io.netty.buffer.Unpooled.wrappedBuffer(body), 0, maxMessageSize).message();
        if (length < 0) throw new ProtocolViolation("not a Thrift binary protocol call: the message ends early");
    }

    /** Names the kind of client a first byte shows, on a raw port where a Thrift call (0x80) was expected. */
    private String hint(int firstByte) {
        return " (" + describeFirstByte(firstByte) + " on this " + rawPortAuthentication + " port"
                + (firstByte == 0x01 ? "; " + ConfigKeys.AUTHENTICATION.name()
                        + "=NOSASL needs ;auth=noSasl in the JDBC URL)" : ")");
    }

    /** What a first byte says about a client that is not speaking the protocol expected. */
    static String describeFirstByte(int b) {
        if (b == 0x01) return "a SASL client (SASL START)";
        if (b >= 0x20 && b < 0x7f) return "text starting with '" + (char) b + "', e.g. an HTTP client";
        return "first byte 0x" + Integer.toHexString(b & 0xff);
    }

    /** One pass over a message from {@code start}; reads without consuming. */
    private static final class Walk {
        /** Thrown when the bytes end before the message does; carries no stack trace. */
        private static final RuntimeException INCOMPLETE = new RuntimeException("incomplete", null, false, false) {
            private static final long serialVersionUID = 1L;
        };

        private final ByteBuf in;
        private final int start;
        private final int end;
        private final int maxMessageSize;
        private int at;

        Walk(ByteBuf in, int start, int maxMessageSize) {
            this.in = in;
            this.start = start;
            this.end = in.writerIndex();
            this.maxMessageSize = maxMessageSize;
            this.at = start;
        }

        /** The message's length in bytes, or -1 if it has not arrived whole yet. */
        int message() {
            try {
                int version = i32();
                if (version >= 0) {
                    throw notACall("Missing version in readMessageBegin, old client?");
                }
                if ((version & VERSION_MASK) != VERSION_1) throw notACall("Bad version in readMessageBegin");
                skip(length()); // method name
                skip(4); // sequence id
                struct(0);
                return at - start;
            } catch (RuntimeException e) {
                if (e == INCOMPLETE) {
                    if (end - start > maxMessageSize) throw tooLarge();
                    return -1;
                }
                throw e;
            }
        }

        private void struct(int depth) {
            if (depth >= MAX_DEPTH) throw notACall("structs nested deeper than " + MAX_DEPTH);
            while (true) {
                byte type = i8();
                if (type == TType.STOP) return;
                skip(2); // field id
                value(type, depth + 1);
            }
        }

        private void value(byte type, int depth) {
            int width = width(type);
            if (width > 0) {
                skip(width);
                return;
            }
            switch (type) {
                case TType.STRING -> skip(length());
                case TType.STRUCT -> struct(depth);
                case TType.MAP -> {
                    byte keyType = i8();
                    byte valueType = i8();
                    int size = size(Math.max(1, minimum(keyType) + minimum(valueType)));
                    for (int i = 0; i < size; i++) {
                        value(keyType, depth);
                        value(valueType, depth);
                    }
                }
                case TType.SET, TType.LIST -> {
                    byte elementType = i8();
                    int size = size(minimum(elementType));
                    int elementWidth = width(elementType);
                    if (elementWidth > 0) {
                        skip((long) size * elementWidth);
                    } else {
                        for (int i = 0; i < size; i++) value(elementType, depth);
                    }
                }
                default -> throw notACall("Unrecognized type " + type);
            }
        }

        /** Bytes of a fixed-width type, 0 for the others. */
        private static int width(byte type) {
            return switch (type) {
                case TType.BOOL, TType.BYTE -> 1;
                case TType.I16 -> 2;
                case TType.I32 -> 4;
                case TType.DOUBLE, TType.I64 -> 8;
                default -> 0;
            };
        }

        /** The fewest bytes a value of the type takes, to refuse impossible container sizes before walking them. */
        private static int minimum(byte type) {
            int width = width(type);
            if (width > 0) return width;
            return switch (type) {
                case TType.STRING -> 4;
                case TType.MAP -> 6;
                case TType.SET, TType.LIST -> 5;
                default -> 1;
            };
        }

        /** A container's element count, refused if its elements could not fit in a message of the largest size. */
        private int size(int minimumElementBytes) {
            int size = i32();
            if (size < 0) throw notACall("Negative length: " + size);
            if ((long) size * minimumElementBytes > maxMessageSize - (at - start)) throw tooLarge();
            return size;
        }

        private int length() {
            int length = i32();
            if (length < 0) throw notACall("Negative length: " + length);
            return length;
        }

        private void skip(long bytes) {
            if (at - start + bytes > maxMessageSize) throw tooLarge();
            if (at + bytes > end) throw INCOMPLETE;
            at += (int) bytes;
        }

        private byte i8() {
            if (at + 1 > end) throw INCOMPLETE;
            return in.getByte(at++);
        }

        private int i32() {
            if (at + 4 > end) throw INCOMPLETE;
            int value = in.getInt(at);
            at += 4;
            return value;
        }

        private ProtocolViolation notACall(String why) {
            return new ProtocolViolation("not a Thrift binary protocol call: " + why);
        }

 
        static final String TOO_LARGE = "message exceeds ";

        private ProtocolViolation tooLarge() {
            return new ProtocolViolation(TOO_LARGE + ConfigKeys.THRIFT_MAX_MESSAGE_SIZE.name() + "="
                    + maxMessageSize + " bytes");
        }
    }
}
