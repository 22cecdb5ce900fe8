package kitsune.e2e;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static kitsune.testkit.RestClient.ok;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

import com.fasterxml.jackson.databind.JsonNode;

import kitsune.testkit.BatchApp;
import kitsune.testkit.Jdbc;
import kitsune.testkit.KitsuneCtl;
import kitsune.testkit.KitsuneServer;
import kitsune.testkit.MiniYarn;
import kitsune.testkit.Processes;
import kitsune.testkit.RestClient;
import kitsune.testkit.SparkStandalone;

/**
 * Engines as YARN applications on a real YARN cluster (Hadoop's ResourceManager and a NodeManager in their own
 * process on 127.0.0.1): submitted through Spark's submission for the session's user (--proxy-user), in client mode
 * (the driver on the gateway, its application master and executors in containers) and in cluster mode (the driver in
 * a container too), ended in the cluster by kitsune-ctl delete engine, and killed when they do not start in time;
 * and batches on the same cluster: one whose server died with its host (its directory gone) followed by the next
 * server through the ResourceManager to its true end, one killed there by a delete.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class YarnClusterTest {
    private static final Set<String> ENDED = Set.of("FINISHED", "KILLED", "FAILED");
    private static final Pattern REST = Pattern.compile("REST API at (http://\\S+/api/v1)");
    private static final String ALICE = "alice:pw";
    private MiniYarn yarn;
    private KitsuneServer server;
    private RestClient rest;
    private Path apps;
    private Path jar;

    @BeforeAll
    void startClusterAndServer() throws Exception {
        Path dir = Files.createTempDirectory("kitsune-yarn-");
        yarn = new MiniYarn(dir.resolve("yarn"), 4096);
        Path jars = SparkStandalone.SPARK_4_0.resolve("jars");
        apps = Files.createDirectories(dir.resolve("apps"));
        jar = BatchApp.build(apps, jars);
        server = new KitsuneServer(dir.resolve("server"))
                .set("spark.master", "yarn")
                .set("kyuubi.engineEnv.HADOOP_CONF_DIR", yarn.confDir.toString())
                // the engine home is not a distribution: the containers use its jars where they are (one host)
                .set("spark.yarn.jars", "local:" + jars.resolve("*"))
                // every process and connection on loopback: the driver, its RPC and the engine's Thrift port
                .set("kitsune.engine.bind.host", "127.0.0.1")
                .set("spark.driver.host", "127.0.0.1")
                .set("kyuubi.engineEnv.SPARK_LOCAL_IP", "127.0.0.1")
                .set("spark.yarn.appMasterEnv.SPARK_LOCAL_IP", "127.0.0.1")
                .set("spark.executorEnv.SPARK_LOCAL_IP", "127.0.0.1")
                .set("spark.driver.memory", "640m")
                .set("spark.yarn.am.memory", "512m")
                .set("spark.executor.memory", "512m")
                .set("spark.executor.instances", "1")
                .set("spark.executor.cores", "1")
                .set("spark.ui.enabled", "false")
                .set("kyuubi.session.engine.initialize.timeout", "PT180S")
                // batches over REST, to the same cluster
                .set("kyuubi.frontend.protocols", "THRIFT_BINARY,REST")
                .set("kyuubi.frontend.rest.bind.host", "127.0.0.1")
                .set("kitsune.batch.resource.dirs", apps.toString())
                .set("kyuubi.batch.application.check.interval", "PT0.5S")
                .set("kyuubi.ha.zookeeper.session.timeout", "8000")
                .start();
        rest = new RestClient(server.awaitLog(REST, Duration.ofSeconds(60)).group(1));
    }

    @AfterAll
    void stop() throws Exception {
        try {
            if (server != null) server.close();
        } finally {
            if (yarn != null) yarn.close();
        }
    }

    @Test
    @Order(1)
    void aClientModeEngineIsAYarnApplicationOfTheSessionUser() throws Exception {
        String appId;
        try (Connection c = Jdbc.connect(server.zkUrl(), "alice")) {
            ClusterChecks.assertSumOfRange(c);
            appId = Jdbc.appId(c);
            assertTrue(appId.startsWith("application_"), appId);
            assertEquals("alice", Jdbc.single(c, "SELECT current_user()"));
        }
        JsonNode app = yarn.application(appId);
        assertEquals("RUNNING", app.path("state").asText(), app.toString());
        assertEquals("alice", app.path("user").asText(), "submitted for the session's user: " + app);
        assertEquals("root.default", app.path("queue").asText());
        assertTrue(app.path("applicationTags").asText().contains("kitsune"), app.toString());

        KitsuneCtl.Run list = ClusterChecks.ctl(server, "list", "engine", "--user", "alice");
        assertEquals(0, list.rc(), list.err());
        assertTrue(list.out().contains(appId), "kitsune-ctl list engine shows the application id:\n" + list.out());
        assertTrue(list.out().contains("yarn (client)"), list.out());

        KitsuneCtl.Run delete = ClusterChecks.ctl(server, "delete", "engine", "--user", "alice");
        assertEquals(0, delete.rc(), delete.err());
        awaitEnded(appId);
    }

    @Test
    @Order(2)
    void aClusterModeEngineHasItsDriverInAContainerAndIsKilledThroughTheResourceManager() throws Exception {
        String appId;
        try (Connection c = Jdbc.connect(server.zkUrl() + "?spark.submit.deployMode=cluster", "bob")) {
            ClusterChecks.assertSumOfRange(c);
            appId = Jdbc.appId(c);
            assertEquals("cluster", Jdbc.query(c, "SET spark.submit.deployMode").get(0).get(1));
            assertEquals("bob", Jdbc.single(c, "SELECT current_user()"), "the driver in its container runs as bob");
        }
        JsonNode app = yarn.application(appId);
        assertEquals("RUNNING", app.path("state").asText(), app.toString());
        assertEquals("bob", app.path("user").asText(), app.toString());

        KitsuneCtl.Run get = ClusterChecks.ctl(server, "get", "engine", "--user", "bob");
        assertEquals(0, get.rc(), get.err());
        assertTrue(get.out().contains(appId), get.out());
        assertTrue(get.out().contains("yarn (cluster)"), get.out());

        KitsuneCtl.Run delete = ClusterChecks.ctl(server, "delete", "engine", "--user", "bob");
        assertEquals(0, delete.rc(), delete.err());
        awaitEnded(appId);
    }

    @Test
    @Order(3)
    void anEngineThatYarnNeverStartsTimesOutWithTheResourceManagersDiagnosticsAndIsKilled() throws Exception {
        // the queue "tiny" is too small for any container: the application stays ACCEPTED
        String url = server.zkUrl() + "?spark.yarn.queue=tiny;kyuubi.session.engine.initialize.timeout=PT40S;"
                + "kyuubi.session.engine.launch.async=false";
        SQLException e = assertThrows(SQLException.class, () -> Jdbc.connect(url, "carol"));
        String message = e.getMessage();
        assertTrue(message.contains("Timeout(40000 ms, you can modify kyuubi.session.engine.initialize.timeout"),
                message);
        assertTrue(message.contains("ACCEPTED") && message.contains("root.tiny"),
                "the ResourceManager's view of the application is part of the error: " + message);
        assertTrue(message.contains("waiting for resources"), message);
        await("no application of carol's left waiting or running").atMost(Duration.ofSeconds(60))
                .pollInterval(Duration.ofMillis(500))
                .until(() -> yarn.applications("NEW,NEW_SAVING,SUBMITTED,ACCEPTED,RUNNING").stream()
                        .noneMatch(a -> "carol".equals(a.path("user").asText())));
        try (Connection c = Jdbc.connect(server.zkUrl(), "dave")) {
            assertEquals(1, Jdbc.single(c, "SELECT 1"), "the server keeps serving other users");
        }
    }

    @Test
    @Order(4)
    void aLongerInitializeTimeoutThanTheServersIsRefusedNamingTheKey() {
        String url = server.zkUrl() + "?kyuubi.session.engine.initialize.timeout=PT1H";
        SQLException e = assertThrows(SQLException.class, () -> Jdbc.connect(url, "erin"));
        assertTrue(e.getMessage().contains("Invalid value for kyuubi.session.engine.initialize.timeout: 'PT1H' is "
                + "longer than the server's 'PT3M'"), e.getMessage());
    }

    @Test
    @Order(5)
    void aSessionNamingAnotherUsersPrincipalAndKeytabGetsAnEngineOfItsOwnUserNotOfTheOther() throws Exception {
        Path keytab = Files.createTempFile("bob-", ".keytab",
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        Files.write(keytab, new byte[] {5, 2, 0, 0, 0, 0});
        String appId;
        String url = server.zkUrl() + "?spark.kerberos.principal=bob@EXAMPLE.COM;spark.kerberos.keytab=" + keytab;
        try (Connection c = Jdbc.connect(url, "frank")) {
            assertEquals("frank", Jdbc.single(c, "SELECT current_user()"));
            appId = Jdbc.appId(c);
        }
        JsonNode app = yarn.application(appId);
        assertEquals("frank", app.path("user").asText(), "submitted with --proxy-user frank, not as bob: " + app);
        String log = server.log();
        assertTrue(log.contains("Ignoring spark.kerberos.principal/spark.kerberos.keytab for the engine of")
                && log.contains("the principal bob@EXAMPLE.COM is user bob, not frank"), "the warning is logged");

        KitsuneCtl.Run delete = ClusterChecks.ctl(server, "delete", "engine", "--user", "frank");
        assertEquals(0, delete.rc(), delete.err());
        awaitEnded(appId);
        Files.delete(keytab);
    }

    @Test
    @Order(6)
    void aYarnBatchWhoseServerDiedWithItsHostIsFollowedThroughTheResourceManagerToItsTrueEnd() throws Exception {
        // room in the cluster: the engine an earlier test left goes
        ClusterChecks.ctl(server, "delete", "engine", "--user", "dave");
        String id = submit("yarn-survivor", "cluster", "1000", "25");
        await("the batch's YARN application running").atMost(Duration.ofMinutes(3))
                .pollInterval(Duration.ofMillis(500))
                .until(() -> ok(rest.get("/batches/" + id, ALICE)).path("state").asText().equals("RUNNING"));
        JsonNode running = ok(rest.get("/batches/" + id, ALICE));
        String appId = running.path("appId").asText();
        assertTrue(appId.startsWith("application_"), running.toString());
        JsonNode app = yarn.application(appId);
        assertEquals("RUNNING", app.path("state").asText(), "RUNNING once YARN says so: " + running + " " + app
                + "\n" + server.tail());
        assertEquals("alice", app.path("user").asText(), "submitted for alice: " + app);
        assertTrue(app.path("applicationTags").asText().contains(id), "tagged with the batch id: " + app);

        // the server's host goes: the server, the submission and the batch's directory with its log and exit code
        server.kill9();
        Path batchDir = server.workDir.resolve("batches").resolve(id);
        Processes.endAll(c -> c.contains(batchDir.resolve("exit-code").toString())
                || c.contains("org.apache.spark.deploy.SparkSubmit") && c.contains(batchDir.toString()));
        ClusterChecks.deleteTree(batchDir);
        assertEquals("RUNNING", yarn.application(appId).path("state").asText(), "the driver runs on in YARN");

        // a server with the same store and nothing of the batch on its disk takes it over
        server.start();
        rest = new RestClient(server.awaitLog(REST, Duration.ofSeconds(60)).group(1));
        await("the batch followed to its end").atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofMillis(500))
                .until(() -> List.of("FINISHED", "ERROR").contains(
                        ok(rest.get("/batches/" + id, ALICE)).path("state").asText()));
        JsonNode b = ok(rest.get("/batches/" + id, ALICE));
        assertEquals("FINISHED", b.path("state").asText(), b + "\n" + server.tail());
        assertEquals("FINISHED (SUCCEEDED)", b.path("appState").asText(), b.toString());
        assertEquals("SUCCEEDED", yarn.application(appId).path("finalStatus").asText());
        assertEquals(1, server.countLog("Took over batch " + id), server.tail());
    }

    @Test
    @Order(7)
    void deletingARunningClusterModeYarnBatchKillsItsApplication() throws Exception {
        String id = submit("yarn-long", "cluster", "10", "300");
        await("the batch's YARN application running").atMost(Duration.ofMinutes(3))
                .pollInterval(Duration.ofMillis(500))
                .until(() -> ok(rest.get("/batches/" + id, ALICE)).path("state").asText().equals("RUNNING"));
        String appId = ok(rest.get("/batches/" + id, ALICE)).path("appId").asText();
        assertEquals(200, rest.delete("/batches/" + id, ALICE).statusCode());
        assertEquals("CANCELED", ok(rest.get("/batches/" + id, ALICE)).path("state").asText());
        await("the ResourceManager reports " + appId + " killed").atMost(Duration.ofSeconds(60))
                .pollInterval(Duration.ofMillis(500)).ignoreExceptions()
                .until(() -> yarn.application(appId).path("state").asText().equals("KILLED"));
    }

    private String submit(String name, String deployMode, String... args) throws Exception {
        return ClusterChecks.submitBatch(rest, ALICE, jar, name, deployMode, args);
    }

    private void awaitEnded(String appId) {
        await("the ResourceManager reports " + appId + " ended").atMost(Duration.ofSeconds(60))
                .pollInterval(Duration.ofMillis(500)).ignoreExceptions()
                .until(() -> ENDED.contains(yarn.application(appId).path("state").asText()));
    }
}
