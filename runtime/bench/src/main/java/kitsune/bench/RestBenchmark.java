package kitsune.bench;

import static org.awaitility.Awaitility.await;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import kitsune.testkit.BatchApp;
import kitsune.testkit.Jdbc;
import kitsune.testkit.KitsuneServer;
import kitsune.testkit.Processes;

/**
 * Kyuubi's REST API as its clients use it, against one pseudo-mode server with the REST frontend: a {@code SELECT 1}
 * round trip over REST (the statement, its rowset, its close: three HTTP requests on a session opened once) alone and
 * from several clients at once, beside the same statement over JDBC on the same engine in the same run; then batches
 * submitted at once (a small Spark application each, local master) and how many the server takes to FINISHED per
 * minute.
 */
final class RestBenchmark {
    private static final int ROUNDS = Integer.getInteger("bench.rest.rounds", 200);
    private static final int CLIENTS = Integer.getInteger("bench.rest.clients", 8);
    private static final int BATCHES = Integer.getInteger("bench.rest.batches", 6);
    private static final Pattern REST = Pattern.compile("REST API at (http://\\S+/api/v1)");
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

    private RestBenchmark() {
    }

    static void run() throws Exception {
        Path dir = Files.createTempDirectory("kitsune-bench-rest-");
        Path apps = Files.createDirectories(dir.resolve("apps"));
        Path jar = BatchApp.build(apps, KitsuneServer.HOME.resolve("engines/spark-4.0/jars"));
        try (KitsuneServer server = new KitsuneServer(dir.resolve("server"))) {
            server.set("kyuubi.frontend.protocols", "THRIFT_BINARY,REST")
                    .set("kyuubi.frontend.rest.bind.host", "127.0.0.1").set("kyuubi.authentication", "NONE")
                    .set("kitsune.batch.resource.dirs", apps.toString())
                    .set("kyuubi.batch.application.check.interval", "PT0.2S")
                    .set("spark.master", "local[1]").set("spark.driver.memory", "512m")
                    .set("spark.ui.enabled", "false").start();
            String api = server.awaitLog(REST, Duration.ofSeconds(60)).group(1);
            try {
                statements(server, api);
                batches(api, jar);
            } finally {
                String marker = server.workDir.resolve("batches").toString();
                Processes.endAll(c -> c.contains(marker));
            }
        }
    }

    private static void statements(KitsuneServer server, String api) throws Exception {
        String session = openSession(api, "benchrest");
        for (int i = 0; i < ROUNDS / 2; i++) selectOne(api, session, "benchrest"); // warm-up
        long[] rest = new long[ROUNDS];
        long[] jdbc = new long[ROUNDS];
        try (Connection c = Jdbc.connect(server.zkUrl(), "benchrest")) {
            for (int i = 0; i < ROUNDS / 2; i++) jdbcSelectOne(c);
            for (int i = 0; i < ROUNDS; i++) { // alternating, so that neither side always goes first
                if ((i & 1) == 0) {
                    rest[i] = selectOne(api, session, "benchrest");
                    jdbc[i] = jdbcSelectOne(c);
                } else {
                    jdbc[i] = jdbcSelectOne(c);
                    rest[i] = selectOne(api, session, "benchrest");
                }
            }
        }
        Stats r = new Stats(rest);
        Stats j = new Stats(jdbc);
        System.out.printf(Locale.ROOT, "SELECT 1, %d runs each, one client: REST (statement + rowset + close) p50 %.1f ms"
                + " p99 %.1f ms; JDBC on the same engine p50 %.1f ms p99 %.1f ms (REST / JDBC p50 %.2f)%n", ROUNDS,
                r.p50(), r.p99(), j.p50(), j.p99(), r.p50() / j.p50());
        System.out.printf(Locale.ROOT, "RESULT REST SELECT 1 round trip p50 / p99            %7.1f / %.1f ms%n", r.p50(),
                r.p99());

        ExecutorService pool = Executors.newFixedThreadPool(CLIENTS);
        try {
            List<Future<long[]>> clients = new ArrayList<>();
            long t0 = System.nanoTime();
            for (int k = 0; k < CLIENTS; k++) {
                String user = "benchrest"; // one user: its sessions share the one engine, as a team's tool's would
                clients.add(pool.submit(() -> {
                    String own = openSession(api, user);
                    for (int i = 0; i < 20; i++) selectOne(api, own, user);
                    long[] each = new long[ROUNDS / 2];
                    for (int i = 0; i < each.length; i++) each[i] = selectOne(api, own, user);
                    return each;
                }));
            }
            List<Long> all = new ArrayList<>();
            for (Future<long[]> f : clients) for (long v : f.get()) all.add(v);
            double secs = (System.nanoTime() - t0) / 1e9;
            Stats c = new Stats(all.stream().mapToLong(Long::longValue).toArray());
            System.out.printf(Locale.ROOT, "RESULT REST SELECT 1, %d clients at once, p50 / p99    %7.1f / %.1f ms"
                    + "  (%d statements in %.1f s: %.0f per second, with each client's warm-up)%n", CLIENTS,
                    c.p50(), c.p99(), all.size(), secs, all.size() / secs);
        } finally {
            pool.shutdownNow();
        }
    }

