package kitsune.e2e;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.regex.Matcher;
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
    private static final Pattern ENDPOINT = Pattern.compile("Prometheus metrics at (http://\\S+)");
    private final HttpClient http = HttpClient.newHttpClient();
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
        }
        await("the session is closed").atMost(Duration.ofSeconds(10)).until(() -> openSessions() == 0);
        assertTrue(server.log().contains("is found or launched in the background (kyuubi.session.engine.launch.async)"));
    }

    @Test
    @Order(2)
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
    @Order(3)
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
    @Order(4)
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

    /** kyuubi_connection_opened: the sessions the server holds now. */
    private double openSessions() throws Exception {
        server.awaitLog(ENDPOINT, Duration.ofSeconds(30));
        Matcher m = ENDPOINT.matcher(server.log());
        String last = null;
        while (m.find()) last = m.group(1);
        String page = http.send(HttpRequest.newBuilder(URI.create(last)).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString()).body();
        Matcher v = Pattern.compile("(?m)^kyuubi_connection_opened (\\S+)$").matcher(page);
        assertTrue(v.find(), page);
        return Double.parseDouble(v.group(1));
    }
}
