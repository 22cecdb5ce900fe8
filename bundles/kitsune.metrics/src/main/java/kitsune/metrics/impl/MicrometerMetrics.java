package kitsune.metrics.impl;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import kitsune.api.metrics.ServerMetrics;
import kitsune.api.session.SessionInfo;
import kitsune.api.session.SessionManager;

/**
 * The server's metrics in a Micrometer registry, under Kyuubi's names where Kyuubi has them (its
 * docs/monitor/metrics.md) and kitsune_* otherwise. Kyuubi's counters whose names do not end in "total"
 * (kyuubi.connection.failed, kyuubi.statement.failed, kyuubi.engine.failed, kyuubi.engine.timeout) keep their exact
 * names as gauges that only grow, as Kyuubi's own Prometheus reporter shows them; a Prometheus counter would get a
 * _total suffix. What the sessions look like now (open sessions, operations, sessions per engine) is read from the
 * session service when a reporter reads the registry ({@link #refresh()}), so it is true from the first scrape after
 * this bundle was replaced. User names become labels only with kitsune.metrics.user.labels (their number is the
 * number of users), and never for refused logins or refused sessions: their names are whatever a client sent,
 * and a client could otherwise add a series with every attempt.
 */
final class MicrometerMetrics implements ServerMetrics {
    static final String USER = "user";
    /** Outcomes a statement may end with; anything else is counted as "other". */
    static final Set<String> STATEMENT_OUTCOMES = Set.of("finished", "error", "canceled", "timedout", "closed");
    static final Set<String> ENGINE_OUTCOMES = Set.of(ENGINE_STARTED, ENGINE_FAILED, ENGINE_TIMEOUT);
    static final List<String> ZOOKEEPER_STATES = List.of("CONNECTED", "SUSPENDED", "RECONNECTED", "LOST",
            "READ_ONLY");
    /** Histogram buckets of a statement's latency (Prometheus _bucket series). */
    private static final Duration[] STATEMENT_BUCKETS = seconds(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5,
            10, 30, 60, 300, 900, 3600);
    /** Histogram buckets of an engine launch. */
    private static final Duration[] LAUNCH_BUCKETS = seconds(1, 2, 5, 10, 15, 20, 30, 45, 60, 90, 120, 180, 300, 600);
    /** Histogram buckets of one client call. */
    private static final Duration[] CALL_BUCKETS = seconds(0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5,
            5, 10, 30);

    private final MeterRegistry registry;
    private final boolean userLabels;
    private final Supplier<SessionManager> sessions;

    private final Map<String, AtomicLong> connectionFailed = new ConcurrentHashMap<>();
    private final Map<String, AtomicLong> statementFailed = new ConcurrentHashMap<>();
    private final AtomicLong engineFailed = new AtomicLong();
    private final AtomicLong engineTimeout = new AtomicLong();
    private final AtomicLong statementsOpen = new AtomicLong();
    private final AtomicInteger poolAlive = new AtomicInteger();
    private final AtomicInteger poolActive = new AtomicInteger();
    private final AtomicInteger draining = new AtomicInteger();
    private final AtomicReference<String> zooKeeper = new AtomicReference<>("");
    private final Map<String, Timer> calls = new ConcurrentHashMap<>();
    private final AtomicReference<Snapshot> snapshot = new AtomicReference<>(Snapshot.NONE);
    private final MultiGauge sessionsPerEngine;
    private final MultiGauge sessionsPerUser;

    /** What the session service said at the last {@link #refresh()}. */
    record Snapshot(boolean known, int sessions, int operations, Map<String, Integer> byEngine,
            Map<String, Integer> byUser) {
        static final Snapshot NONE = new Snapshot(false, 0, 0, Map.of(), Map.of());
    }

