package kitsune.frontend.thrift.impl;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.function.Supplier;

import org.apache.hive.service.rpc.thrift.TCLIService;
import org.apache.hive.service.rpc.thrift.TFetchOrientation;
import org.apache.hive.service.rpc.thrift.TFetchResultsReq;
import org.apache.hive.service.rpc.thrift.TFetchResultsResp;
import org.apache.hive.service.rpc.thrift.TGetInfoReq;
import org.apache.hive.service.rpc.thrift.TGetInfoType;
import org.apache.hive.service.rpc.thrift.THandleIdentifier;
import org.apache.hive.service.rpc.thrift.TOpenSessionReq;
import org.apache.hive.service.rpc.thrift.TOperationHandle;
import org.apache.hive.service.rpc.thrift.TOperationType;
import org.apache.hive.service.rpc.thrift.TSessionHandle;
import org.apache.thrift.protocol.TBinaryProtocol;
import org.apache.thrift.transport.TSocket;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import kitsune.api.auth.AuthenticationException;
import kitsune.api.auth.Authenticator;
import kitsune.internal.testing.HiveJdbc;
import kitsune.thrift.CliBackend;
import kitsune.thrift.PlainSaslServer;

/** The frontend against the real Hive JDBC 4.0.1 driver and against clients that speak something else. */
class ThriftFrontendServerTest {
    private static final int MAX_MESSAGE = 64 * 1024;
    private static final Duration LOG_WAIT = Duration.ofSeconds(5);

    private static final RecordingBackend saslBackend = new RecordingBackend();
    private static final RecordingBackend noSaslBackend = new RecordingBackend();
    private static ThriftFrontendServer sasl;
    private static ThriftFrontendServer noSasl;
    /** A good connection open across the bad-client tests: it must keep working. */
    private static Connection bystander;

    static FrontendSettings settings(String auth, int port, int maxWorkers) {
        return settings(auth, port, maxWorkers, 1000);
    }

    static FrontendSettings settings(String auth, int port, int maxWorkers, int maxConnections) {
        return new FrontendSettings("127.0.0.1", port, "127.0.0.1", auth, MAX_MESSAGE, 1, maxWorkers,
                maxConnections, Duration.ofSeconds(1), TlsSettings.OFF);
    }

    static ThriftFrontendServer start(FrontendSettings s, Supplier<CliBackend> backend) throws Exception {
        ThriftFrontendServer server = new ThriftFrontendServer(s, backend);
        server.start();
        return server;
    }

    @BeforeAll
    static void startServers() throws Exception {
        LogCapture.mark();
        CliBackend b1 = saslBackend.backend();
        CliBackend b2 = noSaslBackend.backend();
        sasl = start(settings("NONE", 0, 16), () -> b1);
        noSasl = start(settings("NOSASL", 0, 16), () -> b2);
        bystander = HiveJdbc.connect(url(sasl, ""), "carol", "pw");
    }

    @AfterAll
    static void stopServers() throws Exception {
        bystander.close();
        sasl.stop(Duration.ofSeconds(5));
        noSasl.stop(Duration.ofSeconds(5));
    }

    static String url(ThriftFrontendServer server, String params) {
        return "jdbc:hive2://127.0.0.1:" + server.port() + "/default" + params;
    }

    private static void assertBystanderWorks() throws SQLException {
        assertTrue(bystander.isValid(5), "a good connection must keep working while bad clients are refused");
    }

    /** Sends bytes on a fresh socket and waits until the server closes it. */
    private static void sendAndExpectClose(ThriftFrontendServer server, byte[] bytes) throws IOException {
        try (Socket s = new Socket("127.0.0.1", server.port())) {
            s.setSoTimeout(10_000);
            OutputStream out = s.getOutputStream();
            out.write(bytes);
            out.flush();
            InputStream in = s.getInputStream();
            byte[] sink = new byte[1024];
            try {
                while (in.read(sink) >= 0) {
                    // whatever the server answers before it closes
                }
            } catch (IOException reset) {
                // a reset is a close too
            }
        }
    }

