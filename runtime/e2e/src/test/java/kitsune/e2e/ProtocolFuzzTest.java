package kitsune.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Pattern;

import org.apache.hive.org.apache.thrift.TApplicationException;
import org.apache.hive.org.apache.thrift.protocol.TBinaryProtocol;
import org.apache.hive.org.apache.thrift.transport.TMemoryBuffer;
import org.apache.hive.service.rpc.thrift.TCLIService;
import org.apache.hive.service.rpc.thrift.TExecuteStatementReq;
import org.apache.hive.service.rpc.thrift.TExecuteStatementResp;
import org.apache.hive.service.rpc.thrift.TFetchOrientation;
import org.apache.hive.service.rpc.thrift.TFetchResultsReq;
import org.apache.hive.service.rpc.thrift.TGetInfoReq;
import org.apache.hive.service.rpc.thrift.TGetInfoType;
import org.apache.hive.service.rpc.thrift.TGetOperationStatusReq;
import org.apache.hive.service.rpc.thrift.TGetResultSetMetadataReq;
import org.apache.hive.service.rpc.thrift.TGetSchemasReq;
import org.apache.hive.service.rpc.thrift.TGetTypeInfoReq;
import org.apache.hive.service.rpc.thrift.TCloseOperationReq;
import org.apache.hive.service.rpc.thrift.TCloseSessionReq;
import org.apache.hive.service.rpc.thrift.THandleIdentifier;
import org.apache.hive.service.rpc.thrift.TOpenSessionReq;
import org.apache.hive.service.rpc.thrift.TOpenSessionResp;
import org.apache.hive.service.rpc.thrift.TOperationHandle;
import org.apache.hive.service.rpc.thrift.TOperationType;
import org.apache.hive.service.rpc.thrift.TProtocolVersion;
import org.apache.hive.service.rpc.thrift.TSessionHandle;
import org.apache.hive.service.rpc.thrift.TStatusCode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;


import kitsune.testkit.FreePorts;
import kitsune.testkit.Jdbc;
import kitsune.testkit.JvmHeap;
import kitsune.testkit.KitsuneServer;
import kitsune.testkit.ProcStats;

