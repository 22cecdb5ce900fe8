package kitsune.e2e;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static kitsune.testkit.RestClient.ok;

import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.Base64;
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

import com.fasterxml.jackson.databind.JsonNode;

import kitsune.testkit.BatchApp;
import kitsune.testkit.KitsuneServer;
import kitsune.testkit.Processes;
import kitsune.testkit.RestClient;
import kitsune.testkit.ZooKeeperEnsemble;

/**
 * Two servers sharing a ZooKeeper ensemble, one metadata store (a database server started by the subclass, with its
 * JDBC driver given to the servers through kitsune.metadata.store.jdbc.driver.jars) and the keys of
 * kitsune.frontend.thrift.http.cookie.secrets: either server answers for a batch the other accepted; its local log
 * and its DELETE sent to the other server are forwarded to the owner, whose answer comes back unchanged; a client
 * that forges the forwarding headers is refused; and when the owner is killed with SIGKILL the other says that the
 * owner is gone, then takes the batch over once the owner is neither registered nor alive in the store; its
 * application ran from the dead server's work directory, which the survivor cannot see (as on another host), so the
 * batch reads ERROR with a diagnostic that says why, in the shared database too.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
abstract class BatchesAcrossServersBase {
    private static final Pattern REST = Pattern.compile("REST API at (http://\\S+/api/v1)");
    private static final String ALICE = "alice:pw";

    private ZooKeeperEnsemble zk;
    private KitsuneServer a;
    private KitsuneServer b;
    private RestClient restA;
    private RestClient restB;
    private Path jar;

    @BeforeAll
    void start() throws Exception {
        Path root = Files.createTempDirectory("kitsune-e2e-batches-ha-");
        Map<String, String> storeConf = startStore(root);
        Path apps = Files.createDirectories(root.resolve("apps"));
        jar = BatchApp.build(apps, KitsuneServer.HOME.resolve("engines/spark-4.0/jars"));
        zk = new ZooKeeperEnsemble(root.resolve("zk"), 1, 500, 2000, 60000).start();
        for (String name : List.of("a", "b")) {
            KitsuneServer s = new KitsuneServer(root.resolve(name))
                    .set("kyuubi.ha.addresses", zk.connectString())
                    .set("kyuubi.ha.zookeeper.session.timeout", "6000")
                    .set("kyuubi.frontend.protocols", "THRIFT_BINARY,REST")
                    .set("kyuubi.frontend.rest.bind.host", "127.0.0.1")
                    .set("kyuubi.authentication", "NONE")
                    .set("kyuubi.engine.security.secret.provider.simple.secret", "0123456789abcdef0123456789abcdef")
                    .set("kitsune.frontend.thrift.http.cookie.secrets", "forwarding-key-of-the-namespace-0123456789")
                    .set("kitsune.batch.resource.dirs", apps.toString())
                    .set("kyuubi.batch.application.check.interval", "PT0.5S")
                    .set("spark.master", "local[1]").set("spark.driver.memory", "512m")
                    .set("spark.ui.enabled", "false");
            storeConf.forEach(s::set);
            s.start();
            RestClient rest = new RestClient(s.awaitLog(REST, Duration.ofSeconds(60)).group(1));
            if (name.equals("a")) {
                a = s;
                restA = rest;
            } else {
                b = s;
                restB = rest;
            }
        }
    }

    @AfterAll
    void stop() throws Exception {
        try {
            for (KitsuneServer s : new KitsuneServer[] {a, b}) {
                if (s == null) continue;
                s.close();
                String marker = s.workDir.resolve("batches").toString();
                Processes.endAll(c -> c.contains(marker));
            }
        } finally {
            try {
                if (zk != null) zk.close();
            } finally {
                stopStore();
            }
        }
    }

    @Test
    @Order(1)
    void theLocalLogAndTheDeleteOfABatchSentToTheOtherServerAreForwardedToItsOwner() throws Exception {
        String id = submit("forwarded");
        String owner = ok(restB.get("/batches/" + id, ALICE)).get("kyuubiInstance").asText();
        assertTrue(owner.endsWith(":" + a.port()), owner);
        await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(300))
                .until(() -> ok(restB.get("/batches/" + id, ALICE)).get("state").asText().equals("RUNNING"));
        String marker = a.workDir.resolve("batches").resolve(id).toString();
        assertFalse(processesOf(marker).isEmpty(), "the application runs from server A");

        // the log lives under A's work directory only: B relays A's answer
        await().atMost(Duration.ofMinutes(1)).pollInterval(Duration.ofMillis(300)).until(() -> ok(restA.get(
                "/batches/" + id + "/localLog?from=0&size=3", ALICE)).get("rowCount").asInt() == 3);
        JsonNode fromA = ok(restA.get("/batches/" + id + "/localLog?from=0&size=3", ALICE));
        JsonNode viaB = ok(restB.get("/batches/" + id + "/localLog?from=0&size=3", ALICE));
        assertEquals(fromA, viaB, "B answers with A's log lines");
        assertEquals(1, b.countLog("of batch " + id + " for alice forwarded to its owner " + owner), b.tail());

        HttpResponse<String> deleted = restB.delete("/batches/" + id, ALICE);
        JsonNode closed = ok(deleted);
        assertTrue(closed.get("success").asBoolean(), closed.toString());
        assertEquals("CANCELED", ok(restB.get("/batches/" + id, ALICE)).get("state").asText());
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200))
                .until(() -> processesOf(marker).isEmpty());
        assertEquals(1, a.countLog("Batch " + id + " of alice canceled by alice"), a.tail());
    }

    @Test
    @Order(2)
    void aClientThatForgesAForwardedRequestIsRefused() throws Exception {
        String id = submit("forged");
        String path = "/batches/" + id;
        String uri = URI.create(restA.base() + path).getRawPath();
        // no login at all, only the headers a server would send, signed with a key the client made up
        for (String signature : List.of("9999999999.bm90LWEtc2lnbmF0dXJl", "garbage", forgedSignature(uri))) {
            HttpResponse<String> r = restA.send(restA.request(path, null)
                    .header("X-Kitsune-Forwarded-User", "alice").header("X-Kitsune-Forward-Signature", signature)
                    .DELETE());
            assertEquals(401, r.statusCode(), r.body());
            assertTrue(r.body().contains("Forwarded request refused"), r.body());
        }
        // a logged-in user who adds the headers to be taken for alice is refused too (the headers are never ignored)
        HttpRequest.Builder asBob = restA.request(path, "bob:pw")
                .header("X-Kitsune-Forwarded-User", "alice").header("X-Kitsune-Forward-Signature", forgedSignature(uri))
                .DELETE();
        assertEquals(401, restA.send(asBob).statusCode());
        String state = ok(restA.get(path, ALICE)).get("state").asText();
        assertFalse(state.equals("CANCELED"), state);
        assertTrue(a.countLog("REST forwarded request refused") >= 4, a.tail());
        ok(restA.delete(path, ALICE));
    }

    @Test
    @Order(3)
    void whenTheOwnerIsGoneTheOtherServerSaysSoThenTakesOverTheBatch() throws Exception {
        String id = submit("orphan");
        String owner = ok(restB.get("/batches/" + id, ALICE)).get("kyuubiInstance").asText();
        await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(300))
                .until(() -> ok(restB.get("/batches/" + id, ALICE)).get("state").asText().equals("RUNNING"));

        a.kill9();
        // A's node leaves ZooKeeper with its session: B answers from the store and says why it cannot do more
        await().atMost(Duration.ofMinutes(1)).pollInterval(Duration.ofMillis(300)).until(() -> {
            HttpResponse<String> r = restB.get("/batches/" + id + "/localLog", ALICE);
            return r.statusCode() == 404 && r.body().contains("which is gone");
        });
        HttpResponse<String> log = restB.get("/batches/" + id + "/localLog", ALICE);
        assertTrue(log.body().contains(owner), log.body());
        // still before the take-over: A said it was alive until the kill, and is stale only after 15 s
        HttpResponse<String> delete = restB.delete("/batches/" + id, ALICE);
        assertEquals(409, delete.statusCode(), delete.body());
        assertTrue(delete.body().contains("which is gone") && delete.body().contains(owner), delete.body());

        await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(500))
                .until(() -> ok(restB.get("/batches/" + id, ALICE)).get("state").asText().equals("ERROR"));
        JsonNode taken = ok(restB.get("/batches/" + id, ALICE));
        assertTrue(taken.get("kyuubiInstance").asText().endsWith(":" + b.port()), taken.toString());
        assertTrue(taken.get("appDiagnostic").asText().contains("cannot be found"), taken.toString());
        assertTrue(taken.get("appDiagnostic").asText().contains(owner), taken.toString());
        assertEquals(1, b.countLog("Took over batch " + id), b.tail());
        try (Connection c = connectStore();
                PreparedStatement q = c.prepareStatement(
                        "SELECT state, kyuubi_instance FROM kitsune_batches WHERE id = ?")) {
            q.setString(1, id);
            try (ResultSet rs = q.executeQuery()) {
                assertTrue(rs.next(), "the batch's row is in the shared database");
                assertEquals("ERROR", rs.getString(1));
                assertEquals(taken.get("kyuubiInstance").asText(), rs.getString(2));
            }
        }
    }

    private String submit(String name) throws Exception {
        Map<String, Object> req = new LinkedHashMap<>();
        req.put("batchType", "SPARK");
        req.put("resource", jar.toString());
        req.put("className", BatchApp.CLASS_NAME);
        req.put("name", name);
        req.put("args", List.of("10", "300"));
        JsonNode submitted = ok(restA.post("/batches", ALICE, req));
        return submitted.get("id").asText();
    }

    /** A signature in the servers' format made with a key that is not the namespace's. */
    private static String forgedSignature(String uri) throws Exception {
        long expiry = System.currentTimeMillis() / 1000 + 30;
        javax.crypto.Mac mac = javax.crypto.Mac.getInstance("HmacSHA256");
        mac.init(new javax.crypto.spec.SecretKeySpec("a-key-the-client-made-up-0123456789abc".getBytes(
                StandardCharsets.UTF_8), "HmacSHA256"));
        byte[] sig = mac.doFinal(("kitsune-rest-forward-v1\nalice\nDELETE\n" + uri + "\n" + expiry)
                .getBytes(StandardCharsets.UTF_8));
        return expiry + "." + Base64.getUrlEncoder().withoutPadding().encodeToString(sig);
    }

    private static List<ProcessHandle> processesOf(String marker) {
        return ProcessHandle.allProcesses().filter(p -> p.isAlive()
                && p.info().commandLine().map(c -> c.contains(marker)).orElse(false)).toList();
    }

    /**
     * Starts the shared database; returns the servers' metadata store keys (URL, driver, driver jars, credentials).
     */
    abstract Map<String, String> startStore(Path root) throws Exception;

    /** A connection to the shared database, for the test to read what the servers wrote. */
    abstract Connection connectStore() throws Exception;

    /** Stops the shared database (called once, after the servers; also after a failed start). */
    abstract void stopStore() throws Exception;
}