    MicrometerMetrics(MeterRegistry registry, boolean userLabels, String version, Supplier<SessionManager> sessions) {
        this.registry = registry;
        this.userLabels = userLabels;
        this.sessions = sessions;
        Gauge.builder("kitsune.info", () -> 1).tag("version", version).description("This Kitsune server; its "
                + "version as a label").strongReference(true).register(registry);
        Gauge.builder("kyuubi.connection.opened", snapshot, s -> s.get().known() ? s.get().sessions() : Double.NaN)
                .description("Client sessions open on this server now").register(registry);
        Gauge.builder("kyuubi.operation.opened", snapshot, s -> s.get().known() ? s.get().operations() : Double.NaN)
                .description("Operations (statements and metadata calls) open in this server's sessions now")
                .register(registry);
        Gauge.builder("kyuubi.statement.opened", statementsOpen, a -> Math.max(0, a.get()))
                .description("Statements started and not yet seen to end nor closed, since the metrics bundle started")
                .register(registry);
        Gauge.builder("kyuubi.exec.pool.threads.alive", poolAlive, AtomicInteger::get)
                .description("Threads of the frontend's worker pool").register(registry);
        Gauge.builder("kyuubi.exec.pool.threads.active", poolActive, AtomicInteger::get)
                .description("Threads of the frontend's worker pool running a client call").register(registry);
        Gauge.builder("kyuubi.engine.failed", engineFailed, AtomicLong::get)
                .description("Engine launches that failed (only grows)").register(registry);
        Gauge.builder("kyuubi.engine.timeout", engineTimeout, AtomicLong::get)
                .description("Engine launches that did not register within kyuubi.session.engine.initialize.timeout "
                        + "(only grows)").register(registry);
        Gauge.builder("kitsune.draining", draining, AtomicInteger::get)
                .description("1 while this server refuses new sessions (drains), else 0").register(registry);
        for (String state : ZOOKEEPER_STATES) {
            Gauge.builder("kitsune.zookeeper.connection.state", zooKeeper, z -> state.equals(z.get()) ? 1 : 0)
                    .tag("state", state).description("1 for the state of this server's ZooKeeper connection")
                    .register(registry);
        }
        sessionsPerEngine = MultiGauge.builder("kitsune.engine.sessions")
                .description("Client sessions of this server on each engine (host:port)").register(registry);
        sessionsPerUser = userLabels ? MultiGauge.builder("kitsune.sessions.open")
                .description("Client sessions open on this server, by user").register(registry) : null;
        // the series a dashboard plots exist from the first scrape, at zero
        if (!userLabels) {
            failedOf(statementFailed, "kyuubi.statement.failed", "", true);
            Counter.builder("kyuubi.connection.total").register(registry);
            Counter.builder("kyuubi.statement.total").register(registry);
        }
        failedOf(connectionFailed, "kyuubi.connection.failed", "", false);
        Counter.builder("kyuubi.engine.total").description("Engine launches that ended").register(registry);
    }

    /** Reads the session service; called before every scrape or report. */
    void refresh() {
        SessionManager sm = sessions.get();
        List<SessionInfo> open;
        try {
            open = sm == null ? null : sm.sessions();
        } catch (RuntimeException goingAway) {
            open = null; // the session bundle stops just now
        }
        if (open == null) {
            snapshot.set(Snapshot.NONE);
        } else {
            Map<String, Integer> byEngine = new TreeMap<>();
            Map<String, Integer> byUser = new TreeMap<>();
            int operations = 0;
            for (SessionInfo s : open) {
                if (s.engine() != null) byEngine.merge(s.engine(), 1, Integer::sum); // none while it launches
                byUser.merge(String.valueOf(s.user()), 1, Integer::sum);
                operations += s.openOperations();
            }
            snapshot.set(new Snapshot(true, open.size(), operations, byEngine, byUser));
        }
        Snapshot now = snapshot.get();
        sessionsPerEngine.register(rows("engine", now.byEngine()), true);
        if (sessionsPerUser != null) sessionsPerUser.register(rows(USER, now.byUser()), true);
    }

    private static List<MultiGauge.Row<?>> rows(String tag, Map<String, Integer> counts) {
        List<MultiGauge.Row<?>> rows = new ArrayList<>();
        counts.forEach((k, n) -> rows.add(MultiGauge.Row.of(Tags.of(tag, k), n)));
        return rows;
    }