/**
 * Malformed protocol input against a real server (binary and Thrift HTTP ports, LDAP logins) while normal Hive JDBC
 * clients keep working on both: calls without their request struct, with fields of the wrong type, unknown or forged
 * method names, truncated messages; and a seeded fuzz run of random and mutated input, starting from hand-encoded
 * calls and from the Hive driver's own traffic recorded through a loopback proxy ({@link Recordings}): on the binary
 * port a valid SASL login followed by mutated calls, mutated SASL negotiation messages, random bytes; on the HTTP port
 * mutated calls with and without a valid login, HTTP-level faults ({@link HttpFuzz}), mutated and cut requests. Run
 * another seed with {@code -Dkitsune.fuzz.seed=N -Dkitsune.fuzz.cases=N -Dkitsune.fuzz.threads=N
 * -Dkitsune.fuzz.seconds=N}.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ProtocolFuzzTest {
    private static final Duration LOGIN_TIMEOUT = Duration.ofSeconds(5);
    private static final int MAX_MESSAGE = 1024 * 1024;
    /** SASL negotiation status bytes of Thrift's TSaslTransport. */
    private static final int START = 0x01;
    private static final int COMPLETE = 0x05;
    /** How every line of kitsune.log begins (simplelogger with the date format of bin/kitsune). */
    private static final Pattern LOG_LINE = Pattern.compile("^\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d\\.\\d{3} \\[");
    /** What may follow a log line: a stack trace. */
    private static final Pattern TRACE_LINE = Pattern.compile(
            "^(\\s+at |\\s+\\.\\.\\. \\d+ (more|common frames omitted)|Caused by: |\\s*Suppressed: |[\\w$.]+(Exception|Error)"
                    + "(: .*)?$)");

    private static final Duration HTTP_IDLE = Duration.ofSeconds(10);

    private Directory ldap;
    private KitsuneServer server;
    private int httpPort;
    private String httpUrl;
    /** The Hive driver's traffic on the binary port and over HTTP, recorded once. */
    private Recordings.Binary binaryRecording;
    private Recordings.Http httpRecording;

    @BeforeAll
    void startServer() throws Exception {
        // a real password check, so that "before the login" means something on both ports
        ldap = Directory.ldap("normal:secret", "fuzz:pw", "mallory:pw");
        httpPort = FreePorts.next();
        server = new KitsuneServer(Files.createTempDirectory("kitsune-e2e-fuzz-"))
                .set("kyuubi.engine.share.level", "SERVER") // one engine for the normal, fuzzing and holding users
                .set("kyuubi.authentication", "LDAP")
                .set("kyuubi.authentication.ldap.url", ldap.url())
                .set("kyuubi.authentication.ldap.baseDN", "ou=people,dc=example,dc=com")
                .set("kyuubi.frontend.protocols", "THRIFT_BINARY,THRIFT_HTTP")
                .set("kyuubi.frontend.thrift.http.bind.host", "127.0.0.1")
                .set("kyuubi.frontend.thrift.http.bind.port", String.valueOf(httpPort))
                .set("kyuubi.frontend.thrift.http.max.idle.time", HTTP_IDLE.toString())
                .set("kyuubi.frontend.thrift.login.timeout", LOGIN_TIMEOUT.toString())
                .set("kyuubi.frontend.thrift.max.message.size", String.valueOf(MAX_MESSAGE)).start();
        httpUrl = server.awaitLog(Pattern.compile("JDBC connection over HTTP at: (jdbc:hive2://\\S+)"),
                Duration.ofSeconds(30)).group(1);
        try (Connection warm = Jdbc.connect(server.directUrl(), "normal")) {
            assertEquals(1, ((Number) Jdbc.single(warm, "SELECT 1")).intValue(), "the engine is up");
        }
        binaryRecording = record(server.port(), "/", Recordings::binary);
        httpRecording = record(httpPort, "/;transportMode=http;httpPath=cliservice", Recordings::http);
    }

    /** The unmodified Hive driver opens a session, runs a query, fetches it and closes, through a recording proxy. */
    private static <T> T record(int port, String urlTail, java.util.function.BiFunction<byte[], byte[], T> parse)
            throws Exception {
        Recordings.Proxy proxy = new Recordings.Proxy(port);
        try {
            try (Connection c = Jdbc.connect("jdbc:hive2://127.0.0.1:" + proxy.port() + urlTail, "fuzz", "pw")) {
                assertEquals(3, Jdbc.query(c, "SELECT id, 'x' FROM range(3)").size());
            }
        } finally {
            proxy.close();
        }
        return parse.apply(proxy.clientBytes(), proxy.serverBytes());
    }

    @AfterAll
    void stopServer() throws Exception {
        try {
            if (server != null) server.close();
        } finally {
            if (ldap != null) ldap.close();
        }
    }

    @Test
    void theRecordingsHoldTheHiveDriversLoginAndCalls() {
        assertEquals(2, binaryRecording.saslMessages().size(), "PLAIN: the mechanism, then the credentials");
        List<String> binary = binaryRecording.calls().stream().map(Recordings.Call::method).toList();
        List<String> http = httpRecording.requests().stream().map(Recordings.HttpRequest::method).toList();
        for (List<String> calls : List.of(binary, http)) {
            for (String m : List.of("OpenSession", "ExecuteStatement", "GetOperationStatus", "GetResultSetMetadata",
                    "FetchResults", "CloseOperation", "CloseSession")) {
                assertTrue(calls.contains(m), m + " in " + calls);
            }
        }
        assertTrue(httpRecording.cookie() != null && httpRecording.requests().stream()
                .anyMatch(r -> r.header("Cookie") != null && r.header("Cookie").contains(httpRecording.cookie())), "the driver showed its cookie");
        System.out.printf("Recorded: binary port %s; HTTP %s%n", binary, http);
    }

    @Test
    void callsWithoutTheirRequestOrWithWrongTypesOrUnknownNamesAreAnsweredOrClosedNamingTheProblem()
            throws Exception {
        try (Connection normal = Jdbc.connect(server.directUrl(), "normal");
                Sasl client = Sasl.login(server.port(), "mallory")) {
            TSessionHandle session = client.openSession();
            // ExecuteStatement with no field 1 at all
            TExecuteStatementResp missing = client.call(raw("ExecuteStatement", new byte[] {0}),
                    c -> c.recv_ExecuteStatement());
            assertEquals(TStatusCode.ERROR_STATUS, missing.getStatus().getStatusCode());
            assertTrue(missing.getStatus().getErrorMessage().contains("ExecuteStatement without its request"),
                    missing.getStatus().getErrorMessage());
            // field 1 sent as an i32 instead of the request struct
            TExecuteStatementResp wrongType = client.call(raw("ExecuteStatement", new byte[] {8, 0, 1, 0, 0, 0, 7, 0}),
                    c -> c.recv_ExecuteStatement());
            assertTrue(wrongType.getStatus().getErrorMessage().contains("no field 1 (req) of type "
                    + "TExecuteStatementReq"), wrongType.getStatus().getErrorMessage());
            // a request struct without its required session handle: Thrift's own check answers
            TApplicationException required = assertApplicationException(() -> client.call(
                    raw("ExecuteStatement", new byte[] {12, 0, 1, 11, 0, 2, 0, 0, 0, 1, 'x', 0, 0}),
                    c -> c.recv_ExecuteStatement()));
            assertTrue(required.getMessage().contains("sessionHandle"), required.getMessage());
            // an unknown method, its name forging a log line
            String forged = "Nope\n2030-01-01 00:00:00.000 [main] INFO kitsune - forged line";
            TApplicationException unknown = assertApplicationException(() -> client.call(raw(forged, new byte[] {0}),
                    c -> c.recv_GetInfo()));
            assertEquals(TApplicationException.UNKNOWN_METHOD, unknown.getType());
            // the connection still serves valid calls
            assertEquals(TStatusCode.SUCCESS_STATUS, client.call(
                    c -> c.send_GetInfo(new TGetInfoReq(session, TGetInfoType.CLI_SERVER_NAME)),
                    c -> c.recv_GetInfo()).getStatus().getStatusCode());
            // a truncated message (the rest may come in the next frame): closed once its client stops sending
            byte[] call = Sasl.encode(c -> c.send_GetInfo(new TGetInfoReq(session, TGetInfoType.CLI_SERVER_NAME)));
            client.frame(Arrays.copyOf(call, call.length - 3));
            client.socket.shutdownOutput();
            assertTrue(client.closedByServer(Duration.ofSeconds(5)), "a truncated call ends its connection");
            assertEquals(1, ((Number) Jdbc.single(normal, "SELECT 1")).intValue(), "others are unaffected");
        }
        // a SASL user name that would forge a log line is refused at login
        try (Socket s = new Socket("127.0.0.1", server.port())) {
            DataOutputStream out = new DataOutputStream(s.getOutputStream());
            Sasl.negotiation(out, START, "PLAIN".getBytes(StandardCharsets.US_ASCII));
            Sasl.negotiation(out, COMPLETE, "\0eve\n2030-01-01 00:00:00.000 [main] INFO forged\0pw"
                    .getBytes(StandardCharsets.UTF_8));
            out.flush();
            DataInputStream in = new DataInputStream(s.getInputStream());
            s.setSoTimeout(5_000);
            int status = in.read();
            byte[] reason = new byte[in.readInt()];
            in.readFully(reason);
            assertTrue(status == 0x03 || status == 0x04, "BAD or ERROR, got " + status);
            assertTrue(new String(reason, StandardCharsets.UTF_8).contains("control characters"),
                    new String(reason, StandardCharsets.UTF_8));
        }
        assertLogClean();
    }

    /**
     * Every line of the log is a log line or part of a stack trace, and no NullPointerException or unexpected failure
     * of the HTTP frontend is logged.
     */
    private void assertLogClean() throws IOException {
        List<String> lines = Files.readAllLines(server.logFile(), StandardCharsets.UTF_8);
        List<String> odd = new ArrayList<>();
        for (String line : lines) {
            if (!LOG_LINE.matcher(line).find() && !TRACE_LINE.matcher(line).find() && !line.isEmpty()) odd.add(line);
            if (line.contains("NullPointerException")) odd.add(line);
            // the HTTP frontend's line for an exception it did not expect (a client's bad bytes are refused instead)
            if (line.contains("failed in the frontend")) odd.add(line);
        }
        assertTrue(odd.isEmpty(), odd.size() + " line(s) that are not log lines, or NPEs:\n"
                + String.join("\n", odd.subList(0, Math.min(20, odd.size()))));
        assertTrue(lines.stream().noneMatch(l -> l.startsWith("2030-01-01")), "a forged line in the log");
    }

    @Test
    void aSeededFuzzRunOfBothPortsLeavesTheServerAliveServingBoundedAndWithoutStuckConnectionsOrWorkers()
            throws Exception {
        long seed = Long.getLong("kitsune.fuzz.seed", 20_250_601L);
        int cases = Integer.getInteger("kitsune.fuzz.cases", 10_000);
        int threads = Integer.getInteger("kitsune.fuzz.threads", 16);
        Duration budget = Duration.ofSeconds(Integer.getInteger("kitsune.fuzz.seconds", 300));
        ProcessHandle jvm = server.jvm();
        TSessionHandle shared;
        TOperationHandle op;
        Sasl holder = Sasl.login(server.port(), "fuzz");
        try {
            shared = holder.openSession();
            TExecuteStatementReq select = new TExecuteStatementReq(shared, "SELECT 1");
            op = holder.call(c -> c.send_ExecuteStatement(select), c -> c.recv_ExecuteStatement())
                    .getOperationHandle();
            int fdsBefore = ProcStats.fileDescriptors(jvm);
            String socketsBefore = sockets(jvm);
            long liveBefore = JvmHeap.liveKib(jvm);
            List<byte[]> templates = new ArrayList<>(templates(shared, op));
            templates.addAll(recordedCalls(shared, op, false));
            HttpTargets http = httpTargets();

            Counts binary = new Counts();
            Counts overHttp = new Counts();
            AtomicInteger stuck = new AtomicInteger();
            AtomicInteger accepted = new AtomicInteger();
            ConcurrentLinkedQueue<Held> held = new ConcurrentLinkedQueue<>();
            Normal normal = new Normal(server.directUrl());
            Normal normalHttp = new Normal(httpUrl);
            ScheduledExecutorService watch = Executors.newScheduledThreadPool(3);
            ExecutorService fuzzers = Executors.newFixedThreadPool(threads);
            long start = System.nanoTime();
            long end = start + budget.toNanos();
            try (JvmHeap.Sampler heap = JvmHeap.sampler(jvm, 250)) {
                watch.scheduleWithFixedDelay(normal, 0, 500, TimeUnit.MILLISECONDS);
                watch.scheduleWithFixedDelay(normalHttp, 250, 500, TimeUnit.MILLISECONDS);
                watch.scheduleWithFixedDelay(() -> checkHeld(held, stuck, accepted, false), 200, 200, TimeUnit.MILLISECONDS);
                AtomicInteger next = new AtomicInteger();
                List<Future<?>> running = new ArrayList<>();
                for (int t = 0; t < threads; t++) {
                    running.add(fuzzers.submit(() -> {
                        for (int i; (i = next.getAndIncrement()) < cases && System.nanoTime() < end;) {
                            Random random = new Random(seed ^ (i * 0x9E3779B97F4A7C15L));
                            try {
                                if (i % 2 == 0) {
                                    runCase(random, templates, shared, op, held, binary, i);
                                } else {
                                    runHttpCase(random, http, held, overHttp, i);
                                }
                            } catch (IOException | RuntimeException e) {
                                throw new AssertionError("case " + i + " of seed " + seed + ": " + e, e);
                            }
                        }
                        return null;
                    }));
                }
                for (Future<?> f : running) f.get(budget.toSeconds() + 60, TimeUnit.SECONDS);
                long fuzzMillis = (System.nanoTime() - start) / 1_000_000;
                // what is still held must be cut by the server: before a login within the login timeout, an idle
                // HTTP connection within the HTTP idle time (each with a margin)
                org.awaitility.Awaitility.await().atMost(HTTP_IDLE.plusSeconds(15)).pollInterval(
                        Duration.ofMillis(200)).until(() -> {
                            checkHeld(held, stuck, accepted, false);
                            return held.isEmpty();
                        });
                watch.shutdown();
                watch.awaitTermination(30, TimeUnit.SECONDS);
                normal.close();
                normalHttp.close();
                // no call or login left running in the frontends' workers once every client is gone
                int busy = org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(30))
                        .pollInterval(Duration.ofMillis(500)).until(() -> busyFrontendThreads(jvm), n -> n == 0);
                long peakKib = heap.peakKib();
                long liveAfter = JvmHeap.liveKib(jvm);
                try {
                    org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(20)).pollInterval(
                            Duration.ofMillis(250)).until(() -> clients(sockets(jvm)) <= clients(socketsBefore));
                } catch (org.awaitility.core.ConditionTimeoutException e) {
                    // asserted below, with the figures
                }
                int fdsAfter = ProcStats.fileDescriptors(jvm);
                String socketsAfter = sockets(jvm);
                System.out.printf("Protocol fuzz: seed %d, %d cases in %d ms (%d threads)%n"
                        + "  binary port: %d cases (%d after a login, %d before), %d replies, %d closed by the server, "
                        + "%d left waiting for more bytes, %d spoilt SASL logins still accepted%n"
                        + "  HTTP port: %d cases (%d after a login, %d before or without one), %d requests, replies by "
                        + "status %s, %d closed by the server, %d left waiting; %d sessions opened by mutated calls "
                        + "(closed again)%n"
                        + "  normal clients: binary %d calls, %d errors, slowest %d ms; HTTP %d calls, %d errors, "
                        + "slowest %d ms%n"
                        + "  stuck connections %d, busy frontend threads after %d; server heap: live %d KiB before, "
                        + "%d KiB after, peak used %d KiB (%d samples); server fds %d before, %d after%n",
                        seed, binary.cases.get() + overHttp.cases.get(), fuzzMillis, threads,
                        binary.cases.get(), binary.afterLogin.get(), binary.cases.get() - binary.afterLogin.get(),
                        binary.replies.get(), binary.closed.get(), binary.waiting.get(), accepted.get(),
                        overHttp.cases.get(), overHttp.afterLogin.get(),
                        overHttp.cases.get() - overHttp.afterLogin.get(), overHttp.requests.get(),
                        new java.util.TreeMap<>(overHttp.statuses), overHttp.closed.get(), overHttp.waiting.get(),
                        overHttp.sessions.get(), normal.calls.get(), normal.errors.get(), normal.slowestMillis.get(),
                        normalHttp.calls.get(), normalHttp.errors.get(), normalHttp.slowestMillis.get(), stuck.get(),
                        busy, liveBefore, liveAfter, peakKib, heap.samples(), fdsBefore, fdsAfter);
                System.out.printf("  server TCP sockets by state and port before: %s; after: %s%n", socketsBefore,
                        socketsAfter);
                assertTrue(server.isAlive(), "the server process is alive");
                for (Normal n : List.of(normal, normalHttp)) {
                    assertEquals(0, n.errors.get(), "the normal client's errors (" + n.url + "): " + n.lastError);
                    assertTrue(n.calls.get() > 10, "the normal client kept calling (" + n.url + ")");
                    assertTrue(n.slowestMillis.get() < 10_000, "the normal client waited " + n.slowestMillis.get()
                            + " ms (" + n.url + ")");
                }
                assertEquals(0, stuck.get(), "connections left open beyond the login timeout or HTTP idle time");
                assertEquals(cases, binary.cases.get() + overHttp.cases.get(), "cases run within " + budget);
                assertEquals(0, overHttp.statuses.getOrDefault(500, 0), "HTTP requests answered 500");
                // the server's connections to the engine are a pool (at most kitsune.engine.connections.max, 64)
                // that grows with concurrent calls and stays; every client connection must be gone
                int pooled = outgoing(socketsAfter) - outgoing(socketsBefore);
                assertTrue(pooled <= 64, pooled + " more connections to the engine than the pool's maximum");
                assertTrue(clients(socketsAfter) <= clients(socketsBefore), "client connections left: "
                        + socketsAfter);
                assertTrue(fdsAfter <= fdsBefore + 16 + pooled, "server fds " + fdsBefore + " before, " + fdsAfter
                        + " after, " + pooled + " of them more pooled engine connections");
                assertTrue(liveAfter - liveBefore < 32 * 1024, "the live heap grew by " + (liveAfter - liveBefore)
                        + " KiB");
                assertTrue(peakKib < 400 * 1024, "the used heap peaked at " + peakKib + " KiB (-Xmx512m)");
            } finally {
                fuzzers.shutdownNow();
                watch.shutdownNow();
                normal.close();
                normalHttp.close();
                for (Held h : held) h.socket.close();
            }
            // the holder's session and connection survived all of it
            assertEquals(TStatusCode.SUCCESS_STATUS, holder.call(
                    c -> c.send_GetInfo(new TGetInfoReq(shared, TGetInfoType.CLI_SERVER_NAME)),
                    c -> c.recv_GetInfo()).getStatus().getStatusCode());
        } finally {
            holder.close();
        }
        assertLogClean();
    }

    /** What the cases of one port saw. */
    private static final class Counts {
        final AtomicInteger cases = new AtomicInteger();
        final AtomicInteger afterLogin = new AtomicInteger();
        final AtomicInteger requests = new AtomicInteger();
        final AtomicInteger replies = new AtomicInteger();
        final AtomicInteger closed = new AtomicInteger();
        final AtomicInteger waiting = new AtomicInteger();
        final AtomicInteger sessions = new AtomicInteger();
        final java.util.concurrent.ConcurrentHashMap<Integer, Integer> statuses =
                new java.util.concurrent.ConcurrentHashMap<>();
    }

    /** The recorded binary-port calls carrying the given session and operation. */
    private List<byte[]> recordedCalls(TSessionHandle session, TOperationHandle op, boolean closeSession) {
        return Recordings.retarget(binaryRecording.calls().stream().map(Recordings.Call::bytes).toList(),
                binaryRecording.handles(), session, op, closeSession);
    }

    /** The recorded HTTP requests, their calls carrying a live session and operation opened over HTTP. */
    private record HttpTargets(List<Recordings.HttpRequest> requests, String cookie,
            Recordings.HttpRequest closeSession, Recordings.Handles recorded) {
    }

    private HttpTargets httpTargets() throws Exception {
        Recordings.Http rec = httpRecording;
        Recordings.HttpRequest open = rec.requests().stream().filter(r -> r.method().equals("OpenSession"))
                .findFirst().orElseThrow();
        HttpFuzz.Reply opened = httpExchange(open.bytes());
        assertEquals(200, opened.status());
        TSessionHandle session = Recordings.decodeResult(opened.body(), new TCLIService.OpenSession_result())
                .getSuccess().getSessionHandle();
        Recordings.HttpRequest execute = rec.requests().stream().filter(r -> r.method().equals("ExecuteStatement"))
                .findFirst().orElseThrow();
        HttpFuzz.Reply executed = httpExchange(execute.withBody(Recordings.retarget(List.of(execute.body()),
                rec.handles(), session, null, false).get(0)).bytes());
        assertEquals(200, executed.status());
        TOperationHandle op = Recordings.decodeResult(executed.body(), new TCLIService.ExecuteStatement_result())
                .getSuccess().getOperationHandle();
        List<Recordings.HttpRequest> requests = new ArrayList<>();
        for (Recordings.HttpRequest r : rec.requests()) {
            requests.add(r.withBody(Recordings.retarget(List.of(r.body()), rec.handles(), session, op, false)
                    .get(0)));
        }
        Recordings.HttpRequest close = rec.requests().stream().filter(r -> r.method().equals("CloseSession"))
                .findFirst().orElseThrow();
        return new HttpTargets(requests, rec.cookie(), close, rec.handles());
    }

    /** One request on a connection of its own, its reply read within 30 s. */
    private HttpFuzz.Reply httpExchange(byte[] request) throws IOException {
        try (Socket s = new Socket("127.0.0.1", httpPort)) {
            s.getOutputStream().write(request);
            s.getOutputStream().flush();
            return HttpFuzz.read(s, s.getInputStream(), Duration.ofSeconds(30));
        }
    }

    /** One HTTP fuzz case on a connection of its own: one to three requests. */
    private void runHttpCase(Random r, HttpTargets http, ConcurrentLinkedQueue<Held> held, Counts counts,
            int caseNo) throws IOException {
        int kind = r.nextInt(100);
        counts.cases.incrementAndGet();
        if (kind < 45) counts.afterLogin.incrementAndGet();
        Socket s = new Socket("127.0.0.1", httpPort);
        boolean keep = false;
        try {
            InputStream in = s.getInputStream();
            StringBuilder sent = new StringBuilder("HTTP case " + caseNo + " (kind " + kind + "): ");
            int requests = 1 + r.nextInt(3);
            for (int k = 0; k < requests; k++) {
                Recordings.HttpRequest t = http.requests().get(r.nextInt(http.requests().size()));
                byte[] wire;
                if (k > 0) sent.append(" | ");
                if (kind < 45) {
                    // after a valid login (cookie, Basic or both as the driver sent them): a mutated or intact call
                    Recordings.HttpRequest req = HttpFuzz.goodLogin(r, t, http.cookie());
                    wire = req.withBody(r.nextInt(8) == 0 ? req.body() : Mutator.mutate(r, req.body())).bytes();
                } else if (kind < 60) {
                    // no login, a wrong password, a spoilt or forged cookie, odd Authorization headers
                    Recordings.HttpRequest req = HttpFuzz.badLogin(r, t, http.cookie());
                    wire = req.withBody(r.nextBoolean() ? req.body() : Mutator.mutate(r, req.body())).bytes();
                } else if (kind < 85) {
                    // HTTP itself: methods, paths, versions, Content-Length lies, chunked garbage, huge headers
                    Recordings.HttpRequest req = r.nextBoolean() ? HttpFuzz.goodLogin(r, t, http.cookie())
                            : HttpFuzz.badLogin(r, t, http.cookie());
                    if (r.nextBoolean()) req = req.withBody(Mutator.mutate(r, req.body()));
                    wire = HttpFuzz.protocolFault(r, req, MAX_MESSAGE);
                } else if (kind < 95) {
                    // the bytes of a whole recorded request spoilt
                    wire = Mutator.mutate(r, HttpFuzz.goodLogin(r, t, http.cookie()).bytes());
                } else {
                    // a request cut short, or random bytes, and the connection kept open
                    byte[] full = t.bytes();
                    wire = r.nextBoolean() ? Arrays.copyOf(full, r.nextInt(full.length)) : Mutator.randomBytes(r);
                }
                counts.requests.incrementAndGet();
                sent.append(Held.show(wire));
                try {
                    s.getOutputStream().write(wire);
                    s.getOutputStream().flush();
                } catch (IOException closedWhileWriting) {
                    counts.closed.incrementAndGet();
                    return;
                }
                HttpFuzz.Reply reply = HttpFuzz.read(s, in, Duration.ofMillis(800));
                if (reply.status() == HttpFuzz.Reply.CLOSED.status()) {
                    counts.closed.incrementAndGet();
                    return;
                }
                if (reply.status() == HttpFuzz.Reply.WAITING.status()) {
                    counts.waiting.incrementAndGet();
                    held.add(new Held(s, System.nanoTime() + HTTP_IDLE.plusSeconds(5).toNanos(), sent.toString()));
                    keep = true;
                    return;
                }
                counts.replies.incrementAndGet();
                counts.statuses.merge(reply.status(), 1, Integer::sum);
                if (reply.status() == 200 && reply.body() != null) closeIfOpened(reply.body(), http, counts);
                if (reply.closes()) {
                    counts.closed.incrementAndGet();
                    return;
                }
            }
        } finally {
            if (!keep) s.close();
        }
    }

    /** A mutated OpenSession that still opened a session: closed again, as its client would. */
    private void closeIfOpened(byte[] reply, HttpTargets http, Counts counts) throws IOException {
        if (!Recordings.method(reply).equals("OpenSession")) return;
        TSessionHandle session;
        try {
            TCLIService.OpenSession_result r = Recordings.decodeResult(reply, new TCLIService.OpenSession_result());
            if (r.getSuccess() == null || r.getSuccess().getSessionHandle() == null) return;
            session = r.getSuccess().getSessionHandle();
        } catch (Exception notOpened) {
            return;
        }
        counts.sessions.incrementAndGet();
        Recordings.HttpRequest close = http.closeSession();
        HttpFuzz.Reply closed = httpExchange(close.withBody(Recordings.retarget(List.of(close.body()),
                http.recorded(), session, null, true).get(0)).bytes());
        assertEquals(200, closed.status(), "CloseSession of a session a mutated call opened");
    }

    /**
     * The server's TCP sockets, counted by state and by the port that names them (its own listening port for accepted
     * connections, else the remote port), from /proc.
     */
    private String sockets(ProcessHandle jvm) throws IOException {
        java.util.Set<String> inodes = new java.util.HashSet<>();
        try (var fds = Files.list(Path.of("/proc", String.valueOf(jvm.pid()), "fd"))) {
            for (Path fd : (Iterable<Path>) fds::iterator) {
                try {
                    String link = Files.readSymbolicLink(fd).toString();
                    if (link.startsWith("socket:[")) inodes.add(link.substring(8, link.length() - 1));
                } catch (IOException gone) {
                    // closed meanwhile
                }
            }
        }
        java.util.Map<String, Integer> counts = new java.util.TreeMap<>();
        java.util.Set<Integer> own = java.util.Set.of(server.port(), httpPort);
        for (String table : List.of("tcp", "tcp6")) {
            Path file = Path.of("/proc", String.valueOf(jvm.pid()), "net", table);
            if (!Files.exists(file)) continue;
            List<String> lines = Files.readAllLines(file);
            for (String line : lines.subList(1, lines.size())) {
                String[] f = line.trim().split("\\s+");
                if (f.length < 10 || !inodes.contains(f[9])) continue;
                int local = Integer.parseInt(f[1].substring(f[1].indexOf(':') + 1), 16);
                int remote = Integer.parseInt(f[2].substring(f[2].indexOf(':') + 1), 16);
                String state = switch (f[3]) {
                    case "0A" -> "listen";
                    case "01" -> "established";
                    case "08" -> "close-wait";
                    default -> "state-" + f[3];
                };
                String key = state.equals("listen") ? "listen" : own.contains(local) ? state + " on :" + local
                        : state + " to :" + remote;
                counts.merge(key, 1, Integer::sum);
            }
        }
        return counts.toString();
    }

    private static int outgoing(String sockets) {
        return count(sockets, " to :");
    }

    private static int clients(String sockets) {
        return count(sockets, " on :");
    }

    private static int count(String sockets, String kind) {
        int n = 0;
        for (String e : sockets.replaceAll("[{}]", "").split(", ")) {
            if (e.contains(kind)) n += Integer.parseInt(e.substring(e.lastIndexOf('=') + 1));
        }
        return n;
    }

    /**
     * Threads of the server's frontends (binary workers, Jetty's HTTP threads) that are inside a call or a login
     * now, from a thread dump: a worker left stuck shows here once every client is gone.
     */
    private static int busyFrontendThreads(ProcessHandle jvm) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(Path.of(ProcessHandle.current().info().command().orElse("java"))
                .resolveSibling("jcmd").toString(), String.valueOf(jvm.pid()), "Thread.print")
                .redirectErrorStream(true).start();
        String dump = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        p.waitFor(60, TimeUnit.SECONDS);
        int busy = 0;
        for (String thread : dump.split("\n\n")) {
            if (!thread.startsWith("\"kitsune-thrift")) continue;
            if (thread.contains("TCLIService$Processor") || thread.contains("ThriftHttpServer.")
                    || thread.contains("BackendDispatcher") || thread.contains("LoginCheck")
                    || thread.contains("SaslHandshake")) {
                busy++;
            }
        }
        return busy;
    }

    /** A socket left open by a case before login: the server must close it within the login timeout. */
    private record Held(Socket socket, long deadlineNanos, String what) {
        /** The first bytes sent, printable. */
        static String show(byte[] b) {
            StringBuilder s = new StringBuilder();
            for (int i = 0; i < Math.min(b.length, 160); i++) {
                int c = b[i] & 0xff;
                s.append(c >= 0x20 && c < 0x7f ? String.valueOf((char) c) : String.format("\\x%02x", c));
            }
            return s.append(b.length > 160 ? "... (" + b.length + " bytes)" : "").toString();
        }
    }

    /**
     * Held sockets past their deadline must be closed by the server; except a binary connection whose spoilt SASL
     * messages were still a valid login (LDAP compares uid without case: "Fuzz"/"pw" logs in), which may stay idle.
     */
    private static void checkHeld(ConcurrentLinkedQueue<Held> held, AtomicInteger stuck, AtomicInteger accepted,
            boolean force) {
        long now = System.nanoTime();
        for (Iterator<Held> it = held.iterator(); it.hasNext();) {
            Held h = it.next();
            if (!force && now < h.deadlineNanos) continue;
            int first = -1;
            try {
                h.socket.setSoTimeout(1);
                InputStream in = h.socket.getInputStream();
                byte[] buf = new byte[4096];
                for (int n; (n = in.read(buf)) >= 0;) {
                    // what the server said before it closed
                    if (first < 0 && n > 0) first = buf[0] & 0xff;
                }
            } catch (SocketTimeoutException stillOpen) {
                if (first == COMPLETE && h.what().startsWith("binary")) {
                    accepted.incrementAndGet();
                } else {
                    stuck.incrementAndGet();
                    System.out.println("Stuck: " + h.what());
                }
            } catch (IOException reset) {
                // closed with a reset
            }
            try {
                h.socket.close();
            } catch (IOException ignored) {
                // already gone
            }
            it.remove();
        }
    }

    /** One binary-port fuzz case on a connection of its own. */
    private void runCase(Random random, List<byte[]> templates, TSessionHandle shared, TOperationHandle op,
            ConcurrentLinkedQueue<Held> held, Counts counts, int caseNo) throws IOException {
        int kind = random.nextInt(100);
        counts.cases.incrementAndGet();
        if (kind < 60) {
            counts.afterLogin.incrementAndGet();
            // a valid login (sometimes a session of its own), then mutated calls: hand-made and recorded ones
            try (Sasl client = Sasl.login(server.port(), "fuzz")) {
                List<byte[]> own = templates;
                if (random.nextInt(4) == 0) {
                    TSessionHandle session = client.openSession();
                    own = new ArrayList<>(templates(session, null));
                    own.addAll(recordedCalls(session, op, true));
                }
                int calls = 1 + random.nextInt(4);
                for (int c = 0; c < calls; c++) {
                    byte[] call = Mutator.mutate(random, own.get(random.nextInt(own.size())));
                    if (random.nextInt(10) == 0) {
                        client.frameWithLength(call, Mutator.oddLength(random, call.length));
                    } else {
                        client.frame(call);
                    }
                    switch (client.awaitReply(Duration.ofMillis(500))) {
                        case REPLY -> counts.replies.incrementAndGet();
                        case CLOSED -> {
                            counts.closed.incrementAndGet();
                            return;
                        }
                        case WAITING -> {
                            counts.waiting.incrementAndGet();
                            return;
                        }
                    }
                }
            } catch (SaslRefused | EOFException | java.net.SocketException e) {
                counts.closed.incrementAndGet();
            }
        } else {
            Socket s = new Socket("127.0.0.1", server.port());
            long deadline = System.nanoTime() + LOGIN_TIMEOUT.plusSeconds(3).toNanos();
            DataOutputStream out = new DataOutputStream(s.getOutputStream());
            // before the login: the driver's recorded SASL PLAIN messages mutated, odd negotiation messages,
            // random bytes
            byte[] bytes = kind < 75 ? spoiltNegotiation(random)
                    : kind < 88 ? Mutator.saslNegotiation(random) : Mutator.randomBytes(random);
            try {
                out.write(bytes);
                out.flush();
            } catch (IOException closedAlready) {
                // refused while writing
            }
            held.add(new Held(s, deadline, "binary case " + caseNo + " (kind " + kind + "): " + Held.show(bytes)));
        }
    }

    /** The driver's recorded SASL PLAIN messages, changed (a mutation that changes nothing is tried again). */
    private byte[] spoiltNegotiation(Random random) {
        byte[] valid = binaryRecording.negotiation();
        byte[] b;
        do {
            b = Mutator.mutate(random, valid);
        } while (Arrays.equals(b, valid));
        return b;
    }

    /** Valid calls of each kind, on the given session and operation. */
    private static List<byte[]> templates(TSessionHandle session, TOperationHandle op) {
        TOperationHandle operation = op != null ? op : new TOperationHandle(new THandleIdentifier(
                ByteBuffer.wrap(new byte[16]), ByteBuffer.wrap(new byte[16])), TOperationType.EXECUTE_STATEMENT, true);
        List<byte[]> t = new ArrayList<>();
        TOpenSessionReq open = new TOpenSessionReq(TProtocolVersion.HIVE_CLI_SERVICE_PROTOCOL_V10);
        open.setUsername("fuzz");
        open.setPassword("pw");
        open.setConfiguration(Map.of("use:database", "default", "set:hiveconf:a", "b"));
        t.add(Sasl.encode(c -> c.send_OpenSession(open)));
        t.add(Sasl.encode(c -> c.send_ExecuteStatement(new TExecuteStatementReq(session, "SELECT 1"))));
        t.add(Sasl.encode(c -> c.send_GetInfo(new TGetInfoReq(session, TGetInfoType.CLI_DBMS_VER))));
        t.add(Sasl.encode(c -> c.send_GetTypeInfo(new TGetTypeInfoReq(session))));
        t.add(Sasl.encode(c -> c.send_GetSchemas(new TGetSchemasReq(session))));
        t.add(Sasl.encode(c -> c.send_GetOperationStatus(new TGetOperationStatusReq(operation))));
        t.add(Sasl.encode(c -> c.send_GetResultSetMetadata(new TGetResultSetMetadataReq(operation))));
        t.add(Sasl.encode(c -> c.send_FetchResults(new TFetchResultsReq(operation, TFetchOrientation.FETCH_NEXT, 5))));
        t.add(Sasl.encode(c -> c.send_CloseOperation(new TCloseOperationReq(new TOperationHandle(
                new THandleIdentifier(ByteBuffer.wrap(new byte[16]), ByteBuffer.wrap(new byte[16])),
                TOperationType.EXECUTE_STATEMENT, true)))));
        t.add(Sasl.encode(c -> c.send_CloseSession(new TCloseSessionReq(new TSessionHandle(new THandleIdentifier(
                ByteBuffer.wrap(new byte[16]), ByteBuffer.wrap(new byte[16])))))));
        return t;
    }

    /** A call message written by hand: the method name and the argument struct's bytes as given. */
    private static byte[] raw(String method, byte[] args) {
        byte[] name = method.getBytes(StandardCharsets.UTF_8);
        ByteBuffer b = ByteBuffer.allocate(4 + 4 + name.length + 4 + args.length);
        b.putInt(0x80010001).putInt(name.length).put(name).putInt(1).put(args);
        return b.array();
    }

    private interface Call<T> {
        T run() throws Exception;
    }

    private static TApplicationException assertApplicationException(Call<?> call) throws Exception {
        try {
            call.run();
        } catch (TApplicationException e) {
            return e;
        }
        throw new AssertionError("expected a TApplicationException");
    }

    /** Ways to spoil bytes, each from the case's own Random. */
    static final class Mutator {
        private static final int[] EXTREMES = {0, -1, 1, Integer.MAX_VALUE, Integer.MIN_VALUE, 0x7fff, 0x10000,
            MAX_MESSAGE, MAX_MESSAGE + 1};

        static byte[] mutate(Random r, byte[] valid) {
            byte[] b = valid.clone();
            int rounds = 1 + r.nextInt(3);
            for (int i = 0; i < rounds; i++) {
                switch (r.nextInt(9)) {
                    case 0 -> b[r.nextInt(b.length)] ^= (byte) (1 << r.nextInt(8));
                    case 1 -> b[r.nextInt(b.length)] = (byte) r.nextInt(256);
                    case 2 -> {
                        if (b.length >= 4) {
                            int at = r.nextInt(b.length - 3);
                            ByteBuffer.wrap(b).putInt(at, EXTREMES[r.nextInt(EXTREMES.length)]);
                        }
                    }
                    case 3 -> b = Arrays.copyOf(b, r.nextInt(b.length + 1));
                    case 4 -> {
                        int at = r.nextInt(b.length + 1);
                        byte[] extra = new byte[1 + r.nextInt(64)];
                        r.nextBytes(extra);
                        b = splice(b, at, at, extra);
                    }
                    case 5 -> {
                        if (b.length > 1) {
                            int from = r.nextInt(b.length);
                            b = splice(b, from, Math.min(b.length, from + 1 + r.nextInt(16)), new byte[0]);
                        }
                    }
                    case 6 -> b = renamed(r, b);
                    case 7 -> {
                        // the first field of the arguments as another type
                        int at = argsStart(b);
                        if (at >= 0 && at < b.length) b[at] = (byte) r.nextInt(17);
                    }
                    default -> {
                        // no arguments at all
                        int at = argsStart(b);
                        if (at >= 0 && at <= b.length) b = splice(b, at, b.length, new byte[] {0});
                    }
                }
                if (b.length == 0) b = new byte[] {(byte) r.nextInt(256)};
            }
            return b;
        }

        /** Where the argument struct starts in a strict TBinaryProtocol message, or -1. */
        private static int argsStart(byte[] b) {
            if (b.length < 8) return -1;
            int nameLength = ByteBuffer.wrap(b).getInt(4);
            long at = 8L + nameLength + 4;
            return nameLength < 0 || at > b.length ? -1 : (int) at;
        }

        /** The message under another method name: random, known, or with control characters. */
        private static byte[] renamed(Random r, byte[] b) {
            int at = argsStart(b);
            if (at < 0) return b;
            String[] names = {"GetInfo", "ExecuteStatement", "OpenSession", "FetchResults", "NoSuchMethod",
                "Get\nInfo", "\u0000", "", "x".repeat(2000)};
            String name = r.nextBoolean() ? names[r.nextInt(names.length)] : randomText(r);
            byte[] n = name.getBytes(StandardCharsets.UTF_8);
            ByteBuffer head = ByteBuffer.allocate(8 + n.length);
            head.putInt(ByteBuffer.wrap(b).getInt(0)).putInt(n.length).put(n);
            return splice(b, 0, at - 4, head.array());
        }

        static String randomText(Random r) {
            StringBuilder s = new StringBuilder();
            int n = r.nextInt(40);
            for (int i = 0; i < n; i++) s.append((char) r.nextInt(r.nextBoolean() ? 128 : 0x3000));
            return s.toString();
        }

        private static byte[] splice(byte[] b, int from, int to, byte[] with) {
            byte[] out = new byte[b.length - (to - from) + with.length];
            System.arraycopy(b, 0, out, 0, from);
            System.arraycopy(with, 0, out, from, with.length);
            System.arraycopy(b, to, out, from + with.length, b.length - to);
            return out;
        }

        /** A frame length that does not match its payload. */
        static int oddLength(Random r, int actual) {
            return switch (r.nextInt(4)) {
                case 0 -> Math.max(0, actual - 1 - r.nextInt(Math.max(1, actual)));
                case 1 -> actual + 1 + r.nextInt(100);
                case 2 -> EXTREMES[r.nextInt(EXTREMES.length)];
                default -> -1 - r.nextInt(1000);
            };
        }

        /** A SASL negotiation start gone wrong: odd statuses, lengths, mechanisms, responses. */
        static byte[] saslNegotiation(Random r) {
            ByteBuffer b = ByteBuffer.allocate(64 * 1024);
            int messages = 1 + r.nextInt(3);
            for (int i = 0; i < messages; i++) {
                int status = r.nextInt(4) == 0 ? r.nextInt(256) : (i == 0 ? START : COMPLETE);
                byte[] payload = switch (r.nextInt(5)) {
                    case 0 -> "PLAIN".getBytes(StandardCharsets.US_ASCII);
                    case 1 -> ("\0" + randomText(r) + "\0" + randomText(r)).getBytes(StandardCharsets.UTF_8);
                    case 2 -> randomText(r).getBytes(StandardCharsets.UTF_8);
                    case 3 -> new byte[r.nextInt(20_000)];
                    default -> new byte[0];
                };
                int length = r.nextInt(3) == 0 ? EXTREMES[r.nextInt(EXTREMES.length)] : payload.length;
                b.put((byte) status).putInt(length);
                int send = r.nextInt(4) == 0 ? r.nextInt(payload.length + 1) : payload.length;
                b.put(payload, 0, Math.min(send, b.remaining()));
                if (b.remaining() < 20_100) break;
            }
            return Arrays.copyOf(b.array(), b.position());
        }

        static byte[] randomBytes(Random r) {
            byte[] b = new byte[1 + r.nextInt(4096)];
            r.nextBytes(b);
            switch (r.nextInt(4)) {
                case 0 -> b[0] = (byte) 0x80; // looks like a Thrift call
                case 1 -> b[0] = START;
                default -> {
                }
            }
            return b;
        }
    }

    /** A SASL login refused by the server. */
    static final class SaslRefused extends IOException {
        private static final long serialVersionUID = 1L;

        SaslRefused(String reason) {
            super(reason);
        }
    }

    /** A raw client of the binary port: SASL PLAIN, then framed Thrift messages written by hand or by the IDL. */
    static final class Sasl implements AutoCloseable {
        enum Outcome { REPLY, CLOSED, WAITING }

        interface Send {
            void send(TCLIService.Client client) throws Exception;
        }

        interface Receive<T> {
            T receive(TCLIService.Client client) throws Exception;
        }

        private final Socket socket;
        private final DataInputStream in;
        private final DataOutputStream out;

        private Sasl(Socket socket) throws IOException {
            this.socket = socket;
            this.in = new DataInputStream(socket.getInputStream());
            this.out = new DataOutputStream(socket.getOutputStream());
        }

        static Sasl login(int port, String user) throws IOException {
            Sasl s = new Sasl(new Socket("127.0.0.1", port));
            try {
                s.socket.setSoTimeout(10_000);
                negotiation(s.out, START, "PLAIN".getBytes(StandardCharsets.US_ASCII));
                negotiation(s.out, COMPLETE, ("\0" + user + "\0pw").getBytes(StandardCharsets.UTF_8));
                s.out.flush();
                int status = s.in.read();
                if (status < 0) throw new EOFException("closed during the SASL handshake");
                byte[] payload = new byte[s.in.readInt()];
                s.in.readFully(payload);
                if (status != COMPLETE) throw new SaslRefused(new String(payload, StandardCharsets.UTF_8));
                return s;
            } catch (IOException | RuntimeException e) {
                s.close();
                throw e;
            }
        }

        static void negotiation(DataOutputStream out, int status, byte[] payload) throws IOException {
            out.write(status);
            out.writeInt(payload.length);
            out.write(payload);
        }

        /** The bytes of a call as the IDL's client writes it (sequence id 1). */
        static byte[] encode(Send send) {
            try {
                TMemoryBuffer buffer = new TMemoryBuffer(256);
                send.send(new TCLIService.Client(new TBinaryProtocol(buffer)));
                return Arrays.copyOf(buffer.getArray(), buffer.length());
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }

        void frame(byte[] payload) throws IOException {
            frameWithLength(payload, payload.length);
        }

        void frameWithLength(byte[] payload, int length) throws IOException {
            out.writeInt(length);
            out.write(payload);
            out.flush();
        }

        /** Sends a call written by the IDL's client and decodes the reply with it. */
        <T> T call(Send send, Receive<T> receive) throws Exception {
            TMemoryBuffer request = new TMemoryBuffer(256);
            TMemoryBuffer reply = new TMemoryBuffer(256);
            TCLIService.Client client = new TCLIService.Client(new TBinaryProtocol(reply), new TBinaryProtocol(request));
            send.send(client);
            return exchange(Arrays.copyOf(request.getArray(), request.length()), client, reply, receive);
        }

        /** Sends a call written by hand (sequence id 1) and decodes the reply with the IDL's client. */
        <T> T call(byte[] call, Receive<T> receive) throws Exception {
            TMemoryBuffer reply = new TMemoryBuffer(256);
            TCLIService.Client client = new TCLIService.Client(new TBinaryProtocol(reply),
                    new TBinaryProtocol(new TMemoryBuffer(256)));
            // not sent: only so that the client expects sequence id 1
            client.send_GetInfo(new TGetInfoReq(new TSessionHandle(new THandleIdentifier(ByteBuffer.allocate(16),
                    ByteBuffer.allocate(16))), TGetInfoType.CLI_SERVER_NAME));
            return exchange(call, client, reply, receive);
        }

        private <T> T exchange(byte[] call, TCLIService.Client client, TMemoryBuffer reply, Receive<T> receive)
                throws Exception {
            frame(call);
            socket.setSoTimeout(30_000);
            byte[] bytes = new byte[in.readInt()];
            in.readFully(bytes);
            reply.write(bytes, 0, bytes.length);
            return receive.receive(client);
        }

        TSessionHandle openSession() throws IOException {
            TOpenSessionReq req = new TOpenSessionReq(TProtocolVersion.HIVE_CLI_SERVICE_PROTOCOL_V10);
            TOpenSessionResp resp;
            try {
                resp = call(c -> c.send_OpenSession(req), c -> c.recv_OpenSession());
            } catch (IOException e) {
                throw e;
            } catch (Exception e) {
                throw new IllegalStateException("OpenSession failed: " + e, e);
            }
            if (resp.getStatus().getStatusCode() != TStatusCode.SUCCESS_STATUS) {
                throw new IllegalStateException("OpenSession failed: " + resp.getStatus());
            }
            return resp.getSessionHandle();
        }

        /** Waits for a reply frame (read and dropped), the server closing, or neither within {@code wait}. */
        Outcome awaitReply(Duration wait) throws IOException {
            socket.setSoTimeout((int) wait.toMillis());
            try {
                int length = in.readInt();
                if (length < 0 || length > 64 * 1024 * 1024) return Outcome.CLOSED;
                in.readFully(new byte[length]);
                return Outcome.REPLY;
            } catch (SocketTimeoutException e) {
                return Outcome.WAITING;
            } catch (EOFException | java.net.SocketException e) {
                return Outcome.CLOSED;
            }
        }

        boolean closedByServer(Duration wait) throws IOException {
            socket.setSoTimeout((int) wait.toMillis());
            try {
                while (in.read() >= 0) {
                    // drain
                }
                return true;
            } catch (SocketTimeoutException e) {
                return false;
            } catch (IOException reset) {
                return true;
            }
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }

    /** The normal client: SELECT 1 on its connection, and now and then a new connection, timing each. */
    private static final class Normal implements Runnable {
        private final String url;
        private final AtomicInteger calls = new AtomicInteger();
        private final AtomicInteger errors = new AtomicInteger();
        private final AtomicLong slowestMillis = new AtomicLong();
        private volatile String lastError;
        private Connection connection;

        Normal(String url) {
            this.url = url;
        }

        @Override
        public void run() {
            long start = System.nanoTime();
            try {
                if (connection == null || calls.get() % 10 == 0) {
                    if (connection != null) connection.close();
                    connection = Jdbc.connect(url, "normal");
                }
                if (((Number) Jdbc.single(connection, "SELECT 1")).intValue() != 1) throw new SQLException("not 1");
            } catch (SQLException | RuntimeException e) {
                errors.incrementAndGet();
                lastError = e.toString();
                connection = null;
            }
            calls.incrementAndGet();
            slowestMillis.accumulateAndGet((System.nanoTime() - start) / 1_000_000, Math::max);
        }

        void close() {
            try {
                if (connection != null) connection.close();
            } catch (SQLException ignored) {
                // the server is checked separately
            }
            connection = null;
        }
    }
}
