package kitsune.e2e;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.sql.Connection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

import kitsune.testkit.FreePorts;
import kitsune.testkit.Jdbc;
import kitsune.testkit.KitsuneServer;

/** The Thrift HTTP frontend (kyuubi.frontend.protocols=THRIFT_HTTP) in the real runtime, with a real engine. */
class HttpTransportTest {

    @Test
    void theHiveDriverInHttpModeRunsQueriesBesideTheBinaryPort() throws Exception {
        try (KitsuneServer server = new KitsuneServer(Files.createTempDirectory("kitsune-e2e-http-"))
                .set("kyuubi.frontend.protocols", "THRIFT_BINARY,THRIFT_HTTP")
                .set("kyuubi.frontend.thrift.http.bind.host", "127.0.0.1")
                .set("kyuubi.frontend.thrift.http.bind.port", String.valueOf(FreePorts.next())).start()) {
            String url = server.awaitLog(Pattern.compile("JDBC connection over HTTP at: (jdbc:hive2://\\S+)"),
                    Duration.ofSeconds(30)).group(1);
            try (Connection c = Jdbc.connect(url, "hana")) {
                assertEquals(List.of(List.of(4950L)), Jdbc.query(c, "SELECT sum(id) FROM range(100)"));
                assertEquals(1000, Jdbc.query(c, "SELECT id FROM range(1000)").size(), "rows fetched over HTTP");
            }
            try (Connection binary = Jdbc.connect(server.zkUrl(), "hana")) {
                assertEquals(1, ((Number) Jdbc.single(binary, "SELECT 1")).intValue(), "the binary port serves too");
            }
        }
    }

    /**
     * Fifty slow calls hold fifty HTTP workers: OpenSessions of one user whose engine is still being launched
     * (synchronous launch, so each waits for the engine). A client of another user, whose engine runs, still opens a
     * session and runs statements at once: the pool grows to kyuubi.frontend.thrift.max.worker.threads instead of
     * queueing behind them.
     */
    @Test
    void fiftyCallsWaitingForAnEngineLaunchLeaveRoomForAFastClient() throws Exception {
        try (KitsuneServer server = new KitsuneServer(Files.createTempDirectory("kitsune-e2e-http-slow-"))
                .set("kyuubi.frontend.protocols", "THRIFT_BINARY,THRIFT_HTTP")
                .set("kyuubi.frontend.thrift.http.bind.host", "127.0.0.1")
                .set("kyuubi.frontend.thrift.http.bind.port", String.valueOf(FreePorts.next())).start()) {
            String url = server.awaitLog(Pattern.compile("JDBC connection over HTTP at: (jdbc:hive2://\\S+)"),
                    Duration.ofSeconds(30)).group(1);
            ExecutorService slowClients = Executors.newFixedThreadPool(50);
            try (Connection fast = Jdbc.connect(url, "fast")) {
                assertEquals(1, ((Number) Jdbc.single(fast, "SELECT 1")).intValue(), "fast's engine runs");
                List<Future<Object>> slow = new ArrayList<>();
                for (int i = 0; i < 50; i++) {
                    slow.add(slowClients.submit(() -> {
                        try (Connection c = Jdbc.connect(url + "?kyuubi.session.engine.launch.async=false", "slow")) {
                            return Jdbc.single(c, "SELECT 1");
                        }
                    }));
                }
                // each slow client's first request is logged in (audit line) on the worker that then waits
                await("fifty logged-in OpenSessions holding HTTP workers").atMost(Duration.ofSeconds(60))
                        .until(() -> server.countLog("login result=accepted user=slow") >= 50
                                || slow.stream().anyMatch(Future::isDone));
                for (Future<Object> f : slow) {
                    if (f.isDone()) {
                        throw new AssertionError("a slow call ended before the fifty were seen waiting for slow's "
                                + "engine (the test would show nothing): " + outcome(f));
                    }
                }

                long start = System.nanoTime();
                try (Connection another = Jdbc.connect(url, "fast")) {
                    assertEquals(1, ((Number) Jdbc.single(another, "SELECT 1")).intValue());
                }
                assertEquals(2, ((Number) Jdbc.single(fast, "SELECT 2")).intValue());
                long millis = (System.nanoTime() - start) / 1_000_000;
                assertTrue(slow.stream().noneMatch(Future::isDone), "the fifty calls were still waiting meanwhile");
                assertTrue(millis < 10_000, "the fast client waited " + millis + " ms behind 50 slow calls");
                System.out.println("fast client's new session and two statements beside 50 slow HTTP calls: " + millis
                        + " ms");

                for (Future<Object> f : slow) {
                    assertEquals(1, ((Number) f.get(180, TimeUnit.SECONDS)).intValue(), "each slow call ends served");
                }
            } finally {
                slowClients.shutdownNow();
            }
        }
    }

    private static String outcome(Future<Object> f) {
        try {
            return "returned " + f.get();
        } catch (Exception e) {
            return e.toString();
        }
    }
}
