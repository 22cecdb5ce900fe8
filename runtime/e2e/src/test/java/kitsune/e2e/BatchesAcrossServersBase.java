package kitsune.e2e;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
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
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import kitsune.testkit.KitsuneServer;
import kitsune.testkit.Processes;
import kitsune.testkit.ZooKeeperEnsemble;

/**
 * Two servers sharing a ZooKeeper ensemble and one metadata store (a database server started by the subclass, with
 * its JDBC driver given to the servers through kitsune.metadata.store.jdbc.driver.jars): either server answers
 * for a batch the other accepted, only the owner deletes it, and when the owner is killed with SIGKILL the other
 * takes the batch over once the owner is neither registered nor alive in the store; its application ran from the dead
 * server's work directory, which the survivor cannot see (as on another host), so the batch reads ERROR with a
 * diagnostic that says why, in the shared database too.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class BatchesAcrossServersBase {
    private static final Pattern REST = Pattern.compile("REST API at (http://\\S+/api/v1)");
    private static final String ALICE = "alice:pw";

    private final ObjectMapper json = new ObjectMapper();
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    private ZooKeeperEnsemble zk;
    private KitsuneServer a;
    private KitsuneServer b;
    private String apiA;
    private String apiB;
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
                    .set("kitsune.batch.resource.dirs", apps.toString())
                    .set("kyuubi.batch.application.check.interval", "PT0.5S")
                    .set("spark.master", "local[1]").set("spark.driver.memory", "512m")
                    .set("spark.ui.enabled", "false");
            storeConf.forEach(s::set);
            s.start();
            String api = s.awaitLog(REST, Duration.ofSeconds(60)).group(1);
            if (name.equals("a")) {
                a = s;
                apiA = api;
            } else {
                b = s;
                apiB = api;
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
    void anyServerAnswersForABatchAndTheSurvivorTakesOverTheBatchOfAKilledServer() throws Exception {
        Map<String, Object> req = new LinkedHashMap<>();
        req.put("batchType", "SPARK");
        req.put("resource", jar.toString());
        req.put("className", BatchApp.CLASS_NAME);
        req.put("name", "orphan");
        req.put("args", List.of("10", "300"));
        JsonNode submitted = ok(send(apiA, "POST", "/batches", json.writeValueAsString(req)));
        String id = submitted.get("id").asText();
        String owner = submitted.get("kyuubiInstance").asText();
        assertEquals("PENDING", ok(send(apiB, "GET", "/batches/" + id, null)).get("state").asText(),
                "the other server reads it from the shared store");
        await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(300))
                .until(() -> ok(send(apiB, "GET", "/batches/" + id, null)).get("state").asText().equals("RUNNING"));
        HttpResponse<String> notOwner = send(apiB, "DELETE", "/batches/" + id, null);
        assertEquals(409, notOwner.statusCode(), notOwner.body());
        assertTrue(notOwner.body().contains(owner), notOwner.body());
        assertEquals(404, send(apiB, "GET", "/batches/" + id + "/localLog", null).statusCode());
        assertEquals(200, send(apiA, "GET", "/batches/" + id + "/localLog", null).statusCode());

        a.kill9();
        await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(500))
                .until(() -> ok(send(apiB, "GET", "/batches/" + id, null)).get("state").asText().equals("ERROR"));
        JsonNode taken = ok(send(apiB, "GET", "/batches/" + id, null));
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

    /**
     * Starts the shared database; returns the servers' metadata store keys (URL, driver, driver jars, credentials).
     */
    abstract Map<String, String> startStore(Path root) throws Exception;

    /** A connection to the shared database, for the test to read what the servers wrote. */
    abstract Connection connectStore() throws Exception;

    /** Stops the shared database (called once, after the servers; also after a failed start). */
    abstract void stopStore() throws Exception;

    private JsonNode ok(HttpResponse<String> resp) throws Exception {
        assertEquals(200, resp.statusCode(), resp.body());
        return json.readTree(resp.body());
    }

    private HttpResponse<String> send(String api, String method, String path, String body) throws Exception {
        HttpRequest.Builder r = HttpRequest.newBuilder(URI.create(api + path)).timeout(Duration.ofMinutes(3))
                .header("Authorization", "Basic " + Base64.getEncoder().encodeToString(
                        ALICE.getBytes(StandardCharsets.UTF_8)));
        if (body != null) r.header("Content-Type", "application/json");
        r.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        return http.send(r.build(), HttpResponse.BodyHandlers.ofString());
    }
}
