package kitsune.e2e;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.time.Duration;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import kitsune.internal.testing.KeyStores;
import kitsune.testkit.Engines;
import kitsune.testkit.Jdbc;
import kitsune.testkit.KitsuneServer;
import kitsune.testkit.ListeningSockets;
import kitsune.testkit.WebConsole;

/**
 * The console and the metrics endpoint as an attacker on the network meets them: HTTPS only when TLS is on, no
 * state change from another site's page even with the operator's Basic login in the browser, bound to one address
 * (never every interface by default), and metrics behind a login when one is configured.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ConsoleSecurityTest {
    private static final String PASSWORD = "console-sec-pw";
    private static final String STORE_PASSWORD = "console-sec-store";
    private static final String METRICS_USER = "prometheus";
    private static final String METRICS_PASSWORD = "scrape-pw-8c1f";
    private static final Pattern METRICS = Pattern.compile("Prometheus metrics at (http://(\\S+):(\\d+)(/\\S*))");

    private KitsuneServer server;
    private WebConsole console;
    private KeyStores stores;
    private final HttpClient plain = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

    @BeforeAll
    void startServer() throws Exception {
        Path dir = Files.createTempDirectory("kitsune-e2e-console-sec-");
        stores = KeyStores.create(dir, STORE_PASSWORD);
        server = new KitsuneServer(dir)
                .set("kitsune.console.password", PASSWORD)
                // no console key store of its own: the console falls back to the frontend's
                .set("kitsune.console.ssl.enabled", "true")
                .set("kyuubi.frontend.ssl.keystore.path", stores.keystore.toString())
                .set("kyuubi.frontend.ssl.keystore.password", STORE_PASSWORD)
                .set("kyuubi.frontend.ssl.keystore.type", "PKCS12")
                // no bind host of their own: console and metrics fall back to the frontend's
                .set("kyuubi.frontend.bind.host", "127.0.0.1")
                .set("kitsune.metrics.prometheus.username", METRICS_USER)
                .set("kitsune.metrics.prometheus.password", METRICS_PASSWORD)
                .set("spark.master", "local[1]").set("spark.driver.memory", "640m");
        server.conf.remove("kitsune.metrics.prometheus.bind.host");
        server.start();
        console = WebConsole.of(server, "admin", PASSWORD, WebConsole.trusting(stores.truststore, STORE_PASSWORD));
    }

    @AfterAll
    void stopServer() throws Exception {
        if (server != null) server.close();
    }

    @Test
    void theConsoleSpeaksHttpsOnlyWithTheFrontendsKeyStore() throws Exception {
        assertTrue(console.url().startsWith("https://127.0.0.1:"), console.url());
        HttpResponse<String> page = console.send(HttpRequest.newBuilder(URI.create(console.url() + "/kitsune.json")));
        assertEquals(200, page.statusCode(), page.body());
        assertTrue(page.body().contains("\"port\":" + server.port() + ","), page.body());

        // the same port in clear text: no answer at all, let alone the page
        URI clear = URI.create(console.url().replace("https://", "http://") + "/kitsune.json");
        String outcome;
        try {
            HttpResponse<String> r = plain.send(HttpRequest.newBuilder(clear).timeout(Duration.ofSeconds(10))
                    .header("Authorization", WebConsole.basic("admin", PASSWORD)).build(),
                    HttpResponse.BodyHandlers.ofString());
            outcome = r.statusCode() + " " + r.body();
            assertTrue(r.statusCode() >= 400, "plain HTTP got " + outcome);
        } catch (IOException refused) {
            outcome = refused.toString();
        }
        assertFalse(outcome.contains("\"servers\""), outcome);
        // a client that does not trust the certificate does not get in either
        assertTrue(failsOverTls(URI.create(console.url() + "/kitsune.json")), "an untrusted certificate is accepted");
    }

    @Test
    void aCrossOriginPostIsRefusedWithTheRightLoginAndTheEngineKeepsRunning() throws Exception {
        try (Connection c = Jdbc.connect(server.directUrl(), "erin")) {
            assertEquals(1, ((Number) Jdbc.single(c, "SELECT 1")).intValue());
            String znode = engineZnode("erin");
            String form = "action=stop-engine&engine=" + URLEncoder.encode(znode, StandardCharsets.UTF_8);

            // what a page of another site makes the operator's browser send, Basic login included
            HttpResponse<String> crossSite = console.sendAsIs(post("/kitsune.json", form)
                    .header("Origin", "https://evil.example"));
            assertEquals(403, crossSite.statusCode(), crossSite.body());
            HttpResponse<String> crossReferer = console.sendAsIs(post("/kitsune.json", form)
                    .header("Referer", "https://evil.example/attack.html"));
            assertEquals(403, crossReferer.statusCode(), crossReferer.body());
            HttpResponse<String> bare = console.sendAsIs(post("/kitsune.json", form));
            assertEquals(403, bare.statusCode(), bare.body());
            assertTrue(bare.body().contains("X-XSRF-HEADER"), "the refusal names the header scripts send: "
                    + bare.body());
            // the Web Console's own pages too: a bundle's Stop button
            String metricsBundle = console.bundleField("kitsune.metrics", "id");
            HttpResponse<String> bundleStop = console.sendAsIs(post("/bundles/" + metricsBundle, "action=stop")
                    .header("Origin", "https://evil.example"));
            assertEquals(403, bundleStop.statusCode(), bundleStop.body());
            assertEquals("Active", console.bundleField("kitsune.metrics", "state"));

            assertEquals(1, Engines.of(server, "erin").size(), "the engine still runs");
            assertEquals(1, ((Number) Jdbc.single(c, "SELECT 1")).intValue(), "and its session still works");
            assertTrue(server.log().contains("Cross-origin request refused"), "the refusal is logged");

            // from the console's own page (its Origin), the same request acts
            HttpResponse<String> sameOrigin = console.sendAsIs(post("/kitsune.json", form)
                    .header("Origin", console.origin()));
            assertEquals(200, sameOrigin.statusCode(), sameOrigin.body());
            await("erin's engine ended").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200))
                    .until(() -> Engines.of(server, "erin").isEmpty());
        }
        // a script that says so with the header
        try (Connection c = Jdbc.connect(server.directUrl(), "erin")) {
            assertEquals(1, ((Number) Jdbc.single(c, "SELECT 1")).intValue());
            String form = "action=stop-engine&engine=" + URLEncoder.encode(engineZnode("erin"), StandardCharsets.UTF_8);
            HttpResponse<String> script = console.sendAsIs(post("/kitsune.json", form).header("X-XSRF-HEADER", "true"));
            assertEquals(200, script.statusCode(), script.body());
            await("erin's second engine ended").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200))
                    .until(() -> Engines.of(server, "erin").isEmpty());
        }
    }

    @Test
    void consoleAndMetricsBindTheFrontendsHostNotEveryInterface() throws Exception {
        int consolePort = URI.create(console.url()).getPort();
        Matcher m = server.awaitLog(METRICS, Duration.ofSeconds(30));
        int metricsPort = Integer.parseInt(m.group(3));
        assertEquals(List.of("127.0.0.1"), ListeningSockets.addressesOf(consolePort));
        assertEquals(List.of("127.0.0.1"), ListeningSockets.addressesOf(metricsPort));
    }

    @Test
    void scrapesNeedTheMetricsLogin() throws Exception {
        Matcher m = server.awaitLog(METRICS, Duration.ofSeconds(30));
        URI metrics = URI.create(m.group(1));
        assertEquals(401, scrape(metrics, null).statusCode());
        assertEquals(401, scrape(metrics, WebConsole.basic(METRICS_USER, "wrong")).statusCode());
        assertEquals(401, scrape(metrics, WebConsole.basic("admin", PASSWORD)).statusCode());
        HttpResponse<String> ok = scrape(metrics, WebConsole.basic(METRICS_USER, METRICS_PASSWORD));
        assertEquals(200, ok.statusCode());
        assertTrue(ok.body().contains("# TYPE kyuubi_connection_opened gauge"), ok.body());
        assertFalse(server.log().contains(METRICS_PASSWORD), "the metrics password is never logged");
    }

    /** Neither key set: both bind this machine's address, as the Thrift HTTP frontend, never 0.0.0.0. */
    @Test
    void withoutAnyBindHostBothBindThisMachinesAddress() throws Exception {
        try (KitsuneServer bare = new KitsuneServer(Files.createTempDirectory("kitsune-e2e-console-bind-"))) {
            bare.conf.remove("kitsune.metrics.prometheus.bind.host");
            bare.start();
            WebConsole c = WebConsole.of(bare, "admin", "unused");
            Matcher m = bare.awaitLog(METRICS, Duration.ofSeconds(30));
            String machine = InetAddress.getLocalHost().getHostAddress();
            assertEquals(List.of(machine), ListeningSockets.addressesOf(URI.create(c.url()).getPort()),
                    "the console's listening socket");
            assertEquals(List.of(machine), ListeningSockets.addressesOf(Integer.parseInt(m.group(3))),
                    "the metrics endpoint's listening socket");
        }
    }

    private String engineZnode(String user) throws Exception {
        String json = console.send(HttpRequest.newBuilder(URI.create(console.url() + "/kitsune.json"))).body();
        Matcher e = Pattern.compile("\\{\"user\":\"" + user + "\"[^{}]*\"znode\":\"([^\"]+)\"").matcher(json);
        assertTrue(e.find(), json);
        return e.group(1);
    }

    private HttpRequest.Builder post(String path, String form) {
        return HttpRequest.newBuilder(URI.create(console.url() + path)).timeout(Duration.ofSeconds(60))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(form));
    }

    private HttpResponse<String> scrape(URI metrics, String authorization) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(metrics).timeout(Duration.ofSeconds(10));
        if (authorization != null) b.header("Authorization", authorization);
        return plain.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private boolean failsOverTls(URI uri) throws Exception {
        try {
            plain.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(10)).build(),
                    HttpResponse.BodyHandlers.ofString());
            return false;
        } catch (IOException e) {
            return true;
        }
    }
}