    @Test
    void saslPlainUserArrivesAsSessionUser() throws Exception {
        int before = saslBackend.opened.size();
        try (Connection c = HiveJdbc.connect(url(sasl, ""), "alice", "secret")) {
            assertTrue(c.isValid(5));
            RecordingBackend.Opened o = saslBackend.opened.get(before);
            assertEquals("alice", o.context().user());
            assertEquals("127.0.0.1", o.context().clientAddress());
            assertEquals("default", o.request().getConfiguration().get("use:database"));
        }
        await("connectionClosed called when the client hangs up").atMost(Duration.ofSeconds(5))
                .pollInterval(Duration.ofMillis(20))
                .until(() -> saslBackend.closedConnections.stream().anyMatch(ctx -> "alice".equals(ctx.user())));
    }

    @Test
    void noSaslUsesTheOpenSessionUserName() throws Exception {
        int before = noSaslBackend.opened.size();
        try (Connection c = HiveJdbc.connect(url(noSasl, ";auth=noSasl"), "bob", "")) {
            assertTrue(c.isValid(5));
            RecordingBackend.Opened o = noSaslBackend.opened.get(before);
            assertNull(o.context().user());
            assertEquals("bob", o.request().getUsername());
        }
    }

    @Test
    void randomBytesCloseOnlyThatConnection() throws Exception {
        int mark = LogCapture.mark();
        byte[] garbage = new byte[64];
        new Random(7).nextBytes(garbage);
        garbage[0] = (byte) 0xF3; // not a SASL status, so the first byte decides
        sendAndExpectClose(sasl, garbage);
        assertNotNull(LogCapture.awaitLine(mark, LOG_WAIT, "WARN", "Closing connection from 127.0.0.1:",
                "SASL handshake failed", "Invalid status -13"));
        assertBystanderWorks();
    }

