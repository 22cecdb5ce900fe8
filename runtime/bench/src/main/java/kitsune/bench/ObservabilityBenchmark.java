package kitsune.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

import kitsune.testkit.Jdbc;
import kitsune.testkit.KitsuneServer;
import kitsune.testkit.ZooKeeperEnsemble;

/**
 * What metrics and event logging cost a client: two servers of one namespace on one ZooKeeper, sharing one engine
 * (user bench), one with the metrics bundle and the JSON event log, one without the metrics bundle and with no event
 * logger. The Hive driver in this JVM runs batches of SELECT 1 against each in turn (the order swapped every batch),
 * so both see the same engine, the same JIT warmth and the same moments of load.
 */
final class ObservabilityBenchmark {
    private static final int BATCHES = Integer.getInteger("bench.observe.batches", 20);
    private static final int PER_BATCH = Integer.getInteger("bench.observe.rounds", 100);
    private static final String SECRET = "bench-engine-secret-5b1e2d";

    private ObservabilityBenchmark() {
    }

    static void run() throws Exception {
        Path dir = Files.createTempDirectory("kitsune-bench-observe-");
        try (ZooKeeperEnsemble zk = new ZooKeeperEnsemble(dir.resolve("zk"), 1, 500, 2000, 60000).start()) {
            KitsuneServer on = server(dir.resolve("on"), zk)
                    .set("kyuubi.metrics.enabled", "true")
                    .set("kyuubi.backend.server.event.loggers", "JSON");
            KitsuneServer off = server(dir.resolve("off"), zk)
                    .set("kyuubi.metrics.enabled", "false")
                    .set("kyuubi.backend.server.event.loggers", "");
            off.prepare();
            Files.deleteIfExists(off.bundlesDir.resolve("kitsune.metrics.jar")); // no metrics bundle at all
            try (KitsuneServer a = on.start(); KitsuneServer b = off.start();
                    Connection ca = Jdbc.connect(a.directUrl(), "bench");
                    Connection cb = Jdbc.connect(b.directUrl(), "bench")) {
                if (!Jdbc.appId(ca).equals(Jdbc.appId(cb))) throw new AssertionError("the servers use two engines");
                batch(ca, 300);
                batch(cb, 300);
                List<Double> onP50 = new ArrayList<>();
                List<Double> offP50 = new ArrayList<>();
                for (int i = 0; i < BATCHES; i++) {
                    if (i % 2 == 0) {
                        onP50.add(batch(ca, PER_BATCH));
                        offP50.add(batch(cb, PER_BATCH));
                    } else {
                        offP50.add(batch(cb, PER_BATCH));
                        onP50.add(batch(ca, PER_BATCH));
                    }
                }
                double[] ratios = new double[BATCHES];
                for (int i = 0; i < BATCHES; i++) ratios[i] = onP50.get(i) / offP50.get(i);
                Arrays.sort(ratios);
                double on50 = median(onP50);
                double off50 = median(offP50);
                System.out.printf(Locale.ROOT, "SELECT 1 p50 per batch of %d, median of %d batches: metrics and event "
                        + "log on %.2f ms, off %.2f ms; on/off per batch min %.3f median %.3f max %.3f%n",
                        PER_BATCH, BATCHES, on50, off50, ratios[0], ratios[BATCHES / 2], ratios[BATCHES - 1]);
                double ratio = ratios[BATCHES / 2];
                System.out.printf(Locale.ROOT, "RESULT %-45s %9.3f x  goal %-9s %s%n",
                        "SELECT 1 p50 observability on/off", ratio, "<= 1.03", ratio <= 1.03 ? "met" : "NOT met");
            }
        }
    }

    private static KitsuneServer server(Path dir, ZooKeeperEnsemble zk) throws Exception {
        return new KitsuneServer(dir).set("kyuubi.ha.addresses", zk.connectString())
                .set("kyuubi.engine.security.secret.provider.simple.secret", SECRET)
                .set("spark.master", "local[2]").set("spark.driver.memory", "1g");
    }

    /** The p50 of n SELECT 1 round trips on the connection, in ms. */
    private static double batch(Connection c, int n) throws Exception {
        long[] t = new long[n];
        try (Statement st = c.createStatement()) {
            for (int i = 0; i < n; i++) {
                long s = System.nanoTime();
                try (ResultSet rs = st.executeQuery("SELECT 1")) {
                    if (!rs.next() || rs.getInt(1) != 1) throw new AssertionError("SELECT 1 did not return 1");
                }
                t[i] = System.nanoTime() - s;
            }
        }
        return new Stats(t).p50();
    }

    private static double median(List<Double> values) {
        List<Double> sorted = new ArrayList<>(values);
        sorted.sort(null);
        return sorted.get(sorted.size() / 2);
    }
}
