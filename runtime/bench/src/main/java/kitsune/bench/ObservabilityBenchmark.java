package kitsune.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.Arrays;
import java.util.Locale;

import kitsune.testkit.Jdbc;
import kitsune.testkit.KitsuneServer;
import kitsune.testkit.ZooKeeperEnsemble;

/**
 * What metrics and event logging cost a client: three servers of one namespace on one ZooKeeper, sharing one engine
 * (user bench): "on" with the metrics bundle and the JSON event log, "off" without the metrics bundle and with no
 * event logger, and "control", configured like "off". The Hive driver in this JVM runs rounds of one SELECT 1 on a
 * session of each (the order rotates every round), so all three see the same engine, JIT warmth and moments of load;
 * per batch of rounds it takes each side's p50. The result is the median over batches of on/off; control/off, two
 * servers that differ in nothing, shows in the same run how far apart this machine measures equal servers.
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
            KitsuneServer off = bare(server(dir.resolve("off"), zk));
            KitsuneServer control = bare(server(dir.resolve("control"), zk));
            try (KitsuneServer a = on.start(); KitsuneServer b = off.start(); KitsuneServer c = control.start();
                    Connection ca = Jdbc.connect(a.directUrl(), "bench");
                    Connection cb = Jdbc.connect(b.directUrl(), "bench");
                    Connection cc = Jdbc.connect(c.directUrl(), "bench");
                    Statement sa = ca.createStatement(); Statement sb = cb.createStatement();
                    Statement sc = cc.createStatement()) {
                if (!Jdbc.appId(ca).equals(Jdbc.appId(cb)) || !Jdbc.appId(ca).equals(Jdbc.appId(cc))) {
                    throw new AssertionError("the servers use more than one engine");
                }
                Statement[] sides = {sa, sb, sc};
                for (int i = 0; i < 300; i++) {
                    for (Statement st : sides) selectOne(st);
                }
                double[][] p50 = new double[3][BATCHES];
                for (int n = 0; n < BATCHES; n++) {
                    long[][] t = new long[3][PER_BATCH];
                    for (int r = 0; r < PER_BATCH; r++) {
                        for (int k = 0; k < 3; k++) {
                            int side = (r + k) % 3;
                            t[side][r] = selectOne(sides[side]);
                        }
                    }
                    for (int side = 0; side < 3; side++) p50[side][n] = new Stats(t[side]).p50();
                }
                double[] onOff = new double[BATCHES];
                double[] controlOff = new double[BATCHES];
                for (int n = 0; n < BATCHES; n++) {
                    onOff[n] = p50[0][n] / p50[1][n];
                    controlOff[n] = p50[2][n] / p50[1][n];
                }
                Arrays.sort(onOff);
                Arrays.sort(controlOff);
                System.out.printf(Locale.ROOT, "SELECT 1 p50 per batch of %d rounds, median of %d batches: metrics and "
                        + "event log on %.2f ms, off %.2f ms, control (off) %.2f ms%n", PER_BATCH, BATCHES,
                        median(p50[0]), median(p50[1]), median(p50[2]));
                System.out.printf(Locale.ROOT, "per batch min / median / max: on/off %.3f / %.3f / %.3f; control/off "
                        + "%.3f / %.3f / %.3f%n", onOff[0], onOff[BATCHES / 2], onOff[BATCHES - 1], controlOff[0],
                        controlOff[BATCHES / 2], controlOff[BATCHES - 1]);
                double ratio = onOff[BATCHES / 2];
                System.out.printf(Locale.ROOT, "RESULT %-45s %9.3f x  goal %-9s %s (control/off %.3f)%n",
                        "SELECT 1 p50 observability on/off", ratio, "<= 1.03", ratio <= 1.03 ? "met" : "NOT met",
                        controlOff[BATCHES / 2]);
            }
        }
    }

    /** No metrics bundle at all and no event logger. */
    private static KitsuneServer bare(KitsuneServer s) throws Exception {
        s.set("kyuubi.metrics.enabled", "false").set("kyuubi.backend.server.event.loggers", "");
        s.prepare();
        Files.deleteIfExists(s.bundlesDir.resolve("kitsune.metrics.jar"));
        return s;
    }

    private static KitsuneServer server(Path dir, ZooKeeperEnsemble zk) throws Exception {
        return new KitsuneServer(dir).set("kyuubi.ha.addresses", zk.connectString())
                .set("kyuubi.engine.security.secret.provider.simple.secret", SECRET)
                .set("spark.master", "local[2]").set("spark.driver.memory", "1g");
    }

    /** One SELECT 1 round trip, in ns. */
    private static long selectOne(Statement st) throws Exception {
        long s = System.nanoTime();
        try (ResultSet rs = st.executeQuery("SELECT 1")) {
            if (!rs.next() || rs.getInt(1) != 1) throw new AssertionError("SELECT 1 did not return 1");
        }
        return System.nanoTime() - s;
    }

    private static double median(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        return sorted[sorted.length / 2];
    }
}
