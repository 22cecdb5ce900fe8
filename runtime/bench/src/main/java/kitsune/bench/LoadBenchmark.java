package kitsune.bench;

import static kitsune.bench.Figures.result;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

import kitsune.testkit.Engines;
import kitsune.testkit.Jdbc;
import kitsune.testkit.KitsuneServer;

/**
 * One pseudo-mode server and its USER engine under load from this JVM, with the unmodified Hive JDBC driver: clients
 * that each loop open a session, SELECT 1 (every fifth session also a query with a Spark job), close — with 32 and
 * with 128 clients, first alone and then while 1,000 idle sessions are held open on the same engine. Prints sessions
 * per minute, errors (with the first few messages), open + first SELECT 1 p50 / p99, and the server's and the
 * engine's RSS, threads and file descriptors before, with the sessions held and after.
 */
final class LoadBenchmark {
    private static final int SECONDS = Integer.getInteger("bench.load.seconds", 30);
    private static final int HOLD = Integer.getInteger("bench.load.hold", 1000);
    /**
     * Seconds of load before the first measured phase: the server's and the engine's JIT compile the session path
     * and Spark's pools fill, as on a gateway that has been serving for a while (the first 10 s ran at a third of
     * the later rate).
     */
    private static final int WARMUP = Integer.getInteger("bench.load.warmup", 30);
    /** When set, a directory where the server and the engine write a Java Flight Recording each (profile settings). */
    private static final String JFR = System.getProperty("bench.jfr");
    /** When true, clients connect to the server's port directly instead of through ZooKeeper discovery. */
    private static final boolean DIRECT = Boolean.getBoolean("bench.load.direct");
    /** A query with a Spark job (two tasks), and its answer. */
    static final String JOB = "SELECT count(*) FROM range(0, 200000, 1, 2) WHERE id % 3 = 0";
    static final long JOB_ANSWER = 66667;

    private LoadBenchmark() {
    }

    static void run() throws Exception {
        Path dir = Files.createTempDirectory("kitsune-bench-load-");
        try (KitsuneServer server = new KitsuneServer(dir)) {
            server.set("spark.master", "local[2]").set("spark.driver.memory", "1g");
            profile(server);
            server.start();
            String url = DIRECT ? server.directUrl() : server.zkUrl();
            try (Connection c = Jdbc.connect(url, "load")) {
                Jdbc.single(c, JOB); // the engine starts and runs a first job
            }
            ProcessHandle jvm = server.jvm();
            ProcessHandle engine = Engines.of(server, "load").get(0);
            System.out.printf(Locale.ROOT, "load: %d s per phase, %d held sessions, %d cores, server pid %d, engine"
                    + " pid %d%n", SECONDS, HOLD, Runtime.getRuntime().availableProcessors(), jvm.pid(), engine.pid());
            phase(url, 32, "warm-up", WARMUP);
            Figures before = Figures.of("before", jvm, engine);
            Result alone32 = phase(url, 32, "32 clients", SECONDS);
            Result alone128 = phase(url, 128, "128 clients", SECONDS);

            List<Connection> held = new ArrayList<>(HOLD);
            Figures loaded = Figures.of("before holding", jvm, engine);
            long t0 = System.nanoTime();
            try {
                try {
                    for (int i = 0; i < HOLD; i++) held.add(Jdbc.connect(url, "load"));
                } catch (java.sql.SQLException e) {
                    System.out.printf(Locale.ROOT, "opening idle session %d failed: %s%n", held.size() + 1,
                            e.getMessage());
                }
                System.out.printf(Locale.ROOT, "opened %d idle sessions in %.1f s%n", held.size(),
                        (System.nanoTime() - t0) / 1e9);
                int heldCount = held.size();
                Figures holding = Figures.of("holding " + heldCount, jvm, engine);
                Result held32 = phase(url, 32, "32 clients, " + HOLD + " held", SECONDS);
                Result held128 = phase(url, 128, "128 clients, " + HOLD + " held", SECONDS);
                int answering = answering(held);
                System.out.printf(Locale.ROOT, "held sessions answering SELECT 1 afterwards: %d of %d (%d asked for)%n",
                        answering, heldCount, HOLD);
                for (Connection c : held) c.close();
                held.clear();
                Thread.sleep(2_000);
                Figures after = Figures.of("after", jvm, engine);
                before.print();
                loaded.print();
                holding.print();
                after.print();
                System.out.println("engine threads by name after: " + Figures.threadNames(engine));
                System.out.println("server threads by name after: " + Figures.threadNames(jvm));

                double perHeldKib = (holding.serverRssKib() - loaded.serverRssKib()) / (double) Math.max(1, heldCount);
                result("sessions/min, 32 clients", alone32.perMinute(), ">= 3000", alone32.perMinute() >= 3000
                        && alone32.errors() == 0);
                result("errors, 32 clients", alone32.errors(), "0", alone32.errors() == 0);
                result("errors, 128 clients", alone128.errors(), "0", alone128.errors() == 0);
                result("sessions/min, 32 clients, held", held32.perMinute(), ">= 3000", held32.perMinute() >= 3000);
                result("errors, 32 and 128 clients, held", held32.errors() + held128.errors(), "0",
                        held32.errors() + held128.errors() == 0);
                result("held sessions answering", answering, "= " + HOLD, answering == HOLD);
                result("server RSS growth per held session (KiB)", perHeldKib, "<= 64", perHeldKib <= 64);
                int serverThreadGrowth = holding.serverThreads() - loaded.serverThreads();
                int engineThreadGrowth = holding.engineThreads() - loaded.engineThreads();
                result("server threads added by " + HOLD + " held sessions", serverThreadGrowth, "< 64",
                        serverThreadGrowth < 64);
                result("engine threads added by " + HOLD + " held sessions", engineThreadGrowth, "< 64",
                        engineThreadGrowth < 64);
            } finally {
                for (Connection c : held) {
                    try {
                        c.close();
                    } catch (Exception ignored) {
                        // the server may be gone
                    }
                }
            }
        }
    }

