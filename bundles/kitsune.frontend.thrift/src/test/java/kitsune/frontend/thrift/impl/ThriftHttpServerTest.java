package kitsune.frontend.thrift.impl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import kitsune.api.auth.AuthenticationException;
import kitsune.api.conf.KitsuneConf;
import kitsune.internal.testing.HiveJdbc;
import kitsune.thrift.CliBackend;

/** The Thrift HTTP frontend against the real Hive JDBC driver (transportMode=http). */
class ThriftHttpServerTest {
    private static final RecordingBackend recording = new RecordingBackend();
    private static ThriftHttpServer open;
    private static ThriftHttpServer checked;
    private static final AtomicInteger LOGINS = new AtomicInteger();

    private static FrontendSettings settings(String auth) {
        return new FrontendSettings("127.0.0.1", 0, "127.0.0.1", auth, 64 * 1024, 1, 4, 100, Duration.ofSeconds(2),
                TlsSettings.OFF);
    }

    private static ThriftHttpServer start(String auth, LoginCheck check) throws Exception {
        CliBackend b = recording.backend();
        ThriftHttpServer s = new ThriftHttpServer(settings(auth), KitsuneConf.of(Map.of(
                "kyuubi.frontend.thrift.http.bind.host", "127.0.0.1", "kyuubi.frontend.thrift.http.bind.port", "0")),
                () -> b, check);
        s.start();
        return s;
    }

    @BeforeAll
    static void startServers() throws Exception {
        open = start("NONE", new LoginCheck("NONE"));
        LoginCheck ldap = new LoginCheck("LDAP");
        ldap.add((user, password) -> {
            LOGINS.incrementAndGet();
            if (!"right".equals(password)) throw new AuthenticationException("invalid user name or password");
        }, "LDAP");
        checked = start("LDAP", ldap);
    }

    @AfterAll
    static void stopServers() {
        open.stop(Duration.ofSeconds(1));
        checked.stop(Duration.ofSeconds(1));
    }

    private static String url(ThriftHttpServer s) {
        return "jdbc:hive2://127.0.0.1:" + s.port() + "/;transportMode=http;httpPath=cliservice";
    }

    @Test
    void theHiveDriverInHttpModeOpensASessionAndCalls() throws Exception {
        assertEquals("jdbc:hive2://127.0.0.1:" + open.port() + "/;transportMode=http;httpPath=cliservice", open.url());
        try (Connection c = HiveJdbc.connect(url(open), "hugo", "pw")) {
            assertTrue(c.isValid(5));
        }
    }

    @Test
    void passwordsAreCheckedOnEveryRequest() throws Exception {
        int before = LOGINS.get();
        try (Connection c = HiveJdbc.connect(url(checked), "hugo", "right")) {
            for (int i = 0; i < 5; i++) assertTrue(c.isValid(5));
        }
        assertEquals(1, LOGINS.get() - before, "one password check per session: later calls show the cookie");
        SQLException wrong = assertThrows(SQLException.class, () -> HiveJdbc.connect(url(checked), "hugo", "wrong"));
        assertTrue(wrong.getMessage().contains("401"), wrong.getMessage());
    }

