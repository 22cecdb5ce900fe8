package kitsune.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import kitsune.testkit.BatchApp;
import kitsune.testkit.Jdbc;
import kitsune.testkit.KitsuneCtl;
import kitsune.testkit.KitsuneServer;
import kitsune.testkit.RestClient;

/** What the cluster tests ask of every engine, and kitsune-ctl against a test's server. */
final class ClusterChecks {
    private ClusterChecks() {
    }

    /** A query whose tasks run on the executors, with its known answer. */
    static void assertSumOfRange(Connection c) throws SQLException {
        List<Object> row = Jdbc.query(c, "SELECT count(*), sum(id) FROM range(10000000)").get(0);
        assertEquals(10000000L, row.get(0));
        assertEquals(49999995000000L, row.get(1));
    }

    /** Submits the test's batch application over REST in that deploy mode; returns the batch id. */
    static String submitBatch(RestClient rest, String login, Path jar, String name, String deployMode,
            String... args) throws Exception {
        Map<String, Object> req = new LinkedHashMap<>();
        req.put("batchType", "SPARK");
        req.put("resource", jar.toString());
        req.put("className", BatchApp.CLASS_NAME);
        req.put("name", name);
        req.put("conf", Map.of("spark.submit.deployMode", deployMode));
        req.put("args", List.of(args));
        return RestClient.ok(rest.post("/batches", login, req)).path("id").asText();
    }

    /** Deletes a directory and everything under it (what the loss of a host leaves of a batch's directory). */
    static void deleteTree(Path dir) throws Exception {
        try (var paths = java.nio.file.Files.walk(dir)) {
            for (Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
                java.nio.file.Files.deleteIfExists(p);
            }
        }
    }

    static KitsuneCtl.Run ctl(KitsuneServer server, String... args) throws Exception {
        return KitsuneCtl.run(server.confDir, server.dir, args);
    }
}
