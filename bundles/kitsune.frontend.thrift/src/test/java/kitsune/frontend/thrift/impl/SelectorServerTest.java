package kitsune.frontend.thrift.impl;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.function.Supplier;

import javax.security.auth.callback.Callback;
import javax.security.auth.callback.CallbackHandler;
import javax.security.auth.callback.NameCallback;
import javax.security.auth.callback.PasswordCallback;

import org.apache.hive.service.rpc.thrift.TCLIService;
import org.apache.hive.service.rpc.thrift.TGetInfoReq;
import org.apache.hive.service.rpc.thrift.TGetInfoType;
import org.apache.hive.service.rpc.thrift.TOpenSessionReq;
import org.apache.thrift.TApplicationException;
import org.apache.thrift.TBase;
import org.apache.thrift.protocol.TBinaryProtocol;
import org.apache.thrift.protocol.TMessage;
import org.apache.thrift.protocol.TMessageType;
import org.apache.thrift.transport.TIOStreamTransport;
import org.apache.thrift.transport.TMemoryBuffer;
import org.apache.thrift.transport.TSaslClientTransport;
import org.apache.thrift.transport.TSocket;
import org.apache.thrift.transport.TTransport;
import org.junit.jupiter.api.Test;

import kitsune.internal.testing.HiveJdbc;
import kitsune.thrift.CliBackend;
import kitsune.thrift.Handles;

/**
 * The selector server under load and misuse, over real sockets on 127.0.0.1: idle connections cost no thread, a full
 * server refuses at once and keeps serving, calls run on the worker pool one at a time per connection and in order,
 * and a client that leaves mid-call still has its connection closed in the backend.
 */
class SelectorServerTest {
    private static final int MAX_MESSAGE = 64 * 1024;
    /** Each takes two file descriptors in this JVM (client and server end): mind ulimit -n when raising it. */
    private static final int IDLE_CONNECTIONS = Integer.getInteger("kitsune.test.idle.connections", 2000);
    private static final Duration LOG_WAIT = Duration.ofSeconds(5);

    private static FrontendSettings settings(String auth, int maxWorkers, int maxConnections, Duration loginTimeout) {
        return new FrontendSettings("127.0.0.1", 0, "127.0.0.1", auth, MAX_MESSAGE, 1, maxWorkers, maxConnections,
                loginTimeout, TlsSettings.OFF);
    }

    private static ThriftFrontendServer start(FrontendSettings settings, Supplier<CliBackend> backend)
            throws Exception {
        ThriftFrontendServer server = new ThriftFrontendServer(settings, backend);
        server.start();
        return server;
    }

    private static String url(ThriftFrontendServer server) {
        return "jdbc:hive2://127.0.0.1:" + server.port() + "/default";
    }

    /** Thrift's own SASL client transport with the JDK's PLAIN client, as the Hive driver connects. */
    private static TTransport saslClient(ThriftFrontendServer server, String user) throws Exception {
        CallbackHandler login = callbacks -> {
            for (Callback c : callbacks) {
                if (c instanceof NameCallback name) name.setName(user);
                if (c instanceof PasswordCallback password) password.setPassword("pw".toCharArray());
            }
        };
        TSaslClientTransport transport = new TSaslClientTransport("PLAIN", null, "hive", "127.0.0.1", Map.of(),
                login, new TSocket("127.0.0.1", server.port(), 10_000));
        transport.open();
        return transport;
    }

    private static TGetInfoReq getInfoRequest() {
        return new TGetInfoReq(Handles.newSessionHandle(UUID.randomUUID()), TGetInfoType.CLI_SERVER_NAME);
    }

    private static String getInfo(TTransport transport) throws Exception {
        return new TCLIService.Client(new TBinaryProtocol(transport)).GetInfo(getInfoRequest()).getInfoValue()
                .getStringValue();
    }

    private static int threads() {
        return ManagementFactory.getThreadMXBean().getThreadCount();
    }

    private static long usedHeapAfterGc() {
        System.gc();
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }

    private static void closeAll(List<TTransport> transports) {
        transports.forEach(TTransport::close);
    }

