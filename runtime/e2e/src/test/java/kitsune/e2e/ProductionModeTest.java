package kitsune.e2e;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.ZooKeeper;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

import kitsune.testkit.Engines;
import kitsune.testkit.Jdbc;
import kitsune.testkit.KitsuneCtl;
import kitsune.testkit.KitsuneServer;
import kitsune.testkit.Zk;
import kitsune.testkit.ZooKeeperEnsemble;

/**
 * Production mode with real processes: a three-member ZooKeeper ensemble (separate JVMs), Kitsune servers started
 * with bin/kitsune and registered there, one shared Spark engine, and the unmodified Hive JDBC 4.0.1 driver through
 * the ZooKeeper URL. The scenarios run in order on the same processes (each leaves the fleet as the next one needs
 * it) and print their figures.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ProductionModeTest {
    static final String USER = "load";
    static final Duration SESSION_TIMEOUT = Duration.ofSeconds(6);
    static final String REFUSAL_PART = "de-registered from ZooKeeper";

    private Path root;
    private ZooKeeperEnsemble ensemble;
    private final List<KitsuneServer> servers = new CopyOnWriteArrayList<>();
    private KitsuneServer s1;
    private KitsuneServer s2;
    /** The server left after the kill -9 scenario; drained away by the hot upgrade. */
    private KitsuneServer survivor;
    /** Started by the hot upgrade; lives on to the end. */
    private KitsuneServer s3;
    private ZooKeeper zk;
    private String engineAppId;

    @BeforeAll
    void start() throws Exception {
        root = Files.createTempDirectory("kitsune-prod-");
        ensemble = new ZooKeeperEnsemble(root.resolve("zk"), 3, 500, 2000, 60000);
        ensemble.start();
        CompletableFuture<KitsuneServer> a = CompletableFuture.supplyAsync(() -> startServer("s1", null));
        CompletableFuture<KitsuneServer> b = CompletableFuture.supplyAsync(() -> startServer("s2", null));
        s1 = a.join();
        s2 = b.join();
        zk = Zk.connect(ensemble.connectString());
    }

    private KitsuneServer startServer(String name, String stopTimeout) {
        try {
            KitsuneServer s = new KitsuneServer(root.resolve(name))
                    .set("kyuubi.ha.addresses", ensemble.connectString())
                    // servers of one namespace on separate work dirs (hosts) share the secret the operator sets
                    .set("kyuubi.engine.security.secret.provider.simple.secret", "namespace-engine-secret-3f9a1c")
                    .set("kyuubi.ha.zookeeper.session.timeout", String.valueOf(SESSION_TIMEOUT.toMillis()))
                    .set("kyuubi.ha.zookeeper.connection.timeout", "5000")
                    .set("kitsune.server.stop.timeout", stopTimeout == null ? "PT5S" : stopTimeout)
                    .set("spark.master", "local[1]")
                    .set("spark.driver.memory", "640m")
                    .set("spark.ui.enabled", "false")
                    .set("kyuubi.session.engine.idle.timeout", "PT5M");
            servers.add(s);
            return s.start();
        } catch (Exception e) {
            throw new RuntimeException(e);
        }
    }

    @AfterAll
    void stop() throws Exception {
        if (zk != null) zk.close();
        for (KitsuneServer s : servers) {
            try {
                s.close();
            } catch (Exception e) {
                System.err.println("closing " + s.dir + ": " + e);
            }
        }
        if (ensemble != null) ensemble.close();
    }

    String zkUrl() {
        return "jdbc:hive2://" + ensemble.connectString() + "/;serviceDiscoveryMode=zooKeeper;zooKeeperNamespace=kyuubi";
    }

    /** The znode of the server on that port, or null. Retries while the test's own client reconnects. */
    String nodeOf(KitsuneServer s) {
        return await("the test's ZooKeeper client lists /kyuubi").atMost(Duration.ofSeconds(30))
                .pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(200))
                .ignoreException(KeeperException.ConnectionLossException.class)
                .until(() -> {
                    for (String child : zk.getChildren("/kyuubi", false)) {
                        if (child.startsWith("serverUri=127.0.0.1:" + s.port() + ";")) {
                            return Optional.of("/kyuubi/" + child);
                        }
                    }
                    return Optional.<String>empty();
                }, listed -> true)
                .orElse(null);
    }

    /** Whether no znode of the server on that port belongs to that (old) ZooKeeper session any more. */
    boolean oldSessionGone(KitsuneServer s, long session) throws Exception {
        for (String child : zk.getChildren("/kyuubi", false)) {
            if (!child.startsWith("serverUri=127.0.0.1:" + s.port() + ";")) continue;
            org.apache.zookeeper.data.Stat st = zk.exists("/kyuubi/" + child, false);
            if (st != null && st.getEphemeralOwner() == session) return false;
        }
        return true;
    }

    /** Waits until the condition holds (checked at once, then every 100 ms); returns how long that took. */
    static Duration timeUntil(String what, Duration timeout, Callable<Boolean> condition) {
        Instant start = Instant.now();
        await(what).atMost(timeout).pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(100)).until(condition);
        return Duration.between(start, Instant.now());
    }

    /** Clients that connect through the ZooKeeper URL, run a few statements, close, and start over. */
    final class Load implements AutoCloseable {
        final AtomicLong connects = new AtomicLong();
        final AtomicLong connectFailures = new AtomicLong();
        /**
         * Connects that lost the Hive driver's own race: it lists the servers' znodes, then reads the one it picked
         * without retrying, so a client that picks a node in the instant it is deleted fails before it reaches any
         * server ("Unable to read HiveServer2 configs from ZooKeeper"). Not a server's fault; counted apart.
         */
        final AtomicLong driverRaces = new AtomicLong();
        final AtomicLong statements = new AtomicLong();
        final AtomicLong statementFailures = new AtomicLong();
        /** Statements that returned their row. */
        final AtomicLong answered = new AtomicLong();
        final List<String> errors = new CopyOnWriteArrayList<>();
        private final AtomicBoolean running = new AtomicBoolean(true);
        private final ExecutorService pool;
        private final List<Future<?>> workers = new ArrayList<>();

        Load(int clients, int statementsPerConnection) {
            pool = Executors.newFixedThreadPool(clients);
            for (int i = 0; i < clients; i++) {
                workers.add(pool.submit(() -> {
                    while (running.get()) {
                        Connection c;
                        connects.incrementAndGet();
                        try {
                            c = Jdbc.connect(zkUrl(), USER);
                        } catch (SQLException e) {
                            if (String.valueOf(e.getMessage()).contains("Unable to read HiveServer2 configs")) {
                                driverRaces.incrementAndGet();
                            } else {
                                connectFailures.incrementAndGet();
                            }
                            note("connect: " + e.getMessage());
                            continue;
                        }
                        try {
                            for (int k = 0; k < statementsPerConnection; k++) {
                                statements.incrementAndGet();
                                try {
                                    Jdbc.single(c, "SELECT 1");
                                    answered.incrementAndGet();
                                } catch (SQLException e) {
                                    statementFailures.incrementAndGet();
                                    note("statement: " + e.getMessage());
                                    break;
                                }
                            }
                        } finally {
                            try {
                                c.close();
                            } catch (SQLException ignore) {
                                // the server may be gone (kill -9)
                            }
                        }
                    }
                    return null;
                }));
            }
        }

        /**
         * Waits until the clients have had this many more statements answered than when called: the load runs (on
         * the servers the driver finds in ZooKeeper at that moment).
         */
        void awaitAnswered(String when, long more) {
            long from = answered.get();
            await("the load gets " + more + " statements answered " + when).atMost(Duration.ofSeconds(60))
                    .until(() -> answered.get() >= from + more);
        }

        private void note(String e) {
            if (errors.size() < 10) errors.add(e);
        }

        @Override
        public void close() throws Exception {
            running.set(false);
            for (Future<?> f : workers) f.get(60, TimeUnit.SECONDS);
            pool.shutdown();
        }

        String figures() {
            return "connects " + connects + " (failed " + connectFailures + ", lost the driver's listing race "
                    + driverRaces + "), statements " + statements
                    + " (failed " + statementFailures + ")" + (errors.isEmpty() ? "" : ", first errors " + errors);
        }
    }

    /** The server of this connection may be gone: closing it then fails, which is expected. */
    static void closeQuietly(Connection c) {
        try {
            c.close();
        } catch (SQLException expected) {
            // server stopped
        }
    }

    static long opened(KitsuneServer s) throws Exception {
        return s.countLog("Opened session");
    }

    @Test
    @Order(1)
    void connectionsThroughZooKeeperLandOnBothServers() throws Exception {
        assertNotNull(nodeOf(s1));
        assertNotNull(nodeOf(s2));
        KitsuneCtl.Run list = KitsuneCtl.run(s1.confDir, s1.dir, "list", "server");
        assertEquals(0, list.rc(), list.err());
        assertTrue(list.out().contains("│ " + s1.port() + " ") && list.out().contains("│ " + s2.port() + " ")
                && list.out().contains("2 row(s)"), list.out());
        Instant t0 = Instant.now();
        try (Connection c = Jdbc.connect(zkUrl(), USER)) {
            engineAppId = Jdbc.appId(c);
        }
        Duration launch = Duration.between(t0, Instant.now());
        long before1 = opened(s1), before2 = opened(s2);
        AtomicLong failures = new AtomicLong();
        ExecutorService pool = Executors.newFixedThreadPool(4);
        Instant t1 = Instant.now();
        List<Future<?>> fs = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            fs.add(pool.submit(() -> {
                try (Connection c = Jdbc.connect(zkUrl(), USER)) {
                    Jdbc.single(c, "SELECT 1");
                } catch (SQLException e) {
                    failures.incrementAndGet();
                }
                return null;
            }));
        }
        for (Future<?> f : fs) f.get(120, TimeUnit.SECONDS);
        pool.shutdown();
        Duration took = Duration.between(t1, Instant.now());
        long on1 = opened(s1) - before1, on2 = opened(s2) - before2;
        System.out.printf("[a] first connect incl. engine launch %d ms; 100 connections in %d ms: server 1 %d, "
                + "server 2 %d, failed %d%n", launch.toMillis(), took.toMillis(), on1, on2, failures.get());
        assertEquals(0, failures.get());
        assertEquals(100, on1 + on2);
        assertTrue(on1 >= 25 && on2 >= 25, "both servers serve: " + on1 + " / " + on2);
    }

    @Test
    @Order(2)
    void killMinus9OfAServerUnderLoad() throws Exception {
        KitsuneServer owner = !Engines.of(s1, USER).isEmpty() ? s1 : s2;
        survivor = owner == s1 ? s2 : s1;
        List<ProcessHandle> engines = Engines.of(owner, USER);
        assertEquals(1, engines.size(), "one engine, launched by one of the servers");
        assertTrue(Engines.of(survivor, USER).isEmpty());
        long enginePid = engines.get(0).pid();
        String node = nodeOf(owner);
        Duration gone;
        long survivorLaunchesBefore = survivor.countLog("Launching engine");
        try (Load load = new Load(3, 3)) {
            load.awaitAnswered("before the kill", 9);
            owner.kill9();
            gone = timeUntil("the killed server's node disappears", SESSION_TIMEOUT.plusSeconds(15),
                    () -> zk.exists(node, false) == null);
            // clients that connect once the node is gone find only the survivor, which opens their sessions
            long survivorOpened = opened(survivor);
            await("the survivor opens 3 more sessions of the load after the node is gone")
                    .atMost(Duration.ofSeconds(60)).until(() -> opened(survivor) >= survivorOpened + 3);
            load.awaitAnswered("after the node is gone", 9);
            load.close();
            System.out.printf("[c] kill -9 of the server that launched the engine: node gone %d ms after the kill "
                    + "(session timeout %d ms); load: %s%n", gone.toMillis(), SESSION_TIMEOUT.toMillis(),
                    load.figures());
            assertEquals(0, load.connectFailures.get(), "new connections go to the live server: " + load.figures());
            assertTrue(load.connects.get() > 5, load.figures());
        }
        assertTrue(gone.compareTo(SESSION_TIMEOUT.plusSeconds(8)) < 0, "node gone after " + gone);
        try (Connection c = Jdbc.connect(zkUrl(), USER)) {
            assertEquals(engineAppId, Jdbc.appId(c), "the surviving server reuses the engine");
        }
        assertTrue(ProcessHandle.of(enginePid).map(ProcessHandle::isAlive).orElse(false), "the engine lives on");
        assertTrue(Engines.of(survivor, USER).isEmpty(), "no second engine");
        assertEquals(survivorLaunchesBefore, survivor.countLog("Launching engine"), "no second launch");
    }

    @Test
    @Order(3)
    void hotUpgradeByDeletingTheNodeUnderLoad() throws Exception {
        s3 = startServer("s3", null);
        timeUntil("server 3 registers", Duration.ofSeconds(20), () -> nodeOf(s3) != null);
        String node = nodeOf(survivor);
        assertNotNull(node);
        try (Load load = new Load(3, 3); Connection held = Jdbc.connect(survivor.directUrl(), USER)) {
            Jdbc.single(held, "SELECT 1");
            load.awaitAnswered("before the deletion", 9);
            Instant deleted = Instant.now();
            zk.delete(node, -1);
            survivor.awaitLog(java.util.regex.Pattern.compile("is now de-registered from ZooKeeper"),
                    Duration.ofSeconds(10));
            // the open session keeps working while the server drains, and the server does not exit under it: an
            // observation over 4 s (a statement every 500 ms); any failed statement or an exit fails at once
            AtomicInteger heldStatements = new AtomicInteger();
            await("the held session keeps working and the draining server stays up").during(Duration.ofSeconds(4))
                    .atMost(Duration.ofSeconds(30)).pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(500))
                    .until(() -> {
                        assertEquals(1, ((Number) Jdbc.single(held, "SELECT 1")).intValue());
                        heldStatements.incrementAndGet();
                        assertTrue(survivor.isAlive(), "the server waits for its open session:\n" + survivor.tail());
                        return true;
                    });
            // new sessions are refused there
            SQLException refused = assertThrows(SQLException.class,
                    () -> Jdbc.connect(survivor.directUrl(), USER).close());
            assertTrue(refused.getMessage().contains(REFUSAL_PART), refused.getMessage());
            assertTrue(survivor.isAlive(), "the server waits for its open session");
            load.close();
            held.close();
            Instant closed = Instant.now();
            assertTrue(survivor.awaitExit(Duration.ofSeconds(20)), "the drained server exits by itself");
            Instant exited = Instant.now();
            System.out.printf("[b] hot upgrade: node deleted, %d statements on the held session while draining; "
                    + "server exited %d ms after its last session closed (%d ms after the deletion); load: %s%n",
                    heldStatements.get(), Duration.between(closed, exited).toMillis(),
                    Duration.between(deleted, exited).toMillis(), load.figures());
            assertEquals(0, load.connectFailures.get(), load.figures());
            assertTrue(load.driverRaces.get() <= 1, "one client at most picks the node as it goes: "
                    + load.figures());
            assertEquals(0, load.statementFailures.get(), load.figures());
            assertTrue(load.connects.get() > 5, load.figures());
        }
        assertTrue(survivor.countLog("session(s) are open, delaying shutdown") > 0);
        assertNull(nodeOf(survivor), "the deleted node is not re-created");
    }

    @Test
    @Order(4)
    void oneEnsembleMemberKilledUnderLoad() throws Exception {
        try (Load load = new Load(3, 3)) {
            load.awaitAnswered("before the kill", 9);
            ensemble.kill(0);
            // nothing may happen to the fleet: an observation over the ZooKeeper session timeout (a client of the
            // killed member that failed to move to another one would lose its session in that time) in which no
            // statement or connect fails and no server drains; any of those fails at once
            long answeredAtKill = load.answered.get();
            await("the load runs on with one ZooKeeper member down").during(SESSION_TIMEOUT)
                    .atMost(SESSION_TIMEOUT.plusSeconds(10)).pollDelay(Duration.ZERO)
                    .pollInterval(Duration.ofMillis(500)).until(() -> {
                        assertEquals(0, load.connectFailures.get(), load.figures());
                        assertEquals(0, load.statementFailures.get(), load.figures());
                        assertEquals(0, s3.countLog("Draining"), s3.tail());
                        return true;
                    });
            load.awaitAnswered("after the kill", 9);
            assertTrue(load.answered.get() > answeredAtKill, load.figures());
            load.close();
            System.out.printf("[d] ZooKeeper member 1 killed under load: %s%n", load.figures());
            assertEquals(0, load.connectFailures.get(), load.figures());
            assertEquals(0, load.statementFailures.get(), load.figures());
            assertTrue(load.connects.get() > 5, load.figures());
        } finally {
            ensemble.start(0);
        }
        assertNotNull(nodeOf(s3));
        assertEquals(0, s3.countLog("Draining"));
    }

    @Test
    @Order(5)
    void sigtermDrainsWithinTheStopBound() throws Exception {
        KitsuneServer s4 = startServer("s4", "PT4S");
        timeUntil("server 4 registers", Duration.ofSeconds(20), () -> nodeOf(s4) != null);
        Connection held = Jdbc.connect(s4.directUrl(), USER);
        try {
            Jdbc.single(held, "SELECT 1");
            Instant term = Instant.now();
            CompletableFuture<Integer> stop = CompletableFuture.supplyAsync(() -> {
                try {
                    return s4.script(Duration.ofSeconds(60), "stop");
                } catch (Exception e) {
                    throw new RuntimeException(e);
                }
            });
            Duration left = timeUntil("server 4 leaves ZooKeeper", Duration.ofSeconds(5), () -> nodeOf(s4) == null);
            SQLException refused = assertThrows(SQLException.class, () -> Jdbc.connect(s4.directUrl(), USER).close());
            assertTrue(refused.getMessage().contains(REFUSAL_PART), refused.getMessage());
            assertEquals(1, ((Number) Jdbc.single(held, "SELECT 1")).intValue(), "open sessions keep working");
            try (Connection other = Jdbc.connect(zkUrl(), USER)) {
                assertEquals(1, ((Number) Jdbc.single(other, "SELECT 1")).intValue(), "clients go elsewhere");
            }
            assertEquals(0, stop.get(30, TimeUnit.SECONDS), "bin/kitsune stop succeeds");
            Duration took = Duration.between(term, Instant.now());
            assertTrue(s4.awaitExit(Duration.ofSeconds(5)), "the server process ended");
            System.out.printf("[f] SIGTERM with one session left open: node gone after %d ms, stopped after %d ms "
                    + "(kitsune.server.stop.timeout=PT4S)%n", left.toMillis(), took.toMillis());
            assertTrue(took.compareTo(Duration.ofSeconds(3)) > 0 && took.compareTo(Duration.ofSeconds(15)) < 0,
                    "bounded by the stop timeout: " + took);
            assertTrue(s4.log().contains("has passed with 1 session(s) still open"), s4.tail());
            assertThrows(SQLException.class, () -> Jdbc.single(held, "SELECT 1"), "its session was closed");
        } finally {
            closeQuietly(held);
        }
    }

    @Test
    @Order(6)
    void stopNowCutsTheDrainShort() throws Exception {
        KitsuneServer s5 = startServer("s5", "PT1M");
        timeUntil("server 5 registers", Duration.ofSeconds(20), () -> nodeOf(s5) != null);
        Connection held = Jdbc.connect(s5.directUrl(), USER);
        try {
            Jdbc.single(held, "SELECT 1");
            Instant t = Instant.now();
            assertEquals(0, s5.script(Duration.ofSeconds(30), "stop", "--now"));
            Duration took = Duration.between(t, Instant.now());
            System.out.printf("[g] bin/kitsune stop --now with one open session (stop timeout PT1M): stopped after "
                    + "%d ms%n", took.toMillis());
            assertTrue(s5.awaitExit(Duration.ofSeconds(5)), "the server process ended");
            assertTrue(took.compareTo(Duration.ofSeconds(10)) < 0, "at once: " + took);
            assertTrue(s5.log().contains("again: stopping at once"), s5.tail());
            assertNull(nodeOf(s5));
        } finally {
            closeQuietly(held);
        }
    }

    @Test
    @Order(7)
    void sessionExpiryWhileTheEnsembleIsDown() throws Exception {
        String before = nodeOf(s3);
        assertNotNull(before);
        long ownerBefore = zk.exists(before, false).getEphemeralOwner();
        try (Connection held = Jdbc.connect(s3.directUrl(), USER)) {
            Jdbc.single(held, "SELECT 1");
            ensemble.killAll();
            Instant down = Instant.now();
            // ZooKeeper down: open sessions keep working, observed past the session timeout (a statement every
            // 300 ms); a failed statement fails at once
            AtomicInteger statements = new AtomicInteger();
            await("the open session keeps working while ZooKeeper is down")
                    .during(SESSION_TIMEOUT.plusSeconds(3))
                    .atMost(SESSION_TIMEOUT.plusSeconds(30)).pollDelay(Duration.ZERO)
                    .pollInterval(Duration.ofMillis(300)).until(() -> {
                        assertEquals(1, ((Number) Jdbc.single(held, "SELECT 1")).intValue());
                        statements.incrementAndGet();
                        return true;
                    });
            // a new session needs the engine's address from ZooKeeper: a clear error, bounded by the timeout
            Instant t = Instant.now();
            SQLException e = assertThrows(SQLException.class,
                    () -> Jdbc.connect(s3.directUrl() + "?kyuubi.session.engine.launch.async=false", USER).close());
            Duration failFast = Duration.between(t, Instant.now());
            assertTrue(e.getMessage().contains("ZooKeeper"), e.getMessage());
            assertTrue(failFast.compareTo(Duration.ofSeconds(12)) < 0, "fails within the bound: " + failFast);
            Duration outage = Duration.between(down, Instant.now());
            ensemble.startAll();
            Instant up = Instant.now();
            // ZooKeeper restores the old session and its node, and expires them after the session timeout; the
            // server (whose client gave that session up) must re-create its node under its new session, and must
            // not take the removal of the old one for an operator's delete
            Duration recreated = timeUntil("server 3's node re-created under a new session", Duration.ofSeconds(40),
                    () -> {
                        String n = nodeOf(s3);
                        org.apache.zookeeper.data.Stat st = n == null ? null : zk.exists(n, false);
                        return st != null && st.getEphemeralOwner() != ownerBefore;
                    });
            await("no node of the old session is left").atMost(SESSION_TIMEOUT.plusSeconds(30))
                    .until(() -> oldSessionGone(s3, ownerBefore));
            // the server sees that removal and must not take it for an operator's delete: nothing may happen, an
            // observation over 1.5 s after the expiry in which the server stays registered and does not drain
            await("server 3 stays registered after the old session expired").during(Duration.ofMillis(1500))
                    .atMost(Duration.ofSeconds(20)).pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(250))
                    .until(() -> {
                        assertNotNull(nodeOf(s3), "still registered after the old session expired");
                        assertEquals(0, s3.countLog("is now de-registered"), s3.tail());
                        assertEquals(0, s3.countLog("Draining"), s3.tail());
                        return true;
                    });
            assertEquals(1, ((Number) Jdbc.single(held, "SELECT 1")).intValue());
            System.out.printf("[e] ensemble down %d ms (session timeout %d ms): %d statements on an open session; "
                    + "a new session failed after %d ms with: %s; node re-created under the new session %d ms after "
                    + "the ensemble served again (%s -> %s)%n", outage.toMillis(), SESSION_TIMEOUT.toMillis(),
                    statements.get(), failFast.toMillis(), e.getMessage(), recreated.toMillis(), before, nodeOf(s3));
            assertNotNull(up);
        }
        // deleting the re-created node still drains the server (the watch was re-armed)
        Instant deleted = Instant.now();
        zk.delete(nodeOf(s3), -1);
        assertTrue(s3.awaitExit(Duration.ofSeconds(20)), "server 3 drains and exits after the delete:\n" + s3.tail());
        System.out.printf("[e] after the delete of the re-created node server 3 exited in %d ms%n",
                Duration.between(deleted, Instant.now()).toMillis());
        assertTrue(s3.log().contains("is now de-registered from ZooKeeper"));
    }
}
