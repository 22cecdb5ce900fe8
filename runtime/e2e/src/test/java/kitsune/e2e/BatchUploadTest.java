package kitsune.e2e;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static kitsune.testkit.RestClient.message;
import static kitsune.testkit.RestClient.ok;

import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.stream.Stream;

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

/**
 * Kyuubi's batch upload on a real server, from the JDK's HttpClient: the application jar sent as multipart/form-data
 * (parts batchRequest and resourceFile) runs to FINISHED with its output in the local log, though the server allows
 * no local resource at all (kitsune.batch.resource.dirs empty), stored owner-only under a name of the server's
 * whatever file name the client sent, and removed when the batch ends; an upload over
 * kyuubi.batch.resource.file.max.size is refused with 413 and leaves nothing; refused uploads (no login, from a web
 * page, a bad request) record and keep nothing. With extraResourcesMap: an application whose main class needs a class
 * of an extra jar (spark.jars) and reads an extra text file (spark.files) runs to FINISHED, and a listed file without
 * its part, or an extra file over kyuubi.batch.extra.resource.file.max.size, is refused and leaves nothing.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class BatchUploadTest {
    private static final Pattern REST = Pattern.compile("REST API at (http://\\S+/api/v1)");
    private static final String ALICE = "alice:pw";
    private static final int MAX = 1 << 20;

    private KitsuneServer server;
    private Path jar;
    private Path uploads;
    private RestClient rest;

    @BeforeAll
    void start() throws Exception {
        Path dir = Files.createTempDirectory("kitsune-e2e-upload-");
        jar = BatchApp.build(Files.createDirectories(dir.resolve("client")), KitsuneServer.HOME.resolve(
                "engines/spark-4.0/jars"));
        server = new KitsuneServer(dir.resolve("server"))
                .set("kyuubi.frontend.protocols", "THRIFT_BINARY,REST")
                .set("kyuubi.frontend.rest.bind.host", "127.0.0.1")
                .set("kyuubi.authentication", "NONE")
                .set("kyuubi.batch.resource.file.max.size", String.valueOf(MAX))
                .set("kyuubi.batch.extra.resource.file.max.size", String.valueOf(MAX))
                .set("kyuubi.batch.application.check.interval", "PT0.2S")
                .set("spark.master", "local[1]").set("spark.driver.memory", "512m")
                .set("spark.ui.enabled", "false")
                .start();
        rest = new RestClient(server.awaitLog(REST, Duration.ofSeconds(60)).group(1));
        uploads = server.workDir.resolve("upload");
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
    void anUploadedJarRunsToFinishedStoredOwnerOnlyUnderTheServersNameAndIsRemovedAtTheEnd() throws Exception {
        byte[] app = Files.readAllBytes(jar);
        HttpResponse<String> resp = upload(ALICE, request("count", List.of("1000", "3")),
                "../../../../etc/cron.d/evil.jar", app, Map.of());
        JsonNode submitted = ok(resp);
        String id = submitted.get("id").asText();
        Path stored = uploads.resolve(id).resolve("resource.jar");
        assertEquals(stored.toString(), submitted.get("batchInfo").get("resource").asText(), submitted.toString());
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(uploads)));
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(stored.getParent())));
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(stored)));
        assertTrue(java.util.Arrays.equals(app, Files.readAllBytes(stored)), "the stored file is the upload");
        assertFalse(Files.exists(Path.of("/etc/cron.d/evil.jar")));

        JsonNode b = awaitEnd(id);
        assertEquals("FINISHED", b.get("state").asText(), b + server.tail());
        JsonNode log = ok(rest.get("/batches/" + id + "/localLog?from=0&size=10000", ALICE));
        List<String> lines = new ArrayList<>();
        log.get("logRowSet").forEach(l -> lines.add(l.asText()));
        assertTrue(lines.contains("Counted 1000 rows"), String.join("\n", lines));
        await().atMost(Duration.ofSeconds(10)).until(() -> !Files.exists(stored.getParent()));
        assertEquals(List.of(), leftovers());
    }

    @Test
    @Order(2)
    void anUploadOverTheMaximumSizeIsRefusedWith413NamingTheKeyAndLeavesNothing() throws Exception {
        int before = total();
        byte[] big = new byte[MAX + MAX / 2];
        new java.util.Random(7).nextBytes(big);
        HttpResponse<String> resp = upload(ALICE, request("big", List.of("1")), "big.jar", big, Map.of());
        assertEquals(413, resp.statusCode(), resp.body());
        assertTrue(message(resp).contains("kyuubi.batch.resource.file.max.size"), resp.body());
        assertEquals(before, total(), "nothing was recorded");
        await().atMost(Duration.ofSeconds(10)).until(() -> leftovers().isEmpty());
    }

    @Test
    @Order(3)
    void refusedUploadsRecordAndKeepNothing() throws Exception {
        int before = total();
        byte[] app = Files.readAllBytes(jar);
        // a cross-site form in a browser with alice's credentials
        HttpResponse<String> fromPage = upload(ALICE, request("x", List.of("1")), "a.jar", app,
                Map.of("Origin", "https://evil.example"));
        assertEquals(403, fromPage.statusCode(), fromPage.body());
        assertTrue(message(fromPage).contains("X-XSRF-HEADER"), fromPage.body());

        HttpResponse<String> noLogin = upload(null, request("x", List.of("1")), "a.jar", app, Map.of());
        assertEquals(401, noLogin.statusCode(), noLogin.body());

        Map<String, Object> badClass = request("x", List.of("1"));
        badClass.put("className", "Main; rm -rf /");
        HttpResponse<String> refused = upload(ALICE, badClass, "a.jar", app, Map.of());
        assertEquals(400, refused.statusCode(), refused.body());

        HttpResponse<String> noFile = rest.send(rest.request("/batches", ALICE).header("Content-Type",
                "multipart/form-data; boundary=x").POST(HttpRequest.BodyPublishers.ofString("--x--\r\n")));
        assertEquals(400, noFile.statusCode(), noFile.body());

        assertEquals(before, total(), "nothing was recorded");
        assertEquals(List.of(), leftovers());
    }

    @Test
    @Order(4)
    void anApplicationNeedingAnExtraJarAndAnExtraFileRunsToFinishedAndLeavesNothing() throws Exception {
        Path dir = Files.createTempDirectory("kitsune-e2e-extra-");
        ExtraApp.Jars jars = ExtraApp.build(dir);
        Map<String, Object> req = request("extra", List.of("from-args"));
        req.put("className", ExtraApp.MAIN);
        Map<String, String> extra = new LinkedHashMap<>();
        extra.put("spark.jars", "../lib/" + ExtraApp.LIB_JAR);
        extra.put("spark.files", "greeting.txt");
        req.put("extraResourcesMap", extra);
        Map<String, byte[]> parts = new LinkedHashMap<>();
        parts.put("../lib/" + ExtraApp.LIB_JAR, Files.readAllBytes(jars.lib()));
        parts.put("greeting.txt", "hello from the extra file".getBytes(StandardCharsets.UTF_8));
        HttpResponse<String> resp = upload(ALICE, req, "main.jar", Files.readAllBytes(jars.main()), parts, Map.of());
        JsonNode submitted = ok(resp);
        String id = submitted.get("id").asText();
        Path batchDir = uploads.resolve(id);
        // stored under the server's names, owner-only (read at once: the application takes a few seconds)
        Path storedJar = batchDir.resolve("extra-1.jar");
        assertTrue(java.util.Arrays.equals(Files.readAllBytes(jars.lib()), Files.readAllBytes(storedJar)));
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(storedJar)));
        assertEquals("hello from the extra file", Files.readString(batchDir.resolve("extra-2.txt")));
        assertFalse(Files.exists(uploads.resolve("lib")), "the listed name is no path");

        JsonNode b = awaitEnd(id);
        JsonNode log = ok(rest.get("/batches/" + id + "/localLog?from=0&size=10000", ALICE));
        List<String> lines = new ArrayList<>();
        log.get("logRowSet").forEach(l -> lines.add(l.asText()));
        assertEquals("FINISHED", b.get("state").asText(), b + String.join("\n", lines) + server.tail());
        assertTrue(lines.contains(ExtraApp.GREETING + " from-args"), String.join("\n", lines));
        assertTrue(lines.contains("file extra-2.txt: hello from the extra file"), String.join("\n", lines));
        await().atMost(Duration.ofSeconds(10)).until(() -> !Files.exists(batchDir));
        assertEquals(List.of(), leftovers());
    }

    @Test
    @Order(5)
    void extraFilesNotUploadedOrTooLargeOrNotInAnUploadAreRefusedAndLeaveNothing() throws Exception {
        int before = total();
        byte[] app = Files.readAllBytes(jar);
        Map<String, Object> req = request("x", List.of("1"));
        req.put("extraResourcesMap", Map.of("spark.jars", "a.jar,b.jar"));
        HttpResponse<String> missing = upload(ALICE, req, "app.jar", app, Map.of("a.jar", new byte[] {1}), Map.of());
        assertEquals(400, missing.statusCode(), missing.body());
        assertEquals("required extra resource files [b.jar] are not uploaded in the multipart form data",
                message(missing));

        Map<String, Object> badKey = request("x", List.of("1"));
        badKey.put("extraResourcesMap", Map.of("spark.driver.extraClassPath", "a.jar"));
        HttpResponse<String> refusedKey = upload(ALICE, badKey, "app.jar", app, Map.of("a.jar", new byte[] {1}),
                Map.of());
        assertEquals(400, refusedKey.statusCode(), refusedKey.body());
        assertTrue(message(refusedKey).contains("spark.driver.extraClassPath"), refusedKey.body());

        Map<String, Object> big = request("x", List.of("1"));
        big.put("extraResourcesMap", Map.of("spark.files", "big.csv"));
        HttpResponse<String> tooLarge = upload(ALICE, big, "app.jar", app, Map.of("big.csv", new byte[MAX + 1]),
                Map.of());
        assertEquals(413, tooLarge.statusCode(), tooLarge.body());
        assertTrue(message(tooLarge).contains("kyuubi.batch.extra.resource.file.max.size"), tooLarge.body());

        Map<String, Object> asJson = request("x", List.of("1"));
        asJson.put("extraResourcesMap", Map.of("spark.jars", "a.jar"));
        HttpResponse<String> json = rest.post("/batches", ALICE, asJson);
        assertEquals(400, json.statusCode(), json.body());
        assertTrue(message(json).contains("multipart/form-data"), json.body());

        assertEquals(before, total(), "nothing was recorded");
        await().atMost(Duration.ofSeconds(10)).until(() -> leftovers().isEmpty());
    }

    // ---------------------------------------------------------------- helpers

    private Map<String, Object> request(String name, List<String> args) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("batchType", "SPARK");
        m.put("resource", "ignored-for-an-upload.jar");
        m.put("className", BatchApp.CLASS_NAME);
        m.put("name", name);
        m.put("args", args);
        return m;
    }

    /** POST /batches as Kyuubi's client sends an upload: multipart/form-data, parts batchRequest and resourceFile. */
    private HttpResponse<String> upload(String login, Map<String, Object> batchRequest, String fileName, byte[] file,
            Map<String, String> headers) throws Exception {
        return upload(login, batchRequest, fileName, file, Map.of(), headers);
    }

    /** As Kyuubi's client sends extra files: one part each, named by the file's name as extraResourcesMap lists it. */
    private HttpResponse<String> upload(String login, Map<String, Object> batchRequest, String fileName, byte[] file,
            Map<String, byte[]> extras, Map<String, String> headers) throws Exception {
        RestClient.Multipart form = new RestClient.Multipart().json("batchRequest", batchRequest)
                .file("resourceFile", fileName, "application/octet-stream", file);
        extras.forEach((name, bytes) -> form.file(name, name, "application/octet-stream", bytes));
        HttpRequest.Builder b = form.post(rest.request("/batches", login));
        headers.forEach(b::header);
        return rest.send(b);
    }

    /** Whatever is in the upload directory: batch directories and the parser's temporary files. */
    private List<String> leftovers() throws Exception {
        if (!Files.isDirectory(uploads)) return List.of();
        try (Stream<Path> all = Files.list(uploads)) {
            return all.map(p -> p.getFileName().toString()).toList();
        }
    }

    private JsonNode awaitEnd(String id) throws Exception {
        await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(200)).until(() -> {
            String s = ok(rest.get("/batches/" + id, ALICE)).get("state").asText();
            return s.equals("FINISHED") || s.equals("ERROR") || s.equals("CANCELED");
        });
        return ok(rest.get("/batches/" + id, ALICE));
    }

    private int total() throws Exception {
        return ok(rest.get("/batches", ALICE)).get("total").asInt();
    }
}
