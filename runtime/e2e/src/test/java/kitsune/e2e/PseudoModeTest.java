package kitsune.e2e;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.apache.zookeeper.ZooKeeper;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import kitsune.testkit.Engines;
import kitsune.testkit.Jdbc;
import kitsune.testkit.ProcStats;
import kitsune.testkit.KitsuneServer;
import kitsune.testkit.Zk;

/**
 * One real server in pseudo mode (embedded ZooKeeper) with real Spark engines, driven by the unmodified Hive JDBC
 * 4.0.1 driver through the ZooKeeper URL and the direct URL.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PseudoModeTest {
    private KitsuneServer server;
    private ZooKeeper zk;

    @BeforeAll
    void startServer() throws Exception {
        Path dir = Files.createTempDirectory("kitsune-e2e-");
        // a short statement's answer comes with its ExecuteStatement if it ends within this (50 ms by default: a
        // loaded machine may take longer for the statement aShortStatementsStatusSchemaAndRowsComeFromTheServer...)
        server = new KitsuneServer(dir).set("kitsune.operation.inline.wait", "PT0.5S").start();
        zk = Zk.connect(server.zkConnect());
    }

    @AfterAll
    void stopServer() throws Exception {
        if (zk != null) zk.close();
        if (server != null) server.close();
    }

    @Test
    void serverRegistersInZooKeeperAsKyuubiDoes() throws Exception {
        List<String> children = zk.getChildren("/kyuubi", false);
        assertEquals(1, children.size(), children.toString());
        String name = children.get(0);
        assertTrue(name.matches("serverUri=127\\.0\\.0\\.1:" + server.port() + ";version=[^;]+;sequence=\\d{10}"),
                name);
        assertEquals("127.0.0.1:" + server.port(), new String(zk.getData("/kyuubi/" + name, false, null)));
        assertTrue(zk.exists("/kyuubi/" + name, false).getEphemeralOwner() != 0, "ephemeral");
    }

    @Test
    void selectOneThroughZooKeeperAndDirect() throws Exception {
        try (Connection c = Jdbc.connect(server.zkUrl(), "alice")) {
            assertEquals(1, ((Number) Jdbc.single(c, "SELECT 1")).intValue());
        }
        try (Connection c = Jdbc.connect(server.directUrl(), "alice")) {
            assertEquals(1, ((Number) Jdbc.single(c, "SELECT 1")).intValue());
        }
    }

    @Test
    void aggregatesTenMillionRows() throws Exception {
        try (Connection c = Jdbc.connect(server.zkUrl(), "alice")) {
            List<Object> row = Jdbc.query(c, "SELECT count(*), sum(id) FROM range(10000000)").get(0);
            assertEquals(10_000_000L, ((Number) row.get(0)).longValue());
            assertEquals(49_999_995_000_000L, ((Number) row.get(1)).longValue());
        }
    }

    @Test
    void streamsALargeResultInBatches() throws Exception {
        try (Connection c = Jdbc.connect(server.directUrl(), "alice"); Statement st = c.createStatement()) {
            st.setFetchSize(1000);
            long rows = 0, sum = 0;
            try (ResultSet rs = st.executeQuery("SELECT id, id * 2, cast(id AS string) FROM range(200000)")) {
                while (rs.next()) {
                    rows++;
                    sum += rs.getLong(2);
                    assertEquals(String.valueOf(rs.getLong(1)), rs.getString(3));
                }
            }
            assertEquals(200_000, rows);
            assertEquals(2L * (199_999L * 200_000L / 2), sum);
        }
    }

    @Test
    void theEmptyFetchAfterAResultsLastRowsIsAnsweredByTheServerWithoutAskingTheEngine() throws Exception {
        try (Connection c = Jdbc.connect(server.zkUrl(), "fenna"); Statement st = c.createStatement()) {
            st.setFetchSize(100);
            try (ResultSet rs = st.executeQuery("SELECT id FROM range(0, 50, 1, 1)")) {
                for (int i = 0; i < 50; i++) {
                    assertTrue(rs.next(), "row " + i);
                    assertEquals(i, rs.getLong(1));
                }
                // the 50 rows came in one batch, and the engine said they were all: without it, the driver's next
                // fetch (which would have reached the dead engine and failed) is answered by the server
                List<ProcessHandle> engines = Engines.of(server, "fenna");
                assertEquals(1, engines.size(), "fenna's engine");
                engines.get(0).destroyForcibly();
                await().atMost(Duration.ofSeconds(30)).until(() -> !engines.get(0).isAlive());
                assertFalse(rs.next(), "the end of the result");
            }
        }
    }

    /**
     * A short statement comes back whole with its ExecuteStatement (kitsune.operation.inline.wait): the driver's
     * status poll, metadata call and fetches that follow are answered by the server. Shown by killing the engine
     * right after the statement was accepted: the result is still read in full.
     */
    @Test
    void aShortStatementsStatusSchemaAndRowsComeFromTheServerOnceItWasAccepted() throws Exception {
        try (Connection c = Jdbc.connect(server.zkUrl(), "gerda"); Statement st = c.createStatement()) {
            org.apache.hive.jdbc.HiveStatement hive = (org.apache.hive.jdbc.HiveStatement) st;
            // a new engine's first statements take longer than the wait (JIT, Spark's first analysis)
            String sql = "SELECT 41 + 1 AS answer, 'x' AS letter";
            for (int i = 0; i < 10; i++) {
                try (ResultSet warm = st.executeQuery(sql)) {
                    assertTrue(warm.next());
                }
            }
            assertTrue(hive.executeAsync(sql));
            List<ProcessHandle> engines = Engines.of(server, "gerda");
            assertEquals(1, engines.size(), "gerda's engine");
            engines.get(0).destroyForcibly();
            await().atMost(Duration.ofSeconds(30)).until(() -> !engines.get(0).isAlive());
            try (ResultSet rs = hive.getResultSet()) {
                assertEquals("answer", rs.getMetaData().getColumnName(1));
                assertTrue(rs.next());
                assertEquals(42, rs.getInt(1));
                assertEquals("x", rs.getString(2));
                assertFalse(rs.next());
            }
        }
    }

    @Test
    void badSqlGivesSparksMessageAndTheSessionStaysUsable() throws Exception {
        try (Connection c = Jdbc.connect(server.zkUrl(), "alice")) {
            SQLException e = assertThrows(SQLException.class, () -> Jdbc.query(c, "SELECT * FROM no_such_table_x"));
            assertTrue(e.getMessage().contains("no_such_table_x"), e.getMessage());
            assertTrue(e.getMessage().contains("TABLE_OR_VIEW_NOT_FOUND") || e.getMessage().contains("not found"),
                    e.getMessage());
            SQLException parse = assertThrows(SQLException.class, () -> Jdbc.query(c, "SELEC 1"));
            assertTrue(parse.getMessage().toLowerCase().contains("syntax"), parse.getMessage());
            assertEquals(2, ((Number) Jdbc.single(c, "SELECT 1 + 1")).intValue());
        }
    }

    @Test
    void databaseMetaData() throws Exception {
        try (Connection c = Jdbc.connect(server.zkUrl(), "erin")) {
            Jdbc.execute(c, "CREATE DATABASE IF NOT EXISTS meta_db");
            Jdbc.execute(c, "CREATE TABLE IF NOT EXISTS meta_db.people (id INT, name STRING) USING parquet");
            DatabaseMetaData md = c.getMetaData();
            List<List<Object>> schemas = Jdbc.rows(md.getSchemas());
            assertTrue(schemas.stream().anyMatch(r -> "meta_db".equals(r.get(0))), schemas.toString());
            List<List<Object>> tables = Jdbc.rows(md.getTables(null, "meta_db", "%", null));
            assertTrue(tables.stream().anyMatch(r -> "people".equals(r.get(2))), tables.toString());
            try (ResultSet cols = md.getColumns(null, "meta_db", "people", "%")) {
                assertTrue(cols.next());
                assertEquals("id", cols.getString("COLUMN_NAME"));
                assertEquals(java.sql.Types.INTEGER, cols.getInt("DATA_TYPE"));
                assertTrue(cols.next());
                assertEquals("name", cols.getString("COLUMN_NAME"));
                assertEquals(java.sql.Types.VARCHAR, cols.getInt("DATA_TYPE"));
                assertFalse(cols.next());
            }
            List<List<Object>> types = Jdbc.rows(md.getTypeInfo());
            assertTrue(types.stream().anyMatch(r -> ((Number) r.get(1)).intValue() == java.sql.Types.INTEGER
                    && String.valueOf(r.get(0)).toUpperCase().startsWith("INT")), types.toString());
            assertTrue(types.stream().anyMatch(r -> ((Number) r.get(1)).intValue() == java.sql.Types.DECIMAL),
                    types.toString());
        }
    }

    @Test
    void cancelledQueryStopsOnTheEngine() throws Exception {
        try (Connection c = Jdbc.connect(server.zkUrl(), "frank"); Statement st = c.createStatement()) {
            Jdbc.single(c, "SELECT 1"); // engine up
            ProcessHandle engine = Engines.of(server, "frank").get(0);
            CompletableFuture<Object> run = CompletableFuture.supplyAsync(() -> {
                try (ResultSet rs = st.executeQuery("SELECT max(hash(id)) FROM range(1000000000000)")) {
                    return rs.next();
                } catch (SQLException e) {
                    return e;
                }
            });
            // the job computes: the engine burns more than half a core
            await().atMost(Duration.ofSeconds(30)).until(() -> ProcStats.cpuMillisPerSecond(engine) > 500);
            assertFalse(run.isDone(), "the long query should still be running");
            st.cancel();
            Object outcome = run.get(60, TimeUnit.SECONDS);
            assertTrue(outcome instanceof SQLException, "cancelled query must fail, got " + outcome);
            // the engine falls back to idle: a job still running would burn both cores until it ends, in hours (the
            // bound leaves room for a machine shared with other builds, where killed tasks take a while to stop)
            await("the engine's CPU use falls back to idle after the cancel").atMost(Duration.ofSeconds(60))
                    .until(() -> ProcStats.cpuMillisPerSecond(engine) < 300);
            assertEquals(1, ((Number) Jdbc.single(c, "SELECT 1")).intValue());
        }
    }

    @Test
    void tablesSurviveAnEngineRestart() throws Exception {
        String url = server.zkUrl() + "?kyuubi.session.engine.idle.timeout=PT3S";
        String firstApp;
        try (Connection c = Jdbc.connect(url, "carol")) {
            firstApp = Jdbc.appId(c);
            Jdbc.execute(c, "DROP TABLE IF EXISTS kept");
            Jdbc.execute(c, "CREATE TABLE kept (id INT, name STRING) USING parquet");
            Jdbc.execute(c, "INSERT INTO kept VALUES (1, 'one'), (2, 'two')");
        }
        // the idle engine stops itself and removes its node
        await("carol's engine stops when idle").atMost(Duration.ofSeconds(60))
                .until(() -> Engines.of(server, "carol").isEmpty());
        try (Connection c = Jdbc.connect(url, "carol")) {
            assertNotEquals(firstApp, Jdbc.appId(c), "a new engine serves the new session");
            assertEquals(List.of(List.of(1, "one"), List.of(2, "two")), Jdbc.query(c, "SELECT * FROM kept ORDER BY id"));
        }
    }

    /**
     * Engines outlive the server: after a restart in pseudo mode the embedded ZooKeeper comes back with its data, the
     * engine keeps its session and node, and the restarted server finds it instead of launching a second engine on
     * the same metastore.
     */
    @Test
    void engineAndItsTablesOutliveAServerRestart() throws Exception {
        try (KitsuneServer restarted = new KitsuneServer(Files.createTempDirectory("kitsune-e2e-restart-")).start()) {
            String app;
            try (Connection c = Jdbc.connect(restarted.zkUrl(), "rita")) {
                app = Jdbc.appId(c);
                Jdbc.execute(c, "CREATE TABLE kept_over_restart (id INT) USING parquet");
                Jdbc.execute(c, "INSERT INTO kept_over_restart VALUES (7)");
            }
            assertEquals(0, restarted.script(Duration.ofSeconds(60), "stop"));
            assertTrue(restarted.awaitExit(Duration.ofSeconds(30)), "the server stopped");
            restarted.start();
            try (Connection c = Jdbc.connect(restarted.zkUrl(), "rita")) {
                assertEquals(app, Jdbc.appId(c), "the engine that outlived the server serves again");
                assertEquals(List.of(List.of(7)), Jdbc.query(c, "SELECT * FROM kept_over_restart"));
            }
            assertEquals(0, restarted.countLog("Launching engine"), "no second engine after the restart");
        }
    }

    /**
     * The other side of keeping the embedded ZooKeeper's data: an engine that died while the server was down (a
     * machine restart) leaves a node whose session ZooKeeper restores. The restarted server finds nothing listening
     * and no process holding the engine's work directory, removes the node and launches a new engine.
     */
    @Test
    void aNodeLeftByAnEngineThatDiedWhileTheServerWasDownIsReplaced() throws Exception {
        try (KitsuneServer restarted = new KitsuneServer(Files.createTempDirectory("kitsune-e2e-stale-")).start()) {
            String app;
            try (Connection c = Jdbc.connect(restarted.zkUrl(), "sam")) {
                app = Jdbc.appId(c);
            }
            assertEquals(0, restarted.script(Duration.ofSeconds(60), "stop"));
            assertTrue(restarted.awaitExit(Duration.ofSeconds(30)), "the server stopped");
            restarted.killEngines(); // the engine dies while the server is down
            restarted.start();
            try (Connection c = Jdbc.connect(restarted.zkUrl(), "sam")) {
                assertNotEquals(app, Jdbc.appId(c), "a new engine serves");
                assertEquals(1, ((Number) Jdbc.single(c, "SELECT 1")).intValue());
            }
            assertEquals(1, restarted.countLog("its node is stale"), restarted.tail());
        }
    }

    @Test
    void shareLevels() throws Exception {
        try (Connection a1 = Jdbc.connect(server.zkUrl(), "alice"); Connection a2 = Jdbc.connect(server.directUrl(), "alice");
                Connection b = Jdbc.connect(server.zkUrl(), "bob")) {
            String alice1 = Jdbc.appId(a1);
            assertEquals(alice1, Jdbc.appId(a2), "two connections of one user share one engine");
            assertNotEquals(alice1, Jdbc.appId(b), "two users get two engines");
        }
        String connUrl = server.zkUrl() + "?kyuubi.engine.share.level=CONNECTION";
        try (Connection c1 = Jdbc.connect(connUrl, "dave"); Connection c2 = Jdbc.connect(connUrl, "dave")) {
            assertNotEquals(Jdbc.appId(c1), Jdbc.appId(c2), "CONNECTION level: an engine per connection");
            assertEquals(2, Engines.of(server, "dave").size());
        }
        await("CONNECTION engines stop when their session closes").atMost(Duration.ofSeconds(60))
                .until(() -> Engines.of(server, "dave").isEmpty());
    }

    @Test
    void aFailedEngineLaunchReportsTheTailOfTheEngineLog() throws Exception {
        // Spark refuses to start with this little memory: the engine process exits before it registers
        String url = server.directUrl() + "?spark.driver.memory=200m";
        SQLException e = firstStatementFails(url, "gina");
        assertTrue(e.getMessage().contains("Engine failed to start"), e.getMessage());
        assertTrue(e.getMessage().contains("must be at least") || e.getMessage().contains("INVALID_DRIVER_MEMORY"),
                e.getMessage());
        try (Connection c = Jdbc.connect(server.directUrl(), "alice")) {
            assertEquals(1, ((Number) Jdbc.single(c, "SELECT 1")).intValue(), "the server keeps serving");
        }
    }

    @Test
    void twoServersWithTheirOwnDirectoriesRunSideBySide() throws Exception {
        try (KitsuneServer second = new KitsuneServer(Files.createTempDirectory("kitsune-e2e-second-")).start();
                ZooKeeper secondZk = Zk.connect(second.zkConnect())) {
            assertNotEquals(server.port(), second.port());
            assertTrue(server.isAlive() && second.isAlive());
            List<String> mine = zk.getChildren("/kyuubi", false);
            List<String> theirs = secondZk.getChildren("/kyuubi", false);
            assertEquals(1, mine.size());
            assertEquals(1, theirs.size());
            assertTrue(theirs.get(0).contains(":" + second.port() + ";"), theirs.toString());
            assertTrue(Files.exists(second.dir.resolve("pid/kitsune.pid")));
            assertTrue(Files.readString(second.logFile()).contains("Starting and exposing JDBC connection"));
        }
        assertTrue(server.isAlive(), "stopping the second server leaves the first one running");
    }

    /** Kyuubi's asynchronous launch: the login answers, and the session's first statement gets the engine's error. */
    private static SQLException firstStatementFails(String url, String user) throws SQLException {
        try (Connection c = Jdbc.connect(url, user)) {
            return assertThrows(SQLException.class, () -> Jdbc.single(c, "SELECT 1"));
        }
    }
}