    @Test
    void httpTextOnTheSaslPortIsNamed() throws Exception {
        int mark = LogCapture.mark();
        sendAndExpectClose(sasl, "GET / HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        assertNotNull(LogCapture.awaitLine(mark, LOG_WAIT, "WARN", "Closing connection from 127.0.0.1:",
                "an HTTP client"));
        assertBystanderWorks();
    }

    @Test
    void httpTextOnTheNoSaslPortIsNamed() throws Exception {
        int mark = LogCapture.mark();
        sendAndExpectClose(noSasl, "POST /cliservice HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        assertNotNull(LogCapture.awaitLine(mark, LOG_WAIT, "WARN", "Closing connection from 127.0.0.1:",
                "text starting with 'P', e.g. an HTTP client on this NOSASL port"));
    }

    @Test
    void noSaslClientOnSaslPortIsNamed() throws Exception {
        int mark = LogCapture.mark();
        assertThrows(SQLException.class, () -> HiveJdbc.connect(url(sasl, ";auth=noSasl"), "x", "y"));
        assertNotNull(LogCapture.awaitLine(mark, LOG_WAIT, "WARN", "a client without SASL"));
        assertBystanderWorks();
    }

    @Test
    void saslClientOnNoSaslPortIsRefusedAtOnce() throws Exception {
        int mark = LogCapture.mark();
        long t0 = System.nanoTime();
        assertThrows(SQLException.class, () -> HiveJdbc.connect(url(noSasl, ";socketTimeout=10000")));
        assertTrue(System.nanoTime() - t0 < Duration.ofSeconds(5).toNanos(), "no hang until a timeout");
        assertNotNull(LogCapture.awaitLine(mark, LOG_WAIT, "WARN", "Closing connection from 127.0.0.1:",
                "needs ;auth=noSasl"));
    }

    @Test
    void wrongSaslMechanismIsRefusedWithAReason() throws Exception {
        int mark = LogCapture.mark();
        byte[] mech = "DIGEST-MD5".getBytes(StandardCharsets.UTF_8);
        try (Socket s = new Socket("127.0.0.1", sasl.port())) {
            s.setSoTimeout(5000);
            s.getOutputStream().write(ByteBuffer.allocate(5 + mech.length).put((byte) 1).putInt(mech.length)
                    .put(mech).array());
            DataInputStream in = new DataInputStream(s.getInputStream());
            assertEquals(3, in.readByte(), "SASL status BAD");
            byte[] msg = new byte[in.readInt()];
            in.readFully(msg);
            assertTrue(new String(msg, StandardCharsets.UTF_8).contains("Unsupported SASL mechanism DIGEST-MD5"));
            assertEquals(-1, in.read(), "the server closes the connection");
        }
        assertNotNull(LogCapture.awaitLine(mark, LOG_WAIT, "WARN", "Closing connection from 127.0.0.1:",
                "Unsupported SASL mechanism DIGEST-MD5"));
        assertBystanderWorks();
    }

    @Test
    void oversizedSaslFrameClosesTheConnection() throws Exception {
        int mark = LogCapture.mark();
        Connection c = HiveJdbc.connect(url(sasl, ""), "dave", "pw");
        Statement st = c.createStatement();
        String huge = "SELECT '" + "x".repeat(MAX_MESSAGE * 2) + "'";
        assertThrows(SQLException.class, () -> st.execute(huge));
        closeDead(c);
        assertNotNull(LogCapture.awaitLine(mark, LOG_WAIT, "WARN", "Closing connection from 127.0.0.1:",
                "exceeds kyuubi.frontend.thrift.max.message.size=" + MAX_MESSAGE));
        assertBystanderWorks();
    }

    @Test
    void callsTheSessionServiceAnswersAtOnceRunOnTheIoThreadAndTheOthersOnAWorkerInOrder() throws Exception {
        RecordingBackend backend = new RecordingBackend();
        CliBackend b = backend.backend();
        ThriftFrontendServer server = start(settings("NOSASL", 0, 4), () -> b);
        try (TSocket socket = new TSocket("127.0.0.1", server.port(), 10_000)) {
            socket.open();
            TCLIService.Client client = new TCLIService.Client(new TBinaryProtocol(socket));
            TSessionHandle session = client.OpenSession(new TOpenSessionReq()).getSessionHandle();
            TOperationHandle atOnce = operation(RecordingBackend.AT_ONCE);
            TOperationHandle usual = operation((byte) 2);
            backend.getInfoGate = new CountDownLatch(1);
            // three calls sent at once: a slow one on a worker, then two fetches that must wait for its answer
            client.send_GetInfo(new TGetInfoReq(session, TGetInfoType.CLI_DBMS_NAME));
            client.send_FetchResults(new TFetchResultsReq(atOnce, TFetchOrientation.FETCH_NEXT, 100));
            client.send_FetchResults(new TFetchResultsReq(usual, TFetchOrientation.FETCH_NEXT, 100));
            await("GetInfo running").atMost(Duration.ofSeconds(10)).until(() -> backend.getInfoRunning.get() == 1);
            assertFalse(backend.calls.contains("fetchResultsAtOnce"), "nothing of a connection overtakes its call");
            backend.getInfoGate.countDown();
            // the client's own recv_ checks each reply against the last call sent; these read them one by one
            TCLIService.GetInfo_result info = new TCLIService.GetInfo_result();
            assertEquals("GetInfo#2", reply(client, info), "answers in the order of the calls");
            assertEquals("Kitsune test", info.getSuccess().getInfoValue().getStringValue());
            TCLIService.FetchResults_result firstResult = new TCLIService.FetchResults_result();
            assertEquals("FetchResults#3", reply(client, firstResult));
            TFetchResultsResp first = firstResult.getSuccess();
            assertEquals(0, first.getStatus().getStatusCode().getValue());
            assertFalse(first.isHasMoreRows(), "the answer the service gave at once");
            TCLIService.FetchResults_result secondResult = new TCLIService.FetchResults_result();
            assertEquals("FetchResults#4", reply(client, secondResult));
            TFetchResultsResp second = secondResult.getSuccess();
            assertTrue(second.getStatus().getErrorMessage().contains("FetchResults"), "the usual way's answer: "
                    + second.getStatus());
        } finally {
            server.stop(Duration.ofSeconds(5));
        }
        List<String> fetches = backend.threads.stream().filter(t -> t.startsWith("fetchResultsAtOnce@")
                || t.startsWith("FetchResults@")).toList();
        assertEquals(3, fetches.size(), fetches.toString());
        assertTrue(fetches.get(0).startsWith("fetchResultsAtOnce@kitsune-thrift-io"), fetches.toString());
        assertTrue(fetches.get(1).startsWith("fetchResultsAtOnce@kitsune-thrift-io"), "asked first: "
                + fetches);
        assertTrue(fetches.get(2).startsWith("FetchResults@kitsune-thrift-worker"), "then the usual way: "
                + fetches);
    }

    /** Reads one reply into result; returns its method name and sequence id. */
    private static String reply(TCLIService.Client client, org.apache.thrift.TBase<?, ?> result) throws Exception {
        org.apache.thrift.protocol.TProtocol in = client.getInputProtocol();
        org.apache.thrift.protocol.TMessage msg = in.readMessageBegin();
        result.read(in);
        in.readMessageEnd();
        return msg.name + "#" + msg.seqid;
    }

    private static TOperationHandle operation(byte first) {
        byte[] guid = new byte[16];
        guid[0] = first;
        return new TOperationHandle(new THandleIdentifier(ByteBuffer.wrap(guid), ByteBuffer.wrap(new byte[16])),
                TOperationType.EXECUTE_STATEMENT, true);
    }

    @Test
    void aNoSaslConnectionsFirstCallIsHeldToTheBoundOfASaslNegotiation() throws Exception {
        int mark = LogCapture.mark();
        try (TSocket socket = new TSocket("127.0.0.1", noSasl.port(), 5000)) {
            socket.open();
            TCLIService.Client client = new TCLIService.Client(new TBinaryProtocol(socket));
            TOpenSessionReq req = new TOpenSessionReq();
            // below kyuubi.frontend.thrift.max.message.size, above what may come before anything is known
            req.setConfiguration(Map.of("big", "y".repeat(ThriftMessageDecoder.MAX_FIRST_RAW_CALL + 100)));
            assertThrows(Exception.class, () -> client.OpenSession(req));
        }
        assertNotNull(LogCapture.awaitLine(mark, LOG_WAIT, "WARN", "Closing connection from 127.0.0.1:",
                "a first call above " + ThriftMessageDecoder.MAX_FIRST_RAW_CALL + " bytes"));
        try (TSocket socket = new TSocket("127.0.0.1", noSasl.port(), 5000)) {
            socket.open();
            TCLIService.Client client = new TCLIService.Client(new TBinaryProtocol(socket));
            TOpenSessionReq req = new TOpenSessionReq();
            req.setConfiguration(Map.of("small", "y"));
            assertEquals(0, client.OpenSession(req).getStatus().getStatusCode().getValue(), "a usual first call passes");
        }
    }

    @Test
    void aNoSaslClientThatStopsInTheMiddleOfAMessageIsClosedAfterTheLoginTimeout() throws Exception {
        int mark = LogCapture.mark();
        try (TSocket socket = new TSocket("127.0.0.1", noSasl.port(), 10_000)) {
            socket.open();
            TCLIService.Client client = new TCLIService.Client(new TBinaryProtocol(socket));
            client.OpenSession(new TOpenSessionReq());
            byte[] partial = java.util.Arrays.copyOf(executeStatementBytes("SELECT '" + "z".repeat(500) + "'"), 200);
            socket.getSocket().getOutputStream().write(partial);
            socket.getSocket().getOutputStream().flush();
            long t0 = System.nanoTime();
            assertEquals(-1, readUntilClosed(socket.getSocket().getInputStream()));
            assertTrue(System.nanoTime() - t0 < Duration.ofSeconds(8).toNanos());
        }
        assertNotNull(LogCapture.awaitLine(mark, LOG_WAIT, "WARN", "Closing connection from 127.0.0.1:",
                "a message did not arrive whole within kyuubi.frontend.thrift.login.timeout=PT1S of its first bytes"));
    }

    @Test
    void aLoggedInSaslClientThatStopsInTheMiddleOfAFrameIsClosedAfterTheLoginTimeout() throws Exception {
        int mark = LogCapture.mark();
        try (Socket s = new Socket("127.0.0.1", sasl.port())) {
            s.setSoTimeout(10_000);
            OutputStream out = s.getOutputStream();
            out.write(saslMessage(1, "PLAIN".getBytes(StandardCharsets.US_ASCII))); // START
            out.write(saslMessage(5, "\0hank\0pw".getBytes(StandardCharsets.UTF_8))); // COMPLETE, PLAIN response
            out.flush();
            java.io.DataInputStream in = new java.io.DataInputStream(s.getInputStream());
            assertEquals(5, in.readByte(), "the server completes the login");
            in.readFully(new byte[in.readInt()]);
            // a data frame announcing 1000 bytes, of which 10 come
            out.write(new byte[] {0, 0, 0x03, (byte) 0xe8, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10});
            out.flush();
            assertEquals(-1, readUntilClosed(in));
        }
        assertNotNull(LogCapture.awaitLine(mark, LOG_WAIT, "WARN", "Closing connection from 127.0.0.1:",
                "a message did not arrive whole within kyuubi.frontend.thrift.login.timeout=PT1S of its first bytes"));
        assertBystanderWorks();
    }

    private static byte[] saslMessage(int status, byte[] payload) {
        return java.nio.ByteBuffer.allocate(5 + payload.length).put((byte) status).putInt(payload.length).put(payload)
                .array();
    }

    private static int readUntilClosed(InputStream in) {
        byte[] sink = new byte[1024];
        try {
            int n;
            while ((n = in.read(sink)) >= 0) {
                if (n == 0) continue;
            }
            return -1;
        } catch (java.net.SocketTimeoutException stillOpen) {
            return -2;
        } catch (IOException reset) {
            return -1; // a reset is a close too
        }
    }

    private static byte[] executeStatementBytes(String sql) throws Exception {
        org.apache.thrift.transport.TMemoryBuffer buffer = new org.apache.thrift.transport.TMemoryBuffer(1024);
        TCLIService.Client writer = new TCLIService.Client(new TBinaryProtocol(buffer));
        org.apache.hive.service.rpc.thrift.TExecuteStatementReq req =
                new org.apache.hive.service.rpc.thrift.TExecuteStatementReq(
                        new org.apache.hive.service.rpc.thrift.TSessionHandle(
                                new org.apache.hive.service.rpc.thrift.THandleIdentifier(
                                        java.nio.ByteBuffer.wrap(new byte[16]), java.nio.ByteBuffer.wrap(new byte[16]))),
                        sql);
        writer.send_ExecuteStatement(req);
        return java.util.Arrays.copyOf(buffer.getArray(), buffer.length());
    }

    @Test
    void oversizedNoSaslMessageClosesTheConnection() throws Exception {
        int mark = LogCapture.mark();
        try (TSocket socket = new TSocket("127.0.0.1", noSasl.port(), 5000)) {
            socket.open();
            TCLIService.Client client = new TCLIService.Client(new TBinaryProtocol(socket));
            client.OpenSession(new TOpenSessionReq());
            TOpenSessionReq req = new TOpenSessionReq();
            req.setConfiguration(Map.of("big", "y".repeat(MAX_MESSAGE * 2)));
            assertThrows(Exception.class, () -> client.OpenSession(req));
        }
        assertNotNull(LogCapture.awaitLine(mark, LOG_WAIT, "WARN", "Closing connection from 127.0.0.1:",
                "message exceeds kyuubi.frontend.thrift.max.message.size"));
        try (Connection c = HiveJdbc.connect(url(noSasl, ";auth=noSasl"), "erin", "")) {
            assertTrue(c.isValid(5), "the NOSASL server keeps serving");
        }
    }

    @Test
    void silentClientIsDroppedAfterTheLoginTimeout() throws Exception {
        int mark = LogCapture.mark();
        try (Socket s = new Socket("127.0.0.1", sasl.port())) {
            s.setSoTimeout(10_000);
            assertEquals(-1, s.getInputStream().read());
        }
        assertNotNull(LogCapture.awaitLine(mark, LOG_WAIT, "WARN", "no handshake within "
                + "kyuubi.frontend.thrift.login.timeout"));
    }

    @Test
    void silentNoSaslClientIsDroppedAfterTheLoginTimeout() throws Exception {
        int mark = LogCapture.mark();
        try (Socket s = new Socket("127.0.0.1", noSasl.port())) {
            s.setSoTimeout(10_000);
            assertEquals(-1, s.getInputStream().read());
        }
        assertNotNull(LogCapture.awaitLine(mark, LOG_WAIT, "WARN", "Closing connection from 127.0.0.1:",
                "no call within kyuubi.frontend.thrift.login.timeout"));
    }

    @Test
    void noSaslConnectionOutlivesTheLoginTimeoutOnceItCalled() throws Exception {
        try (Connection c = HiveJdbc.connect(url(noSasl, ";auth=noSasl"), "gina", "")) {
            // no call for longer than the 1 s login timeout, which bounds the time before the first call only
            await("gina's connection kept past the 1 s login timeout").during(Duration.ofMillis(1500))
                    .atMost(Duration.ofSeconds(5))
                    .until(() -> noSaslBackend.closedConnections.stream().noneMatch(ctx -> "gina".equals(ctx.user())));
            assertTrue(c.isValid(5));
        }
    }

    /** kyuubi.authentication=LDAP with the authenticator service coming and going, through the real Hive driver. */
    @Test
    void passwordsAreCheckedByTheAuthenticatorOfTheConfiguredType() throws Exception {
        RecordingBackend rb = new RecordingBackend();
        CliBackend b = rb.backend();
        LoginCheck check = new LoginCheck("LDAP");
        ThriftFrontendServer checked = new ThriftFrontendServer(settings("LDAP", 0, 4), () -> b, check);
        checked.start();
        Authenticator ldap = (user, password) -> {
            if (!"right".equals(password)) throw new AuthenticationException("invalid user name or password");
        };
        try {
            int mark = LogCapture.mark();
            SQLException none = assertThrows(SQLException.class, () -> HiveJdbc.connect(url(checked, ""), "ann", "right"));
            assertTrue(none.getMessage().contains("Authentication failed for user ann"), none.getMessage());
            assertFalse(none.getMessage().contains("kitsune.auth"), "what is missing is the operator's business");
            assertNotNull(LogCapture.awaitLine(mark, LOG_WAIT, "WARN", "SASL handshake failed",
                    "Authentication failed for user ann: no authenticator for kyuubi.authentication=LDAP is installed"));

            check.add(ldap, "LDAP");
            try (Connection ok = HiveJdbc.connect(url(checked, ""), "ann", "right")) {
                SQLException wrong = assertThrows(SQLException.class,
                        () -> HiveJdbc.connect(url(checked, ""), "ann", "wrong"));
                assertTrue(wrong.getMessage().contains("Authentication failed for user ann"), wrong.getMessage());
                assertFalse(wrong.getMessage().contains("invalid user name or password"),
                        "the authenticator's words go to the log only: " + wrong.getMessage());
                assertFalse(wrong.getMessage().contains("wrong"), "the password is never echoed");
                assertTrue(ok.isValid(5), "a refused login leaves the others alone");
                assertNotNull(LogCapture.awaitLine(mark, LOG_WAIT, "WARN", "SASL handshake failed",
                        "Authentication failed for user ann: invalid user name or password"));

                check.remove(ldap, "LDAP"); // the auth bundle is stopped: open sessions go on, new logins fail
                assertThrows(SQLException.class, () -> HiveJdbc.connect(url(checked, ""), "ann", "right"));
                assertTrue(ok.isValid(5));
            }
        } finally {
            checked.stop(Duration.ofSeconds(5));
        }
    }

    @Test
    void passingAsAnotherUserIsRefusedWhenPasswordsAreChecked() throws Exception {
        PlainSaslServer plain = new PlainSaslServer((user, password) -> {
        });
        javax.security.sasl.SaslException e = assertThrows(javax.security.sasl.SaslException.class,
                () -> plain.evaluateResponse("root\0ann\0right".getBytes(java.nio.charset.StandardCharsets.UTF_8)));
        assertTrue(e.getMessage().contains("user ann may not act as root"), e.getMessage());
        PlainSaslServer open = new PlainSaslServer();
        open.evaluateResponse("root\0ann\0x".getBytes(java.nio.charset.StandardCharsets.UTF_8));
        assertEquals("root", open.getAuthorizationID(), "with NONE the authorization id is taken as before");
    }

    @Test
    void portInUseNamesAddressAndKey() throws Exception {
        ThriftFrontendServer second = new ThriftFrontendServer(settings("NONE", sasl.port(), 4),
                saslBackend::backend);
        FrontendStartException e = assertThrows(FrontendStartException.class, second::start);
        assertTrue(e.getMessage().contains("127.0.0.1:" + sasl.port()), e.getMessage());
        assertTrue(e.getMessage().contains("kyuubi.frontend.thrift.binary.bind.port"), e.getMessage());
        assertFalse(e.getMessage().contains("\n"), "one line");
    }

    @Test
    void fullConnectionBoundRefusesWithAReason() throws Exception {
        RecordingBackend rb = new RecordingBackend();
        CliBackend b = rb.backend();
        ThriftFrontendServer small = start(settings("NONE", 0, 4, 1), () -> b);
        try {
            int mark = LogCapture.mark();
            try (Connection first = HiveJdbc.connect(url(small, ""), "u1", "p")) {
                SQLException e = assertThrows(SQLException.class,
                        () -> HiveJdbc.connect(url(small, ""), "u2", "p"));
                assertTrue(e.getMessage().contains("busy"), e.getMessage());
                assertTrue(e.getMessage().contains("kitsune.frontend.connections.max=1"), e.getMessage());
                assertTrue(first.isValid(5));
            }
            assertNotNull(LogCapture.awaitLine(mark, LOG_WAIT, "WARN", "Refusing connection from 127.0.0.1:",
                    "kitsune.frontend.connections.max=1"));
            // a slot frees up when a connection ends
            Connection again = await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(100))
                    .ignoreExceptionsInstanceOf(SQLException.class)
                    .until(() -> HiveJdbc.connect(url(small, ""), "u3", "p"), c -> c != null);
            again.close();
        } finally {
            small.stop(Duration.ofSeconds(5));
        }
    }

    @Test
    void withoutBackendEveryCallGetsAReason() throws Exception {
        ThriftFrontendServer bare = start(settings("NONE", 0, 4), () -> null);
        try {
            SQLException e = assertThrows(SQLException.class,
                    () -> HiveJdbc.connect(url(bare, ""), "u", "p"));
            assertTrue(e.getMessage().contains("session service is not running"), e.getMessage());
        } finally {
            bare.stop(Duration.ofSeconds(5));
        }
    }

    @Test
    void stopClosesClientConnections() throws Exception {
        RecordingBackend rb = new RecordingBackend();
        CliBackend b = rb.backend();
        ThriftFrontendServer s = start(settings("NONE", 0, 4), () -> b);
        Connection c = HiveJdbc.connect(url(s, ""), "frank", "p");
        s.stop(Duration.ofSeconds(5));
        assertFalse(s.isRunning(), "stop is bounded and complete");
        assertEquals(1, rb.closedConnections.size(), "the connection's sessions are closed");
        assertFalse(c.isValid(2));
        closeDead(c);
    }

    /** Closing a connection whose server is gone fails in the driver ("Error while cleaning up"); that is fine. */
    private static void closeDead(Connection c) {
        try {
            c.close();
        } catch (SQLException expected) {
            // the driver could not send CloseSession
        }
    }
}
