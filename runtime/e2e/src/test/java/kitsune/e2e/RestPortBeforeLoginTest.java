package kitsune.e2e;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;

import org.junit.jupiter.api.Test;

import kitsune.internal.testing.KeyStores;
import kitsune.testkit.KitsuneServer;
import kitsune.testkit.RestClient;
import kitsune.testkit.WebConsole;

/**
 * The port of the REST API and the Web Console (Felix HTTP, kyuubi.frontend.rest.bind.port) is bounded before any
 * login as the Thrift HTTP port is: a client dripping its first request's header is closed at
 * kyuubi.frontend.thrift.login.timeout, over HTTP and HTTPS; beyond kitsune.frontend.rest.connections.max a new
 * connection is closed at once; an idle connection is closed after kitsune.frontend.rest.max.idle.time; REST calls
 * and the console are served as before, and again bounded after the console bundle was replaced.
 */
class RestPortBeforeLoginTest {
    private static final Duration LOGIN_TIMEOUT = Duration.ofSeconds(4);
    private static final Duration IDLE = Duration.ofSeconds(8);
    private static final int MAX_CONNECTIONS = 12;
    private static final String PASSWORD = "rest-port-pw";
    private static final String STORE_PASSWORD = "rest-port-store";
    private static final Pattern REST = Pattern.compile("REST API at (https?)://([^:/\\s]+):(\\d+)(/\\S+)");
    private static final Pattern CLOSED_LOG = Pattern.compile(
            "Closing the REST/console HTTP connection from \\S+: its first request's header did not arrive within "
                    + "kyuubi.frontend.thrift.login.timeout");

    private static KitsuneServer server(Path dir) throws IOException {
        return new KitsuneServer(dir)
                .set("kyuubi.frontend.protocols", "THRIFT_BINARY,REST")
                .set("kyuubi.frontend.rest.bind.host", "127.0.0.1")
                .set("kyuubi.frontend.thrift.login.timeout", LOGIN_TIMEOUT.toString())
                .set("kitsune.frontend.rest.max.idle.time", IDLE.toString())
                .set("kitsune.frontend.rest.connections.max", String.valueOf(MAX_CONNECTIONS))
                .set("kitsune.console.password", PASSWORD);
    }

    /** host, port and the REST API's URL as the server announced them. */
    private record Rest(String host, int port, String url) {
        static Rest of(KitsuneServer s) throws Exception {
            var m = s.awaitLog(REST, Duration.ofSeconds(60));
            return new Rest(m.group(2), Integer.parseInt(m.group(3)),
                    m.group(1) + "://" + m.group(2) + ":" + m.group(3) + m.group(4));
        }
    }

    private static void assertPingAnswers(RestClient http) throws Exception {
        HttpResponse<String> ping = http.send(http.request("/ping", null).timeout(Duration.ofSeconds(20)));
        assertEquals(200, ping.statusCode(), ping.body());
        assertEquals("pong", ping.body());
    }

    private static void assertConsoleAnswers(KitsuneServer s, SSLContext tls) throws Exception {
        WebConsole console = WebConsole.of(s, "admin", PASSWORD, tls);
        HttpResponse<String> page = console.send(HttpRequest.newBuilder(URI.create(console.url() + "/kitsune.json")));
        assertEquals(200, page.statusCode(), page.body());
    }

    /**
     * Sends a request's header one byte every 300 ms, never finishing it, and returns how long the server kept the
     * connection open; fails if it still is after the login timeout and a margin.
     */
    private static Duration dripHeader(Socket socket) throws Exception {
        byte[] header = ("GET /api/v1/ping HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Drip: " + "d".repeat(4000))
                .getBytes(StandardCharsets.US_ASCII);
        OutputStream out = socket.getOutputStream();
        ScheduledExecutorService dripper = Executors.newSingleThreadScheduledExecutor();
        long start = System.nanoTime();
        int[] next = {0};
        dripper.scheduleAtFixedRate(() -> {
            try {
                out.write(header[next[0]++ % header.length]);
                out.flush();
            } catch (IOException closed) {
                throw new RuntimeException(closed); // ends the schedule
            }
        }, 0, 300, TimeUnit.MILLISECONDS);
        try {
            String got = readUntilClosed(socket, LOGIN_TIMEOUT.plusSeconds(8));
            assertEquals("", got, "the server answered a request whose header never ended");
            return Duration.ofNanos(System.nanoTime() - start);
        } finally {
            dripper.shutdownNow();
            socket.close();
        }
    }

    /** Reads what the server sends until it closes; fails if it keeps the connection open beyond {@code wait}. */
    private static String readUntilClosed(Socket socket, Duration wait) throws IOException {
        socket.setSoTimeout((int) wait.toMillis());
        ByteArrayOutputStream got = new ByteArrayOutputStream();
        InputStream in = socket.getInputStream();
        byte[] buf = new byte[4096];
        try {
            for (int n; (n = in.read(buf)) >= 0;) got.write(buf, 0, n);
        } catch (SocketTimeoutException e) {
            throw new AssertionError("the server kept the connection open beyond " + wait + "; it sent: "
                    + got.toString(StandardCharsets.ISO_8859_1), e);
        } catch (IOException reset) {
            // closed with a reset: fine
        }
        return got.toString(StandardCharsets.ISO_8859_1);
    }