    @Test
    void twoThousandIdleSaslConnectionsAddNoThreads() throws Exception {
        RecordingBackend rb = new RecordingBackend();
        CliBackend b = rb.backend();
        // the default worker bound: were connections to take threads, 999 of them could
        ThriftFrontendServer server = start(settings("NONE", 999, IDLE_CONNECTIONS + 100, Duration.ofSeconds(60)),
                () -> b);
        List<TTransport> idle = new ArrayList<>();
        try {
            // the event loops and the worker pool's first thread start with the first connections
            for (int i = 0; i < 4; i++) idle.add(saslClient(server, "warm" + i));
            assertEquals("Kitsune test", getInfo(idle.get(0)));
            int before = threads();
            long heapBefore = usedHeapAfterGc();
            long t0 = System.nanoTime();
            for (int i = 0; i < IDLE_CONNECTIONS; i++) idle.add(saslClient(server, "idle" + i));
            long openMillis = (System.nanoTime() - t0) / 1_000_000;
            await().atMost(Duration.ofSeconds(10)).until(() -> server.openConnections() == IDLE_CONNECTIONS + 4);
            int after = threads();
            long heapPerConnection = (usedHeapAfterGc() - heapBefore) / IDLE_CONNECTIONS;
            long frontendThreads = Thread.getAllStackTraces().keySet().stream()
                    .filter(t -> t.getName().startsWith("kitsune-thrift-")).count();
            System.out.printf("%d idle SASL connections opened in %d ms; JVM threads before %d, after %d, of which "
                    + "%d are the frontend's; about %d bytes of heap per connection (both ends, in this JVM)%n",
                    IDLE_CONNECTIONS, openMillis, before, after, frontendThreads, heapPerConnection);
            assertTrue(after - before < 20, "idle connections must not cost threads: " + before + " -> " + after);
            assertTrue(frontendThreads < 20, frontendThreads + " frontend threads for " + IDLE_CONNECTIONS
                    + " idle connections");

            // a new client still connects and runs a call, and so do the oldest and the newest idle connection
            try (Connection late = HiveJdbc.connect(url(server), "late", "pw")) {
                assertTrue(late.isValid(5));
            }
            assertEquals("Kitsune test", getInfo(idle.get(4)));
            assertEquals("Kitsune test", getInfo(idle.get(idle.size() - 1)));
        } finally {
            closeAll(idle);
            await().atMost(Duration.ofSeconds(30)).until(() -> server.openConnections() == 0);
            server.stop(Duration.ofSeconds(10));
        }
    }

