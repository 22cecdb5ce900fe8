package kitsune.bench;

import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

import org.apache.zookeeper.ZooKeeper;

import kitsune.testkit.Jdbc;
import kitsune.testkit.KitsuneServer;
import kitsune.testkit.SparkStandalone;
import kitsune.testkit.Zk;

/**
 * Engines on a real Spark standalone cluster (Spark's Master and two Workers on 127.0.0.1) beside a local engine,
 * in one run: engine cold start (OpenSession to the first row of SELECT 1) for a local engine, a client-mode and a
 * cluster-mode engine on the cluster, each several times; then a query with a Spark job on the cluster's executors
 * through the server and straight to the same engine, alternating, with the ratio of their medians.
 */
final class ClusterBenchmark {
    private static final int STARTS = Integer.getInteger("bench.starts", 3);
    private static final int QUERIES = Integer.getInteger("bench.queries", 21);
    private static final String JOB_SQL = "SELECT count(*), sum(id) FROM range(0, 40000000, 1, 4)";

    private ClusterBenchmark() {
    }

    static void run() throws Exception {
        Path dir = Files.createTempDirectory("kitsune-bench-cluster-");
        try (SparkStandalone cluster = new SparkStandalone(dir.resolve("cluster"), SparkStandalone.SPARK_4_0, 2);
                KitsuneServer server = new KitsuneServer(dir.resolve("server"))) {
            server.set("spark.master", cluster.masterUrl()).set("kitsune.engine.bind.host", "127.0.0.1")
                    .set("spark.driver.host", "127.0.0.1").set("kyuubi.engineEnv.SPARK_LOCAL_IP", "127.0.0.1")
                    .set("spark.driver.memory", "1g").set("spark.executor.memory", "768m")
                    .set("spark.executor.cores", "1").set("spark.cores.max", "2")
                    .set("kyuubi.session.engine.initialize.timeout", "PT3M")
                    // the job ratio's baseline is the Hive driver straight to the engine, which takes logins from
                    // servers only while engine security is on (the default)
                    .set("kyuubi.engine.security.enabled", "false").start();
            System.out.printf(Locale.ROOT, "standalone cluster %s with 2 workers (2 cores, 2 GiB each) on 127.0.0.1%n",
                    cluster.masterUrl());
            coldStarts(cluster, server, "local engine (local[2], direct launch)", "?spark.master=local[2]", "benchlocal");
            coldStarts(cluster, server, "standalone, client mode", "", "benchclient");
            coldStarts(cluster, server, "standalone, cluster mode", "?spark.submit.deployMode=cluster", "benchcluster");
            jobRatio(server);
        }
    }

    private static void coldStarts(SparkStandalone cluster, KitsuneServer server, String label, String query, String user) throws Exception {
        if (STARTS <= 0) return; // -Dbench.starts=0: the job ratio alone
        double[] secs = new double[STARTS];
        for (int i = 0; i < STARTS; i++) {
            long t0 = System.nanoTime();
            try (Connection c = Jdbc.connect(server.zkUrl() + query, user); Statement st = c.createStatement();
                    ResultSet rs = st.executeQuery("SELECT 1")) {
                rs.next();
                secs[i] = (System.nanoTime() - t0) / 1e9;
            }
            stopEngine(cluster, server, user);
        }
        Arrays.sort(secs);
        System.out.printf(Locale.ROOT, "RESULT engine cold start, %-38s min %6.2f s  median %6.2f s  max %6.2f s  (%d starts)%n",
                label, secs[0], secs[STARTS / 2], secs[STARTS - 1], STARTS);
    }