    private static void assertCutAtTheLoginTimeout(Duration open) {
        assertTrue(open.compareTo(LOGIN_TIMEOUT.minusMillis(500)) >= 0, "closed before the login timeout: " + open);
        assertTrue(open.compareTo(LOGIN_TIMEOUT.plusSeconds(4)) <= 0, "closed long after the login timeout: " + open);
    }

    @Test
    void overHttpADrippedHeaderIsCutAtTheLoginTimeoutConnectionsBeyondTheMaximumAreClosedAtOnceAndIdleOnesAfterTheIdleTime()
            throws Exception {
        try (KitsuneServer s = server(Files.createTempDirectory("kitsune-e2e-restport-")).start()) {
            Rest rest = Rest.of(s);
            RestClient http = new RestClient(rest.url());
            assertPingAnswers(http);
            assertConsoleAnswers(s, null);

            // a header dripped byte by byte
            Duration open = dripHeader(new Socket(rest.host(), rest.port()));
            assertCutAtTheLoginTimeout(open);
            s.awaitLog(CLOSED_LOG, Duration.ofSeconds(10));
            assertPingAnswers(http);

            // an idle connection after a whole request: closed after the idle time, not before
            try (Socket idle = new Socket(rest.host(), rest.port())) {
                idle.getOutputStream().write("GET /api/v1/ping HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"
                        .getBytes(StandardCharsets.US_ASCII));
                long start = System.nanoTime();
                String got = readUntilClosed(idle, IDLE.plusSeconds(8));
                Duration kept = Duration.ofNanos(System.nanoTime() - start);
                assertTrue(got.startsWith("HTTP/1.1 200") && got.contains("pong"), got);
                assertTrue(kept.compareTo(IDLE.minusSeconds(1)) >= 0, "closed before the idle time: " + kept);
            }

            // the maximum of open connections: the next one is closed at once, without a byte read
            List<Socket> held = new ArrayList<>();
            try {
                for (int i = 0; i < MAX_CONNECTIONS; i++) held.add(new Socket(rest.host(), rest.port()));
                // the held connections are counted as the server accepts them, which a loaded machine delays: the
                // refusal is waited for, then checked in the log (refused at once: no byte read, one line)
                await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100)).until(() -> {
                    try (Socket extra = new Socket(rest.host(), rest.port())) {
                        extra.setSoTimeout(1000);
                        return extra.getInputStream().read() == -1;
                    } catch (SocketTimeoutException stillOpen) {
                        return false;
                    } catch (IOException reset) {
                        return true;
                    }
                });
                s.awaitLog(Pattern.compile("Refused \\d+ connection\\(s\\) to the HTTP service on port " + rest.port()
                        + " \\(latest from /127\\.0\\.0\\.1:\\d+\\): all " + MAX_CONNECTIONS
                        + " are open \\(kitsune.frontend.rest.connections.max=" + MAX_CONNECTIONS),
                        Duration.ofSeconds(10));
            } finally {
                for (Socket h : held) h.close();
            }
            // the slots are given back as the connections close
            await().atMost(Duration.ofSeconds(20)).ignoreExceptions().untilAsserted(() -> assertPingAnswers(http));
            assertConsoleAnswers(s, null);

            // the console bundle replaced from the console (its Update button): the port closes while it is away and
            // is bounded again once it is back
            String bounded = "HTTP service on " + rest.host() + ":" + rest.port() + ": at most " + MAX_CONNECTIONS;
            assertEquals(1, s.countLog(bounded));
            try {
                WebConsole.of(s, "admin", PASSWORD).bundleAction("kitsune.console", "update");
            } catch (IOException cutOff) {
                // the port may close before the answer is sent
            }
            await().atMost(Duration.ofSeconds(60)).until(() -> s.countLog(bounded) == 2);
            await().atMost(Duration.ofSeconds(30)).ignoreExceptions().untilAsserted(() -> assertPingAnswers(http));
            assertConsoleAnswers(s, null);
            assertCutAtTheLoginTimeout(dripHeader(new Socket(rest.host(), rest.port())));
        }
    }

    @Test
    void overHttpsADrippedHeaderIsCutAtTheLoginTimeoutWhileRestCallsAndTheConsoleAreServed() throws Exception {
        Path dir = Files.createTempDirectory("kitsune-e2e-restport-tls-");
        KeyStores stores = KeyStores.create(dir, STORE_PASSWORD);
        KitsuneServer configured = server(dir)
                .set("kitsune.console.ssl.enabled", "true")
                .set("kyuubi.frontend.ssl.keystore.path", stores.keystore.toString())
                .set("kyuubi.frontend.ssl.keystore.password", STORE_PASSWORD)
                .set("kyuubi.frontend.ssl.keystore.type", "PKCS12");
        try (KitsuneServer s = configured.start()) {
            SSLContext tls = WebConsole.trusting(stores.truststore, STORE_PASSWORD);
            Rest rest = Rest.of(s);
            assertTrue(rest.url().startsWith("https://"), rest.url());
            RestClient https = new RestClient(rest.url(), tls);
            assertPingAnswers(https);
            assertConsoleAnswers(s, tls);

            SSLSocket socket = (SSLSocket) tls.getSocketFactory().createSocket(rest.host(), rest.port());
            socket.startHandshake();
            assertCutAtTheLoginTimeout(dripHeader(socket));
            s.awaitLog(CLOSED_LOG, Duration.ofSeconds(10));

            assertPingAnswers(https);
            assertConsoleAnswers(s, tls);
        }
    }
}