    @Test
    void aFullServerRefusesAtOnceWithTheReasonAndServesTheOthers() throws Exception {
        RecordingBackend rb = new RecordingBackend();
        CliBackend b = rb.backend();
        ThriftFrontendServer server = start(settings("NONE", 4, 20, Duration.ofSeconds(60)), () -> b);
        List<TTransport> held = new ArrayList<>();
        try {
            for (int i = 0; i < 20; i++) held.add(saslClient(server, "holder" + i));
            int mark = LogCapture.mark();

            // a SASL client is told before it has sent anything
            long t0 = System.nanoTime();
            try (Socket s = new Socket("127.0.0.1", server.port())) {
                s.setSoTimeout(5000);
                DataInputStream in = new DataInputStream(s.getInputStream());
                assertEquals(4, in.readByte(), "SASL status ERROR");
                byte[] reason = new byte[in.readInt()];
                in.readFully(reason);
                String text = new String(reason, StandardCharsets.UTF_8);
                assertTrue(text.contains("busy") && text.contains("kitsune.frontend.connections.max=20"), text);
            }
            assertTrue(System.nanoTime() - t0 < Duration.ofSeconds(2).toNanos(), "refused at once");

            // the Hive driver shows the reason, at once
            t0 = System.nanoTime();
            SQLException e = assertThrows(SQLException.class,
                    () -> HiveJdbc.connect(url(server) + ";socketTimeout=30000", "late", "pw"));
            assertTrue(System.nanoTime() - t0 < Duration.ofSeconds(5).toNanos(), "no wait for a timeout");
            assertTrue(e.getMessage().contains("kitsune.frontend.connections.max=20"), e.getMessage());
            assertNotNull(LogCapture.awaitLine(mark, LOG_WAIT, "WARN", "Refusing connection from 127.0.0.1:",
                    "kitsune.frontend.connections.max=20"));

            // the connections held are served all the while
            for (TTransport t : held) assertEquals("Kitsune test", getInfo(t));

            // once one leaves, a new client gets in
            held.remove(0).close();
            Connection again = await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(50))
                    .ignoreExceptionsInstanceOf(SQLException.class)
                    .until(() -> HiveJdbc.connect(url(server), "again", "pw"), c -> c != null);
            assertTrue(again.isValid(5));
            again.close();
        } finally {
            closeAll(held);
            server.stop(Duration.ofSeconds(5));
        }
    }

    @Test
    void aFullNoSaslServerAnswersTheFirstCallWithTheReason() throws Exception {
        RecordingBackend rb = new RecordingBackend();
        CliBackend b = rb.backend();
        ThriftFrontendServer server = start(settings("NOSASL", 4, 1, Duration.ofSeconds(60)), () -> b);
        try (TSocket first = new TSocket("127.0.0.1", server.port(), 5000);
                TSocket second = new TSocket("127.0.0.1", server.port(), 5000)) {
            first.open();
            assertEquals("Kitsune test", getInfo(first));
            second.open();
            long t0 = System.nanoTime();
            TApplicationException e = assertThrows(TApplicationException.class,
                    () -> new TCLIService.Client(new TBinaryProtocol(second)).OpenSession(new TOpenSessionReq()));
            assertTrue(System.nanoTime() - t0 < Duration.ofSeconds(2).toNanos(), "answered at once");
            assertTrue(e.getMessage().contains("kitsune.frontend.connections.max=1"), e.getMessage());
            assertEquals("Kitsune test", getInfo(first), "the admitted connection is served");
        } finally {
            server.stop(Duration.ofSeconds(5));
        }
    }

    /** A request message as a client writes it. */
    private static byte[] call(String method, int seqid, TBase<?, ?> args) throws Exception {
        TMemoryBuffer buffer = new TMemoryBuffer(256);
        TBinaryProtocol p = new TBinaryProtocol(buffer);
        p.writeMessageBegin(new TMessage(method, TMessageType.CALL, seqid));
        args.write(p);
        p.writeMessageEnd();
        return java.util.Arrays.copyOf(buffer.getArray(), buffer.length());
    }

    /** Reads one reply from the stream: its sequence id, after reading its result into {@code result}. */
    private static int reply(TBinaryProtocol in, TBase<?, ?> result) throws Exception {
        TMessage m = in.readMessageBegin();
        assertEquals(TMessageType.REPLY, m.type, "a reply, not an exception");
        result.read(in);
        in.readMessageEnd();
        return m.seqid;
    }

    @Test
    void noSaslMessagesAreFoundWhateverTheTcpSegmentsAreAndAnsweredInOrder() throws Exception {
        RecordingBackend rb = new RecordingBackend();
        CliBackend b = rb.backend();
        ThriftFrontendServer server = start(settings("NOSASL", 4, 100, Duration.ofSeconds(60)), () -> b);
        try (Socket s = new Socket("127.0.0.1", server.port())) {
            s.setTcpNoDelay(true);
            s.setSoTimeout(10_000);
            OutputStream out = s.getOutputStream();
            TBinaryProtocol in = new TBinaryProtocol(new TIOStreamTransport(s.getInputStream()));

            // a call with nested containers, one byte per write
            TOpenSessionReq open = new TOpenSessionReq();
            open.setUsername("ida");
            open.setConfiguration(Map.of("use:database", "default", "set:hiveconf:a", "1", "k", "x".repeat(3000)));
            for (byte x : call("OpenSession", 1, new TCLIService.OpenSession_args(open))) {
                out.write(x);
                out.flush();
            }
            TCLIService.OpenSession_result opened = new TCLIService.OpenSession_result();
            assertEquals(1, reply(in, opened));
            assertEquals("ida", rb.opened.get(0).request().getUsername());
            assertEquals(3000, rb.opened.get(0).request().getConfiguration().get("k").length());

            // three calls in one write, while the first is held up: they run one at a time, and in order
            rb.getInfoGate = new CountDownLatch(1);
            byte[] two = call("GetInfo", 2, new TCLIService.GetInfo_args(getInfoRequest()));
            byte[] three = call("GetInfo", 3, new TCLIService.GetInfo_args(getInfoRequest()));
            byte[] four = call("GetInfo", 4, new TCLIService.GetInfo_args(getInfoRequest()));
            byte[] all = new byte[two.length + three.length + four.length];
            System.arraycopy(two, 0, all, 0, two.length);
            System.arraycopy(three, 0, all, two.length, three.length);
            System.arraycopy(four, 0, all, two.length + three.length, four.length);
            out.write(all);
            out.flush();
            await().atMost(LOG_WAIT).until(() -> rb.getInfoRunning.get() == 1);
            await().during(Duration.ofMillis(300)).atMost(Duration.ofSeconds(2))
                    .until(() -> rb.getInfoRunning.get() <= 1);
            rb.getInfoGate.countDown();
            for (int seqid = 2; seqid <= 4; seqid++) {
                TCLIService.GetInfo_result info = new TCLIService.GetInfo_result();
                assertEquals(seqid, reply(in, info));
                assertEquals("Kitsune test", info.getSuccess().getInfoValue().getStringValue());
            }
            assertEquals(1, rb.getInfoMaxRunning.get(), "one call at a time per connection");
        } finally {
            server.stop(Duration.ofSeconds(5));
        }
    }

    @Test
    void callsBeyondTheWorkerThreadsWaitInsteadOfFailing() throws Exception {
        RecordingBackend rb = new RecordingBackend();
        CliBackend b = rb.backend();
        ThriftFrontendServer server = start(settings("NONE", 1, 100, Duration.ofSeconds(60)), () -> b);
        TTransport slow = saslClient(server, "slow");
        TTransport quick = saslClient(server, "quick");
        try {
            rb.getInfoGate = new CountDownLatch(1);
            CompletableFuture<String> held = CompletableFuture.supplyAsync(() -> {
                try {
                    return getInfo(slow);
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            await().atMost(LOG_WAIT).until(() -> rb.getInfoRunning.get() == 1);
            CompletableFuture<Boolean> waiting = CompletableFuture.supplyAsync(() -> {
                try {
                    return new TCLIService.Client(new TBinaryProtocol(quick)).OpenSession(new TOpenSessionReq())
                            .getStatus() != null;
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            await().during(Duration.ofMillis(300)).atMost(Duration.ofSeconds(2)).until(() -> !waiting.isDone());
            rb.getInfoGate.countDown();
            assertEquals("Kitsune test", held.get());
            assertTrue(waiting.get(), "the call that waited for the one worker thread is answered");
        } finally {
            slow.close();
            quick.close();
            server.stop(Duration.ofSeconds(5));
        }
    }

    @Test
    void aClientLeavingMidCallHasItsConnectionClosedInTheBackend() throws Exception {
        RecordingBackend rb = new RecordingBackend();
        CliBackend b = rb.backend();
        ThriftFrontendServer server = start(settings("NONE", 4, 100, Duration.ofSeconds(60)), () -> b);
        try {
            TTransport leaver = saslClient(server, "leaver");
            rb.getInfoGate = new CountDownLatch(1);
            new TCLIService.Client(new TBinaryProtocol(leaver)).send_GetInfo(getInfoRequest());
            await().atMost(LOG_WAIT).until(() -> rb.getInfoRunning.get() == 1);
            leaver.close();
            // others are served while that call runs
            TTransport other = saslClient(server, "other");
            new TCLIService.Client(new TBinaryProtocol(other)).OpenSession(new TOpenSessionReq());
            assertTrue(rb.closedConnections.stream().noneMatch(c -> "leaver".equals(c.user())),
                    "the backend hears of the closed connection after its last call, not during it");
            rb.getInfoGate.countDown();
            await().atMost(LOG_WAIT).until(() -> rb.closedConnections.stream()
                    .anyMatch(c -> "leaver".equals(c.user()) && "127.0.0.1".equals(c.clientAddress())));
            other.close();
            await().atMost(LOG_WAIT).until(() -> rb.closedConnections.stream().anyMatch(c -> "other".equals(c.user())));
        } finally {
            rb.getInfoGate.countDown();
            server.stop(Duration.ofSeconds(5));
        }
    }

    @Test
    void aHandshakeLeftUnfinishedIsClosedAfterTheLoginTimeout() throws Exception {
        RecordingBackend rb = new RecordingBackend();
        CliBackend b = rb.backend();
        ThriftFrontendServer server = start(settings("NONE", 4, 100, Duration.ofSeconds(1)), () -> b);
        try (Socket s = new Socket("127.0.0.1", server.port())) {
            int mark = LogCapture.mark();
            s.setSoTimeout(10_000);
            DataOutputStream out = new DataOutputStream(s.getOutputStream());
            out.write(1); // START PLAIN, then nothing
            out.writeInt(5);
            out.write("PLAIN".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            long t0 = System.nanoTime();
            assertEquals(-1, s.getInputStream().read(), "closed by the server");
            long waited = (System.nanoTime() - t0) / 1_000_000;
            assertTrue(waited >= 800 && waited < 5000, "closed after the login timeout, not before: " + waited);
            assertNotNull(LogCapture.awaitLine(mark, LOG_WAIT, "WARN", "Closing connection from 127.0.0.1:",
                    "no handshake within kyuubi.frontend.thrift.login.timeout=PT1S"));
            assertEquals(0, rb.closedConnections.size(), "no login, no connection in the backend");
        } finally {
            server.stop(Duration.ofSeconds(5));
        }
    }

    @Test
    void aFrameAnnouncedAboveTheLimitClosesTheConnectionAtOnce() throws Exception {
        RecordingBackend rb = new RecordingBackend();
        CliBackend b = rb.backend();
        ThriftFrontendServer server = start(settings("NONE", 4, 100, Duration.ofSeconds(60)), () -> b);
        try {
            int mark = LogCapture.mark();
            TTransport sasl = saslClient(server, "big");
            Socket socket = ((TSocket) ((TSaslClientTransport) sasl).getUnderlyingTransport()).getSocket();
            DataOutputStream out = new DataOutputStream(socket.getOutputStream());
            out.writeInt(Integer.MAX_VALUE); // a 2 GB frame: refused before any of it is buffered
            out.write(new byte[16]);
            out.flush();
            InputStream in = socket.getInputStream();
            try {
                assertEquals(-1, in.read(), "closed by the server");
            } catch (IOException reset) {
                // a reset is a close too
            }
            assertNotNull(LogCapture.awaitLine(mark, LOG_WAIT, "WARN", "Closing connection from 127.0.0.1:",
                    "frame of 2147483647 bytes exceeds kyuubi.frontend.thrift.max.message.size=" + MAX_MESSAGE));
            await().atMost(LOG_WAIT).until(() -> rb.closedConnections.stream().anyMatch(c -> "big".equals(c.user())));
            sasl.close();
        } finally {
            server.stop(Duration.ofSeconds(5));
        }
    }

    @Test
    void aClientNotLoggedInCannotMakeTheServerBufferABigNegotiationMessage() throws Exception {
        ThriftFrontendServer server = start(settings("NONE", 4, 100, Duration.ofSeconds(60)),
                () -> new RecordingBackend().backend());
        try (Socket socket = new Socket("127.0.0.1", server.port())) {
            DataOutputStream out = new DataOutputStream(socket.getOutputStream());
            out.writeByte(0x01); // START
            out.writeInt(1024 * 1024); // announces 1 MiB, far above any real mechanism name
            out.write(new byte[64]);
            out.flush();
            DataInputStream in = new DataInputStream(socket.getInputStream());
            assertEquals(0x04, in.readUnsignedByte(), "an ERROR negotiation message at once");
            byte[] reason = new byte[in.readInt()];
            in.readFully(reason);
            assertTrue(new String(reason, java.nio.charset.StandardCharsets.UTF_8).contains(
                    "a SASL negotiation message before login is at most " + SaslHandshake.MAX_NEGOTIATION_BYTES),
                    new String(reason, java.nio.charset.StandardCharsets.UTF_8));
        } finally {
            server.stop(Duration.ofSeconds(5));
        }
    }

    @Test
    void stopIsBoundedEvenWithACallStillRunning() throws Exception {
        RecordingBackend rb = new RecordingBackend();
        CliBackend b = rb.backend();
        ThriftFrontendServer server = start(settings("NONE", 4, 100, Duration.ofSeconds(60)), () -> b);
        TTransport client = saslClient(server, "stuck");
        try {
            rb.getInfoGate = new CountDownLatch(1);
            new TCLIService.Client(new TBinaryProtocol(client)).send_GetInfo(getInfoRequest());
            await().atMost(LOG_WAIT).until(() -> rb.getInfoRunning.get() == 1);
            long t0 = System.nanoTime();
            server.stop(Duration.ofSeconds(1));
            long took = (System.nanoTime() - t0) / 1_000_000;
            assertTrue(took < 5000, "stop took " + took + " ms");
            assertFalse(server.isRunning());
            await().atMost(LOG_WAIT).until(() -> rb.getInfoRunning.get() == 0); // the stuck call was interrupted
        } finally {
            rb.getInfoGate.countDown();
            client.close();
        }
    }
}
