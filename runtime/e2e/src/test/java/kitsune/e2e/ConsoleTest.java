package kitsune.e2e;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.apache.zookeeper.ZooKeeper;

import kitsune.testkit.Engines;
import kitsune.testkit.Jdbc;
import kitsune.testkit.KitsuneServer;
import kitsune.testkit.RestClient;
import kitsune.testkit.Zk;

/**
 * The Kitsune page of the Web Console on a real server: the console's login protects it, it lists this server, its
 * sessions and engines, and its POST actions close a session and drain the server.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ConsoleTest {
    private static final String PASSWORD = "console-e2e-pw";
    private static final Pattern CONSOLE = Pattern.compile("Web Console at (http://\\S+/system/console)");

    private KitsuneServer server;
    private String console;
    private RestClient web;

    @BeforeAll
    void startServer() throws Exception {
        server = new KitsuneServer(Files.createTempDirectory("kitsune-e2e-console-"))
                .set("kitsune.console.password", PASSWORD)
                .set("spark.master", "local[1]").set("spark.driver.memory", "640m")
                .start();
        Matcher m = server.awaitLog(CONSOLE, Duration.ofSeconds(60));
        console = m.group(1);
        web = new RestClient(console);
    }

    @AfterAll
    void stopServer() throws Exception {
        if (server != null) server.close();
    }

    @Test
    @Order(1)
    void thePageNeedsTheConsoleLogin() throws Exception {
        assertEquals(401, web.get("/kitsune", null).statusCode());
        assertEquals(401, web.get("/kitsune", "admin:wrong").statusCode());
        assertEquals(401, web.get("/kitsune.json", "admin:wrong").statusCode());
        assertEquals(401, post("/kitsune.json", "admin:wrong", "action=drain").statusCode());
        // a cross-site form POST (the browser sends Origin) is refused even with the right login
        HttpResponse<String> crossSite = web.send(web.request("/kitsune", "admin:" + PASSWORD)
                .header("Origin", "http://evil.example").header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString("action=drain")));
        assertEquals(403, crossSite.statusCode(), crossSite.body());
    }

    @Test
    @Order(2)
    void thePageListsThisServer() throws Exception {
        HttpResponse<String> page = web.get("/kitsune", "admin:" + PASSWORD);
        assertEquals(200, page.statusCode(), page.body());
        assertTrue(page.body().contains("id='kitsune-servers'"), page.body());
        assertTrue(page.body().contains("<td>" + server.port() + "</td>"), page.body());
        assertTrue(page.body().contains("this server"), page.body());

        HttpResponse<String> json = web.get("/kitsune.json", "admin:" + PASSWORD);
        assertEquals(200, json.statusCode(), json.body());
        assertTrue(json.headers().firstValue("Content-Type").orElse("").startsWith("application/json"));
        assertTrue(json.body().contains("\"port\":" + server.port() + ","), json.body());
        assertTrue(json.body().contains("\"self\":true"), json.body());
        assertTrue(json.body().contains("\"sessions\":[]"), json.body());
    }

    @Test
    @Order(3)
    void listsASessionAndItsEngineAndClosesTheSession() throws Exception {
        try (Connection c = Jdbc.connect(server.directUrl(), "carol")) {
            assertEquals(1, ((Number) Jdbc.single(c, "SELECT 1")).intValue());

            String json = web.get("/kitsune.json", "admin:" + PASSWORD).body();
            Matcher s = Pattern.compile("\\{\"id\":\"([^\"]+)\",\"user\":\"carol\"").matcher(json);
            assertTrue(s.find(), json);
            String id = s.group(1);
            assertTrue(json.contains("\"engines\":[{\"user\":\"carol\",\"shareLevel\":\"USER\""), json);
            String appId = Jdbc.appId(c);
            assertTrue(json.contains("\"application\":\"" + appId + "\""), "the engine's application: " + json);

            String page = web.get("/kitsune", "admin:" + PASSWORD).body();
            assertTrue(page.contains("<td>" + id + "</td><td>carol</td>"), page);
            assertTrue(page.contains("id='kitsune-engines'"), page);
            assertTrue(page.contains("<td>" + appId + "</td>"), "the page shows the application: " + page);

            // a GET never acts
            assertEquals(200, web.get("/kitsune?action=close-session&session=" + id, "admin:" + PASSWORD)
                    .statusCode());
            assertEquals(1, ((Number) Jdbc.single(c, "SELECT 1")).intValue());

            HttpResponse<String> closed = post("/kitsune", "admin:" + PASSWORD,
                    "action=close-session&session=" + URLEncoder.encode(id, StandardCharsets.UTF_8));
            assertEquals(302, closed.statusCode(), closed.body());
            assertTrue(closed.headers().firstValue("Location").orElse("").contains("/system/console/kitsune?done="),
                    closed.headers().toString());

            assertThrows(SQLException.class, () -> Jdbc.single(c, "SELECT 1"));
            assertFalse(web.get("/kitsune.json", "admin:" + PASSWORD).body().contains("{\"id\":\"" + id + "\""));

            HttpResponse<String> again = post("/kitsune.json", "admin:" + PASSWORD,
                    "action=close-session&session=" + URLEncoder.encode(id, StandardCharsets.UTF_8));
            assertEquals(409, again.statusCode(), again.body());
            assertTrue(again.body().contains("No open session"), again.body());
        }
    }

    @Test
    @Order(4)
    void stoppingAnEngineEndsItAtOnceEvenWithASessionOpen() throws Exception {
        try (Connection c = Jdbc.connect(server.directUrl(), "dave")) {
            assertEquals(1, ((Number) Jdbc.single(c, "SELECT 1")).intValue());
            assertEquals(1, Engines.of(server, "dave").size());
            String space = "/" + server.namespace() + "_1-spark-4.0_USER_SPARK_SQL/dave/default";
            String znode;
            try (ZooKeeper zk = Zk.connect(server.zkConnect())) {
                znode = space + "/" + zk.getChildren(space, false).get(0);
            }
            HttpResponse<String> stopped = post("/kitsune.json", "admin:" + PASSWORD,
                    "action=stop-engine&engine=" + URLEncoder.encode(znode, StandardCharsets.UTF_8));
            assertEquals(200, stopped.statusCode(), stopped.body());
            assertTrue(stopped.body().contains("the engine ended"), stopped.body());
            await("dave's engine process gone").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200))
                    .until(() -> Engines.of(server, "dave").isEmpty());
            assertThrows(SQLException.class, () -> Jdbc.single(c, "SELECT 1"), "its session failed with it");
        }
        try (Connection c = Jdbc.connect(server.directUrl(), "dave")) {
            assertEquals(1, ((Number) Jdbc.single(c, "SELECT 1")).intValue(), "the next session gets a new engine");
        }
    }

    @Test
    @Order(5)
    void drainLeavesZooKeeperAndStopsTheServerAfterItsLastSession() throws Exception {
        HttpResponse<String> drained = post("/kitsune.json", "admin:" + PASSWORD, "action=drain");
        assertEquals(200, drained.statusCode(), drained.body());
        assertTrue(drained.body().contains("\"ok\":true"), drained.body());
        ZooKeeper zk = Zk.connect(server.zkConnect());
        try {
            await().atMost(Duration.ofSeconds(30)).until(() -> zk.getChildren("/" + server.namespace(), false)
                    .stream().noneMatch(n -> n.contains(":" + server.port() + ";")));
        } finally {
            zk.close();
        }
        // no session is open: the drain ends at once and the server stops, as when its node is deleted
        assertTrue(server.awaitExit(Duration.ofSeconds(60)), "the drained server stops:\n" + server.tail());
    }

    private HttpResponse<String> post(String path, String credentials, String form) throws Exception {
        // as a browser on the console's own page sends it
        URI origin = URI.create(console);
        return web.send(web.request(path, credentials).header("Content-Type", "application/x-www-form-urlencoded")
                .header("Origin", origin.getScheme() + "://" + origin.getRawAuthority())
                .POST(HttpRequest.BodyPublishers.ofString(form)));
    }
}
