package kitsune.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.List;
import java.util.Locale;

import org.apache.zookeeper.ZooKeeper;

import kitsune.testkit.Engines;
import kitsune.testkit.Jdbc;
import kitsune.testkit.KitsuneServer;
import kitsune.testkit.Zk;

/**
 * Starts a real server in pseudo mode (free ports, temporary directories) and prints, in one run: SELECT 1 round
 * trips through the server and directly against its engine with their ratio, warm session open + first SELECT 1,
 * draining 1M rows at two fetch sizes with the server's heap growth, and engine cold start.
 */
public final class Benchmark {
    private static final int WARMUP = Integer.getInteger("bench.warmup", 100);
    private static final int ROUNDS = Integer.getInteger("bench.rounds", 300);
    private static final int SESSIONS = Integer.getInteger("bench.sessions", 100);
    private static final String DRAIN_SQL = "SELECT id, id * 2, cast(id AS string) FROM range(1000000)";

    private Benchmark() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length > 0 && args[0].equals("cluster")) {
            ClusterBenchmark.run();
            return;
        }
        if (args.length > 0 && args[0].equals("soak")) {
            SoakBenchmark.run();
            return;
        }
        if (args.length > 0 && args[0].equals("observe")) {
            ObservabilityBenchmark.run();
            return;
        }
        if (args.length > 0 && args[0].equals("rest")) {
            RestBenchmark.run();
            return;
        }
        if (args.length > 0 && args[0].equals("load")) {
            LoadBenchmark.run();
            return;
        }
        Path dir = Files.createTempDirectory("kitsune-bench-");
        try (KitsuneServer server = new KitsuneServer(dir)) {
            server.set("spark.master", "local[*]").set("spark.driver.memory", "1g")
                    .set("kitsune.engine.cds.enabled", "true")
                    // the baseline is the Hive driver straight to the engine: with engine security on (the default)
                    // an engine takes logins from servers only
                    .set("kyuubi.engine.security.enabled", "false");
            LoadBenchmark.profile(server);
            long t0 = System.nanoTime();
            server.start();
            System.out.printf(Locale.ROOT, "server start to JDBC port announced:        %8.0f ms%n",
                    (System.nanoTime() - t0) / 1e6);
            run(server);
        }
    }

    /**
     * The server's own time per call during the SELECT 1 rounds (its backend call timers): what the server spends
     * inside each call, engine round trip included, against what the client saw.
     */
    private static void serverShare(String before, String after) {
        StringBuilder line = new StringBuilder("server time per call during the rounds (mean):");
        double total = 0;
        for (String call : List.of("execute_statement", "get_operation_status", "get_result_set_metadata",
                "fetch_results", "close_operation")) {
            String series = "kyuubi_backend_service_" + call + "_seconds";
            double n = KitsuneServer.metric(after, series + "_count") - KitsuneServer.metric(before, series + "_count");
            double sum = KitsuneServer.metric(after, series + "_sum") - KitsuneServer.metric(before, series + "_sum");
            double perStatement = n == 0 ? 0 : sum * 1000 / ROUNDS;
            total += perStatement;
            line.append(String.format(Locale.ROOT, " %s %.2f ms x %.1f;", call, n == 0 ? 0 : sum * 1000 / n,
                    n / ROUNDS));
        }
        System.out.println(line.append(String.format(Locale.ROOT, " per statement %.2f ms", total)));
    }

    private static void run(KitsuneServer server) throws Exception {
        String url = server.zkUrl();
        long t0 = System.nanoTime();
        try (Connection c = Jdbc.connect(url, "bench"); Statement st = c.createStatement();
                ResultSet rs = st.executeQuery("SELECT 1")) {
            rs.next();
            double coldMs = (System.nanoTime() - t0) / 1e6;
            print("engine cold start, very first engine", coldMs / 1000, "s", "<= 6 s", coldMs <= 6000);
        }

        String engineUrl;
        try (ZooKeeper zk = Zk.connect(server.zkConnect())) {
            engineUrl = "jdbc:hive2://" + engineHostPort(zk, "bench") + "/;auth=noSasl";
        }
        Stats viaServer;
        Stats direct;
        // one statement on each side per round, the order alternating: neither side gets the warmer JIT, the quieter
        // moment or the other's after-effects alone
        try (Connection cs = Jdbc.connect(url, "bench"); Connection ce = Jdbc.connect(engineUrl, "bench");
                Statement ss = cs.createStatement(); Statement se = ce.createStatement()) {
            for (int i = 0; i < WARMUP; i++) {
                one(ss);
                one(se);
            }
            String metricsBefore = server.scrapeMetrics();
            long[] ts = new long[ROUNDS];
            long[] te = new long[ROUNDS];
            for (int i = 0; i < ROUNDS; i++) {
                if (i % 2 == 0) {
                    ts[i] = timed(ss);
                    te[i] = timed(se);
                } else {
                    te[i] = timed(se);
                    ts[i] = timed(ss);
                }
            }
            viaServer = new Stats(ts);
            direct = new Stats(te);
            serverShare(metricsBefore, server.scrapeMetrics());
        }
        System.out.printf(Locale.ROOT, "SELECT 1 via server   p50 %7.2f ms  p99 %7.2f ms  (%d rounds)%n",
                viaServer.p50(), viaServer.p99(), ROUNDS);
        System.out.printf(Locale.ROOT, "SELECT 1 direct       p50 %7.2f ms  p99 %7.2f ms%n", direct.p50(), direct.p99());
        double ratio = viaServer.p50() / direct.p50();
        print("SELECT 1 p50 ratio server/direct", ratio, "x", "<= 1.15", ratio <= 1.15);

        // alternating, after the same warm-up: neither URL gets the warmer JIT or the quieter moment alone
        Stats[] opens = openAndSelectOne(server.directUrl(), url, engineUrl);
        Stats opensDirect = opens[0];
        Stats opensZk = opens[1];
        Stats opensEngine = opens[2];
        System.out.printf(Locale.ROOT, "warm open + first SELECT 1, direct URL    p50 %7.2f ms  p99 %7.2f ms  (%d sessions)%n",
                opensDirect.p50(), opensDirect.p99(), SESSIONS);
        System.out.printf(Locale.ROOT, "warm open + first SELECT 1, ZooKeeper URL p50 %7.2f ms  p99 %7.2f ms%n",
                opensZk.p50(), opensZk.p99());
        System.out.printf(Locale.ROOT, "warm open + first SELECT 1, engine direct p50 %7.2f ms  p99 %7.2f ms%n",
                opensEngine.p50(), opensEngine.p99());
        print("warm open + first SELECT 1 p50 (direct URL)", opensDirect.p50(), "ms", "<= 20 ms", opensDirect.p50() <= 20);
        sessionRecordCost(server);

        long serverPid = server.process().descendants().filter(p -> p.info().commandLine()
                .map(cl -> cl.contains("kitsune.jar")).orElse(false)).findFirst().orElseThrow().pid();
        try (HeapSampler heap = new HeapSampler(serverPid); Connection c = Jdbc.connect(url, "bench")) {
            drain(c, 10_000); // warm-up
            for (int fetch : new int[] {1000, 10_000}) {
                long before = heap.reset();
                long s = System.nanoTime();
                long rows = drain(c, fetch);
                double secs = (System.nanoTime() - s) / 1e9;
                long growthMb = Math.max(0, heap.peakKb() - before) / 1024;
                double goal = fetch == 1000 ? 1.5 : 0.8;
                System.out.printf(Locale.ROOT,
                        "drain %d rows, fetch size %5d: %6.2f s, server used heap peak %d MiB above the start"
                                + " (garbage included)%n",
                        rows, fetch, secs, growthMb);
                print("drain 1M rows at fetch size " + fetch, secs, "s", "<= " + goal + " s", secs <= goal);
            }
        }
        restartedColdStart(server, url, "engine cold start, second engine (records the archive)");
        restartedColdStart(server, url, "engine cold start, from the class-data archive");
    }

    /**
     * Stops the engine (its znode deleted: it drains and exits, writing its class-data archive if it recorded one)
     * and measures the cold start of the next one (the second records the archive, the third maps it).
     */
    private static void restartedColdStart(KitsuneServer server, String url, String label) throws Exception {
        try (ZooKeeper zk = Zk.connect(server.zkConnect())) {
            for (String space : zk.getChildren("/", false)) {
                String path = "/" + space + "/bench/default";
                if (!space.matches("kyuubi_.*_USER_SPARK_SQL") || zk.exists(path, false) == null) continue;
                for (String node : zk.getChildren(path, false)) zk.delete(path + "/" + node, -1);
            }
        }
        long deadline = System.nanoTime() + 120_000_000_000L;
        while (!Engines.of(server, "bench").isEmpty() && System.nanoTime() < deadline) Thread.sleep(200);
        Thread.sleep(11_000); // the archive is used once its file has settled
        long t0 = System.nanoTime();
        try (Connection c = Jdbc.connect(url, "bench"); Statement st = c.createStatement()) {
            one(st);
        }
        double secs = (System.nanoTime() - t0) / 1e9;
        print(label, secs, "s", "<= 6 s", secs <= 6);
    }

    /**
     * What a session record adds to OpenSession and CloseSession: writing a record of a real record's size into the
     * server's ZooKeeper (a persistent node under the namespace's sessions path) and deleting it, from this process,
     * as a server does for every session.
     */
    private static void sessionRecordCost(KitsuneServer server) throws Exception {
        byte[] record = ("{\"version\":1,\"user\":\"bench\",\"login\":\"bench\",\"engineHost\":\"127.0.0.1\","
                + "\"enginePort\":40000,\"engineAuth\":\"\",\"engineSpace\":\"/kyuubi_1-spark-4.0_USER_SPARK_SQL/bench/"
                + "default\",\"engineGuid\":\"AAAAAAAAAAAAAAAAAAAAAA==\",\"engineSecret\":\"AAAAAAAAAAAAAAAAAAAAAA==\","
                + "\"protocol\":9,\"server\":\"12345@gateway\"}").getBytes(java.nio.charset.StandardCharsets.UTF_8);
        int n = 300;
        long[] writes = new long[n];
        long[] deletes = new long[n];
        try (ZooKeeper zk = Zk.connect(server.zkConnect())) {
            String parent = "/" + server.namespace() + "_sessions";
            if (zk.exists(parent, false) == null) {
                zk.create(parent, new byte[0], org.apache.zookeeper.ZooDefs.Ids.OPEN_ACL_UNSAFE,
                        org.apache.zookeeper.CreateMode.PERSISTENT);
            }
            for (int i = -50; i < n; i++) {
                String path = parent + "/bench-" + java.util.UUID.randomUUID();
                long s = System.nanoTime();
                zk.create(path, record, org.apache.zookeeper.ZooDefs.Ids.OPEN_ACL_UNSAFE,
                        org.apache.zookeeper.CreateMode.PERSISTENT);
                long w = System.nanoTime();
                zk.delete(path, -1);
                long d = System.nanoTime();
                if (i >= 0) {
                    writes[i] = w - s;
                    deletes[i] = d - w;
                }
            }
        }
        Stats write = new Stats(writes);
        Stats delete = new Stats(deletes);
        System.out.printf(Locale.ROOT, "session record write (OpenSession)  p50 %6.2f ms  p99 %6.2f ms; delete "
                + "(CloseSession) p50 %6.2f ms  p99 %6.2f ms (%d records)%n", write.p50(), write.p99(), delete.p50(),
                delete.p99(), n);
        print("session record write p50", write.p50(), "ms", "<= 2 ms", write.p50() <= 2);
    }

    /**
     * Opens a session, runs SELECT 1 and closes it, SESSIONS times per URL, the URLs taking turns (after 30
     * unmeasured rounds of each).
     */
    private static Stats[] openAndSelectOne(String... urls) throws Exception {
        long[][] t = new long[urls.length][SESSIONS];
        for (int i = -30; i < SESSIONS; i++) {
            for (int u = 0; u < urls.length; u++) {
                long s = System.nanoTime();
                try (Connection c = Jdbc.connect(urls[u], "bench"); Statement st = c.createStatement()) {
                    one(st);
                }
                if (i >= 0) t[u][i] = System.nanoTime() - s;
            }
        }
        Stats[] stats = new Stats[urls.length];
        for (int u = 0; u < urls.length; u++) stats[u] = new Stats(t[u]);
        return stats;
    }

    private static long timed(Statement st) throws Exception {
        long s = System.nanoTime();
        one(st);
        return System.nanoTime() - s;
    }

    private static void one(Statement st) throws Exception {
        try (ResultSet rs = st.executeQuery("SELECT 1")) {
            if (!rs.next() || rs.getInt(1) != 1) throw new AssertionError("SELECT 1 did not return 1");
        }
    }

    private static long drain(Connection c, int fetchSize) throws Exception {
        long rows = 0;
        try (Statement st = c.createStatement()) {
            st.setFetchSize(fetchSize);
            try (ResultSet rs = st.executeQuery(DRAIN_SQL)) {
                while (rs.next()) {
                    rows++;
                }
            }
        }
        if (rows != 1_000_000) throw new AssertionError("drained " + rows + " rows");
        return rows;
    }

    /** host:port of the user's USER-level engine, read from its engine space. */
    private static String engineHostPort(ZooKeeper zk, String user) throws Exception {
        for (String space : zk.getChildren("/", false)) {
            if (!space.matches("kyuubi_.*_USER_SPARK_SQL")) continue;
            String path = "/" + space + "/" + user + "/default";
            if (zk.exists(path, false) == null) continue;
            List<String> engines = zk.getChildren(path, false);
            if (!engines.isEmpty()) return Zk.hostPort(zk.getData(path + "/" + engines.get(0), false, null));
        }
        throw new IllegalStateException("no engine registered for " + user);
    }

    private static void print(String what, double value, String unit, String goal, boolean met) {
        System.out.printf(Locale.ROOT, "RESULT %-45s %9.2f %-2s goal %-9s %s%n", what, value, unit, goal,
                met ? "met" : "NOT met");
    }
}
