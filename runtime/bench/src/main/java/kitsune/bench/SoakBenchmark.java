package kitsune.bench;

import static kitsune.bench.Figures.result;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.ToDoubleFunction;

import kitsune.testkit.Engines;
import kitsune.testkit.Jdbc;
import kitsune.testkit.KitsuneServer;

/**
 * One pseudo-mode server and its USER engine under a steady mixed load for {@code bench.soak.minutes}: clients in
 * this JVM with the unmodified Hive JDBC driver, each looping over a session that runs SELECT 1, every few sessions a
 * query with a Spark job, a temporary view created and read back, a metadata call, a statement that fails and one
 * after it, sometimes a SET read back, with a short random pause between sessions. Every answer is checked. Prints a
 * line a minute (sessions, statements, errors, open + first SELECT 1 p50 / p99, the server's and the engine's RSS,
 * threads and file descriptors) and at the end whether errors stayed at 0 and the processes' figures stayed flat.
 */
final class SoakBenchmark {
    private static final String USER = "soak";
    private static final int JOB_EVERY = 5;
    private static final int SET_EVERY = 3;
    private static final long SAMPLE_MILLIS = 10_000;
    private static final int SAMPLES_PER_MINUTE = 6;
    /** Longest wait for the clients' last sessions after the end before they count as stuck. */
    private static final long DRAIN_SECONDS = 120;
    private static final String SHUFFLE_PARTITIONS = "spark.sql.shuffle.partitions";

    private final int minutes;
    private final int clients;
    private final int pauseMs;
    private final String url;
    private final String defaultPartitions;
    private final ErrorTally errors = new ErrorTally(400); // long enough for the key a message names
    private final LongAdder sessions = new LongAdder();
    private final LongAdder statements = new LongAdder();
    private final AtomicReference<Minute> minute = new AtomicReference<>(new Minute());
    private final AtomicLong sessionNumbers = new AtomicLong();
    private final AtomicInteger running = new AtomicInteger();
    private final Map<String, Queue<Long>> stepTimes = new ConcurrentSkipListMap<>();

    /** What the clients did in one minute. */
    private static final class Minute {
        final LongAdder sessions = new LongAdder();
        final LongAdder statements = new LongAdder();
        final Queue<Long> opens = new ConcurrentLinkedQueue<>();
    }

    /** The step of the mix a session is at, for error messages, and how long each step took. */
    private final class Step {
        String name = "open";
        long since = System.nanoTime();

        void next(String step) {
            long now = System.nanoTime();
            stepTimes.computeIfAbsent(name, k -> new ConcurrentLinkedQueue<>()).add(now - since);
            name = step;
            since = now;
        }
    }

    /** A check of an answer that failed: counted as an error like a failed call. */
    private static final class WrongAnswer extends Exception {
        WrongAnswer(String message) {
            super(message);
        }
    }

    /** The server's and the engine's figures at a tick (every SAMPLE_MILLIS since the load started). */
    private record Sample(int tick, Figures figures) {
    }

    private SoakBenchmark(int minutes, int clients, int pauseMs, String url, String defaultPartitions) {
        this.minutes = minutes;
        this.clients = clients;
        this.pauseMs = pauseMs;
        this.url = url;
        this.defaultPartitions = defaultPartitions;
    }

    static void run() throws Exception {
        int minutes;
        int clients;
        int pauseMs;
        try {
            minutes = property("bench.soak.minutes", 30, 1);
            clients = property("bench.soak.clients", 200, 1);
            pauseMs = property("bench.soak.pause.ms", 200, 0);
        } catch (IllegalArgumentException e) {
            System.err.println("kitsune-bench soak: " + e.getMessage());
            System.exit(2);
            return;
        }
        Path dir = Files.createTempDirectory("kitsune-bench-soak-");
        try (KitsuneServer server = new KitsuneServer(dir)) {
            server.set("spark.master", "local[2]").set("spark.driver.memory", "1g").start();
            String url = server.zkUrl();
            String partitions;
            try (Connection c = Jdbc.connect(url, USER)) {
                Jdbc.single(c, LoadBenchmark.JOB); // the engine starts and runs a first job
                partitions = String.valueOf(Jdbc.query(c, "SET " + SHUFFLE_PARTITIONS).get(0).get(1));
            }
            new SoakBenchmark(minutes, clients, pauseMs, url, partitions).soak(server);
        }
    }

