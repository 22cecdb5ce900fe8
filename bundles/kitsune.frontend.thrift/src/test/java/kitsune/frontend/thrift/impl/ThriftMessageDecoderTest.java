package kitsune.frontend.thrift.impl;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.apache.hive.service.rpc.thrift.TBoolColumn;
import org.apache.hive.service.rpc.thrift.TCLIService;
import org.apache.hive.service.rpc.thrift.TColumn;
import org.apache.hive.service.rpc.thrift.TExecuteStatementReq;
import org.apache.hive.service.rpc.thrift.TI64Column;
import org.apache.hive.service.rpc.thrift.TRowSet;
import org.apache.hive.service.rpc.thrift.TStringColumn;
import org.apache.thrift.TBase;
import org.apache.thrift.protocol.TBinaryProtocol;
import org.apache.thrift.protocol.TMessage;
import org.apache.thrift.protocol.TMessageType;
import org.apache.thrift.protocol.TType;
import org.apache.thrift.transport.TMemoryBuffer;
import org.junit.jupiter.api.Test;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;

import kitsune.thrift.Handles;

/** Finding where a raw TBinaryProtocol message ends, whatever pieces its bytes arrive in. */
class ThriftMessageDecoderTest {
    private static final int MAX = 64 * 1024;

    private static byte[] message(String method, TBase<?, ?> args) throws Exception {
        TMemoryBuffer buffer = new TMemoryBuffer(256);
        TBinaryProtocol p = new TBinaryProtocol(buffer);
        p.writeMessageBegin(new TMessage(method, TMessageType.CALL, 7));
        args.write(p);
        p.writeMessageEnd();
        return Arrays.copyOf(buffer.getArray(), buffer.length());
    }

    private static byte[] executeStatement() throws Exception {
        TExecuteStatementReq req = new TExecuteStatementReq(Handles.newSessionHandle(UUID.randomUUID()),
                "SELECT 1");
        req.setConfOverlay(Map.of("a", "1", "b", "2"));
        req.setRunAsync(true);
        req.setQueryTimeout(30);
        return message("ExecuteStatement", new TCLIService.ExecuteStatement_args(req));
    }

    /** Lists of strings, i64 and a binary bitmap inside unions inside a list: every container kind but maps. */
    private static byte[] rowSet() throws Exception {
        TRowSet rows = new TRowSet(0, List.of());
        rows.addToColumns(TColumn.stringVal(new TStringColumn(List.of("x", "yy", ""), ByteBuffer.wrap(new byte[1]))));
        rows.addToColumns(TColumn.i64Val(new TI64Column(List.of(1L, 2L, 3L), ByteBuffer.wrap(new byte[] {4}))));
        rows.addToColumns(TColumn.boolVal(new TBoolColumn(List.of(true, false), ByteBuffer.wrap(new byte[1]))));
        return message("Rows", rows);
    }

    private static EmbeddedChannel channel(String rawPortAuthentication) {
        return new EmbeddedChannel(new ThriftMessageDecoder(MAX, rawPortAuthentication, false, java.time.Duration.ofMinutes(1)));
    }

    private static byte[] bytes(ByteBuf buf) {
        byte[] b = new byte[buf.readableBytes()];
        buf.readBytes(b);
        buf.release();
        return b;
    }

    @Test
    void aMessageSplitAtAnyByteIsFoundWholeAndOnlyWhenWhole() throws Exception {
        for (byte[] message : List.of(executeStatement(), rowSet())) {
            for (int split = 1; split < message.length; split++) {
                EmbeddedChannel ch = channel("NOSASL");
                ch.writeInbound(Unpooled.copiedBuffer(message, 0, split));
                assertNull(ch.readInbound(), "nothing before the last byte (split at " + split + ")");
                ch.writeInbound(Unpooled.copiedBuffer(message, split, message.length - split));
                assertArrayEquals(message, bytes(ch.readInbound()));
                assertNull(ch.readInbound());
                ch.finishAndReleaseAll();
            }
        }
    }

    @Test
    void messagesSentTogetherComeOutOneByOne() throws Exception {
        byte[] a = executeStatement();
        byte[] b = rowSet();
        EmbeddedChannel ch = channel("NOSASL");
        ch.writeInbound(Unpooled.wrappedBuffer(a, b, Arrays.copyOf(a, 10)));
        assertArrayEquals(a, bytes(ch.readInbound()));
        assertArrayEquals(b, bytes(ch.readInbound()));
        assertNull(ch.readInbound(), "the third is not whole yet");
        ch.writeInbound(Unpooled.copiedBuffer(a, 10, a.length - 10));
        assertArrayEquals(a, bytes(ch.readInbound()));
        ch.finishAndReleaseAll();
    }

    private static String refusal(String rawPortAuthentication, byte[] bytes) {
        EmbeddedChannel ch = channel(rawPortAuthentication);
        ProtocolViolation e = assertThrows(ProtocolViolation.class,
                () -> ch.writeInbound(Unpooled.wrappedBuffer(bytes)));
        ch.finishAndReleaseAll();
        return e.getMessage();
    }

    /** A message header and the start of a struct, then the given bytes. */
    private static byte[] call(int... body) {
        ByteBuffer b = ByteBuffer.allocate(12 + body.length);
        b.putInt(0x80010001).putInt(0).putInt(1);
        for (int x : body) b.put((byte) x);
        return b.array();
    }

    @Test
    void whatIsNotACallIsRefusedAtOnceNamingWhatItIs() {
        String http = refusal("NOSASL", "POST /cliservice HTTP/1.1\r\n".getBytes(StandardCharsets.US_ASCII));
        assertTrue(http.contains("not a Thrift binary protocol call: Missing version in readMessageBegin")
                && http.contains("text starting with 'P', e.g. an HTTP client on this NOSASL port"), http);
        String sasl = refusal("NOSASL", new byte[] {1, 0, 0, 0, 5, 'P', 'L', 'A', 'I', 'N'});
        assertTrue(sasl.contains("a SASL client (SASL START) on this NOSASL port; kyuubi.authentication=NOSASL needs "
                + ";auth=noSasl in the JDBC URL"), sasl);
        assertTrue(refusal(null, new byte[] {(byte) 0x80, 2, 0, 1}).endsWith("Bad version in readMessageBegin"),
                "over SASL there is no first-byte hint");
        assertTrue(refusal("NOSASL", call(TType.STRING, 0, 1, 0xff, 0xff, 0xff, 0xfe))
                .endsWith("Negative length: -2"));
        assertTrue(refusal("NOSASL", call(99, 0, 1)).endsWith("Unrecognized type 99"));
        int[] deep = new int[3 * 65];
        for (int i = 0; i < 65; i++) {
            deep[3 * i] = TType.STRUCT;
            deep[3 * i + 2] = 1;
        }
        assertTrue(refusal("NOSASL", call(deep)).endsWith("structs nested deeper than 64"));
    }

    @Test
    void aMessageAboveTheLimitIsRefusedBeforeItArrives() {
        // a string announced larger than the limit
        String big = refusal("NOSASL", call(TType.STRING, 0, 1, 0, 2, 0, 0));
        assertEquals("message exceeds kyuubi.frontend.thrift.max.message.size=" + MAX + " bytes", big);
        // a list of a billion i64 values: refused from its header, not walked
        String list = refusal("NOSASL", call(TType.LIST, 0, 1, TType.I64, 0x3b, 0x9a, 0xca, 0));
        assertEquals(big, list);
    }
}