    private Tags user(String user) {
        return userLabels ? Tags.of(USER, user == null ? "" : user) : Tags.empty();
    }

    private AtomicLong failedOf(Map<String, AtomicLong> counts, String name, String user, boolean byUser) {
        String key = byUser && userLabels ? String.valueOf(user) : "";
        return counts.computeIfAbsent(key, k -> {
            AtomicLong n = new AtomicLong();
            Tags tags = byUser ? user(k) : Tags.empty();
            Gauge.builder(name, n, AtomicLong::get).tags(tags).description("Only grows").register(registry);
            return n;
        });
    }

    @Override
    public void connectionOpened(String user) {
        registry.counter("kyuubi.connection.total", user(user)).increment();
    }

    @Override
    public void connectionFailed(String user) {
        failedOf(connectionFailed, "kyuubi.connection.failed", user, false).incrementAndGet();
    }

    @Override
    public void loginFailed(String authenticator, String user) {
        registry.counter("kitsune.login.failed", "authenticator",
                authenticator == null ? "" : authenticator.toUpperCase(Locale.ROOT)).increment();
    }

    @Override
    public void statementOpened(String user) {
        registry.counter("kyuubi.statement.total", user(user)).increment();
        statementsOpen.incrementAndGet();
    }

    @Override
    public void statementEnded(String user, String outcome, Duration latency) {
        String o = outcome == null ? "other" : outcome.toLowerCase(Locale.ROOT);
        if (!STATEMENT_OUTCOMES.contains(o)) o = "other";
        statementsOpen.decrementAndGet();
        if (o.equals("error")) failedOf(statementFailed, "kyuubi.statement.failed", user, true).incrementAndGet();
        Timer.builder("kitsune.statement").tag("outcome", o)
                .description("Statements from ExecuteStatement to their end, by outcome")
                .serviceLevelObjectives(STATEMENT_BUCKETS).register(registry).record(latency);
    }

    @Override
    public void engineLaunched(String engineType, String outcome, Duration took) {
        String o = ENGINE_OUTCOMES.contains(outcome) ? outcome : ENGINE_FAILED;
        registry.counter("kyuubi.engine.total").increment();
        if (o.equals(ENGINE_FAILED)) engineFailed.incrementAndGet();
        if (o.equals(ENGINE_TIMEOUT)) engineTimeout.incrementAndGet();
        Timer.builder("kitsune.engine.launch").tag("outcome", o)
                .tag("type", engineType == null ? "" : engineType.toUpperCase(Locale.ROOT))
                .description("Engine launches, from launch to registration (or failure)")
                .serviceLevelObjectives(LAUNCH_BUCKETS).register(registry).record(took);
    }

    @Override
    public void backendCall(String method, long nanos) {
        if (method == null) return;
        calls.computeIfAbsent(method, m -> Timer.builder("kyuubi.backend_service." + snakeCase(m))
                .description("Time the server took to answer " + m).serviceLevelObjectives(CALL_BUCKETS)
                .register(registry)).record(nanos, TimeUnit.NANOSECONDS);
    }

    @Override
    public void execPool(int alive, int active) {
        poolAlive.set(alive);
        poolActive.set(active);
    }

    @Override
    public void zooKeeperState(String state) {
        zooKeeper.set(state == null ? "" : state.toUpperCase(Locale.ROOT));
    }

    @Override
    public void draining(boolean on) {
        draining.set(on ? 1 : 0);
    }

    /** OpenSession -> open_session, GetOperationStatus -> get_operation_status (Kyuubi's spelling). */
    static String snakeCase(String method) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < method.length(); i++) {
            char c = method.charAt(i);
            if (Character.isUpperCase(c)) {
                if (i > 0) b.append('_');
                b.append(Character.toLowerCase(c));
            } else if (Character.isLetterOrDigit(c)) {
                b.append(c);
            }
        }
        return b.toString();
    }

    private static Duration[] seconds(double... s) {
        Duration[] d = new Duration[s.length];
        for (int i = 0; i < s.length; i++) d[i] = Duration.ofNanos((long) (s[i] * 1e9));
        return d;
    }
}
