package kitsune.e2e;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static kitsune.testkit.RestClient.message;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.UUID;
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

import kitsune.testkit.KitsuneServer;
import kitsune.testkit.RestClient;
import kitsune.testkit.Zk;

/**
 * Kyuubi's REST API on a real server with a real Spark engine and real LDAP logins, driven by the JDK's HttpClient
 * and Jackson as a REST client: sessions, statements (sync and async), paged rows, metadata, cancel and close;
 * another user can neither read nor close a user's session or operation; wrong or missing logins are 401; a
 * malformed body is 400 naming the cause; admin calls only for kyuubi.server.administrators; a draining server
 * refuses new sessions with 503 and serves the open ones to their end.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class RestApiTest {
    private static final Pattern REST = Pattern.compile("REST API at (http://\\S+/api/v1)");
    private static final String ALICE = "alice:wonderland";
    private static final String BOB = "bob:builder";
    private static final String CAROL = "carol:admin-pw";

    private Directory ldap;
    private KitsuneServer server;
    private String api;
    private RestClient rest;
    private String session;

    @BeforeAll
    void start() throws Exception {
        ldap = Directory.ldap(ALICE, BOB, CAROL);
        server = new KitsuneServer(Files.createTempDirectory("kitsune-e2e-rest-"))
                .set("kyuubi.frontend.protocols", "THRIFT_BINARY,REST")
                .set("kyuubi.frontend.rest.bind.host", "127.0.0.1")
                .set("kyuubi.authentication", "LDAP")
                .set("kyuubi.authentication.ldap.url", ldap.url())
                .set("kyuubi.authentication.ldap.baseDN", "ou=people,dc=example,dc=com")
                .set("kyuubi.server.administrators", "carol")
                .set("kyuubi.frontend.proxy.http.client.ip.header", "X-Real-IP")
                // one engine for everyone, so that the test starts one Spark
                .set("kyuubi.engine.share.level", "SERVER")
                .set("spark.master", "local[1]").set("spark.driver.memory", "640m")
                .start();
        api = server.awaitLog(REST, Duration.ofSeconds(60)).group(1);
        rest = new RestClient(api);
    }

    @AfterAll
    void stop() throws Exception {
        try {
            if (server != null) server.close();
        } finally {
            if (ldap != null) ldap.close();
        }
    }

    @Test
    @Order(1)
    void pingAnswersWithoutALoginAndEverythingElseNeedsOne() throws Exception {
        HttpResponse<String> ping = rest.get("/ping", null);
        assertEquals(200, ping.statusCode());
        assertEquals("pong", ping.body());
        HttpResponse<String> openApi = rest.get("/openapi.json", null);
        assertEquals(200, openApi.statusCode());
        assertTrue(openApi.body().contains("\"openapi\":\"3.0.3\"") && openApi.body().contains("/sessions/{sessionHandle}"),
                openApi.body().substring(0, Math.min(200, openApi.body().length())));

        HttpResponse<String> none = rest.get("/sessions", null);
        assertEquals(401, none.statusCode(), none.body());
        assertTrue(none.headers().firstValue("WWW-Authenticate").orElse("").startsWith("Basic"), none.headers()
                .toString());

        HttpResponse<String> wrong = rest.post("/sessions", "alice:looking-glass", "{}");
        assertEquals(401, wrong.statusCode(), wrong.body());
        assertEquals("Authentication failed for user alice", message(wrong));
        assertFalse(wrong.body().contains("looking-glass"), "the password is never echoed");
        assertTrue(server.countLog("REST login refused from 127.0.0.1 for POST /sessions: invalid user name or "
                + "password") >= 1, server.tail());
    }

    @Test
    @Order(2)
    void aBasicLoginSetsASignedCookieThatSparesLaterRequestsTheDirectory() throws Exception {
        ldap.people("dave:diver");
        HttpResponse<String> first = rest.get("/sessions", "dave:diver");
        assertEquals(200, first.statusCode(), first.body());
        String setCookie = first.headers().firstValue("Set-Cookie").orElseThrow();
        assertTrue(setCookie.startsWith("kyuubi.rest.auth=") && setCookie.contains("; Path=/api/v1;")
                && setCookie.contains("; HttpOnly") && setCookie.contains("SameSite=Strict")
                && !setCookie.contains("Secure"), "HttpOnly, Secure only over TLS: " + setCookie);
        String cookie = setCookie.substring(0, setCookie.indexOf(';'));

        // dave leaves the directory: his cookie still logs him in (no LDAP bind), his password no longer does
        ldap.server.delete("uid=dave," + Directory.PEOPLE);
        HttpResponse<String> withCookie = rest.get("/sessions", cookie);
        assertEquals(200, withCookie.statusCode(), withCookie.body());
        assertTrue(withCookie.headers().firstValue("Set-Cookie").isEmpty(), "no new cookie for a cookie login");
        assertEquals(401, rest.get("/sessions", "dave:diver").statusCode());

        // the same signature over another user (carol, an administrator) is refused, as is a cut signature
        String payload = cookie.substring(cookie.indexOf('=') + 1, cookie.lastIndexOf('.'));
        String carol = Base64.getUrlEncoder().withoutPadding().encodeToString(new String(Base64.getUrlDecoder()
                .decode(payload), StandardCharsets.UTF_8).replace("dave", "carol").getBytes(StandardCharsets.UTF_8));
        for (String forged : List.of(cookie.replace(payload, carol), cookie.substring(0, cookie.length() - 2))) {
            HttpResponse<String> refused = rest.get("/admin/sessions", forged);
            assertEquals(401, refused.statusCode(), forged + ": " + refused.body());
            assertTrue(refused.headers().firstValue("WWW-Authenticate").orElse("").startsWith("Basic"),
                    refused.headers().toString());
            assertTrue(message(refused).startsWith("The login cookie is not valid on this server"), refused.body());
        }
    }

    @Test
    @Order(3)
    void badBodiesAreRefusedNamingTheCause() throws Exception {
        HttpResponse<String> malformed = rest.post("/sessions", ALICE, "{\"configs\": {\"a\": }");
        assertEquals(400, malformed.statusCode(), malformed.body());
        assertTrue(message(malformed).startsWith("Malformed JSON body for SessionOpenRequest (line 1, column"),
                malformed.body());
        assertTrue(message(malformed).contains("Unexpected character ('}'"), malformed.body());

        HttpResponse<String> form = rest.send(rest.request("/sessions", ALICE)
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString("configs=x")));
        assertEquals(415, form.statusCode(), form.body());

        HttpResponse<String> unknown = rest.get("/sessions/not-a-handle", ALICE);
        assertEquals(404, unknown.statusCode(), unknown.body());
        HttpResponse<String> batches = rest.post("/batches", ALICE, "{}");
        assertEquals(400, batches.statusCode(), batches.body());
        assertTrue(message(batches).contains("batchType"), batches.body());

        // over the operator's maxima (defaults: 16 cores, 32g): refused before any engine or application
        HttpResponse<String> cores = rest.post("/sessions", ALICE,
                "{\"configs\": {\"spark.executor.cores\": \"64\"}}");
        assertEquals(400, cores.statusCode(), cores.body());
        assertTrue(message(cores).contains("spark.executor.cores=64 is over this server's maximum of 16 "
                + "(kitsune.session.engine.cores.max)"), cores.body());
        HttpResponse<String> memory = rest.post("/batches", ALICE, "{\"batchType\": \"SPARK\", \"resource\": "
                + "\"/nowhere/app.jar\", \"className\": \"x.Main\", \"conf\": {\"spark.driver.memory\": \"64g\"}}");
        assertEquals(400, memory.statusCode(), memory.body());
        assertTrue(message(memory).contains("spark.driver.memory=64g is over this server's maximum of 32g "
                + "(kitsune.session.engine.memory.max)"), memory.body());
    }

    @Test
    @Order(4)
    void aSessionRunsStatementsSyncAndAsyncAndPagesItsRows() throws Exception {
        // as behind a proxy that sets X-Real-IP (kyuubi.frontend.proxy.http.client.ip.header)
        HttpResponse<String> open = rest.send(rest.request("/sessions", ALICE)
                .header("Content-Type", "application/json").header("X-Real-IP", "10.9.8.7")
                .POST(HttpRequest.BodyPublishers.ofString("{\"configs\": {\"spark.sql.shuffle.partitions\": \"2\"}}")));
        assertEquals(200, open.statusCode(), open.body());
        session = RestClient.json(open).get("identifier").asText();
        UUID.fromString(session);

        JsonNode listed = ok(rest.get("/sessions", ALICE));
        assertEquals(1, listed.size(), listed.toString());
        assertEquals(session, listed.get(0).get("identifier").asText());
        assertEquals("alice", listed.get(0).get("user").asText());
        assertEquals("10.9.8.7", listed.get(0).get("ipAddr").asText());
        assertEquals("2", listed.get(0).get("conf").get("spark.sql.shuffle.partitions").asText());
        assertEquals(session, ok(rest.get("/sessions/" + session, ALICE)).get("sessionId").asText());
        assertTrue(ok(rest.get("/sessions/count", ALICE)).get("openSessionCount").asInt() >= 1);
        // the server's call workers, as Kyuubi's exec pool figures: a JDBC client's calls ran on them
        try (java.sql.Connection c = kitsune.testkit.Jdbc.connect(server.directUrl(), "alice", "wonderland")) {
            assertEquals(1, ((Number) kitsune.testkit.Jdbc.single(c, "SELECT 1")).intValue());
        }
        JsonNode pool = ok(rest.get("/sessions/execPool/statistic", ALICE));
        assertTrue(pool.get("execPoolSize").asInt() >= 1, pool.toString());
        // a moment's snapshot: the closed connection's clean-up may be running or just queued for an idle thread
        assertTrue(pool.get("execPoolActiveCount").asInt() >= 0 && pool.get("execPoolWorkQueueSize").asInt() >= 0,
                pool.toString());
        JsonNode info = ok(rest.get("/sessions/" + session + "/info/17", ALICE));
        assertEquals("CLI_DBMS_NAME", info.get("infoType").asText());
        assertNotNull(info.get("infoValue").asText());

        // synchronous: the answer comes when the statement has run
        String sync = statement(ALICE, "SELECT 1 AS one", false);
        JsonNode meta = ok(rest.get("/operations/" + sync + "/resultsetmetadata", ALICE));
        assertEquals("one", meta.get("columns").get(0).get("columnName").asText());
        assertEquals("INT_TYPE", meta.get("columns").get(0).get("dataType").asText());
        JsonNode one = ok(rest.get("/operations/" + sync + "/rowset?maxrows=10", ALICE));
        assertEquals(1, one.get("rowCount").asInt());
        JsonNode field = one.get("rows").get(0).get("fields").get(0);
        assertEquals("INT_TYPE", field.get("dataType").asText());
        assertEquals(1, field.get("value").asInt());
        assertEquals(200, rest.put("/operations/" + sync, ALICE, "{\"action\": \"CLOSE\"}").statusCode());
        assertEquals(404, rest.get("/operations/" + sync + "/event", ALICE).statusCode());

        // asynchronous: poll the event until FINISHED, then page 25 rows 10 at a time
        String async = statement(ALICE, "SELECT id FROM range(0, 25)", true);
        awaitState(ALICE, async, "FINISHED");
        List<Long> ids = new ArrayList<>();
        List<Integer> pages = new ArrayList<>();
        for (int page = 0; page < 5; page++) {
            JsonNode rows = ok(rest.get("/operations/" + async + "/rowset?maxrows=10&fetchorientation=FETCH_NEXT",
                    ALICE));
            pages.add(rows.get("rowCount").asInt());
            for (JsonNode row : rows.get("rows")) ids.add(row.get("fields").get(0).get("value").asLong());
            if (rows.get("rowCount").asInt() == 0) break;
        }
        assertEquals(List.of(10, 10, 5, 0), pages);
        List<Long> expected = new ArrayList<>();
        for (long i = 0; i < 25; i++) expected.add(i);
        assertEquals(expected, ids);
        JsonNode log = ok(rest.get("/operations/" + async + "/log?maxrows=100", ALICE));
        assertEquals(log.get("logRowSet").size(), log.get("rowCount").asInt());

        HttpResponse<String> badRows = rest.get("/operations/" + async + "/rowset?maxrows=ten", ALICE);
        assertEquals(400, badRows.statusCode(), badRows.body());
        assertTrue(message(badRows).startsWith("maxrows must be a whole number"), badRows.body());
    }

    @Test
    @Order(5)
    void metadataCallsGiveOperationsWithRows() throws Exception {
        String catalogs = operation(rest.post("/sessions/" + session + "/operations/catalogs", ALICE, null));
        awaitState(ALICE, catalogs, "FINISHED");
        JsonNode rows = ok(rest.get("/operations/" + catalogs + "/rowset", ALICE));
        assertTrue(rows.toString().contains("spark_catalog"), rows.toString());

        String schemas = operation(rest.post("/sessions/" + session + "/operations/schemas", ALICE,
                "{\"catalogName\": \"spark_catalog\", \"schemaName\": \"%\"}"));
        awaitState(ALICE, schemas, "FINISHED");
        assertTrue(ok(rest.get("/operations/" + schemas + "/rowset", ALICE)).toString()
                .contains("\"default\""));

        // the other metadata calls, each an operation whose rows name what was asked for
        awaitState(ALICE, statement(ALICE, "CREATE TABLE IF NOT EXISTS rest_meta (id INT, label STRING) USING parquet",
                false), "FINISHED");
        Map<String, String> calls = new java.util.LinkedHashMap<>();
        calls.put("tables", "{\"schemaName\": \"default\", \"tableName\": \"rest_meta\"}");
        calls.put("columns", "{\"schemaName\": \"default\", \"tableName\": \"rest_meta\", \"columnName\": \"%\"}");
        calls.put("functions", "{\"functionName\": \"upper\"}");
        calls.put("typeInfo", null);
        calls.put("tableTypes", null);
        calls.put("primaryKeys", "{\"schemaName\": \"default\", \"tableName\": \"rest_meta\"}");
        calls.put("crossReference", "{\"primarySchema\": \"default\", \"primaryTable\": \"rest_meta\", "
                + "\"foreignSchema\": \"default\", \"foreignTable\": \"rest_meta\"}");
        Map<String, String> expected = Map.of("tables", "rest_meta", "columns", "label", "functions", "upper",
                "typeInfo", "INT", "tableTypes", "TABLE");
        for (Map.Entry<String, String> call : calls.entrySet()) {
            String op = operation(rest.post("/sessions/" + session + "/operations/" + call.getKey(), ALICE,
                    call.getValue()));
            awaitState(ALICE, op, "FINISHED");
            JsonNode got = ok(rest.get("/operations/" + op + "/rowset", ALICE));
            String want = expected.get(call.getKey());
            if (want != null) {
                assertTrue(got.toString().contains("\"" + want), call.getKey() + ": " + got);
            } else {
                assertEquals(0, got.get("rowCount").asInt(), call.getKey() + " (Spark has no keys): " + got);
            }
            assertEquals(200, rest.put("/operations/" + op, ALICE, "{\"action\": \"CLOSE\"}").statusCode());
        }
    }

    /**
     * A figure, not a bound: the round trip of SELECT 1 over REST on a warm engine (a synchronous statement, its
     * rowset, its close: three HTTP requests, each with its LDAP login, then each with the login cookie), p50 and
     * p99 of 200 each.
     */
    @Test
    @Order(6)
    void roundTripOfSelectOne() throws Exception {
        roundTrip(ALICE, "each with its LDAP login");
        // the same with the login cookie of alice's first answer: no LDAP bind per request
        String setCookie = rest.get("/sessions/count", ALICE).headers().firstValue("Set-Cookie").orElseThrow();
        roundTrip(setCookie.substring(0, setCookie.indexOf(';')), "each with the login cookie");
    }

    private void roundTrip(String login, String how) throws Exception {
        List<Long> micros = new ArrayList<>();
        for (int i = 0; i < 220; i++) {
            long t0 = System.nanoTime();
            String op = statement(login, "SELECT 1", false);
            JsonNode rows = ok(rest.get("/operations/" + op + "/rowset", login));
            assertEquals(200, rest.put("/operations/" + op, login, "{\"action\": \"CLOSE\"}").statusCode());
            if (i >= 20) micros.add((System.nanoTime() - t0) / 1000);
            assertEquals(1, rows.get("rowCount").asInt());
        }
        java.util.Collections.sort(micros);
        System.out.printf("[rest] SELECT 1 round trip (statement + rowset + close, %s), %d runs: p50 %.1f ms, "
                + "p99 %.1f ms%n", how, micros.size(), micros.get(micros.size() / 2) / 1000.0,
                micros.get(micros.size() * 99 / 100) / 1000.0);
    }

    @Test
    @Order(7)
    void aLongStatementIsCancelled() throws Exception {
        String slow = statement(ALICE, "SELECT sum(a.id * b.id) FROM range(0, 1000000) a CROSS JOIN range(0, 1000000) b",
                true);
        awaitState(ALICE, slow, "RUNNING");
        assertEquals(200, rest.put("/operations/" + slow, ALICE, "{\"action\": \"cancel\"}").statusCode());
        awaitState(ALICE, slow, "CANCELED");
        HttpResponse<String> bad = rest.put("/operations/" + slow, ALICE, "{\"action\": \"PAUSE\"}");
        assertEquals(400, bad.statusCode(), bad.body());
        assertEquals(200, rest.put("/operations/" + slow, ALICE, "{\"action\": \"CLOSE\"}").statusCode());
    }

    @Test
    @Order(8)
    void anotherUserCanNeitherReadNorCloseTheSessionOrItsOperations() throws Exception {
        String op = statement(ALICE, "SELECT 'secret' AS s", false);
        for (HttpResponse<String> attack : List.of(
                rest.get("/sessions/" + session, BOB),
                rest.get("/sessions/" + session + "/info/17", BOB),
                rest.post("/sessions/" + session + "/operations/statement", BOB,
                        "{\"statement\": \"SELECT 2\", \"runAsync\": false}"),
                rest.delete("/sessions/" + session, BOB),
                rest.get("/operations/" + op + "/rowset", BOB),
                rest.get("/operations/" + op + "/event", BOB),
                rest.get("/operations/" + op + "/log", BOB),
                rest.put("/operations/" + op, BOB, "{\"action\": \"CLOSE\"}"))) {
            assertEquals(404, attack.statusCode(), attack.request() + ": " + attack.body());
            assertFalse(attack.body().contains("secret"), attack.body());
        }
        assertEquals(0, ok(rest.get("/sessions", BOB)).size(), "bob lists only his own sessions");
        // nor can he open a session as alice: impersonation follows the JDBC rules (no hadoop.proxyuser.bob.*)
        HttpResponse<String> proxy = rest.post("/sessions", BOB, "{\"configs\": {\"proxyUser\": \"alice\"}}");
        assertEquals(403, proxy.statusCode(), proxy.body());
        assertTrue(message(proxy).contains("bob is not allowed to impersonate alice"), proxy.body());
        assertEquals(0, ok(rest.get("/sessions", BOB)).size());
        JsonNode rows = ok(rest.get("/operations/" + op + "/rowset", ALICE));
        assertEquals("secret", rows.get("rows").get(0).get("fields").get(0).get("value").asText(),
                "alice's operation is untouched");
        assertEquals(200, rest.get("/sessions/" + session, ALICE).statusCode());
    }

    @Test
    @Order(9)
    void adminCallsAreForAdministratorsOnly() throws Exception {
        HttpResponse<String> refused = rest.get("/admin/sessions", BOB);
        assertEquals(403, refused.statusCode(), refused.body());
        assertTrue(message(refused).contains("kyuubi.server.administrators"), refused.body());
        assertEquals(403, rest.delete("/admin/sessions/" + session, ALICE).statusCode());

        JsonNode all = ok(rest.get("/admin/sessions", CAROL));
        assertTrue(all.toString().contains(session), all.toString());
        JsonNode servers = ok(rest.get("/admin/server", CAROL));
        assertEquals(1, servers.size(), servers.toString());
        assertEquals(server.port(), servers.get(0).get("port").asInt(), servers.toString());
        assertEquals(403, rest.get("/admin/server", ALICE).statusCode());
        // the one engine of this test: share level SERVER, routed by the server's own OS user
        JsonNode engines = ok(rest.get("/admin/engine?sharelevel=SERVER&hive.server2.proxy.user="
                + System.getProperty("user.name"), CAROL));
        assertEquals(1, engines.size(), engines.toString());
        assertEquals("SPARK_SQL", engines.get(0).get("engineType").asText());
        assertTrue(engines.get(0).get("instance").asText().startsWith("127.0.0.1:"), engines.toString());
        assertEquals(400, rest.get("/admin/engine?hive.server2.proxy.user=..", CAROL).statusCode());
        assertEquals(403, rest.get("/admin/engine", BOB).statusCode());

        // operations: listed with Kyuubi's filters, and closed by an administrator only
        String op = statement(ALICE, "SELECT 7", false);
        assertTrue(ok(rest.get("/admin/operations?users=bob,alice", CAROL)).toString().contains(op));
        assertTrue(ok(rest.get("/admin/operations?sessionHandle=" + session, CAROL)).toString().contains(op));
        assertEquals(0, ok(rest.get("/admin/operations?users=bob", CAROL)).size());
        assertEquals(403, rest.get("/admin/operations", ALICE).statusCode());
        HttpResponse<String> notAdmin = rest.delete("/admin/operations/" + op, ALICE);
        assertEquals(403, notAdmin.statusCode(), notAdmin.body());
        assertEquals(200, rest.get("/operations/" + op + "/event", ALICE).statusCode(), "still open");
        JsonNode closed = ok(rest.delete("/admin/operations/" + op, CAROL));
        assertEquals("Operation " + op + " is closed successfully.", closed.get("message").asText());
        assertEquals(404, rest.get("/operations/" + op + "/event", ALICE).statusCode(), "closed for its owner too");
        assertEquals(404, rest.delete("/admin/operations/" + op, CAROL).statusCode());
        assertEquals(1, server.countLog("closed operation " + op + " of alice over REST"),
                server.tail());
    }

    @Test
    @Order(10)
    void kitsuneCtlListsAndClosesSessionsAndListsEnginesOverTheRestApi() throws Exception {
        String host = api.substring(0, api.length() - "/api/v1".length());
        String bobs = ok(rest.post("/sessions", BOB, "{\"configs\": {}}")).get("identifier").asText();
        // an administrator sees every session, with kyuubi-ctl's table
        kitsune.testkit.KitsuneCtl.Run all = kitsune.testkit.KitsuneCtl.run(server.confDir, server.dir, "list",
                "session", "--hostUrl", host, "--username", "carol", "--password", "admin-pw");
        assertEquals(0, all.rc(), all.err());
        assertTrue(all.out().contains("Live Session List (total 2)"), all.out());
        assertTrue(all.out().contains(bobs) && all.out().contains(session), all.out());
        assertTrue(all.out().contains("Idle Time[ms]"), all.out());
        // anyone else sees their own
        kitsune.testkit.KitsuneCtl.Run own = kitsune.testkit.KitsuneCtl.run(server.confDir, server.dir, "list",
                "session", "--hostUrl", host, "--username", "bob", "--password", "builder");
        assertEquals(0, own.rc(), own.err());
        assertTrue(own.out().contains("Live Session List (total 1)") && own.out().contains(bobs), own.out());
        // a wrong password and a non-administrator's delete are one line each
        kitsune.testkit.KitsuneCtl.Run wrong = kitsune.testkit.KitsuneCtl.run(server.confDir, server.dir, "list",
                "session", "--hostUrl", host, "--username", "bob", "--password", "nope");
        assertEquals(1, wrong.rc());
        assertTrue(wrong.err().startsWith("Error: The REST API refused the login of bob"), wrong.err());
        kitsune.testkit.KitsuneCtl.Run notAdmin = kitsune.testkit.KitsuneCtl.run(server.confDir, server.dir,
                "delete", "session", bobs, "--hostUrl", host, "--username", "bob", "--password", "builder");
        assertEquals(1, notAdmin.rc());
        assertTrue(notAdmin.err().contains("bob may not do this (kyuubi.server.administrators)"), notAdmin.err());
        // the administrator closes bob's session
        kitsune.testkit.KitsuneCtl.Run closed = kitsune.testkit.KitsuneCtl.run(server.confDir, server.dir,
                "delete", "session", bobs, "--hostUrl", host, "--username", "carol", "--password", "admin-pw");
        assertEquals(0, closed.rc(), closed.err());
        assertEquals(404, rest.get("/sessions/" + bobs, BOB).statusCode());
        // engines over the admin API
        kitsune.testkit.KitsuneCtl.Run engines = kitsune.testkit.KitsuneCtl.run(server.confDir, server.dir, "list",
                "engine", "-u", System.getProperty("user.name"), "-esl", "SERVER", "--hostUrl", host, "--username",
                "carol", "--password", "admin-pw");
        assertEquals(0, engines.rc(), engines.err());
        assertTrue(engines.out().contains("Engine Node List (total 1)") && engines.out().contains("127.0.0.1:"),
                engines.out());
        // deleting an engine over the REST API is for administrators too (the engine stays: later tests use it)
        kitsune.testkit.KitsuneCtl.Run deleteEngine = kitsune.testkit.KitsuneCtl.run(server.confDir, server.dir,
                "delete", "engine", "-u", System.getProperty("user.name"), "-esl", "SERVER", "--hostUrl", host,
                "--username", "bob", "--password", "builder");
        assertEquals(1, deleteEngine.rc(), deleteEngine.out());
        assertTrue(deleteEngine.err().contains("bob may not do this (kyuubi.server.administrators)"),
                deleteEngine.err());
        assertTrue(kitsune.testkit.KitsuneCtl.run(server.confDir, server.dir, "list", "engine", "-u",
                System.getProperty("user.name"), "-esl", "SERVER", "--hostUrl", host, "--username", "carol",
                "--password", "admin-pw").out().contains("Engine Node List (total 1)"), "the engine is still there");
    }

    @Test
    @Order(11)
    void closingTheSessionEndsItsHandle() throws Exception {
        assertEquals(200, rest.delete("/sessions/" + session, ALICE).statusCode());
        assertEquals(404, rest.get("/sessions/" + session, ALICE).statusCode());
        assertEquals(0, ok(rest.get("/sessions", ALICE)).size());
    }

    @Test
    @Order(12)
    void aDrainingServerRefusesNewSessionsWith503AndServesTheOpenOnes() throws Exception {
        HttpResponse<String> open = rest.post("/sessions", BOB, "{\"configs\": {}}");
        session = ok(open).get("identifier").asText();
        try (ZooKeeper zk = Zk.connect(server.zkConnect())) {
            for (String node : zk.getChildren("/" + server.namespace(), false)) {
                zk.delete("/" + server.namespace() + "/" + node, -1);
            }
        }
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200))
                .until(() -> rest.post("/sessions", ALICE, "{}").statusCode() == 503);
        HttpResponse<String> refused = rest.post("/sessions", ALICE, "{}");
        assertEquals(503, refused.statusCode(), refused.body());
        assertTrue(message(refused).contains("accepts no new sessions"), refused.body());

        String op = statement(BOB, "SELECT 3", false);
        JsonNode rows = ok(rest.get("/operations/" + op + "/rowset", BOB));
        assertEquals(3, rows.get("rows").get(0).get("fields").get(0).get("value").asInt());
        // an administrator deletes the engine's node: it takes no new sessions and ends with its last one
        String engineQuery = "/admin/engine?sharelevel=SERVER&hive.server2.proxy.user=" + System.getProperty("user.name");
        assertEquals(403, rest.delete(engineQuery, BOB).statusCode());
        HttpResponse<String> deleted = rest.delete(engineQuery, CAROL);
        assertEquals(200, deleted.statusCode(), deleted.body());
        assertTrue(message(deleted).endsWith("is deleted successfully."), deleted.body());
        // the engine's node recipe may re-create the node for the moment until the engine has seen the deletion
        // and closed it: wait for the engine to be gone from the list
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200))
                .until(() -> ok(rest.get(engineQuery, CAROL)).size() == 0);
        assertEquals(200, rest.post("/admin/refresh/user_defaults_conf", CAROL, null).statusCode());
        assertEquals(403, rest.post("/admin/refresh/user_defaults_conf", BOB, null).statusCode());

        assertEquals(200, rest.delete("/sessions/" + session, BOB).statusCode());
        assertTrue(server.awaitExit(Duration.ofSeconds(60)), "the drain ends with the last session:\n" + server.tail());
    }

    // ---------------------------------------------------------------- helpers

    private String statement(String login, String sql, boolean async) throws Exception {
        Map<String, Object> body = Map.of("statement", sql, "runAsync", async, "queryTimeout", 0,
                "confOverlay", Map.of());
        return operation(rest.post("/sessions/" + session + "/operations/statement", login, body));
    }

    private String operation(HttpResponse<String> resp) throws Exception {
        return ok(resp).get("identifier").asText();
    }

    private void awaitState(String login, String op, String state) {
        await().atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofMillis(200)).until(() -> {
            JsonNode event = ok(rest.get("/operations/" + op + "/event", login));
            if (event.get("state").asText().equals("ERROR")) throw new AssertionError(event.toString());
            return event.get("state").asText().equals(state);
        });
    }

    /** A 200 answer's JSON body, which says it is JSON. */
    private JsonNode ok(HttpResponse<String> resp) {
        JsonNode body = RestClient.ok(resp);
        assertTrue(resp.headers().firstValue("Content-Type").orElse("").startsWith("application/json"),
                resp.headers().toString());
        return body;
    }
}
