package kitsune.metrics.impl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import kitsune.api.metrics.ServerMetrics;
import kitsune.api.session.SessionInfo;
import kitsune.api.session.SessionManager;

class MicrometerMetricsTest {
    /** The sessions a session service reports: plain data, as SessionManager#sessions hands it over. */
    private final List<SessionInfo> open = new ArrayList<>();
    private final SessionManager sessions = new SessionManager() {
        @Override
        public int openSessionCount() {
            return open.size();
        }

        @Override
        public List<SessionInfo> sessions() {
            return List.copyOf(open);
        }

        @Override
        public void refuseNewSessions(String message) {
        }

        @Override
        public boolean closeSession(String id) {
            return false;
        }
    };

    private static SessionInfo session(String user, String engine, int operations) {
        return new SessionInfo("id-" + user + engine + operations, user, "10.0.0.1", engine, Instant.EPOCH,
                Instant.EPOCH, operations);
    }

    private static double value(String page, String series) {
        Matcher m = Pattern.compile("(?m)^" + Pattern.quote(series) + " (\\S+)$").matcher(page);
        assertTrue(m.find(), "no series " + series + " in:\n" + page);
        return Double.parseDouble(m.group(1));
    }

    private PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);

    private String scrape(MicrometerMetrics metrics) {
        metrics.refresh();
        return registry.scrape();
    }

    @Test
    void eventsMoveTheSeriesUnderKyuubisNames() {
        MicrometerMetrics m = new MicrometerMetrics(registry, false, "0.1.0", () -> sessions);
        open.add(session("alice", "127.0.0.1:4001", 2));
        open.add(session("bob", "127.0.0.1:4001", 0));
        open.add(session("carol", "127.0.0.1:4002", 1));
        m.connectionOpened("alice");
        m.connectionOpened("bob");
        m.connectionFailed("mallory");
        m.statementOpened("alice");
        m.statementOpened("alice");
        m.statementEnded("alice", "finished", Duration.ofMillis(30));
        m.statementEnded("alice", "error", Duration.ofMillis(7));
        m.engineLaunched("SPARK_SQL", ServerMetrics.ENGINE_STARTED, Duration.ofSeconds(12));
        m.engineLaunched("SPARK_SQL", ServerMetrics.ENGINE_TIMEOUT, Duration.ofMinutes(3));
        m.engineLaunched("SPARK_SQL", ServerMetrics.ENGINE_FAILED, Duration.ofSeconds(2));
        m.backendCall("OpenSession", 2_000_000);
        m.backendCall("GetOperationStatus", 1_000_000);
        m.backendCall("GetOperationStatus", 1_000_000);
        m.execPool(9, 4);
        m.loginFailed("ldap", "eve");
        m.zooKeeperState("CONNECTED");
        m.draining(true);

        String page = scrape(m);
        assertEquals(2, value(page, "kyuubi_connection_total"));
        assertEquals(3, value(page, "kyuubi_connection_opened"));
        assertEquals(1, value(page, "kyuubi_connection_failed"));
        assertEquals(2, value(page, "kyuubi_statement_total"));
        assertEquals(0, value(page, "kyuubi_statement_opened"));
        assertEquals(1, value(page, "kyuubi_statement_failed"));
        assertEquals(3, value(page, "kyuubi_operation_opened"));
        assertEquals(3, value(page, "kyuubi_engine_total"));
        assertEquals(1, value(page, "kyuubi_engine_timeout"));
        assertEquals(1, value(page, "kyuubi_engine_failed"));
        assertEquals(9, value(page, "kyuubi_exec_pool_threads_alive"));
        assertEquals(4, value(page, "kyuubi_exec_pool_threads_active"));
        assertEquals(1, value(page, "kyuubi_backend_service_open_session_seconds_count"));
        assertEquals(2, value(page, "kyuubi_backend_service_get_operation_status_seconds_count"));
        assertEquals(1, value(page, "kitsune_login_failed_total{authenticator=\"LDAP\"}"));
        assertEquals(1, value(page, "kitsune_zookeeper_connection_state{state=\"CONNECTED\"}"));
        assertEquals(0, value(page, "kitsune_zookeeper_connection_state{state=\"LOST\"}"));
        assertEquals(1, value(page, "kitsune_draining"));
        assertEquals(2, value(page, "kitsune_engine_sessions{engine=\"127.0.0.1:4001\"}"));
        assertEquals(1, value(page, "kitsune_engine_sessions{engine=\"127.0.0.1:4002\"}"));
        // histograms: a statement of 30 ms is in the 50 ms bucket and not in the 25 ms one
        assertEquals(1, value(page, "kitsune_statement_seconds_bucket{outcome=\"finished\",le=\"0.05\"}"));
        assertEquals(0, value(page, "kitsune_statement_seconds_bucket{outcome=\"finished\",le=\"0.025\"}"));
        assertEquals(1, value(page, "kitsune_statement_seconds_count{outcome=\"error\"}"));
        assertEquals(1, value(page, "kitsune_engine_launch_seconds_bucket{outcome=\"started\",type=\"SPARK_SQL\",le=\"15.0\"}"));
        assertEquals(0, value(page, "kitsune_engine_launch_seconds_bucket{outcome=\"started\",type=\"SPARK_SQL\",le=\"10.0\"}"));
        assertEquals(1, value(page, "kitsune_engine_launch_seconds_count{outcome=\"timeout\",type=\"SPARK_SQL\"}"));
        assertFalse(page.contains("user="), "no user labels unless kitsune.metrics.user.labels allows:\n" + page);

        // a session that closed is gone from the per-engine series at the next scrape
        open.remove(2);
        m.draining(false);
        String after = scrape(m);
        assertFalse(after.contains("engine=\"127.0.0.1:4002\""), after);
        assertEquals(0, value(after, "kitsune_draining"));
    }

    @Test
    void userLabelsOnlyWhereAllowedAndNeverForRefusedLoginsOrSessions() {
        MicrometerMetrics m = new MicrometerMetrics(registry, true, "0.1.0", () -> sessions);
        open.add(session("alice", "127.0.0.1:4001", 0));
        m.connectionOpened("alice");
        m.connectionFailed("bob");
        m.statementOpened("alice");
        m.statementEnded("alice", "error", Duration.ofMillis(1));
        m.loginFailed("LDAP", "eve");
        String page = scrape(m);
        assertEquals(1, value(page, "kyuubi_connection_total{user=\"alice\"}"));
        assertEquals(1, value(page, "kyuubi_connection_failed"), "a refused session's name is no label");
        assertEquals(1, value(page, "kyuubi_statement_total{user=\"alice\"}"));
        assertEquals(1, value(page, "kyuubi_statement_failed{user=\"alice\"}"));
        assertEquals(1, value(page, "kitsune_sessions_open{user=\"alice\"}"));
        assertFalse(page.contains("eve") || page.contains("bob"), "refused names are no labels:\n" + page);
    }

    @Test
    void outcomesFromTheWireCannotMultiplyTheSeries() {
        MicrometerMetrics m = new MicrometerMetrics(registry, false, "0.1.0", () -> null);
        for (int i = 0; i < 50; i++) m.statementEnded("alice", "state-" + i, Duration.ofMillis(1));
        m.engineLaunched("SPARK_SQL", "weird", Duration.ofSeconds(1));
        String page = scrape(m);
        assertEquals(50, value(page, "kitsune_statement_seconds_count{outcome=\"other\"}"));
        assertEquals(1, value(page, "kitsune_engine_launch_seconds_count{outcome=\"failed\",type=\"SPARK_SQL\"}"));
        assertTrue(value(page, "kyuubi_connection_opened") != value(page, "kyuubi_connection_opened"),
                "without a session service the open sessions are unknown (NaN), not 0");
    }

    @Test
    void theJsonReportHoldsEveryMeterAndIsReplacedWhole(@TempDir Path dir) throws Exception {
        MicrometerMetrics m = new MicrometerMetrics(registry, false, "0.1.0", () -> sessions);
        m.connectionOpened("alice");
        m.backendCall("ExecuteStatement", 5_000_000);
        JsonReport report = new JsonReport(dir.resolve("metrics"));
        m.refresh();
        report.write(registry);
        m.connectionOpened("bob");
        report.write(registry);
        JsonNode json = new ObjectMapper().readTree(report.file().toFile());
        Map<String, JsonNode> byName = new java.util.HashMap<>();
        json.get("meters").forEach(n -> byName.put(n.get("name").asText(), n));
        assertEquals(2, byName.get("kyuubi.connection.total").get("measurements").get("count").asDouble());
        assertEquals("timer", byName.get("kyuubi.backend_service.execute_statement").get("type").asText());
        assertEquals(1, byName.get("kyuubi.backend_service.execute_statement").get("measurements").get("count")
                .asDouble());
        try (var files = Files.list(dir.resolve("metrics"))) {
            assertEquals(List.of(JsonReport.FILE), files.map(p -> p.getFileName().toString()).toList(),
                    "no temporary file is left beside the report");
        }
    }

    @Test
    void callNamesFollowKyuubisSpelling() {
        assertEquals("open_session", MicrometerMetrics.snakeCase("OpenSession"));
        assertEquals("get_result_set_metadata", MicrometerMetrics.snakeCase("GetResultSetMetadata"));
    }
}
