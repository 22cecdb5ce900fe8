package kitsune.e2e;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.sql.Connection;
import java.sql.ResultSet;
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
 * computing, and the session goes on; a session or an operation the server closed for idleness
 * (kyuubi.session.idle.timeout, kyuubi.operation.idle.timeout) tells its client why on the next call.
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

    @Test
    void aSessionAndAnOperationTheServerClosedForIdlenessTellTheirClientWhyNamingTheKey() throws Exception {
        try (KitsuneServer server = new KitsuneServer(Files.createTempDirectory("kitsune-e2e-idle-"))
                .set("kyuubi.session.idle.timeout", "PT8S").set("kyuubi.operation.idle.timeout", "PT3S")
                .set("kyuubi.session.check.interval", "PT1S").start();
                Connection working = Jdbc.connect(server.directUrl(), "ida")) {
            Statement forgotten = working.createStatement();
            assertEquals(1, ((Number) Jdbc.single(working, "SELECT 1")).intValue()); // starts the engine
            try (Connection idle = Jdbc.connect(server.directUrl(), "ida"); Statement st = idle.createStatement()) {
                assertEquals(2, ((Number) Jdbc.single(idle, "SELECT 2")).intValue());
                ResultSet unread = forgotten.executeQuery("SELECT id FROM range(10)");
                // the working session calls (other statements) while its first statement and the other session idle
                await("the idle session and the unread statement are closed by the server")
                        .atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofSeconds(1)).until(() -> {
                            assertEquals(3, ((Number) Jdbc.single(working, "SELECT 3")).intValue());
                            String log = server.log();
                            return log.contains("idle for more than kyuubi.session.idle.timeout")
                                    && log.contains("closed after no call for more than "
                                            + "kyuubi.operation.idle.timeout");
                        });

                SQLException onSession = assertThrows(SQLException.class, () -> st.executeQuery("SELECT 4"));
                assertTrue(onSession.getMessage().matches("Invalid SessionHandle: session \\S+ was closed by the "
                        + "server: idle for more than kyuubi.session.idle.timeout=PT8S"), onSession.getMessage());
                SQLException onFetch = assertThrows(SQLException.class, unread::next);
                assertTrue(onFetch.getMessage().matches("Invalid OperationHandle: operation \\S+ was closed after "
                        + "no call for more than kyuubi.operation.idle.timeout=PT3S"), onFetch.getMessage());
                System.out.println("idle session: " + onSession.getMessage() + "\nidle operation: "
                        + onFetch.getMessage());
                // the driver closes the statement's operation on the server, which is told the same
                SQLException onClose = assertThrows(SQLException.class, forgotten::close);
                assertEquals(onFetch.getMessage(), onClose.getMessage());
            }
            assertEquals(5, ((Number) Jdbc.single(working, "SELECT 5")).intValue(), "the working session goes on");
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
