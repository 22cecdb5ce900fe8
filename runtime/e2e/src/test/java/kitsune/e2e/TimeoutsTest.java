package kitsune.e2e;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

import kitsune.testkit.Engines;
import kitsune.testkit.Jdbc;
import kitsune.testkit.ProcStats;
import kitsune.testkit.KitsuneServer;

/**
 * The server's bound on a statement's run time against the real server, a real Spark engine and the unmodified Hive
 * JDBC driver: kyuubi.operation.query.timeout ends a long query with an error naming the key, the engine stops
 * computing, and the session goes on.
 */
class TimeoutsTest {

    @Test
    void aQueryLongerThanTheSessionsTimeoutFailsNamingTheKeyTheEngineStopsAndTheSessionGoesOn() throws Exception {
        try (KitsuneServer server = new KitsuneServer(Files.createTempDirectory("kitsune-e2e-timeouts-"))
                .set("kyuubi.operation.query.timeout", "PT1M").start()) {
            // a new engine's first statement alone may take longer than 3 s: the engine is started first
            try (Connection warm = Jdbc.connect(server.directUrl(), "tina")) {
                assertEquals(1, ((Number) Jdbc.single(warm, "SELECT 1")).intValue());
            }
            ProcessHandle engine = Engines.of(server, "tina").get(0);
            // the session lowers the server's bound
            try (Connection c = Jdbc.connect(server.directUrl() + "?kyuubi.operation.query.timeout=PT3S", "tina");
                    Statement st = c.createStatement()) {
                ranLongerThanItsBound(c, st, engine);
            }
        }
    }

    private static void ranLongerThanItsBound(Connection c, Statement st, ProcessHandle engine) throws Exception {
        long t0 = System.nanoTime();
        SQLException e = assertThrows(SQLException.class,
                () -> st.executeQuery("SELECT max(hash(id)) FROM range(1000000000000)"));
        long took = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
        assertTrue(e.getMessage().contains("kyuubi.operation.query.timeout=PT3S"), e.getMessage());
        assertTrue(took < 15_000, "failed after " + took + " ms");
        System.out.println("query timeout: failed after " + took + " ms: " + e.getMessage());
        // the job is cancelled: a job still running would burn the cores until it ends, in hours
        await("the engine's CPU use falls back to idle after the timeout").atMost(Duration.ofSeconds(20))
                .until(() -> ProcStats.cpuMillisPerSecond(engine) < 300);
        assertEquals(2, ((Number) Jdbc.single(c, "SELECT 2")).intValue(), "the session goes on");
    }

}