    /** Deletes the user's engine node (the engine drains and ends its application) and waits until it is gone. */
    private static void stopEngine(SparkStandalone cluster, KitsuneServer server, String user) throws Exception {
        try (ZooKeeper zk = Zk.connect(server.zkConnect())) {
            String space = "/" + server.namespace() + "_1-spark-4.0_USER_SPARK_SQL/" + user + "/default";
            for (String node : zk.getChildren(space, false)) zk.delete(space + "/" + node, -1);
            await("the engine of " + user + " gone").atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(200))
                    .until(() -> zk.getChildren(space, false).isEmpty());
        }
        // the next start must find every core free: its application's cores return once its driver has ended
        await("the cluster's cores free again").atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(200))
                .ignoreExceptions().until(() -> cluster.masterJson().path("coresused").asInt() == 0);
    }

    private static void jobRatio(KitsuneServer server) throws Exception {
        String engineUrl;
        try (Connection warm = Jdbc.connect(server.zkUrl(), "benchjob")) {
            Jdbc.query(warm, JOB_SQL);
        }
        try (ZooKeeper zk = Zk.connect(server.zkConnect())) {
            String space = "/" + server.namespace() + "_1-spark-4.0_USER_SPARK_SQL/benchjob/default";
            List<String> nodes = zk.getChildren(space, false);
            engineUrl = "jdbc:hive2://" + Zk.hostPort(zk.getData(space + "/" + nodes.get(0), false, null))
                    + "/;auth=noSasl";
        }
        long[] via = new long[QUERIES];
        long[] direct = new long[QUERIES];
        double[] ratios = new double[QUERIES];
        long[] viaOne = new long[QUERIES];
        long[] directOne = new long[QUERIES];
        try (Connection s = Jdbc.connect(server.zkUrl(), "benchjob"); Connection e = Jdbc.connect(engineUrl, "benchjob")) {
            for (int i = -2; i < QUERIES; i++) { // two unmeasured rounds of each
                // the side that goes first alternates (ABBA), so neither side always runs just after the other's job
                boolean serverFirst = (i & 1) == 0;
                long t;
                long u;
                if (serverFirst) {
                    t = time(s, JOB_SQL);
                    u = time(e, JOB_SQL);
                } else {
                    u = time(e, JOB_SQL);
                    t = time(s, JOB_SQL);
                }
                long t1 = time(s, "SELECT 1");
                long u1 = time(e, "SELECT 1");
                if (i >= 0) {
                    via[i] = t;
                    direct[i] = u;
                    ratios[i] = (double) t / u;
                    viaOne[i] = t1;
                    directOne[i] = u1;
                }
            }
        }
        Arrays.sort(via);
        Arrays.sort(direct);
        Arrays.sort(ratios);
        Arrays.sort(viaOne);
        Arrays.sort(directOne);
        double v = via[QUERIES / 2] / 1e6;
        double d = direct[QUERIES / 2] / 1e6;
        System.out.printf(Locale.ROOT, "query with a Spark job on the cluster (%s), %d runs each, alternating order:%n",
                JOB_SQL, QUERIES);
        System.out.printf(Locale.ROOT, "  through the server   min %7.1f ms  median %7.1f ms  max %7.1f ms%n",
                via[0] / 1e6, v, via[QUERIES - 1] / 1e6);
        System.out.printf(Locale.ROOT, "  straight to engine   min %7.1f ms  median %7.1f ms  max %7.1f ms%n",
                direct[0] / 1e6, d, direct[QUERIES - 1] / 1e6);
        System.out.printf(Locale.ROOT, "  ratio of each pair   min %7.2f     median %7.2f     max %7.2f%n",
                ratios[0], ratios[QUERIES / 2], ratios[QUERIES - 1]);
        System.out.printf(Locale.ROOT, "  SELECT 1 between the jobs: through the server median %.1f ms, straight %.1f ms "
                + "(the server's fixed cost per statement: %+.1f ms)%n", viaOne[QUERIES / 2] / 1e6,
                directOne[QUERIES / 2] / 1e6, (viaOne[QUERIES / 2] - directOne[QUERIES / 2]) / 1e6);
        System.out.printf(Locale.ROOT, "RESULT %-45s %9.2f x  goal %-9s %s%n", "cluster job median ratio server/direct",
                v / d, "<= 1.10", v / d <= 1.10 ? "met" : "NOT met");
        System.out.printf(Locale.ROOT, "RESULT %-45s %9.2f x  goal %-9s %s%n", "cluster job median of pair ratios",
                ratios[QUERIES / 2], "<= 1.10", ratios[QUERIES / 2] <= 1.10 ? "met" : "NOT met");
    }

    private static long time(Connection c, String sql) throws Exception {
        long t0 = System.nanoTime();
        List<List<Object>> rows = Jdbc.query(c, sql);
        long expected = sql.equals(JOB_SQL) ? 40_000_000L : 1L;
        if (((Number) rows.get(0).get(0)).longValue() != expected) throw new AssertionError("wrong result of " + sql);
        return System.nanoTime() - t0;
    }
}
