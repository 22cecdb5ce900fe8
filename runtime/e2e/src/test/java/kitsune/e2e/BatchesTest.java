package kitsune.e2e;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static kitsune.testkit.RestClient.message;
import static kitsune.testkit.RestClient.ok;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

import org.apache.zookeeper.ZooKeeper;

import com.fasterxml.jackson.databind.JsonNode;

import kitsune.testkit.BatchApp;
import kitsune.testkit.KitsuneCtl;
import kitsune.testkit.KitsuneServer;
import kitsune.testkit.Processes;
import kitsune.testkit.RestClient;
import kitsune.testkit.Zk;

/**
 * Kyuubi's batch API on a real server, driven by the JDK's HttpClient: a Spark application built here is submitted
 * in local mode and goes PENDING, RUNNING, FINISHED with its output in the local log and its application id
 * recorded; a failing one ends in ERROR with its diagnostics; DELETE kills a running one (its process is gone) and
 * it reads CANCELED; another user can neither see nor delete a user's batch, an administrator lists all; hostile
 * requests (resources outside the allowed directories, restricted settings, an upload without its parts) are refused; after the server
 * is killed with SIGKILL and started again, the batches are still there and the running one is taken over and
 * followed to its end; a draining server refuses new batches with 503.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class BatchesTest {
    private static final Pattern REST = Pattern.compile("REST API at (http://\\S+/api/v1)");
    private static final String ALICE = "alice:pw";
    private static final String BOB = "bob:pw";
    private static final String CAROL = "carol:pw";

    private KitsuneServer server;
    private Path apps;
    private Path jar;
    private String api;
    private RestClient rest;
    private String finished;

    @BeforeAll
    void start() throws Exception {
        Path dir = Files.createTempDirectory("kitsune-e2e-batches-");
        apps = Files.createDirectories(dir.resolve("apps"));
        jar = BatchApp.build(apps, KitsuneServer.HOME.resolve("engines/spark-4.0/jars"));
        server = new KitsuneServer(dir.resolve("server"))
                .set("kyuubi.frontend.protocols", "THRIFT_BINARY,REST")
                .set("kyuubi.frontend.rest.bind.host", "127.0.0.1")
                .set("kyuubi.authentication", "NONE")
                .set("kyuubi.server.administrators", "carol")
                .set("kitsune.batch.resource.dirs", apps.toString())
                .set("kyuubi.batch.application.check.interval", "PT0.2S")
                // a killed server's node leaves the embedded ZooKeeper soon
                .set("kyuubi.ha.zookeeper.session.timeout", "8000")
                .set("spark.master", "local[1]").set("spark.driver.memory", "512m")
                .set("spark.ui.enabled", "false")
                .start();
        api = server.awaitLog(REST, Duration.ofSeconds(60)).group(1);
        rest = new RestClient(api);
    }

    @AfterAll
    void stop() throws Exception {
        try {
            if (server != null) server.close();
        } finally {
            if (server != null) {
                String marker = server.workDir.resolve("batches").toString();
                Processes.endAll(c -> c.contains(marker));
            }
        }
    }

    @Test
    @Order(1)
    void aBatchGoesFromPendingThroughRunningToFinishedWithItsOutputInTheLocalLog() throws Exception {
        JsonNode submitted = ok(submit(ALICE, "count", List.of("1000", "3"), Map.of()));
        String id = submitted.get("id").asText();
        assertEquals("PENDING", submitted.get("state").asText(), submitted.toString());
        assertEquals("alice", submitted.get("user").asText());
        assertEquals("SPARK", submitted.get("batchType").asText());
        assertEquals(jar.toRealPath().toString(), submitted.get("batchInfo").get("resource").asText());
        List<String> states = new ArrayList<>();
        states.add("PENDING");
        await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(100)).until(() -> {
            String state = ok(rest.get("/batches/" + id, ALICE)).get("state").asText();
            if (!state.equals(states.get(states.size() - 1))) states.add(state);
            return state.equals("FINISHED") || state.equals("ERROR");
        });
        assertEquals(List.of("PENDING", "RUNNING", "FINISHED"), states, server.tail());
        JsonNode b = ok(rest.get("/batches/" + id, ALICE));
        assertTrue(b.get("appId").asText().startsWith("local-"), b.toString());
        assertTrue(b.get("endTime").asLong() >= b.get("createTime").asLong() && b.get("createTime").asLong() > 0);
        assertEquals("count", b.get("name").asText());
        assertTrue(b.get("kyuubiInstance").asText().endsWith(":" + server.port()), b.toString());

        JsonNode log = ok(rest.get("/batches/" + id + "/localLog?from=0&size=10000", ALICE));
        List<String> lines = new ArrayList<>();
        log.get("logRowSet").forEach(l -> lines.add(l.asText()));
        assertEquals(lines.size(), log.get("rowCount").asInt());
        assertTrue(lines.contains("Counted 1000 rows"), String.join("\n", lines));
        assertTrue(lines.contains("applicationId=" + b.get("appId").asText()), String.join("\n", lines));
        JsonNode page = ok(rest.get("/batches/" + id + "/localLog?from=1&size=2", ALICE));
        assertEquals(2, page.get("rowCount").asInt());
        assertEquals(lines.get(1), page.get("logRowSet").get(0).asText());
        finished = id;
    }

    @Test
    @Order(2)
    void aFailingApplicationEndsInErrorWithItsDiagnostics() throws Exception {
        String id = ok(submit(ALICE, "fails", List.of("10", "0", "fail"), Map.of())).get("id").asText();
        JsonNode b = awaitEnd(id, ALICE);
        assertEquals("ERROR", b.get("state").asText(), b.toString());
        assertTrue(b.get("appState").asText().contains("exit code 1"), b.toString());
        assertTrue(b.get("appDiagnostic").asText().contains(BatchApp.FAILURE), b.toString());
        assertTrue(b.get("appId").asText().startsWith("local-"), b.toString());
    }

    @Test
    @Order(3)
    void deletingARunningBatchKillsItsApplicationAndItReadsCanceledWhileOthersCannotTouchIt() throws Exception {
        String id = ok(submit(ALICE, "long", List.of("10", "300"), Map.of())).get("id").asText();
        await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(200))
                .until(() -> ok(rest.get("/batches/" + id, ALICE)).get("state").asText().equals("RUNNING"));
        String marker = server.workDir.resolve("batches").resolve(id).toString();
        assertFalse(processesOf(marker).isEmpty(), "the application runs");

        HttpResponse<String> bobGets = rest.get("/batches/" + id, BOB);
        assertEquals(404, bobGets.statusCode(), bobGets.body());
        assertEquals(404, rest.delete("/batches/" + id, BOB).statusCode());
        assertEquals(404, rest.get("/batches/" + id + "/localLog", BOB).statusCode());
        assertEquals(0, ok(rest.get("/batches?batchUser=alice", BOB)).get("total").asInt());
        assertEquals(0, ok(rest.get("/batches", BOB)).get("total").asInt());
        assertEquals("RUNNING", ok(rest.get("/batches/" + id, CAROL)).get("state").asText());
        JsonNode all = ok(rest.get("/batches", CAROL));
        assertEquals(3, all.get("total").asInt(), all.toString());
        assertEquals(1, ok(rest.get("/batches?batchState=RUNNING", CAROL)).get("total").asInt());
        assertEquals(3, ok(rest.get("/batches", ALICE)).get("total").asInt());
        assertEquals(1, ok(rest.get("/batches?from=1&size=1", ALICE)).get("batches").size());

        JsonNode closed = ok(rest.delete("/batches/" + id, ALICE));
        assertTrue(closed.get("success").asBoolean(), closed.toString());
        assertEquals("CANCELED", ok(rest.get("/batches/" + id, ALICE)).get("state").asText());
        assertTrue(processesOf(marker).isEmpty(), "no process of the batch is left");
        assertFalse(ok(rest.delete("/batches/" + id, ALICE)).get("success").asBoolean());
    }

    @Test
    @Order(4)
    void kitsuneCtlCreatesFollowsSubmitsListsAndDeletesBatchesWithKyuubiCtlsCommands() throws Exception {
        Path work = Files.createDirectories(apps.getParent().resolve("ctl"));
        String[] ctlArgs = {"--hostUrl", api, "--password", "pw", "--conf", "kyuubi.ctl.batch.log.query.interval=PT0.2S"};

        // create batch -f: the login is the file's username; the batch is printed as kyuubi-ctl's report
        Path count = jobFile(work, "count.yaml", "ctl-count", "1000", "2");
        KitsuneCtl.Run created = ctl(work, ctlArgs, "create", "batch", "-f", count.toString());
        assertEquals(0, created.rc(), created.toString());
        java.util.regex.Matcher m = Pattern.compile("Batch Report \\(([0-9a-f-]+)\\)").matcher(created.out());
        assertTrue(m.find(), created.out());
        String id = m.group(1);
        assertEquals("alice", ok(rest.get("/batches/" + id, ALICE)).get("user").asText());
        assertTrue(created.out().contains("ctl-count"), created.out());

        // log batch --forward: prints the log and returns once the batch has ended
        KitsuneCtl.Run log = ctl(work, ctlArgs, "log", "batch", id, "--forward", "--username", "alice");
        assertEquals(0, log.rc(), log.toString());
        assertTrue(log.out().lines().anyMatch(l -> l.equals("Counted 1000 rows")), log.out());
        assertEquals("FINISHED", ok(rest.get("/batches/" + id, ALICE)).get("state").asText(),
                "the log was followed to the batch's end");
        KitsuneCtl.Run page = ctl(work, ctlArgs, "log", "batch", id, "--from", "1", "--size", "2", "--username", "alice");
        assertEquals(2, page.out().lines().count(), page.out());

        // get batch
        KitsuneCtl.Run got = ctl(work, ctlArgs, "get", "batch", id, "--username", "alice");
        assertEquals(0, got.rc(), got.toString());
        assertTrue(got.out().lines().anyMatch(l -> l.matches("║ State +│ FINISHED +║")), got.out());
        assertTrue(got.out().contains("App Id: local-"), got.out());

        // submit batch: a failing application ends the command with exit status 1 and its state
        KitsuneCtl.Run failed = ctl(work, ctlArgs, "submit", "batch", "-f",
                jobFile(work, "fails.yaml", "ctl-fails", "10", "0", "fail").toString());
        assertEquals(1, failed.rc(), failed.toString());
        assertTrue(failed.err().contains("failed: it ended in state ERROR"), failed.err());
        assertTrue(failed.err().contains(BatchApp.FAILURE), failed.err());
        assertTrue(failed.out().lines().anyMatch(l -> l.equals("Counted 10 rows")), failed.out());

        // submit batch --waitCompletion false returns once the application runs; delete batch cancels it
        KitsuneCtl.Run running = ctl(work, ctlArgs, "submit", "batch", "-f",
                jobFile(work, "long.yaml", "ctl-long", "10", "300").toString(), "--waitCompletion", "false");
        assertEquals(0, running.rc(), running.toString());
        m = Pattern.compile("Batch Report \\(([0-9a-f-]+)\\)").matcher(running.out());
        assertTrue(m.find(), running.out());
        String longId = m.group(1);
        assertNotEquals("PENDING", ok(rest.get("/batches/" + longId, ALICE)).get("state").asText());

        // list batch --batchUser: an administrator sees alice's batches, another user none of them
        KitsuneCtl.Run listed = ctl(work, ctlArgs, "list", "batch", "--batchUser", "alice", "--username", "carol");
        assertEquals(0, listed.rc(), listed.toString());
        assertTrue(listed.out().contains(id) && listed.out().contains(longId), listed.out());
        KitsuneCtl.Run finishedOnly = ctl(work, ctlArgs, "list", "batch", "--batchUser", "alice", "--batchState",
                "FINISHED", "--batchName", "ctl-count", "--username", "carol");
        assertTrue(finishedOnly.out().contains(id) && !finishedOnly.out().contains(longId), finishedOnly.out());
        assertTrue(finishedOnly.out().contains("Batch List (from 0 total 1)"), finishedOnly.out());
        KitsuneCtl.Run bobs = ctl(work, ctlArgs, "list", "batch", "--batchUser", "alice", "--username", "bob");
        assertEquals(0, bobs.rc(), bobs.toString());
        assertFalse(bobs.out().contains(id), bobs.out());

        // another user's batch, and an unknown one, are "no batch"; bob cannot cancel alice's batch
        KitsuneCtl.Run bobDeletes = ctl(work, ctlArgs, "delete", "batch", longId, "--username", "bob");
        assertEquals(1, bobDeletes.rc(), bobDeletes.toString());
        assertTrue(bobDeletes.err().startsWith("Error: No batch " + longId + " for bob"), bobDeletes.err());
        String unknown = "00000000-0000-0000-0000-000000000000";
        KitsuneCtl.Run none = ctl(work, ctlArgs, "get", "batch", unknown, "--username", "alice");
        assertEquals(1, none.rc(), none.toString());
        assertTrue(none.err().startsWith("Error: No batch " + unknown + " for alice"), none.err());
        assertTrue(none.err().contains("HTTP 404"), none.err());
        assertEquals(1, none.err().strip().lines().count(), none.err());

        KitsuneCtl.Run deleted = ctl(work, ctlArgs, "delete", "batch", longId, "--username", "alice");
        assertEquals(0, deleted.rc(), deleted.toString());
        assertTrue(RestClient.JSON.readTree(deleted.out()).get("success").asBoolean(), deleted.out());
        assertEquals("CANCELED", ok(rest.get("/batches/" + longId, ALICE)).get("state").asText());
        assertTrue(processesOf(server.workDir.resolve("batches").resolve(longId).toString()).isEmpty());

        // a malformed file names the file and the field, and nothing is submitted
        Path bad = Files.writeString(work.resolve("bad.yaml"), "apiVersion: v1\nrequest:\n  batchType: SPARK\n");
        KitsuneCtl.Run refused = ctl(work, ctlArgs, "create", "batch", "-f", bad.toString());
        assertEquals(2, refused.rc(), refused.toString());
        assertEquals("Error: Batch file " + bad + ": field request.resource: missing (the application jar on the "
                + "server)", refused.err().strip());
    }

    @Test
    @Order(5)
    void hostileSubmissionsAreRefusedNamingTheCause() throws Exception {
        HttpResponse<String> outside = rest.post("/batches", ALICE, body("/etc/passwd", "Main", List.of(), Map.of()));
        assertEquals(403, outside.statusCode(), outside.body());
        assertTrue(message(outside).contains("kitsune.batch.resource.dirs"), outside.body());

        Path link = apps.resolve("escape.jar");
        Files.createSymbolicLink(link, Path.of("/etc/hostname"));
        HttpResponse<String> viaLink = rest.post("/batches", ALICE, body(link.toString(), "Main", List.of(), Map.of()));
        assertEquals(403, viaLink.statusCode(), viaLink.body());
        HttpResponse<String> dotDot = rest.post("/batches", ALICE,
                body(apps.resolve("../server/conf/kyuubi-defaults.conf").toString(), "Main", List.of(), Map.of()));
        assertEquals(403, dotDot.statusCode(), dotDot.body());

        HttpResponse<String> restricted = submit(ALICE, "x", List.of("1"),
                Map.of("spark.driver.extraJavaOptions", "-javaagent:/tmp/evil.jar"));
        assertEquals(400, restricted.statusCode(), restricted.body());
        assertTrue(message(restricted).contains("kyuubi.session.conf.restrict.list"), restricted.body());

        HttpResponse<String> badClass = rest.post("/batches", ALICE,
                body(jar.toString(), "Main; rm -rf /", List.of(), Map.of()));
        assertEquals(400, badClass.statusCode(), badClass.body());

        HttpResponse<String> proxy = submit(ALICE, "x", List.of("1"), Map.of("hive.server2.proxy.user", "bob"));
        assertEquals(403, proxy.statusCode(), proxy.body());

        HttpResponse<String> upload = rest.send(rest.request("/batches", ALICE)
                .header("Content-Type", "multipart/form-data; boundary=x")
                .POST(HttpRequest.BodyPublishers.ofString("--x--")));
        assertEquals(400, upload.statusCode(), upload.body());
        assertTrue(message(upload).contains("batchRequest"), upload.body());

        HttpResponse<String> pyspark = rest.post("/batches", ALICE,
                Map.of("batchType", "PYSPARK", "resource", jar.toString()));
        assertEquals(400, pyspark.statusCode(), pyspark.body());
        assertEquals(6, ok(rest.get("/batches", CAROL)).get("total").asInt(), "nothing was recorded");
    }

    @Test
    @Order(6)
    void afterACrashAndARestartTheBatchesAreStillThereAndTheRunningOneIsFollowedToItsEnd() throws Exception {
        String id = ok(submit(ALICE, "survivor", List.of("100", "25"), Map.of())).get("id").asText();
        await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(200))
                .until(() -> ok(rest.get("/batches/" + id, ALICE)).get("state").asText().equals("RUNNING"));
        String before = ok(rest.get("/batches/" + id, ALICE)).get("kyuubiInstance").asText();
        server.kill9();
        assertFalse(processesOf(server.workDir.resolve("batches").resolve(id).toString()).isEmpty(),
                "the application outlives its server");
        server.start();
        api = server.awaitLog(REST, Duration.ofSeconds(60)).group(1);
        rest = new RestClient(api);

        assertEquals("FINISHED", ok(rest.get("/batches/" + finished, ALICE)).get("state").asText());
        assertEquals(7, ok(rest.get("/batches", CAROL)).get("total").asInt());
        JsonNode b = awaitEnd(id, ALICE);
        assertEquals("FINISHED", b.get("state").asText(), b + "\n" + server.tail());
        assertNotEquals(before, b.get("kyuubiInstance").asText(), "the new server took it over");
        assertTrue(server.countLog("Took over batch " + id) == 1, server.tail());
    }

    @Test
    @Order(7)
    void endedBatchesLeaveTheStoreAfterTheMaxAgeWhileUnfinishedOnesStay() throws Exception {
        String running = ok(submit(ALICE, "stays", List.of("10", "300"), Map.of())).get("id").asText();
        await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(200))
                .until(() -> ok(rest.get("/batches/" + running, ALICE)).get("state").asText().equals("RUNNING"));
        long applied = server.countLog("Applied configuration changes:");
        // edited while serving: taken at the next cleaner round
        server.set("kyuubi.metadata.max.age", "PT2S").set("kyuubi.metadata.cleaner.interval", "PT1S").writeConf();
        await("the ended batch removed").atMost(Duration.ofMinutes(1)).pollInterval(Duration.ofMillis(500))
                .until(() -> rest.get("/batches/" + finished, ALICE).statusCode() == 404);
        assertTrue(server.countLog("that ended more than PT2S ago (kyuubi.metadata.max.age)") >= 1, server.tail());
        assertEquals("RUNNING", ok(rest.get("/batches/" + running, ALICE)).get("state").asText(),
                "an unfinished batch is never removed");
        assertEquals(1, ok(rest.get("/batches", CAROL)).get("total").asInt(), "only the running batch is left");

        // back to the default: a batch that ends now stays
        server.conf.remove("kyuubi.metadata.max.age");
        server.conf.remove("kyuubi.metadata.cleaner.interval");
        server.writeConf();
        // the edit leaves the metadata store's own keys as they were: the store stays open and no batch call is
        // refused while the edit is applied (each call is a round trip to the store)
        List<Integer> answers = new java.util.concurrent.CopyOnWriteArrayList<>();
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(20)).until(() -> {
            answers.add(rest.get("/batches/" + running, ALICE).statusCode());
            return server.countLog("Applied configuration changes:") >= applied + 2;
        });
        await().during(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(20))
                .until(() -> answers.add(rest.get("/batches/" + running, ALICE).statusCode()));
        assertEquals(java.util.Set.of(200), java.util.Set.copyOf(answers), answers.size() + " answers");
        assertEquals(0, server.countLog("Opening the batch metadata store again"), server.tail());
        assertEquals(200, rest.delete("/batches/" + running, ALICE).statusCode());
        await().during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(500))
                .until(() -> rest.get("/batches/" + running, ALICE).statusCode() == 200);
        finished = running;
    }

    @Test
    @Order(8)
    void aDrainingServerRefusesNewBatchesWith503() throws Exception {
        // an open session keeps the draining server up (batches do not: other servers take them over)
        String session = ok(rest.post("/sessions", BOB, "{}")).get("identifier").asText();
        try (ZooKeeper zk = Zk.connect(server.zkConnect())) {
            for (String node : zk.getChildren("/" + server.namespace(), false)) {
                zk.delete("/" + server.namespace() + "/" + node, -1);
            }
        }
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200))
                .until(() -> submit(ALICE, "late", List.of("1"), Map.of()).statusCode() == 503);
        HttpResponse<String> refused = submit(ALICE, "late", List.of("1"), Map.of());
        assertTrue(message(refused).contains("accepts no new batches"), refused.body());
        assertEquals(200, rest.get("/batches/" + finished, ALICE).statusCode(), "reads still answer");
        assertEquals(200, rest.delete("/sessions/" + session, BOB).statusCode());
        assertTrue(server.awaitExit(Duration.ofSeconds(60)), "the drain ends with the last session:\n" + server.tail());
    }

    // ---------------------------------------------------------------- helpers

    private KitsuneCtl.Run ctl(Path work, String[] ctlArgs, String... args) throws Exception {
        List<String> all = new ArrayList<>(List.of(args));
        all.addAll(List.of(ctlArgs));
        return KitsuneCtl.run(server.confDir, work, all.toArray(String[]::new));
    }

    /** A batch file in kyuubi-ctl's format, submitting the test application as alice. */
    private Path jobFile(Path work, String file, String name, String... args) throws Exception {
        StringBuilder y = new StringBuilder("apiVersion: v1\nusername: alice\nrequest:\n  batchType: SPARK\n")
                .append("  name: ").append(name).append("\n  resource: ").append(jar).append("\n  className: ")
                .append(BatchApp.CLASS_NAME).append("\n  args:\n");
        for (String a : args) y.append("    - ").append(a).append("\n");
        y.append("  configs:\n    spark.ui.enabled: false\noptions:\n  verbose: false\n");
        return Files.writeString(work.resolve(file), y.toString());
    }

    private List<ProcessHandle> processesOf(String marker) {
        return ProcessHandle.allProcesses().filter(p -> p.isAlive()
                && p.info().commandLine().map(c -> c.contains(marker)).orElse(false)).toList();
    }

    private JsonNode awaitEnd(String id, String login) throws Exception {
        await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(200)).until(() -> {
            String s = ok(rest.get("/batches/" + id, login)).get("state").asText();
            return s.equals("FINISHED") || s.equals("ERROR") || s.equals("CANCELED");
        });
        return ok(rest.get("/batches/" + id, login));
    }

    private HttpResponse<String> submit(String login, String name, List<String> args, Map<String, String> conf)
            throws Exception {
        return rest.post("/batches", login, body(jar.toString(), BatchApp.CLASS_NAME, args, conf, name));
    }

    private Map<String, Object> body(String resource, String className, List<String> args,
            Map<String, String> conf) {
        return body(resource, className, args, conf, "b");
    }

    private Map<String, Object> body(String resource, String className, List<String> args,
            Map<String, String> conf, String name) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("batchType", "SPARK");
        m.put("resource", resource);
        m.put("className", className);
        m.put("name", name);
        m.put("conf", conf);
        m.put("args", args);
        return m;
    }
}
