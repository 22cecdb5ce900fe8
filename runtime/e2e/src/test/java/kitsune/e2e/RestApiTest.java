package kitsune.e2e;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.URI;
import java.net.http.HttpClient;
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
import com.fasterxml.jackson.databind.ObjectMapper;
import com.unboundid.ldap.listener.InMemoryDirectoryServer;
import com.unboundid.ldap.listener.InMemoryDirectoryServerConfig;
import com.unboundid.ldap.listener.InMemoryListenerConfig;

import kitsune.testkit.KitsuneServer;
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

    private final ObjectMapper json = new ObjectMapper();
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    private InMemoryDirectoryServer ldap;
    private KitsuneServer server;
    private String api;
    private String session;

    @BeforeAll
    void start() throws Exception {
        InMemoryDirectoryServerConfig config = new InMemoryDirectoryServerConfig("dc=example,dc=com");
        config.setListenerConfigs(InMemoryListenerConfig.createLDAPConfig("ldap", InetAddress.getLoopbackAddress(),
                0, null));
        ldap = new InMemoryDirectoryServer(config);
        ldap.add("dn: dc=example,dc=com", "objectClass: top", "objectClass: domain", "dc: example");
        ldap.add("dn: ou=people,dc=example,dc=com", "objectClass: top", "objectClass: organizationalUnit",
                "ou: people");
        for (String login : List.of(ALICE, BOB, CAROL)) {
            String[] up = login.split(":");
            ldap.add("dn: uid=" + up[0] + ",ou=people,dc=example,dc=com", "objectClass: inetOrgPerson",
                    "uid: " + up[0], "cn: " + up[0], "sn: " + up[0], "userPassword: " + up[1]);
        }
        ldap.startListening();
        server = new KitsuneServer(Files.createTempDirectory("kitsune-e2e-rest-"))
                .set("kyuubi.frontend.protocols", "THRIFT_BINARY,REST")
                .set("kyuubi.frontend.rest.bind.host", "127.0.0.1")
                .set("kyuubi.authentication", "LDAP")
                .set("kyuubi.authentication.ldap.url", "ldap://127.0.0.1:" + ldap.getListenPort())
                .set("kyuubi.authentication.ldap.baseDN", "ou=people,dc=example,dc=com")
                .set("kyuubi.server.administrators", "carol")
                .set("kyuubi.frontend.proxy.http.client.ip.header", "X-Real-IP")
                // one engine for everyone, so that the test starts one Spark
                .set("kyuubi.engine.share.level", "SERVER")
                .set("spark.master", "local[1]").set("spark.driver.memory", "640m")
                .start();
        api = server.awaitLog(REST, Duration.ofSeconds(60)).group(1);
    }

    @AfterAll
    void stop() throws Exception {
        try {
            if (server != null) server.close();
        } finally {
            if (ldap != null) ldap.shutDown(true);
        }
    }

    @Test
    @Order(1)
    void pingAnswersWithoutALoginAndEverythingElseNeedsOne() throws Exception {
        HttpResponse<String> ping = send("GET", "/ping", null, null);
        assertEquals(200, ping.statusCode());
        assertEquals("pong", ping.body());
        HttpResponse<String> openApi = send("GET", "/openapi.json", null, null);
        assertEquals(200, openApi.statusCode());
        assertTrue(openApi.body().contains("\"openapi\":\"3.0.3\"") && openApi.body().contains("/sessions/{sessionHandle}"),
                openApi.body().substring(0, Math.min(200, openApi.body().length())));

        HttpResponse<String> none = send("GET", "/sessions", null, null);
        assertEquals(401, none.statusCode(), none.body());
        assertTrue(none.headers().firstValue("WWW-Authenticate").orElse("").startsWith("Basic"), none.headers()
                .toString());

        HttpResponse<String> wrong = send("POST", "/sessions", "alice:looking-glass", "{}");
        assertEquals(401, wrong.statusCode(), wrong.body());
        assertEquals("Authentication failed for user alice", message(wrong));
        assertFalse(wrong.body().contains("looking-glass"), "the password is never echoed");
        assertTrue(server.countLog("REST login refused from 127.0.0.1 for POST /sessions: invalid user name or "
                + "password") >= 1, server.tail());
    }

    @Test
    @Order(2)
    void aBasicLoginSetsASignedCookieThatSparesLaterRequestsTheDirectory() throws Exception {
        ldap.add("dn: uid=dave,ou=people,dc=example,dc=com", "objectClass: inetOrgPerson", "uid: dave", "cn: dave",
                "sn: dave", "userPassword: diver");
        HttpResponse<String> first = send("GET", "/sessions", "dave:diver", null);
        assertEquals(200, first.statusCode(), first.body());
        String setCookie = first.headers().firstValue("Set-Cookie").orElseThrow();
        assertTrue(setCookie.startsWith("kyuubi.rest.auth=") && setCookie.contains("; Path=/api/v1;")
                && setCookie.contains("; HttpOnly") && setCookie.contains("SameSite=Strict")
                && !setCookie.contains("Secure"), "HttpOnly, Secure only over TLS: " + setCookie);
        String cookie = setCookie.substring(0, setCookie.indexOf(';'));

        // dave leaves the directory: his cookie still logs him in (no LDAP bind), his password no longer does
        ldap.delete("uid=dave,ou=people,dc=example,dc=com");
        HttpResponse<String> withCookie = http.send(request("/sessions", null).header("Cookie", cookie).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, withCookie.statusCode(), withCookie.body());
        assertTrue(withCookie.headers().firstValue("Set-Cookie").isEmpty(), "no new cookie for a cookie login");
        assertEquals(401, send("GET", "/sessions", "dave:diver", null).statusCode());

        // the same signature over another user (carol, an administrator) is refused, as is a cut signature
        String payload = cookie.substring(cookie.indexOf('=') + 1, cookie.lastIndexOf('.'));
        String carol = Base64.getUrlEncoder().withoutPadding().encodeToString(new String(Base64.getUrlDecoder()
                .decode(payload), StandardCharsets.UTF_8).replace("dave", "carol").getBytes(StandardCharsets.UTF_8));
        for (String forged : List.of(cookie.replace(payload, carol), cookie.substring(0, cookie.length() - 2))) {
            HttpResponse<String> refused = http.send(request("/admin/sessions", null).header("Cookie", forged).GET()
                    .build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(401, refused.statusCode(), forged + ": " + refused.body());
            assertTrue(refused.headers().firstValue("WWW-Authenticate").orElse("").startsWith("Basic"),
                    refused.headers().toString());
            assertTrue(message(refused).startsWith("The login cookie is not valid on this server"), refused.body());
        }
    }

    @Test
    @Order(3)
    void badBodiesAreRefusedNamingTheCause() throws Exception {
        HttpResponse<String> malformed = send("POST", "/sessions", ALICE, "{\"configs\": {\"a\": }");
        assertEquals(400, malformed.statusCode(), malformed.body());
        assertTrue(message(malformed).startsWith("Malformed JSON body for SessionOpenRequest (line 1, column"),
                malformed.body());
        assertTrue(message(malformed).contains("Unexpected character ('}'"), malformed.body());

        HttpResponse<String> form = http.send(request("/sessions", ALICE)
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString("configs=x")).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(415, form.statusCode(), form.body());

        HttpResponse<String> unknown = send("GET", "/sessions/not-a-handle", ALICE, null);
        assertEquals(404, unknown.statusCode(), unknown.body());
        HttpResponse<String> batches = send("POST", "/batches", ALICE, "{}");
        assertEquals(400, batches.statusCode(), batches.body());
        assertTrue(message(batches).contains("batchType"), batches.body());
    }

    @Test
    @Order(4)
    void aSessionRunsStatementsSyncAndAsyncAndPagesItsRows() throws Exception {
        // as behind a proxy that sets X-Real-IP (kyuubi.frontend.proxy.http.client.ip.header)
        HttpResponse<String> open = http.send(request("/sessions", ALICE).header("Content-Type", "application/json")
                .header("X-Real-IP", "10.9.8.7")
                .POST(HttpRequest.BodyPublishers.ofString("{\"configs\": {\"spark.sql.shuffle.partitions\": \"2\"}}"))
                .build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, open.statusCode(), open.body());
        session = json.readTree(open.body()).get("identifier").asText();
        UUID.fromString(session);

        JsonNode listed = ok(send("GET", "/sessions", ALICE, null));
        assertEquals(1, listed.size(), listed.toString());
        assertEquals(session, listed.get(0).get("identifier").asText());
        assertEquals("alice", listed.get(0).get("user").asText());
        assertEquals("10.9.8.7", listed.get(0).get("ipAddr").asText());
        assertEquals("2", listed.get(0).get("conf").get("spark.sql.shuffle.partitions").asText());
        assertEquals(session, ok(send("GET", "/sessions/" + session, ALICE, null)).get("sessionId").asText());
        assertTrue(ok(send("GET", "/sessions/count", ALICE, null)).get("openSessionCount").asInt() >= 1);
        JsonNode info = ok(send("GET", "/sessions/" + session + "/info/17", ALICE, null));
        assertEquals("CLI_DBMS_NAME", info.get("infoType").asText());
        assertNotNull(info.get("infoValue").asText());

        // synchronous: the answer comes when the statement has run
        String sync = statement(ALICE, "SELECT 1 AS one", false);
        JsonNode meta = ok(send("GET", "/operations/" + sync + "/resultsetmetadata", ALICE, null));
        assertEquals("one", meta.get("columns").get(0).get("columnName").asText());
        assertEquals("INT_TYPE", meta.get("columns").get(0).get("dataType").asText());
        JsonNode one = ok(send("GET", "/operations/" + sync + "/rowset?maxrows=10", ALICE, null));
        assertEquals(1, one.get("rowCount").asInt());
        JsonNode field = one.get("rows").get(0).get("fields").get(0);
        assertEquals("INT_TYPE", field.get("dataType").asText());
        assertEquals(1, field.get("value").asInt());
        assertEquals(200, send("PUT", "/operations/" + sync, ALICE, "{\"action\": \"CLOSE\"}").statusCode());
        assertEquals(404, send("GET", "/operations/" + sync + "/event", ALICE, null).statusCode());

        // asynchronous: poll the event until FINISHED, then page 25 rows 10 at a time
        String async = statement(ALICE, "SELECT id FROM range(0, 25)", true);
        awaitState(ALICE, async, "FINISHED");
        List<Long> ids = new ArrayList<>();
        List<Integer> pages = new ArrayList<>();
        for (int page = 0; page < 5; page++) {
            JsonNode rows = ok(send("GET", "/operations/" + async + "/rowset?maxrows=10&fetchorientation=FETCH_NEXT",
                    ALICE, null));
            pages.add(rows.get("rowCount").asInt());
            for (JsonNode row : rows.get("rows")) ids.add(row.get("fields").get(0).get("value").asLong());
            if (rows.get("rowCount").asInt() == 0) break;
        }
        assertEquals(List.of(10, 10, 5, 0), pages);
        List<Long> expected = new ArrayList<>();
        for (long i = 0; i < 25; i++) expected.add(i);
        assertEquals(expected, ids);
        JsonNode log = ok(send("GET", "/operations/" + async + "/log?maxrows=100", ALICE, null));
        assertEquals(log.get("logRowSet").size(), log.get("rowCount").asInt());

        HttpResponse<String> badRows = send("GET", "/operations/" + async + "/rowset?maxrows=ten", ALICE, null);
        assertEquals(400, badRows.statusCode(), badRows.body());
        assertTrue(message(badRows).startsWith("maxrows must be a whole number"), badRows.body());
    }

    @Test
    @Order(5)
    void metadataCallsGiveOperationsWithRows() throws Exception {
        String catalogs = operation(send("POST", "/sessions/" + session + "/operations/catalogs", ALICE, null));
        awaitState(ALICE, catalogs, "FINISHED");
        JsonNode rows = ok(send("GET", "/operations/" + catalogs + "/rowset", ALICE, null));
        assertTrue(rows.toString().contains("spark_catalog"), rows.toString());

        String schemas = operation(send("POST", "/sessions/" + session + "/operations/schemas", ALICE,
                "{\"catalogName\": \"spark_catalog\", \"schemaName\": \"%\"}"));
        awaitState(ALICE, schemas, "FINISHED");
        assertTrue(ok(send("GET", "/operations/" + schemas + "/rowset", ALICE, null)).toString()
                .contains("\"default\""));
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
        String setCookie = send("GET", "/sessions/count", ALICE, null).headers().firstValue("Set-Cookie").orElseThrow();
        roundTrip(setCookie.substring(0, setCookie.indexOf(';')), "each with the login cookie");
    }

    private void roundTrip(String login, String how) throws Exception {
        List<Long> micros = new ArrayList<>();
        for (int i = 0; i < 220; i++) {
            long t0 = System.nanoTime();
            String op = statement(login, "SELECT 1", false);
            JsonNode rows = ok(send("GET", "/operations/" + op + "/rowset", login, null));
            assertEquals(200, send("PUT", "/operations/" + op, login, "{\"action\": \"CLOSE\"}").statusCode());
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
        assertEquals(200, send("PUT", "/operations/" + slow, ALICE, "{\"action\": \"cancel\"}").statusCode());
        awaitState(ALICE, slow, "CANCELED");
        HttpResponse<String> bad = send("PUT", "/operations/" + slow, ALICE, "{\"action\": \"PAUSE\"}");
        assertEquals(400, bad.statusCode(), bad.body());
        assertEquals(200, send("PUT", "/operations/" + slow, ALICE, "{\"action\": \"CLOSE\"}").statusCode());
    }

    @Test
    @Order(8)
    void anotherUserCanNeitherReadNorCloseTheSessionOrItsOperations() throws Exception {
        String op = statement(ALICE, "SELECT 'secret' AS s", false);
        for (HttpResponse<String> attack : List.of(
                send("GET", "/sessions/" + session, BOB, null),
                send("GET", "/sessions/" + session + "/info/17", BOB, null),
                send("POST", "/sessions/" + session + "/operations/statement", BOB,
                        "{\"statement\": \"SELECT 2\", \"runAsync\": false}"),
                send("DELETE", "/sessions/" + session, BOB, null),
                send("GET", "/operations/" + op + "/rowset", BOB, null),
                send("GET", "/operations/" + op + "/event", BOB, null),
                send("GET", "/operations/" + op + "/log", BOB, null),
                send("PUT", "/operations/" + op, BOB, "{\"action\": \"CLOSE\"}"))) {
            assertEquals(404, attack.statusCode(), attack.request() + ": " + attack.body());
            assertFalse(attack.body().contains("secret"), attack.body());
        }
        assertEquals(0, ok(send("GET", "/sessions", BOB, null)).size(), "bob lists only his own sessions");
        // nor can he open a session as alice: impersonation follows the JDBC rules (no hadoop.proxyuser.bob.*)
        HttpResponse<String> proxy = send("POST", "/sessions", BOB, "{\"configs\": {\"proxyUser\": \"alice\"}}");
        assertEquals(500, proxy.statusCode(), proxy.body());
        assertTrue(message(proxy).contains("bob is not allowed to impersonate alice"), proxy.body());
        assertEquals(0, ok(send("GET", "/sessions", BOB, null)).size());
        JsonNode rows = ok(send("GET", "/operations/" + op + "/rowset", ALICE, null));
        assertEquals("secret", rows.get("rows").get(0).get("fields").get(0).get("value").asText(),
                "alice's operation is untouched");
        assertEquals(200, send("GET", "/sessions/" + session, ALICE, null).statusCode());
    }

    @Test
    @Order(9)
    void adminCallsAreForAdministratorsOnly() throws Exception {
        HttpResponse<String> refused = send("GET", "/admin/sessions", BOB, null);
        assertEquals(403, refused.statusCode(), refused.body());
        assertTrue(message(refused).contains("kyuubi.server.administrators"), refused.body());
        assertEquals(403, send("DELETE", "/admin/sessions/" + session, ALICE, null).statusCode());

        JsonNode all = ok(send("GET", "/admin/sessions", CAROL, null));
        assertTrue(all.toString().contains(session), all.toString());
        JsonNode servers = ok(send("GET", "/admin/server", CAROL, null));
        assertEquals(1, servers.size(), servers.toString());
        assertEquals(server.port(), servers.get(0).get("port").asInt(), servers.toString());
        assertEquals(403, send("GET", "/admin/server", ALICE, null).statusCode());
        // the one engine of this test: share level SERVER, routed by the server's own OS user
        JsonNode engines = ok(send("GET", "/admin/engine?sharelevel=SERVER&hive.server2.proxy.user="
                + System.getProperty("user.name"), CAROL, null));
        assertEquals(1, engines.size(), engines.toString());
        assertEquals("SPARK_SQL", engines.get(0).get("engineType").asText());
        assertTrue(engines.get(0).get("instance").asText().startsWith("127.0.0.1:"), engines.toString());
        assertEquals(400, send("GET", "/admin/engine?hive.server2.proxy.user=..", CAROL, null).statusCode());
        assertEquals(403, send("GET", "/admin/engine", BOB, null).statusCode());
    }

    @Test
    @Order(10)
    void kitsuneCtlListsAndClosesSessionsAndListsEnginesOverTheRestApi() throws Exception {
        String host = api.substring(0, api.length() - "/api/v1".length());
        String bobs = ok(send("POST", "/sessions", BOB, "{\"configs\": {}}")).get("identifier").asText();
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
        assertEquals(404, send("GET", "/sessions/" + bobs, BOB, null).statusCode());
        // engines over the admin API
        kitsune.testkit.KitsuneCtl.Run engines = kitsune.testkit.KitsuneCtl.run(server.confDir, server.dir, "list",
                "engine", "-u", System.getProperty("user.name"), "-esl", "SERVER", "--hostUrl", host, "--username",
                "carol", "--password", "admin-pw");
        assertEquals(0, engines.rc(), engines.err());
        assertTrue(engines.out().contains("Engine Node List (total 1)") && engines.out().contains("127.0.0.1:"),
                engines.out());
    }

    @Test
    @Order(11)
    void closingTheSessionEndsItsHandle() throws Exception {
        assertEquals(200, send("DELETE", "/sessions/" + session, ALICE, null).statusCode());
        assertEquals(404, send("GET", "/sessions/" + session, ALICE, null).statusCode());
        assertEquals(0, ok(send("GET", "/sessions", ALICE, null)).size());
    }

    @Test
    @Order(12)
    void aDrainingServerRefusesNewSessionsWith503AndServesTheOpenOnes() throws Exception {
        HttpResponse<String> open = send("POST", "/sessions", BOB, "{\"configs\": {}}");
        session = ok(open).get("identifier").asText();
        try (ZooKeeper zk = Zk.connect(server.zkConnect())) {
            for (String node : zk.getChildren("/" + server.namespace(), false)) {
                zk.delete("/" + server.namespace() + "/" + node, -1);
            }
        }
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200))
                .until(() -> send("POST", "/sessions", ALICE, "{}").statusCode() == 503);
        HttpResponse<String> refused = send("POST", "/sessions", ALICE, "{}");
        assertEquals(503, refused.statusCode(), refused.body());
        assertTrue(message(refused).contains("accepts no new sessions"), refused.body());

        String op = statement(BOB, "SELECT 3", false);
        JsonNode rows = ok(send("GET", "/operations/" + op + "/rowset", BOB, null));
        assertEquals(3, rows.get("rows").get(0).get("fields").get(0).get("value").asInt());
        // an administrator deletes the engine's node: it takes no new sessions and ends with its last one
        String engineQuery = "/admin/engine?sharelevel=SERVER&hive.server2.proxy.user=" + System.getProperty("user.name");
        assertEquals(403, send("DELETE", engineQuery, BOB, null).statusCode());
        HttpResponse<String> deleted = send("DELETE", engineQuery, CAROL, null);
        assertEquals(200, deleted.statusCode(), deleted.body());
        assertTrue(message(deleted).endsWith("is deleted successfully."), deleted.body());
        // the engine's node recipe may re-create the node for the moment until the engine has seen the deletion
        // and closed it: wait for the engine to be gone from the list
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200))
                .until(() -> ok(send("GET", engineQuery, CAROL, null)).size() == 0);
        assertEquals(200, send("POST", "/admin/refresh/user_defaults_conf", CAROL, null).statusCode());
        assertEquals(403, send("POST", "/admin/refresh/user_defaults_conf", BOB, null).statusCode());

        assertEquals(200, send("DELETE", "/sessions/" + session, BOB, null).statusCode());
        assertTrue(server.awaitExit(Duration.ofSeconds(60)), "the drain ends with the last session:\n" + server.tail());
    }

    // ---------------------------------------------------------------- helpers

    private String statement(String login, String sql, boolean async) throws Exception {
        String body = json.writeValueAsString(Map.of("statement", sql, "runAsync", async, "queryTimeout", 0,
                "confOverlay", Map.of()));
        return operation(send("POST", "/sessions/" + session + "/operations/statement", login, body));
    }

    private String operation(HttpResponse<String> resp) throws Exception {
        return ok(resp).get("identifier").asText();
    }

    private void awaitState(String login, String op, String state) {
        await().atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofMillis(200)).until(() -> {
            JsonNode event = ok(send("GET", "/operations/" + op + "/event", login, null));
            if (event.get("state").asText().equals("ERROR")) throw new AssertionError(event.toString());
            return event.get("state").asText().equals(state);
        });
    }

    private JsonNode ok(HttpResponse<String> resp) throws Exception {
        assertEquals(200, resp.statusCode(), resp.request() + ": " + resp.body());
        assertTrue(resp.headers().firstValue("Content-Type").orElse("").startsWith("application/json"),
                resp.headers().toString());
        return json.readTree(resp.body());
    }

    private String message(HttpResponse<String> resp) throws Exception {
        return json.readTree(resp.body()).get("message").asText();
    }

    private HttpRequest.Builder request(String path, String login) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(api + path)).timeout(Duration.ofMinutes(3));
        if (login != null && login.startsWith("kyuubi.rest.auth=")) {
            b.header("Cookie", login);
        } else if (login != null) {
            b.header("Authorization", "Basic " + Base64.getEncoder().encodeToString(
                    login.getBytes(StandardCharsets.UTF_8)));
        }
        return b;
    }

    private HttpResponse<String> send(String method, String path, String login, String body) throws Exception {
        HttpRequest.Builder b = request(path, login);
        if (body != null) b.header("Content-Type", "application/json");
        b.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }
}