    private static void batches(String api, Path jar) throws Exception {
        long t0 = System.nanoTime();
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < BATCHES; i++) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("batchType", "SPARK");
            m.put("resource", jar.toString());
            m.put("className", BatchApp.CLASS_NAME);
            m.put("name", "bench-" + i);
            m.put("conf", Map.of());
            m.put("args", List.of("1000000"));
            ids.add(ok(send("POST", api + "/batches", "benchbatch", JSON.writeValueAsString(m))).get("id").asText());
        }
        int[] ended = new int[2]; // FINISHED, failed
        await("the batches ended").atMost(Duration.ofMinutes(10)).pollInterval(Duration.ofMillis(200)).until(() -> {
            int finished = 0;
            int failed = 0;
            for (String id : ids) {
                String state = ok(send("GET", api + "/batches/" + id, "benchbatch", null)).get("state").asText();
                if (state.equals("FINISHED")) finished++;
                if (state.equals("ERROR") || state.equals("CANCELED")) failed++;
            }
            ended[0] = finished;
            ended[1] = failed;
            return finished + failed == BATCHES;
        });
        int finished = ended[0];
        int failed = ended[1];
        double secs = (System.nanoTime() - t0) / 1e9;
        System.out.printf(Locale.ROOT, "RESULT batches submitted at once (%d, local[1], 512 MiB): %d FINISHED, %d failed in"
                + " %.1f s: %.1f batches per minute%n", BATCHES, finished, failed, secs, finished * 60 / secs);
    }

    private static String openSession(String api, String user) throws Exception {
        return ok(send("POST", api + "/sessions", user, "{\"configs\": {}}")).get("identifier").asText();
    }

    /** A statement, its rows and its close, as a REST client makes them; returns the nanoseconds of the three. */
    private static long selectOne(String api, String session, String user) throws Exception {
        long t0 = System.nanoTime();
        String body = JSON.writeValueAsString(Map.of("statement", "SELECT 1", "runAsync", false, "queryTimeout", 0,
                "confOverlay", Map.of()));
        String op = ok(send("POST", api + "/sessions/" + session + "/operations/statement", user, body))
                .get("identifier").asText();
        JsonNode rows = ok(send("GET", api + "/operations/" + op + "/rowset", user, null));
        if (rows.path("rowCount").asInt(-1) != 1) throw new IllegalStateException("SELECT 1 over REST gave " + rows);
        ok(send("PUT", api + "/operations/" + op, user, "{\"action\": \"CLOSE\"}"));
        return System.nanoTime() - t0;
    }

    private static long jdbcSelectOne(Connection c) throws Exception {
        long t0 = System.nanoTime();
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT 1")) {
            rs.next();
        }
        return System.nanoTime() - t0;
    }

    private static HttpResponse<String> send(String method, String url, String user, String body) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofMinutes(2))
                .header("Authorization", "Basic " + Base64.getEncoder().encodeToString((user + ":x")
                        .getBytes(StandardCharsets.UTF_8)));
        if (body != null) b.header("Content-Type", "application/json");
        b.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static JsonNode ok(HttpResponse<String> resp) throws Exception {
        if (resp.statusCode() != 200) {
            throw new IllegalStateException(resp.request().method() + " " + resp.request().uri() + ": HTTP "
                    + resp.statusCode() + " " + resp.body());
        }
        return JSON.readTree(resp.body());
    }
}