    @Test
    void aBrowserOrAnotherHttpClientGetsAReason() throws Exception {
        HttpResponse<String> get = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + open.port() + "/cliservice")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(405, get.statusCode());
        assertTrue(get.body().contains("transportMode=http"), get.body());
        HttpResponse<String> garbage = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + open.port() + "/cliservice"))
                .POST(HttpRequest.BodyPublishers.ofString("hello")).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(400, garbage.statusCode());
        assertNotNull(garbage.body());
    }

    @Test
    void aMethodNameOfNegativeLengthIsRefusedAsNotAThriftMessageNotLoggedAsAFrontendFailure() throws Exception {
        // strict TBinaryProtocol: version, then a name length of -2147483637 (a fuzzed Hive driver call)
        byte[] body = {(byte) 0x80, 1, 0, 1, (byte) 0x80, 0, 0, 11, 'O', 'p', 'e', 'n', 0, 0, 0, 1, 0};
        int mark = LogCapture.mark();
        HttpResponse<String> reply = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + open.port() + "/cliservice"))
                .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(400, reply.statusCode());
        String line = LogCapture.awaitLine(mark, Duration.ofSeconds(5), "Refusing HTTP request", "Negative length");
        assertNotNull(line, "no refusal naming the negative length: " + LogCapture.text().substring(mark));
        assertTrue(line.contains("not a Thrift TCLIService message"), line);
        assertTrue(!LogCapture.text().substring(mark).contains("failed in the frontend"), LogCapture.text()
                .substring(mark));
    }

    @Test
    void aUserNameWithControlCharactersNeverReachesTheAuthenticator() {
        AtomicInteger asked = new AtomicInteger();
        LoginCheck ldap = new LoginCheck("LDAP");
        ldap.add((user, password) -> asked.incrementAndGet(), "LDAP");
        javax.security.sasl.SaslException refused = assertThrows(javax.security.sasl.SaslException.class,
                () -> ldap.check("eve\n2030-01-01 00:00:00.000 [main] INFO forged", "pw"));
        assertTrue(refused.getMessage().contains("control characters"), refused.getMessage());
        assertEquals(0, asked.get(), "the authenticator was asked");
    }

    @Test
    void basicCredentialsAreParsedAsHiveSendsThem() {
        assertEquals("hugo", ThriftHttpServer.basic("Basic aHVnbzpwdzpwdw==")[0]);
        assertEquals("pw:pw", ThriftHttpServer.basic("Basic aHVnbzpwdzpwdw==")[1]);
        assertEquals("anonymous", ThriftHttpServer.basic(null)[0]);
        assertEquals("anonymous", ThriftHttpServer.basic("Basic !!!")[0]);
    }

    // ---------------------------------------------------------------- pool, idle connections, bind address

    private static ThriftHttpServer startWith(RecordingBackend backend, int maxWorkers, Map<String, String> extra)
            throws Exception {
        CliBackend b = backend.backend();
        Map<String, String> conf = new java.util.HashMap<>(Map.of("kyuubi.frontend.thrift.http.bind.host",
                "127.0.0.1", "kyuubi.frontend.thrift.http.bind.port", "0"));
        conf.putAll(extra);
        ThriftHttpServer s = new ThriftHttpServer(new FrontendSettings("127.0.0.1", 0, "127.0.0.1", "NONE",
                64 * 1024, 1, maxWorkers, 100, Duration.ofSeconds(2), TlsSettings.OFF), KitsuneConf.of(conf), () -> b,
                new LoginCheck("NONE"));
        s.start();
        return s;
    }

    /** One GetInfo call as Hive JDBC posts it. */
    private static byte[] getInfoMessage() throws Exception {
        org.apache.thrift.transport.TMemoryBuffer buf = new org.apache.thrift.transport.TMemoryBuffer(256);
        new org.apache.hive.service.rpc.thrift.TCLIService.Client(new org.apache.thrift.protocol.TBinaryProtocol(buf))
                .send_GetInfo(new org.apache.hive.service.rpc.thrift.TGetInfoReq(
                        kitsune.thrift.Handles.newSessionHandle(java.util.UUID.randomUUID()),
                        org.apache.hive.service.rpc.thrift.TGetInfoType.CLI_DBMS_NAME));
        return java.util.Arrays.copyOf(buf.getArray(), buf.length());
    }

    private static java.util.concurrent.CompletableFuture<HttpResponse<String>> post(HttpClient client,
            ThriftHttpServer s, byte[] body) {
        return client.sendAsync(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + s.port() + "/cliservice"))
                .header("Content-Type", "application/x-thrift").POST(HttpRequest.BodyPublishers.ofByteArray(body))
                .build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void fiftySlowCallsLeaveRoomForAFastClientTheHiveDriverGetsThrough() throws Exception {
        RecordingBackend slow = new RecordingBackend();
        slow.getInfoGate = new java.util.concurrent.CountDownLatch(1);
        ThriftHttpServer s = startWith(slow, 999, Map.of());
        java.util.concurrent.ExecutorService clientThreads = java.util.concurrent.Executors.newFixedThreadPool(8);
        HttpClient client = HttpClient.newBuilder().executor(clientThreads).build();
        try {
            byte[] getInfo = getInfoMessage();
            java.util.List<java.util.concurrent.CompletableFuture<HttpResponse<String>>> calls =
                    new java.util.ArrayList<>();
            for (int i = 0; i < 50; i++) calls.add(post(client, s, getInfo));
            org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(20))
                    .until(() -> slow.getInfoRunning.get() == 50);
            long start = System.nanoTime();
            try (Connection fast = HiveJdbc.connect("jdbc:hive2://127.0.0.1:" + s.port()
                    + "/;transportMode=http;httpPath=cliservice", "fast", "pw")) {
                assertNotNull(fast);
            }
            long millis = (System.nanoTime() - start) / 1_000_000;
            assertTrue(millis < 5_000, "the fast client waited " + millis + " ms behind 50 slow calls");
            slow.getInfoGate.countDown();
            for (var call : calls) {
                assertEquals(200, call.get(20, java.util.concurrent.TimeUnit.SECONDS).statusCode());
            }
        } finally {
            slow.getInfoGate.countDown();
            s.stop(Duration.ofSeconds(1));
            clientThreads.shutdownNow();
        }
    }

    @Test
    void beyondMaxWorkerThreadsARequestIsRefusedAtOnceWith503NamingTheKey() throws Exception {
        RecordingBackend slow = new RecordingBackend();
        slow.getInfoGate = new java.util.concurrent.CountDownLatch(1);
        ThriftHttpServer s = startWith(slow, 4, Map.of());
        java.util.concurrent.ExecutorService clientThreads = java.util.concurrent.Executors.newFixedThreadPool(4);
        HttpClient client = HttpClient.newBuilder().executor(clientThreads).build();
        try {
            byte[] getInfo = getInfoMessage();
            java.util.List<java.util.concurrent.CompletableFuture<HttpResponse<String>>> calls =
                    new java.util.ArrayList<>();
            for (int i = 0; i < 4; i++) calls.add(post(client, s, getInfo));
            org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(20))
                    .until(() -> slow.getInfoRunning.get() == 4);
            HttpResponse<String> refused = post(client, s, getInfo).get(5, java.util.concurrent.TimeUnit.SECONDS);
            assertEquals(503, refused.statusCode());
            assertTrue(refused.body().contains("kyuubi.frontend.thrift.max.worker.threads=4"), refused.body());
            slow.getInfoGate.countDown();
            for (var call : calls) {
                assertEquals(200, call.get(20, java.util.concurrent.TimeUnit.SECONDS).statusCode());
            }
            assertEquals(200, post(client, s, getInfo).get(20, java.util.concurrent.TimeUnit.SECONDS).statusCode(),
                    "served again once a thread is free");
        } finally {
            slow.getInfoGate.countDown();
            s.stop(Duration.ofSeconds(1));
            clientThreads.shutdownNow();
        }
    }

    @Test
    void aConnectionThatStopsSendingInTheMiddleOfItsRequestIsClosedAfterTheIdleTime() throws Exception {
        ThriftHttpServer s = startWith(new RecordingBackend(), 4, Map.of("kyuubi.frontend.thrift.http.max.idle.time",
                "PT1S"));
        try (java.net.Socket socket = new java.net.Socket("127.0.0.1", s.port())) {
            socket.getOutputStream().write("POST /cliservice HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Le"
                    .getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            socket.getOutputStream().flush();
            socket.setSoTimeout(10_000);
            long start = System.nanoTime();
            java.io.InputStream in = socket.getInputStream();
            while (in.read() >= 0) {
                // whatever the server says before it closes
            }
            long millis = (System.nanoTime() - start) / 1_000_000;
            assertTrue(millis < 5_000, "closed after " + millis + " ms");
        } finally {
            s.stop(Duration.ofSeconds(1));
        }
    }

    @Test
    void aClientThatTricklesItsHeaderToStayWithinTheIdleTimeIsClosedAfterTheLoginTimeout() throws Exception {
        // idle time 30 s, login timeout 2 s: a byte every 300 ms keeps the connection from ever being idle
        ThriftHttpServer s = startWith(new RecordingBackend(), 4, Map.of("kyuubi.frontend.thrift.http.max.idle.time",
                "PT30S"));
        try (java.net.Socket socket = new java.net.Socket("127.0.0.1", s.port())) {
            java.io.OutputStream out = socket.getOutputStream();
            out.write("POST /cliservice HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: "
                    .getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            out.flush();
            socket.setSoTimeout(300);
            long start = System.nanoTime();
            boolean closed = false;
            while (!closed && System.nanoTime() - start < 15_000_000_000L) {
                try {
                    out.write('a');
                    out.flush();
                    closed = socket.getInputStream().read() < 0;
                } catch (java.net.SocketTimeoutException stillOpen) {
                    // the server keeps waiting: trickle on
                } catch (java.io.IOException reset) {
                    closed = true;
                }
            }
            long millis = (System.nanoTime() - start) / 1_000_000;
            assertTrue(closed, "still open after " + millis + " ms of trickling");
            assertTrue(millis < 8_000, "closed only after " + millis + " ms");
        } finally {
            s.stop(Duration.ofSeconds(1));
        }
    }

    @Test
    void aConnectionWhoseRequestsArriveInTimeStaysOpenPastTheLoginTimeout() throws Exception {
        ThriftHttpServer s = startWith(new RecordingBackend(), 4, Map.of("kyuubi.frontend.thrift.http.max.idle.time",
                "PT30S"));
        try (java.net.Socket socket = new java.net.Socket("127.0.0.1", s.port())) {
            java.io.OutputStream out = socket.getOutputStream();
            java.io.InputStream in = socket.getInputStream();
            socket.setSoTimeout(10_000);
            byte[] get = "GET /cliservice HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"
                    .getBytes(java.nio.charset.StandardCharsets.US_ASCII);
            out.write(get);
            out.flush();
            String first = readResponse(in);
            assertTrue(first.startsWith("HTTP/1.1 405"), first);
            long answered = System.nanoTime();
            org.awaitility.Awaitility.await("past the 2 s login timeout").atMost(Duration.ofSeconds(5))
                    .until(() -> System.nanoTime() - answered > 2_500_000_000L);
            out.write(get);
            out.flush();
            String second = readResponse(in);
            assertTrue(second.startsWith("HTTP/1.1 405"), "the same connection still serves: " + second);
        } finally {
            s.stop(Duration.ofSeconds(1));
        }
    }

    /** One response with a Content-Length body, read off a kept-alive connection. */
    private static String readResponse(java.io.InputStream in) throws java.io.IOException {
        StringBuilder head = new StringBuilder();
        while (!head.toString().endsWith("\r\n\r\n")) {
            int b = in.read();
            if (b < 0) return head.toString();
            head.append((char) b);
        }
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("(?i)content-length: *(\\d+)").matcher(head);
        int length = m.find() ? Integer.parseInt(m.group(1)) : 0;
        byte[] body = in.readNBytes(length);
        return head + new String(body, java.nio.charset.StandardCharsets.UTF_8);
    }

    @Test
    void itBindsTheConfiguredHostAndWithoutOneNotEveryInterface() throws Exception {
        ThriftHttpServer configured = startWith(new RecordingBackend(), 4, Map.of());
        try {
            assertEquals("127.0.0.1", configured.host());
        } finally {
            configured.stop(Duration.ofSeconds(1));
        }
        ThriftHttpServer unset = startWith(new RecordingBackend(), 4, Map.of("kyuubi.frontend.thrift.http.bind.host",
                "", "kyuubi.frontend.bind.host", ""));
        try {
            assertEquals(java.net.InetAddress.getLocalHost().getHostAddress(), unset.host());
            assertTrue(!unset.host().equals("0.0.0.0") && !unset.host().equals("::"), unset.host());
        } finally {
            unset.stop(Duration.ofSeconds(1));
        }
    }
}
