package kitsune.e2e;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static kitsune.testkit.RestClient.ok;

import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
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
import kitsune.testkit.Processes;
import kitsune.testkit.RestClient;
import kitsune.testkit.SparkStandalone;

/**
 * Engines on a real Spark standalone cluster (Spark's own Master and two Workers, separate processes on 127.0.0.1):
 * submitted through Spark's submission as the session's user, in client mode (the driver on the gateway, executors on
 * the workers) and in cluster mode (the driver on a worker too), found by the server through their registration,
 * ended in the cluster by kitsune-ctl delete engine; and batches over REST on the same cluster, in client and cluster
 * mode, ending as the master says their drivers ended, a delete ending the driver on its worker.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class StandaloneClusterTest {
    private static final Duration LAUNCH = Duration.ofSeconds(150);
    private static final Pattern REST = Pattern.compile("REST API at (http://\\S+/api/v1)");
    private static final String ALICE = "alice:pw";
    private SparkStandalone cluster;
    private KitsuneServer server;
    private RestClient rest;
    private Path apps;
    private Path jar;

    @BeforeAll
    void startClusterAndServer() throws Exception {
        Path dir = Files.createTempDirectory("kitsune-standalone-");
        cluster = new SparkStandalone(dir.resolve("cluster"), SparkStandalone.SPARK_4_0, 2);
        Path udf = UdfJar.build(dir.resolve("udf"), SparkStandalone.SPARK_4_0.resolve("jars"));
        apps = Files.createDirectories(dir.resolve("apps"));
        jar = BatchApp.build(apps, SparkStandalone.SPARK_4_0.resolve("jars"));
        server = new KitsuneServer(dir.resolve("server"))
                .set("spark.master", cluster.masterUrl())
                // every process and connection on loopback: the driver, its RPC and the engine's Thrift port
                .set("kitsune.engine.bind.host", "127.0.0.1")
                .set("spark.driver.host", "127.0.0.1")
                .set("kyuubi.engineEnv.SPARK_LOCAL_IP", "127.0.0.1")
                .set("spark.executor.memory", "512m")
                .set("spark.executor.cores", "1")
                .set("spark.cores.max", "2")
                .set("spark.driver.memory", "640m")
                .set("kitsune.engine.spark.extra.jars", udf.toString())
                .set("kyuubi.session.engine.initialize.timeout", "PT150S")
                // batches over REST, to the same cluster
                .set("kyuubi.frontend.protocols", "THRIFT_BINARY,REST")
                .set("kyuubi.frontend.rest.bind.host", "127.0.0.1")
                .set("kitsune.batch.resource.dirs", apps.toString())
                .set("kyuubi.batch.application.check.interval", "PT0.5S")
                .set("kitsune.batch.standalone.master.webui.urls", cluster.masterUiUrl())
                .start();
        rest = new RestClient(server.awaitLog(REST, Duration.ofSeconds(60)).group(1));
    }

    @AfterAll
    void stop() throws Exception {
        try {
            if (server != null) server.close();
        } finally {
            if (cluster != null) cluster.close();
        }
    }

    @Test
    @Order(1)
    void aClientModeEngineRunsItsQueriesOnTheClustersExecutorsAsTheSessionUser() throws Exception {
        String appId;
        try (Connection c = Jdbc.connect(server.zkUrl(), "alice")) {
            ClusterChecks.assertSumOfRange(c);
            appId = Jdbc.appId(c);
            assertTrue(appId.startsWith("app-"), appId);
            JsonNode app = cluster.application(appId);
            assertEquals("RUNNING", app.path("state").asText(), app.toString());
            // submitted as alice (doAs): Spark's and Hadoop's user is alice, wherever the driver runs
            assertEquals("alice", Jdbc.single(c, "SELECT current_user()"));
            // executors of this application on both workers
            for (SparkStandalone.Worker w : cluster.workers()) {
                assertTrue(executorsOf(w, appId) > 0, "an executor of " + appId + " on " + w.workDir());
            }
            // a UDF from kitsune.engine.spark.extra.jars, in a query whose tasks run on the executors
            Jdbc.execute(c, "CREATE TEMPORARY FUNCTION kupper AS '" + UdfJar.CLASS_NAME + "'");
            assertEquals(4L, Jdbc.single(c, "SELECT count(DISTINCT kupper(concat('k', id % 4))) "
                    + "FROM range(0, 1000, 1, 4)"));
        }

        KitsuneCtl.Run list = ClusterChecks.ctl(server, "list", "engine", "--user", "alice");
        assertEquals(0, list.rc(), list.err());
        assertTrue(list.out().contains(appId), "kitsune-ctl list engine shows the application id:\n" + list.out());
        assertTrue(list.out().contains(cluster.masterUrl() + " (client)"), list.out());

        KitsuneCtl.Run delete = ClusterChecks.ctl(server, "delete", "engine", "--user", "alice");
        assertEquals(0, delete.rc(), delete.err());
        await("the master reports " + appId + " finished").atMost(Duration.ofSeconds(60))
                .pollInterval(Duration.ofMillis(500)).ignoreExceptions()
                .until(() -> "FINISHED".equals(cluster.application(appId).path("state").asText()));

        try (Connection c = Jdbc.connect(server.zkUrl(), "alice")) {
            String next = Jdbc.appId(c);
            assertNotEquals(appId, next, "the next session gets a new application");
            assertEquals(1, Jdbc.single(c, "SELECT 1"));
        }
        ClusterChecks.ctl(server, "delete", "engine", "--user", "alice");
    }

    @Test
    @Order(2)
    void aClusterModeEngineHasItsDriverOnAWorkerAndIsFoundThroughItsRegistration() throws Exception {
        String appId;
        try (Connection c = Jdbc.connect(server.zkUrl() + "?spark.submit.deployMode=cluster", "bob")) {
            ClusterChecks.assertSumOfRange(c);
            appId = Jdbc.appId(c);
            assertEquals("cluster", Jdbc.query(c, "SET spark.submit.deployMode").get(0).get(1));
            assertEquals("bob", Jdbc.single(c, "SELECT current_user()"), "the driver on the worker runs as bob");
        }
        JsonNode drivers = cluster.masterJson().path("activedrivers");
        assertEquals(1, drivers.size(), drivers.toString());
        JsonNode driver = drivers.get(0);
        assertEquals("RUNNING", driver.path("state").asText());
        String driverId = driver.path("id").asText();
        assertTrue(driver.path("worker").asText().startsWith("worker-"), "the driver runs on a worker: " + driver);

        KitsuneCtl.Run get = ClusterChecks.ctl(server, "get", "engine", "--user", "bob");
        assertEquals(0, get.rc(), get.err());
        assertTrue(get.out().contains(appId + " (" + driverId + ")"), get.out());
        assertTrue(get.out().contains("(cluster)"), get.out());

        KitsuneCtl.Run delete = ClusterChecks.ctl(server, "delete", "engine", "--user", "bob");
        assertEquals(0, delete.rc(), delete.err());
        await("the master reports the driver and the application finished").atMost(Duration.ofSeconds(60))
                .pollInterval(Duration.ofMillis(500)).ignoreExceptions()
                .until(() -> "FINISHED".equals(cluster.application(appId).path("state").asText())
                        && cluster.masterJson().path("activedrivers").isEmpty());
    }

    @Test
    @Order(3)
    void batchesRunOnTheClusterInEitherDeployModeAndADriverThatFailsThereIsAnError() throws Exception {
        // client mode: the driver here, its executors on the workers
        String client = submit("client-count", "client", "100000");
        JsonNode b = awaitEnd(client);
        assertEquals("FINISHED", b.path("state").asText(), b + "\n" + server.tail());
        String appId = b.path("appId").asText();
        assertTrue(appId.startsWith("app-"), b.toString());
        assertEquals("FINISHED", cluster.application(appId).path("state").asText());
        assertEquals("client-count", cluster.application(appId).path("name").asText(), "the batch's name");
        assertTrue(localLog(client).contains("Counted 100000 rows"), localLog(client));

        // cluster mode with kitsune-ctl submit batch: the driver on a worker; the command ends with the batch
        Path work = Files.createDirectories(apps.getParent().resolve("ctl"));
        Path yaml = Files.writeString(work.resolve("cluster.yaml"), "apiVersion: v1\nusername: alice\nrequest:\n"
                + "  batchType: SPARK\n  name: cluster-count\n  resource: " + jar + "\n  className: "
                + BatchApp.CLASS_NAME + "\n  args:\n    - 1000\n  configs:\n    spark.submit.deployMode: cluster\n"
                + "options:\n  verbose: false\n");
        KitsuneCtl.Run submitted = KitsuneCtl.run(server.confDir, work, "submit", "batch", "-f", yaml.toString(),
                "--hostUrl", rest.base(), "--password", "pw", "--conf", "kyuubi.ctl.batch.log.query.interval=PT0.5S");
        assertEquals(0, submitted.rc(), submitted.toString());
        java.util.regex.Matcher id = Pattern.compile("Batch Report \\(([0-9a-f-]+)\\)").matcher(submitted.out());
        assertTrue(id.find(), submitted.out());
        JsonNode done = ok(rest.get("/batches/" + id.group(1), ALICE));
        assertEquals("FINISHED", done.path("state").asText(), done.toString());
        String driverId = done.path("appId").asText();
        assertTrue(driverId.startsWith("driver-"), done.toString());
        assertEquals("FINISHED", driver(driverId).path("state").asText());

        // cluster mode, failing on the worker: spark-submit leaves with 0, the batch still reads ERROR
        String failing = submit("cluster-fails", "cluster", "10", "0", "fail");
        JsonNode failed = awaitEnd(failing);
        assertEquals("ERROR", failed.path("state").asText(), failed + "\n" + server.tail());
        String failedDriver = failed.path("appId").asText();
        assertEquals("FAILED", driver(failedDriver).path("state").asText(), "the master's word");
        assertEquals("FAILED", failed.path("appState").asText(), failed.toString());
        assertTrue(failed.path("appDiagnostic").asText().contains(failedDriver + " ended FAILED"), failed.toString());
    }

    @Test
    @Order(4)
    void deletingARunningClusterModeBatchEndsItsDriverOnTheWorker() throws Exception {
        String id = submit("cluster-long", "cluster", "10", "300");
        await("the driver running on a worker").atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(500))
                .until(() -> ok(rest.get("/batches/" + id, ALICE)).path("state").asText().equals("RUNNING"));
        String driverId = ok(rest.get("/batches/" + id, ALICE)).path("appId").asText();
        await().atMost(Duration.ofMinutes(1)).pollInterval(Duration.ofMillis(500)).ignoreExceptions()
                .until(() -> driver(driverId).path("state").asText().equals("RUNNING"));

        HttpResponse<String> deleted = rest.delete("/batches/" + id, ALICE);
        assertEquals(200, deleted.statusCode(), deleted.body());
        assertEquals("CANCELED", ok(rest.get("/batches/" + id, ALICE)).path("state").asText());
        await("the master reports " + driverId + " killed").atMost(Duration.ofSeconds(60))
                .pollInterval(Duration.ofMillis(500)).ignoreExceptions()
                .until(() -> driver(driverId).path("state").asText().equals("KILLED"));
        assertTrue(server.countLog("Ended the driver " + driverId + " of batch " + id) == 1, server.tail());
    }

    @Test
    @Order(5)
    void aClusterModeBatchWhoseServerDiedWithItsHostIsFollowedThroughTheMasterToItsTrueEnd() throws Exception {
        String id = submit("standalone-survivor", "cluster", "1000", "25");
        await("the driver running on a worker").atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(500))
                .until(() -> ok(rest.get("/batches/" + id, ALICE)).path("state").asText().equals("RUNNING"));
        String driverId = ok(rest.get("/batches/" + id, ALICE)).path("appId").asText();
        await().atMost(Duration.ofMinutes(1)).pollInterval(Duration.ofMillis(500)).ignoreExceptions()
                .until(() -> driver(driverId).path("state").asText().equals("RUNNING"));

        // the server's host goes: the server, whatever is left of the submission, the batch's directory and log
        server.kill9();
        Path batchDir = server.workDir.resolve("batches").resolve(id);
        Processes.endAll(c -> c.contains(batchDir.resolve("exit-code").toString())
                || c.contains("org.apache.spark.deploy.SparkSubmit") && c.contains(batchDir.toString()));
        ClusterChecks.deleteTree(batchDir);
        assertEquals("RUNNING", driver(driverId).path("state").asText(), "the driver runs on on its worker");

        // a server with the same store and nothing of the batch on its disk takes it over and asks the master
        server.start();
        rest = new RestClient(server.awaitLog(REST, Duration.ofSeconds(60)).group(1));
        JsonNode b = awaitEnd(id);
        assertEquals("FINISHED", b.path("state").asText(), b + "\n" + server.tail());
        assertEquals("FINISHED", b.path("appState").asText(), b.toString());
        assertEquals(driverId, b.path("appId").asText());
        assertEquals("FINISHED", driver(driverId).path("state").asText(), "the master's word");
        assertEquals(1, server.countLog("Took over batch " + id), server.tail());
    }

    @Test
    @Order(6)
    void aWorkerLostDuringAQueryLeavesTheSessionUsable() throws Exception {
        try (Connection c = Jdbc.connect(server.zkUrl(), "carol")) {
            String appId = Jdbc.appId(c);
            SparkStandalone.Worker victim = cluster.workers().get(0);
            assertTrue(executorsOf(victim, appId) > 0, "carol's application has an executor on the victim");
            // the driver (client mode: on this host) logs each stage it hands to the executors
            long stages = engineLogLines("carol", "missing tasks from");
            CompletableFuture<Object> query = CompletableFuture.supplyAsync(() -> {
                try (Statement s = c.createStatement()) {
                    var rs = s.executeQuery("SELECT count(*) FROM range(0, 12000000000, 1, 24) WHERE id % 7 = 3");
                    rs.next();
                    return rs.getLong(1);
                } catch (SQLException e) {
                    return e;
                }
            });
            await("the query's tasks running on the executors").atMost(Duration.ofSeconds(60))
                    .pollInterval(Duration.ofMillis(100))
                    .until(() -> engineLogLines("carol", "missing tasks from") > stages);
            assertFalse(query.isDone(), "the query still runs when the worker goes");
            cluster.kill(victim);
            Object outcome = query.get();
            if (outcome instanceof SQLException e) {
                // a clear error naming the lost executor is acceptable; a hang or a broken session is not
                assertTrue(e.getMessage().contains("lost") || e.getMessage().contains("Lost")
                        || e.getMessage().contains("executor"), e.getMessage());
            } else {
                assertEquals(1714285714L, outcome, "the query completes on the remaining worker");
            }
            assertEquals(1, Jdbc.single(c, "SELECT 1"), "the session stays usable");
            ClusterChecks.assertSumOfRange(c);
        }
    }

    /** Lines of the user's engine logs (client-mode drivers log on the server's host) that contain the text. */
    private long engineLogLines(String user, String text) throws Exception {
        Path dir = server.workDir.resolve("engines").resolve(user);
        if (!Files.isDirectory(dir)) return 0;
        try (var files = Files.walk(dir)) {
            long n = 0;
            for (Path f : files.filter(p -> p.getFileName().toString().startsWith("kitsune-spark-engine-")).toList()) {
                try (var lines = Files.lines(f, java.nio.charset.StandardCharsets.ISO_8859_1)) {
                    n += lines.filter(l -> l.contains(text)).count();
                }
            }
            return n;
        }
    }

    private int executorsOf(SparkStandalone.Worker w, String appId) throws Exception {
        int n = 0;
        for (JsonNode e : cluster.workerJson(w).path("executors")) {
            if (appId.equals(e.path("appid").asText())) n++;
        }
        return n;
    }

    private String submit(String name, String deployMode, String... args) throws Exception {
        return ClusterChecks.submitBatch(rest, ALICE, jar, name, deployMode, args);
    }

    private JsonNode awaitEnd(String id) throws Exception {
        await("batch " + id + " ended").atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofMillis(500))
                .until(() -> List.of("FINISHED", "ERROR", "CANCELED")
                        .contains(ok(rest.get("/batches/" + id, ALICE)).path("state").asText()));
        return ok(rest.get("/batches/" + id, ALICE));
    }

    private String localLog(String id) throws Exception {
        List<String> lines = new ArrayList<>();
        ok(rest.get("/batches/" + id + "/localLog?from=0&size=10000", ALICE)).path("logRowSet")
                .forEach(l -> lines.add(l.asText()));
        return String.join("\n", lines);
    }

    /** The driver of that id as the master lists it (active or completed); a missing node if none. */
    private JsonNode driver(String driverId) throws Exception {
        JsonNode m = cluster.masterJson();
        for (String list : List.of("activedrivers", "completeddrivers")) {
            for (JsonNode d : m.path(list)) {
                if (driverId.equals(d.path("id").asText())) return d;
            }
        }
        return com.fasterxml.jackson.databind.node.MissingNode.getInstance();
    }

}