    /** A positive integer system property, or a one-line message naming it and what to set. */
    private static int property(String name, int defaultValue, int min) {
        String value = System.getProperty(name);
        if (value == null) return defaultValue;
        try {
            int v = Integer.parseInt(value.trim());
            if (v >= min) return v;
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new IllegalArgumentException(String.format(Locale.ROOT, "%s must be an integer >= %d, not '%s': set"
                + " it with KITSUNE_BENCH_OPTS=-D%s=%d", name, min, value, name, defaultValue));
    }

    private void soak(KitsuneServer server) throws Exception {
        ProcessHandle jvm = server.jvm();
        ProcessHandle engine = Engines.of(server, USER).get(0);
        System.out.printf(Locale.ROOT, "soak: %d min, %d clients pausing 0-%d ms between sessions, %d cores, server"
                + " pid %d, engine pid %d%n", minutes, clients, pauseMs, Runtime.getRuntime().availableProcessors(),
                jvm.pid(), engine.pid());
        System.out.println("server threads by name before: " + Figures.threadNames(jvm));
        System.out.println("engine threads by name before: " + Figures.threadNames(engine));
        System.out.println("minute  sessions  statements  errors  open + SELECT 1 p50 / p99 ms | server and engine");

        List<Sample> samples = new ArrayList<>();
        int engineChanges = 0;
        long start = System.nanoTime();
        long end = start + TimeUnit.MINUTES.toNanos(minutes);
        ExecutorService pool = Executors.newFixedThreadPool(clients, r -> {
            Thread t = new Thread(r, "soak-client");
            t.setDaemon(true); // a client stuck in a call must not keep the JVM alive after the report
            return t;
        });
        for (int i = 0; i < clients; i++) pool.submit(() -> client(end));
        pool.shutdown();
        for (int tick = 1; tick <= minutes * SAMPLES_PER_MINUTE; tick++) {
            long due = start + TimeUnit.MILLISECONDS.toNanos(tick * SAMPLE_MILLIS);
            long wait = due - System.nanoTime();
            if (wait > 0) TimeUnit.NANOSECONDS.sleep(wait);
            if (engine == null || !engine.isAlive()) {
                List<ProcessHandle> now = Engines.of(server, USER);
                if (engine != null) {
                    System.out.printf(Locale.ROOT, "engine pid %d ended; engines now: %s%n", engine.pid(),
                            now.stream().map(ProcessHandle::pid).toList());
                    engineChanges++;
                }
                engine = now.isEmpty() ? null : now.get(0);
            }
            Figures f = null;
            try {
                if (engine != null) f = Figures.of("", jvm, engine);
            } catch (Exception e) {
                System.out.println("sampling /proc failed: " + e);
            }
            if (f != null) samples.add(new Sample(tick, f));
            if (tick % SAMPLES_PER_MINUTE == 0) printMinute(tick / SAMPLES_PER_MINUTE, minute.getAndSet(new Minute()),
                    f);
        }
        boolean drained = pool.awaitTermination(DRAIN_SECONDS, TimeUnit.SECONDS);
        int stuck = running.get();
        double secs = (System.nanoTime() - start) / 1e9;
        System.out.println("server threads by name after: " + Figures.threadNames(jvm));
        if (engine != null) System.out.println("engine threads by name after: " + Figures.threadNames(engine));
        System.out.printf(Locale.ROOT, "%d sessions and %d statements in %.1f min (%.0f sessions/min), %d errors%n",
                sessions.sum(), statements.sum(), secs / 60, sessions.sum() * 60 / secs, errors.total());

        stepTimes.forEach((name, times) -> {
            Stats t = new Stats(times.stream().mapToLong(Long::longValue).toArray());
            System.out.printf(Locale.ROOT, "step %-14s p50 %8.1f ms  p99 %8.1f ms  (%d)%n", name, t.p50(), t.p99(),
                    times.size());
        });
        result("errors", errors.total(), "0", errors.total() == 0);
        errors.printTop(5);
        result("clients stuck " + DRAIN_SECONDS + " s after the end", drained ? 0 : stuck, "0", drained);
        result("engine processes ended", engineChanges, "0", engineChanges == 0);
        flat(samples, "server RSS MiB", f -> f.serverRssKib() / 1024.0, 10, -10);
        flat(samples, "server threads", f -> f.serverThreads(), 10, -10);
        flat(samples, "server fds", f -> f.serverFds(), 5, Double.NEGATIVE_INFINITY);
        flat(samples, "engine RSS MiB", f -> f.engineRssKib() / 1024.0, 10, -10);
        flat(samples, "engine threads", f -> f.engineThreads(), 10, -10);
        flat(samples, "engine fds", f -> f.engineFds(), 5, Double.NEGATIVE_INFINITY);
    }

    /**
     * Compares the mean of the last third of the samples with the mean of those after the warm-up (the first five
     * minutes, or the first third of a run shorter than 15 minutes) and before the last third, in per cent.
     */
    private void flat(List<Sample> samples, String what, ToDoubleFunction<Figures> figure, double maxGrowth,
            double minGrowth) {
        int ticks = minutes * SAMPLES_PER_MINUTE;
        int warmUp = Math.min(5 * SAMPLES_PER_MINUTE, ticks / 3);
        int lastThird = ticks - ticks / 3;
        double base = mean(samples, figure, warmUp, lastThird);
        double last = mean(samples, figure, lastThird, ticks);
        double growth = (last - base) / base * 100;
        String goal = minGrowth == Double.NEGATIVE_INFINITY ? String.format(Locale.ROOT, "<= +%.0f %%", maxGrowth)
                : String.format(Locale.ROOT, "+-%.0f %%", maxGrowth);
        boolean met = !Double.isNaN(growth) && growth <= maxGrowth && growth >= minGrowth;
        result(String.format(Locale.ROOT, "%s growth %% (%.0f -> %.0f)", what, base, last), growth, goal, met);
    }

    /** The mean of a figure over the samples with after < tick <= upTo. */
    private static double mean(List<Sample> samples, ToDoubleFunction<Figures> figure, int after, int upTo) {
        return samples.stream().filter(s -> s.tick() > after && s.tick() <= upTo)
                .mapToDouble(s -> figure.applyAsDouble(s.figures())).average().orElse(Double.NaN);
    }

    private void printMinute(int n, Minute m, Figures f) {
        long[] opens = m.opens.stream().mapToLong(Long::longValue).toArray();
        Stats stats = new Stats(opens.length == 0 ? new long[] {0} : opens);
        System.out.printf(Locale.ROOT, "%6d  %8d  %10d  %6d  %9.1f / %7.1f | %s%n", n, m.sessions.sum(),
                m.statements.sum(), errors.total(), stats.p50(), stats.p99(), f == null ? "(no sample)" : f.brief());
    }

    private Void client(long end) throws InterruptedException {
        running.incrementAndGet();
        try {
            TimeUnit.MILLISECONDS.sleep(ThreadLocalRandom.current().nextLong(5_000)); // no burst of opens at once
            while (System.nanoTime() < end) {
                long n = sessionNumbers.incrementAndGet();
                Step step = new Step();
                try {
                    session(n, step);
                    sessions.increment();
                    minute.get().sessions.increment();
                } catch (Exception e) {
                    errors.add(step.name + ": " + (e instanceof WrongAnswer ? "" : e.getClass().getSimpleName() + ": ")
                            + e.getMessage());
                }
                if (pauseMs > 0) TimeUnit.MILLISECONDS.sleep(ThreadLocalRandom.current().nextLong(pauseMs + 1));
            }
            return null;
        } finally {
            running.decrementAndGet();
        }
    }

    /** One session of the mix; step names what it is doing, for the error message. */
    private void session(long n, Step step) throws Exception {
        long s = System.nanoTime();
        try (Connection c = Jdbc.connect(url, USER); Statement st = c.createStatement()) {
            step.next("SELECT 1");
            expect(st, "SELECT 1", 1);
            minute.get().opens.add(System.nanoTime() - s);
            if (n % JOB_EVERY == 0) {
                step.next("job");
                expect(st, LoadBenchmark.JOB, LoadBenchmark.JOB_ANSWER);
            }

            step.next("temporary view");
            // CREATE without OR REPLACE: a view left from another session (or client) would fail it
            st.execute("CREATE TEMPORARY VIEW soak_v AS SELECT " + n + " AS n, 'soak-" + n + "' AS s");
            counted(1);
            try (ResultSet rs = st.executeQuery("SELECT n, s FROM soak_v")) {
                counted(1);
                if (!rs.next() || rs.getLong(1) != n || !("soak-" + n).equals(rs.getString(2)) || rs.next()) {
                    throw new WrongAnswer("the temporary view did not read back (" + n + ", soak-" + n + ")");
                }
            }

            DatabaseMetaData md = c.getMetaData();
            if (n % 2 == 0) {
                step.next("getTables");
                List<String> names = column(md.getTables(null, null, "soak%", null), "TABLE_NAME");
                if (!names.equals(List.of("soak_v"))) {
                    throw new WrongAnswer("getTables(soak%) gave " + names + ", not the session's view [soak_v]");
                }
            } else {
                step.next("getSchemas");
                List<String> schemas = column(md.getSchemas(), "TABLE_SCHEM");
                if (!schemas.contains("default")) throw new WrongAnswer("getSchemas gave " + schemas + ", no default");
            }

            step.next("bad SQL");
            try (ResultSet rs = st.executeQuery("SELEC 1 FROM")) {
                throw new WrongAnswer("a statement with a syntax error gave a result");
            } catch (SQLException expected) {
                if (expected.getMessage() == null || !expected.getMessage().contains("PARSE_SYNTAX_ERROR")) {
                    throw new WrongAnswer("bad SQL failed without a syntax error: " + expected.getMessage());
                }
            } finally {
                counted(1);
            }
            step.next("after bad SQL");
            expect(st, "SELECT 2", 2);

            if (n % SET_EVERY == 0) {
                step.next("SET");
                expectSetting(st, defaultPartitions); // a value another session set must not show here
                String mine = String.valueOf(1 + n % 7);
                st.execute("SET " + SHUFFLE_PARTITIONS + "=" + mine);
                counted(1);
                expectSetting(st, mine);
            }
            step.next("close");
        }
        step.next("");
    }

    private void counted(int n) {
        statements.add(n);
        minute.get().statements.add(n);
    }

    private void expect(Statement st, String sql, long answer) throws Exception {
        try (ResultSet rs = st.executeQuery(sql)) {
            counted(1);
            if (!rs.next()) throw new WrongAnswer(sql + " gave no row");
            long got = rs.getLong(1);
            if (got != answer || rs.next()) throw new WrongAnswer(sql + " gave " + got + ", not " + answer);
        }
    }

    private void expectSetting(Statement st, String value) throws Exception {
        try (ResultSet rs = st.executeQuery("SET " + SHUFFLE_PARTITIONS)) {
            counted(1);
            String got = rs.next() ? rs.getString(2) : null;
            if (!value.equals(got)) throw new WrongAnswer(SHUFFLE_PARTITIONS + " read back " + got + ", not " + value);
        }
    }

    private List<String> column(ResultSet rs, String name) throws SQLException {
        try (rs) {
            counted(1);
            List<String> values = new ArrayList<>();
            while (rs.next()) values.add(rs.getString(name));
            return values;
        }
    }
}
