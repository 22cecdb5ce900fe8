package kitsune.e2e;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.regex.Pattern;

import org.apache.zookeeper.ZooKeeper;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

import kitsune.testkit.Jdbc;
import kitsune.testkit.KitsuneServer;
import kitsune.testkit.Zk;

/**
 * The metrics of a real server (pseudo mode, real Spark engines, the Hive JDBC driver) as Prometheus scrapes them:
 * Kyuubi's series and Kitsune's move with sessions, statements, a refused session and an engine launch; the metrics
 * bundle can be taken away and brought back while the server serves, and comes back with the truth; a drain shows.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class MetricsTest {
    private final HttpClient http = HttpClient.newHttpClient();
    private KitsuneServer server;

    @BeforeAll
    void startServer() throws Exception {
        server = new KitsuneServer(Files.createTempDirectory("kitsune-e2e-metrics-"))
                .set("kyuubi.metrics.reporters", "PROMETHEUS,JSON,SLF4J")
                .set("kyuubi.metrics.json.interval", "PT1S")
                .set("kyuubi.metrics.slf4j.interval", "PT2S").start();
    }

    @AfterAll
    void stopServer() throws Exception {
        if (server != null) server.close();
    }

    private URI endpoint() throws Exception {
        return server.metricsEndpoint();
    }

    private String scrape() throws Exception {
        return server.scrapeMetrics();
    }

    private static double value(String page, String series) {
        return KitsuneServer.metric(page, series);
    }

    @Test
    @Order(1)
    void sessionsStatementsARefusedSessionAndALaunchMoveTheirSeries() throws Exception {
        String before = scrape();
        try (Connection c = Jdbc.connect(server.directUrl(), "mia")) {
            assertEquals(1, ((Number) Jdbc.single(c, "SELECT 1")).intValue());
            assertThrows(SQLException.class, () -> Jdbc.single(c, "SELECT * FROM no_such_table_here"));
            String during = scrape();
            assertEquals(1, value(during, "kyuubi_connection_opened"), during);
            assertEquals(1, value(during, "kyuubi_connection_total") - value(before, "kyuubi_connection_total"));
            assertEquals(2, value(during, "kyuubi_statement_total") - value(before, "kyuubi_statement_total"));
            assertEquals(1, value(during, "kyuubi_statement_failed") - value(before, "kyuubi_statement_failed"));
            String finished = "kitsune_statement_seconds_count{outcome=\"finished\"}";
            assertEquals(1, value(during, finished) - value(before, finished), during);
            String error = "kitsune_statement_seconds_count{outcome=\"error\"}";
            assertEquals(1, value(during, error) - value(before, error), during);
            // mia's USER engine was launched for this session
            String launched = "kitsune_engine_launch_seconds_count{outcome=\"started\",type=\"SPARK_SQL\"}";
            assertEquals(1, value(during, launched) - value(before, launched), during);
            assertEquals(1, value(during, "kyuubi_engine_total") - value(before, "kyuubi_engine_total"));
            assertTrue(value(during, "kyuubi_backend_service_execute_statement_seconds_count") >= 2, during);
            assertTrue(value(during, "kyuubi_backend_service_open_session_seconds_count") >= 1, during);
            assertTrue(value(during, "kyuubi_exec_pool_threads_alive") >= 1, during);
            assertTrue(during.matches("(?s).*\nkitsune_engine_sessions\\{engine=\"127\\.0\\.0\\.1:\\d+\"} 1(\\.0)?\n.*"),
                    during);
            assertEquals(1, value(during, "kitsune_zookeeper_connection_state{state=\"CONNECTED\"}"), during);
            assertEquals(0, value(during, "kitsune_draining"));
            assertFalse(during.contains("mia"), "no user labels by default (kitsune.metrics.user.labels):\n" + during);
        }
        // a user name the server refuses: OpenSession fails
        assertThrows(SQLException.class, () -> Jdbc.connect(server.directUrl(), "a..b").close());
        String after = scrape();
        assertEquals(0, value(after, "kyuubi_connection_opened"), after);
        assertEquals(1, value(after, "kyuubi_connection_failed") - value(before, "kyuubi_connection_failed"), after);
        assertTrue(after.contains("\njvm_memory_used_bytes{area=\"heap\""), "the JVM's figures are there too");
    }

    @Test
    @Order(2)
    void theJsonAndSlf4jReportersReportTheSameMeters() throws Exception {
        try (Connection c = Jdbc.connect(server.directUrl(), "kai")) {
            assertEquals(1, ((Number) Jdbc.single(c, "SELECT 1")).intValue());
            Path report = server.logDir.resolve("metrics/report.json");
            Pattern opened = Pattern.compile("\"name\" : \"kyuubi\\.connection\\.opened\",[^}]*\"tags\" : \\{ },\\s*"
                    + "\"measurements\" : \\{\\s*\"value\" : 1\\.0");
            await("report.json with the open session").atMost(Duration.ofSeconds(20))
                    .pollInterval(Duration.ofMillis(200))
                    .until(() -> Files.exists(report) && opened.matcher(Files.readString(report)).find());
            String json = Files.readString(report);
            assertTrue(json.contains("\"name\" : \"kyuubi.backend_service.execute_statement\""), json);
            assertTrue(json.contains("\"name\" : \"kitsune.statement\""), json);
        }
        await("the SLF4J reporter's lines").atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(200))
                .until(() -> server.countLog("kyuubi.exec.pool.threads.alive") > 0
                        && server.countLog("kyuubi.connection.total") > 0);
    }

    @Test
    @Order(3)
    void anEditOfTheConfigurationThatLeavesTheMetricsKeysKeepsTheCounters() throws Exception {
        String before = scrape();
        double total = value(before, "kyuubi_connection_total");
        assertTrue(total >= 2, before);
        long applied = server.countLog("Applied configuration changes:");
        server.set("kyuubi.session.idle.timeout", "PT7H").writeConf();
        await("the edit applied").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200))
                .until(() -> server.countLog("Applied configuration changes:") > applied);
        String after = scrape();
        // a re-created registry would start again from 0 (a counter reset for every scraper)
        assertEquals(total, value(after, "kyuubi_connection_total"), after);
    }

    @Test
    @Order(4)
    void theMetricsBundleGoesAndComesBackWhileTheServerServesAndTellsTheTruthAgain() throws Exception {
        Path bundle;
        try (var jars = Files.list(server.bundlesDir)) {
            bundle = jars.filter(p -> p.getFileName().toString().startsWith("kitsune.metrics")).findFirst()
                    .orElseThrow();
        }
        Path away = server.dir.resolve(bundle.getFileName());
        URI first = endpoint();
        try (Connection held = Jdbc.connect(server.directUrl(), "hana")) {
            assertEquals(1, ((Number) Jdbc.single(held, "SELECT 1")).intValue());
            Files.move(bundle, away);
            // File Install uninstalls the bundle: its endpoint closes, the server keeps serving
            await("metrics endpoint closed").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200))
                    .until(() -> closed(first));
            assertEquals(2, ((Number) Jdbc.single(held, "SELECT 2")).intValue());
            try (Connection other = Jdbc.connect(server.directUrl(), "hana")) {
                assertEquals(3, ((Number) Jdbc.single(other, "SELECT 3")).intValue());
            }
            Files.move(away, bundle, StandardCopyOption.ATOMIC_MOVE);
            await("metrics endpoint back").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200))
                    .until(() -> server.countLog("Prometheus metrics at") == 2);
            String page = scrape();
            assertEquals(1, value(page, "kyuubi_connection_opened"), "the session held across the swap:\n" + page);
            assertEquals(1, value(page, "kitsune_zookeeper_connection_state{state=\"CONNECTED\"}"),
                    "the new bundle was told the ZooKeeper state when it bound:\n" + page);
            assertEquals(1, ((Number) Jdbc.single(held, "SELECT 1")).intValue());
            assertTrue(value(scrape(), "kyuubi_statement_total") >= 1, "statements are counted again");
        }
    }

    private boolean closed(URI endpoint) {
        try {
            http.send(HttpRequest.newBuilder(endpoint).timeout(Duration.ofSeconds(2)).build(),
                    HttpResponse.BodyHandlers.discarding());
            return false;
        } catch (IOException refused) {
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    @Test
    @Order(5)
    void aDrainShowsWhileItsSessionsFinish() throws Exception {
        try (Connection held = Jdbc.connect(server.directUrl(), "ida")) {
            assertEquals(1, ((Number) Jdbc.single(held, "SELECT 1")).intValue());
            assertEquals(0, value(scrape(), "kitsune_draining"));
            // the operator deletes this server's node (kitsune-ctl delete server): the server drains
            ZooKeeper zk = Zk.connect(server.zkConnect());
            try {
                List<String> nodes = zk.getChildren("/" + server.namespace(), false);
                assertEquals(1, nodes.size(), nodes.toString());
                zk.delete("/" + server.namespace() + "/" + nodes.get(0), -1);
            } finally {
                zk.close();
            }
            await("drain shown").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200))
                    .until(() -> value(scrape(), "kitsune_draining") == 1);
            assertEquals(1, value(scrape(), "kyuubi_connection_opened"));
        }
    }
}
