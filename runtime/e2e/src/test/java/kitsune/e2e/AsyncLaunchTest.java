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
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.ZooKeeper;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

import kitsune.testkit.Engines;
import kitsune.testkit.Jdbc;
import kitsune.testkit.KitsuneServer;
import kitsune.testkit.Zk;

/**
 * kyuubi.session.engine.launch.async against a real server, real Spark engines, real ZooKeeper and the unmodified
 * Hive JDBC driver: the login answers while the engine starts, the first statement waits for it (or gets the launch's
 * error), a session closed while its engine starts leaves nothing open, and with the key off the login waits as
 * before.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class AsyncLaunchTest {
    private KitsuneServer server;
    private ZooKeeper zk;

    @BeforeAll
    void startServer() throws Exception {
        server = new KitsuneServer(Files.createTempDirectory("kitsune-e2e-async-"))
                .set("kyuubi.metrics.reporters", "PROMETHEUS").start();
        zk = Zk.connect(server.zkConnect());
        // the driver's first connection loads its classes (a second or so on a busy machine): a login the server
        // refuses at once (a user name it does not accept) warms it without launching an engine
        assertThrows(SQLException.class, () -> Jdbc.connect(server.directUrl(), "a..b").close());
    }

    @AfterAll
    void stopServer() throws Exception {
        if (zk != null) zk.close();
        if (server != null) server.close();
    }

    /** The engine nodes registered in a user's USER-level space (none before its first engine registers). */
    private List<String> engineNodes(String user) throws Exception {
        try {
            return zk.getChildren("/" + server.namespace() + "_1-spark-4.0_USER_SPARK_SQL/" + user + "/default", false);
        } catch (KeeperException.NoNodeException e) {
            return List.of();
        }
    }

    @Test
    @Order(1)
    void theLoginAnswersWhileTheEngineStartsAndTheFirstStatementWaitsForIt() throws Exception {
        assertTrue(engineNodes("ann").isEmpty());
        long start = System.nanoTime();
        try (Connection c = Jdbc.connect(server.directUrl(), "ann")) {
            Duration login = Duration.ofNanos(System.nanoTime() - start);
            assertTrue(engineNodes("ann").isEmpty(), "the login answered before ann's engine registered");
            System.out.println("Asynchronous login of ann while her engine starts: " + login.toMillis() + " ms");
            // well under a second on a quiet machine; the bound leaves room for a machine shared with other builds
            assertTrue(login.compareTo(Duration.ofSeconds(5)) < 0, "the login took " + login);
            // GetInfo does not wait for the engine either
            assertEquals("Spark SQL", c.getMetaData().getDatabaseProductName());
            assertTrue(engineNodes("ann").isEmpty(), "still starting");

            assertEquals(1, ((Number) Jdbc.single(c, "SELECT 1")).intValue());
            assertEquals(1, engineNodes("ann").size(), "the statement ran on ann's new engine");
            assertEquals(2, ((Number) Jdbc.single(c, "SELECT 2")).intValue());
            // kyuubi.server.info.provider=ENGINE (Kyuubi's default): the version is the engine's Spark
            assertTrue(c.getMetaData().getDatabaseProductVersion().startsWith("4."),
                    c.getMetaData().getDatabaseProductVersion());
        }
        await("the session is closed").atMost(Duration.ofSeconds(10)).until(() -> openSessions() == 0);
        assertTrue(server.log().contains("is found or launched in the background (kyuubi.session.engine.launch.async)"));
    }

    /**
     * As beeline runs a statement (execute on one thread, the statement's log fetched on another while it waits): the
     * statement is accepted at once while the engine starts, its log says so (the launch, the registration, the
     * statement starting on the engine, then the engine's own lines), and its result is right.
     */
    @Test
    @Order(2)
    @SuppressWarnings("unchecked")
    void aStatementIsAcceptedWhileItsEngineStartsAndItsLogTellsTheLaunch() throws Exception {
        assertTrue(engineNodes("eve").isEmpty());
        try (Connection c = Jdbc.connect(server.directUrl(), "eve"); Statement st = c.createStatement()) {
            java.lang.reflect.Method queryLog = st.getClass().getMethod("getQueryLog");
            long start = System.nanoTime();
            java.util.concurrent.CompletableFuture<Boolean> run = java.util.concurrent.CompletableFuture.supplyAsync(
                    () -> {
                        try {
                            return st.execute("SELECT 42");
                        } catch (SQLException e) {
                            throw new java.util.concurrent.CompletionException(e);
                        }
                    });
            List<String> log = new ArrayList<>();
            // the first line comes once ExecuteStatement has answered (the driver has the statement's handle)
            await("the statement's first log line").atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofMillis(100))
                    .until(() -> {
                        log.addAll((List<String>) queryLog.invoke(st));
                        return !log.isEmpty();
                    });
            Duration accepted = Duration.ofNanos(System.nanoTime() - start);
            assertTrue(engineNodes("eve").isEmpty(), "the statement was accepted before eve's engine registered");
            System.out.println("Statement accepted while its engine starts, its first log line after "
                    + accepted.toMillis() + " ms");
            assertTrue(accepted.compareTo(Duration.ofSeconds(10)) < 0, "the first log line came after " + accepted);
            await("the statement's log saying the engine is ready").atMost(Duration.ofMinutes(3))
                    .pollInterval(Duration.ofMillis(300)).until(() -> {
                        log.addAll((List<String>) queryLog.invoke(st));
                        return log.stream().anyMatch(l -> l.contains("running the statement"));
                    });
            assertTrue(run.get(3, java.util.concurrent.TimeUnit.MINUTES), "a statement with a result");
            try (ResultSet rs = st.getResultSet()) {
                assertTrue(rs.next());
                assertEquals(42, rs.getInt(1));
            }
            log.addAll((List<String>) queryLog.invoke(st));
            String all = String.join("\n", log);
            System.out.println("The first statement's log:\n" + all);
            assertTrue(log.get(0).startsWith("Waiting for the engine of session"), all);
            assertTrue(all.contains("Launched a SPARK_SQL engine in /"), all);
            assertTrue(all.contains("The engine registered at 127.0.0.1:"), all);
            assertTrue(all.contains("Executing statement: SELECT 42"), "the engine's own lines follow: " + all);
            assertTrue(all.indexOf("running the statement") < all.indexOf("Executing statement: SELECT 42"), all);
        }
        await("the session is closed").atMost(Duration.ofSeconds(10)).until(() -> openSessions() == 0);
    }

    @Test
    @Order(3)
    void aLaunchThatFailsFailsTheFirstStatementWithTheLaunchErrorNotTheLogin() throws Exception {
        String url = server.directUrl() + "?spark.master=bogus://x";
        SQLException e;
        try (Connection c = Jdbc.connect(url, "bob")) {
            e = assertThrows(SQLException.class, () -> Jdbc.single(c, "SELECT 1"));
            assertTrue(e.getMessage().contains("Engine failed to start"), e.getMessage());
            assertTrue(e.getMessage().contains("Master must either be yarn or start with spark, k8s, or local"),
                    "the engine's own reason: " + e.getMessage());
            // the session goes on answering with that error (no second launch is made for it)
            SQLException again = assertThrows(SQLException.class, () -> Jdbc.single(c, "SELECT 2"));
            assertEquals(e.getMessage(), again.getMessage());
        }
        await("the session is closed").atMost(Duration.ofSeconds(10)).until(() -> openSessions() == 0);
        // the synchronous path fails the login with the same first line
        SQLException sync = assertThrows(SQLException.class,
                () -> Jdbc.connect(url + ";kyuubi.session.engine.launch.async=false", "bob"));
        assertTrue(sync.getMessage().contains("Engine failed to start"), sync.getMessage());
        assertTrue(sync.getMessage().contains("Master must either be yarn or start with spark, k8s, or local"),
                sync.getMessage());
    }

    @Test
    @Order(4)
    void aSessionClosedWhileItsEngineStartsLeavesNoSessionOnTheServerOrTheEngine() throws Exception {
        // a CONNECTION-level engine ends when its one session closes: it ending proves that session was closed
        String url = server.directUrl() + "?kyuubi.engine.share.level=CONNECTION";
        Connection c = Jdbc.connect(url, "cat");
        c.close();
        await("the server holds no session").atMost(Duration.ofSeconds(10)).until(() -> openSessions() == 0);
        String closedEarly = "was closed before its engine";
        server.awaitLog(Pattern.compile("Session \\S+ of cat " + closedEarly), Duration.ofMinutes(3));
        await("cat's engine ends once the session opened on it is closed").atMost(Duration.ofSeconds(90))
                .pollInterval(Duration.ofMillis(500)).until(() -> Engines.of(server, "cat").isEmpty());
        assertEquals(0, openSessions());
    }

    @Test
    @Order(5)
    void withAsynchronousLaunchOffTheLoginWaitsForTheEngine() throws Exception {
        assertTrue(engineNodes("dan").isEmpty());
        long start = System.nanoTime();
        try (Connection c = Jdbc.connect(server.directUrl() + "?kyuubi.session.engine.launch.async=false", "dan")) {
            System.out.println("Synchronous login of dan with his engine's launch: "
                    + Duration.ofNanos(System.nanoTime() - start).toMillis() + " ms");
            assertEquals(1, engineNodes("dan").size(), "the login answered once dan's engine had registered");
            assertEquals(1, ((Number) Jdbc.single(c, "SELECT 1")).intValue());
        }
    }

    /**
     * beeline asks for the product's name and version right after connecting ("Connected to: ..."): with the server
     * as the info provider both are answered while the engine is still starting.
     */
    @Test
    @Order(6)
    void withTheServerAsInfoProviderAShellLearnsNameAndVersionWhileTheEngineStarts() throws Exception {
        assertTrue(engineNodes("fay").isEmpty());
        try (Connection c = Jdbc.connect(server.directUrl() + "?kyuubi.server.info.provider=SERVER", "fay")) {
            assertEquals("Kitsune", c.getMetaData().getDatabaseProductName());
            String version = c.getMetaData().getDatabaseProductVersion();
            assertTrue(version.matches("\\d+\\.\\d+\\.\\d+"), version);
            assertTrue(engineNodes("fay").isEmpty(), "answered before fay's engine registered");
            assertEquals(1, ((Number) Jdbc.single(c, "SELECT 1")).intValue());
            assertEquals(version, c.getMetaData().getDatabaseProductVersion(), "still the server's once bound");
        }
        await("the session is closed").atMost(Duration.ofSeconds(10)).until(() -> openSessions() == 0);
    }

    /** kyuubi_connection_opened: the sessions the server holds now. */
    private double openSessions() throws Exception {
        String page = server.scrapeMetrics();
        assertTrue(page.contains("\nkyuubi_connection_opened "), page);
        return KitsuneServer.metric(page, "kyuubi_connection_opened");
    }
}