    /**
     * With -Dbench.jfr=DIR, the server and its engines record a Java Flight Recording each (profile settings) into DIR,
     * written when they stop: where a benchmark's time goes. -Dbench.server.javaOpts adds options to the server's JVM.
     */
    static void profile(KitsuneServer server) {
        String serverOptions = System.getProperty("bench.server.javaOpts", "").trim();
        if (!serverOptions.isEmpty()) server.javaOption(serverOptions);
        if (JFR == null) return;
        server.javaOption("-XX:StartFlightRecording=settings=profile,filename=" + Path.of(JFR, "server.jfr"));
        server.set("spark.driver.extraJavaOptions",
                "-XX:StartFlightRecording=settings=profile,filename=" + Path.of(JFR, "engine.jfr"));
    }

    /** What a phase achieved. */
    private record Result(long sessions, long errors, double seconds, Stats firstStatement) {
        double perMinute() {
            return sessions * 60.0 / seconds;
        }
    }

    private static Result phase(String url, int clients, String label, int seconds) throws Exception {
        LongAdder sessions = new LongAdder();
        ErrorTally errors = new ErrorTally(160);
        List<Long> firsts = java.util.Collections.synchronizedList(new ArrayList<>());
        AtomicLong counter = new AtomicLong();
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        ExecutorService pool = Executors.newFixedThreadPool(clients);
        long start = System.nanoTime();
        List<Future<?>> running = new ArrayList<>();
        for (int i = 0; i < clients; i++) {
            running.add(pool.submit(() -> {
                while (System.nanoTime() < end) {
                    boolean job = counter.incrementAndGet() % 5 == 0;
                    long s = System.nanoTime();
                    try (Connection c = Jdbc.connect(url, "load"); Statement st = c.createStatement()) {
                        try (ResultSet rs = st.executeQuery("SELECT 1")) {
                            if (!rs.next() || rs.getInt(1) != 1) throw new IllegalStateException("SELECT 1 != 1");
                        }
                        firsts.add(System.nanoTime() - s);
                        if (job) {
                            try (ResultSet rs = st.executeQuery(JOB)) {
                                if (!rs.next() || rs.getLong(1) != JOB_ANSWER) throw new IllegalStateException("job");
                            }
                        }
                        sessions.increment();
                    } catch (Exception e) {
                        errors.add(e.getMessage());
                    }
                }
                return null;
            }));
        }
        for (Future<?> f : running) f.get();
        double secs = (System.nanoTime() - start) / 1e9;
        pool.shutdownNow();
        long[] t = firsts.stream().mapToLong(Long::longValue).toArray();
        Stats stats = t.length == 0 ? new Stats(new long[] {0}) : new Stats(t);
        Result r = new Result(sessions.sum(), errors.total(), secs, stats);
        System.out.printf(Locale.ROOT, "%-28s %7.0f sessions/min  errors %6d  open + first SELECT 1 p50 %7.1f ms"
                + "  p99 %7.1f ms%n", label, r.perMinute(), r.errors(), stats.p50(), stats.p99());
        errors.printTop(3);
        return r;
    }

    private static int answering(List<Connection> held) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(32);
        try {
            List<Future<Boolean>> answers = new ArrayList<>();
            for (Connection c : held) {
                answers.add(pool.submit(() -> {
                    try {
                        return ((Number) Jdbc.single(c, "SELECT 1")).intValue() == 1;
                    } catch (Exception e) {
                        return false;
                    }
                }));
            }
            int ok = 0;
            for (Future<Boolean> a : answers) ok += a.get() ? 1 : 0;
            return ok;
        } finally {
            pool.shutdownNow();
        }
    }
}
