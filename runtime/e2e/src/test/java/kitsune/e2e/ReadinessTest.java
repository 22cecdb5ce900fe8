package kitsune.e2e;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Pattern;

import org.apache.zookeeper.ZooKeeper;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.Test;

import kitsune.testkit.Jdbc;
import kitsune.testkit.KitsuneServer;
import kitsune.testkit.Zk;
import kitsune.testkit.ZooKeeperEnsemble;

/**
 * The ready line means ready: the instant it is logged, a client going through ZooKeeper finds the server, and
 * bin/kitsune status reads the server's own state (starting, serving, draining, stopped); the console's line comes
 * only after the ready line. A fatal start error is one line.
 */
class ReadinessTest {
    private static final String READY_LINE = "Starting and exposing JDBC connection at:";
    private static final String CONSOLE_LINE = "Web Console at ";
    private static final String USER = "alice";

    /**
     * Starts in pseudo mode, each in a fresh directory (its own work dir, engine secret, embedded ZooKeeper data and
     * engine launch): one by default, as one such round takes 60-80 s on 2 shared cores.
     */
    private static final int PSEUDO_STARTS = Integer.getInteger("kitsune.readiness.pseudo.starts", 1);

    /** Consecutive starts of fresh servers on one ZooKeeper, finding the engine that outlived the previous ones. */
    private static final int STARTS = Integer.getInteger("kitsune.readiness.starts", 20);

    @Test
    void inPseudoModeAClientThroughZooKeeperConnectsTheInstantTheReadyLineAppearsAndStatusFollowsEveryState()
            throws Exception {
        List<Long> readyToConnected = new ArrayList<>();
        for (int i = 0; i < PSEUDO_STARTS; i++) {
            Path dir = Files.createTempDirectory("kitsune-ready-");
            try (KitsuneServer server = new KitsuneServer(dir)) {
                WatchedStart start = launchAndWatch(server, Duration.ofSeconds(120));
                try (Connection c = Jdbc.connect(server.zkUrl(), USER)) {
                    readyToConnected.add(start.msSinceReady());
                    start.assertStartingSeen("start " + i);
                    assertEquals(0, server.script(Duration.ofSeconds(30), "status"), "start " + i + ": serving");
                    Path state = server.workDir.resolve("kitsune.state");
                    assertEquals("serving", Files.readString(state).trim());
                    assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(state)));
                    assertConsoleLineAfterReadyLine(server, "start " + i);

                    // drain: someone deletes the server's node; the open session keeps it draining
                    try (ZooKeeper zk = Zk.connect(server.zkConnect())) {
                        for (String node : zk.getChildren("/" + server.namespace(), false)) {
                            zk.delete("/" + server.namespace() + "/" + node, -1);
                        }
                    }
                    await("start " + i + ": draining").atMost(Duration.ofSeconds(30))
                            .until(() -> server.script(Duration.ofSeconds(30), "status") == 3);
                }
                // the last session is closed: the drain is over and the server stops
                assertTrue(server.awaitExit(Duration.ofSeconds(60)), "start " + i + ": exits after the drain");
                assertEquals(1, server.script(Duration.ofSeconds(30), "status"), "start " + i + ": stopped");
                assertFalse(Files.exists(server.workDir.resolve("kitsune.state")), "the state file is removed");
                assertEquals(1, server.countLog(READY_LINE));
            }
        }
        System.out.println("pseudo mode: ready line to JDBC connection through ZooKeeper, ms: " + readyToConnected);
    }

    /**
     * The starts share what a real fleet shares and outlives a server: ZooKeeper (one member of the test kit's
     * ensemble) and the engine, launched once through a first server that then stops; each start is a fresh server
     * directory with the namespace's engine secret, so that a start costs a server JVM, not an engine. The first
     * server starts while ZooKeeper is still down: every bundle has started and the console's HTTP port is up, yet the
     * server is not registered, so status says starting (held) and the console has not announced itself; once
     * ZooKeeper is up, the server registers, logs the ready line, and only then the console's line.
     */
    @Test
    void twentyConsecutiveStartsAreEachFoundThroughZooKeeperTheInstantTheirReadyLineAppears() throws Exception {
        long began = System.nanoTime();
        Path root = Files.createTempDirectory("kitsune-ready-starts-");
        List<Long> readyToConnected = new ArrayList<>();
        List<Long> readyToSelected = new ArrayList<>();
        List<Long> startMs = new ArrayList<>();
        try (ZooKeeperEnsemble zk = new ZooKeeperEnsemble(root.resolve("zk"), 1, 500, 2000, 60000)) {
            KitsuneServer engineHost = onSharedZooKeeper(new KitsuneServer(root.resolve("engine-host")), zk);
            try {
                engineHost.launch();
                engineHost.awaitLog(Pattern.compile("Runtime started: "), Duration.ofSeconds(120));
                engineHost.awaitLog(Pattern.compile("Started Jetty .* at port\\(s\\) HTTP:\\d+"),
                        Duration.ofSeconds(60));
                await("status says starting while ZooKeeper is down").atMost(Duration.ofSeconds(30))
                        .during(Duration.ofSeconds(3)).pollInterval(Duration.ofMillis(300))
                        .until(() -> engineHost.script(Duration.ofSeconds(30), "status") == 2);
                assertEquals(0, engineHost.countLog(CONSOLE_LINE),
                        "no console line before the server serves:\n" + engineHost.tail());
                assertEquals(0, engineHost.countLog(READY_LINE));
                zk.start();
                engineHost.awaitLog(Pattern.compile(Pattern.quote(READY_LINE)), Duration.ofSeconds(120));
                assertConsoleLineAfterReadyLine(engineHost, "the start while ZooKeeper was down");
                String appId;
                try (Connection c = Jdbc.connect(engineHost.zkUrl(), USER)) {
                    appId = Jdbc.appId(c);
                }
                // the engine outlives its server: SIGTERM drains and stops the server, the engine stays registered
                engineHost.sigterm();
                assertTrue(engineHost.awaitExit(Duration.ofSeconds(60)), "the engine's first server stops");

                for (int i = 0; i < STARTS; i++) {
                    String round = "start " + i;
                    try (KitsuneServer server = onSharedZooKeeper(new KitsuneServer(root.resolve("s" + i)), zk)) {
                        long launched = System.nanoTime();
                        WatchedStart start = launchAndWatch(server, Duration.ofSeconds(120));
                        startMs.add((start.readyNanos - launched) / 1_000_000);
                        try (Connection c = Jdbc.connect(server.zkUrl(), USER)) {
                            readyToConnected.add(start.msSinceReady());
                            assertEquals(1, ((Number) Jdbc.single(c, "SELECT 1")).intValue(), round);
                            readyToSelected.add(start.msSinceReady());
                            assertEquals(appId, Jdbc.appId(c), round + ": the engine that outlived the servers");
                        }
                        start.assertStartingSeen(round);
                        assertEquals(0, server.script(Duration.ofSeconds(30), "status"), round + ": serving");
                        assertConsoleLineAfterReadyLine(server, round);
                    } // close(): SIGTERM, bounded; the engine runs from the engine host's work dir and stays
                }
            } finally {
                engineHost.close(); // ends the engine
            }
        }
        System.out.println(STARTS + " starts: launch to ready line, ms: " + startMs);
        System.out.println(STARTS + " starts: ready line to JDBC connection through ZooKeeper, ms: "
                + readyToConnected);
        System.out.println(STARTS + " starts: ready line to the result of SELECT 1, ms: " + readyToSelected);
        System.out.println(STARTS + " starts took " + (System.nanoTime() - began) / 1_000_000_000 + " s");
    }

    @Test
    void aKerberosStartWithoutItsPrincipalPrintsOneErrorLineAndExitsNonZero() throws Exception {
        Path dir = Files.createTempDirectory("kitsune-krb-");
        KitsuneServer server = new KitsuneServer(dir).set("kyuubi.authentication", "KERBEROS");
        server.prepare();
        try {
            int rc = server.script(Duration.ofSeconds(120), "start");
            assertNotEquals(0, rc);
            List<String> shown = Files.readAllLines(dir.resolve("script.out"), StandardCharsets.UTF_8).stream()
                    .filter(l -> !l.startsWith("kitsune: started pid ")).toList();
            assertEquals(1, shown.size(), String.join("\n", shown));
            assertTrue(shown.get(0).contains("kyuubi.authentication=KERBEROS needs kyuubi.kinit.principal"),
                    shown.get(0));
            String log = server.log();
            assertEquals(1, server.countLog("kyuubi.authentication=KERBEROS needs kyuubi.kinit.principal"), log);
            assertFalse(log.contains("\tat "), log);
            assertEquals(1, log.lines().filter(l -> l.contains(" ERROR ")).count(), log);
            assertEquals(1, server.script(Duration.ofSeconds(30), "status"));
        } finally {
            try {
                server.jvm().destroyForcibly();
            } catch (IllegalStateException gone) {
                // exited by itself, as it should
            }
        }
    }

    private static KitsuneServer onSharedZooKeeper(KitsuneServer server, ZooKeeperEnsemble zk) {
        return server.set("kyuubi.ha.addresses", zk.connectString())
                // servers of one namespace on separate work dirs share the secret the operator sets
                .set("kyuubi.engine.security.secret.provider.simple.secret", "readiness-engine-secret-8c41e7")
                .set("kitsune.server.stop.timeout", "PT5S")
                .set("spark.master", "local[1]")
                .set("spark.ui.enabled", "false")
                .set("kyuubi.session.engine.idle.timeout", "PT10M");
    }

    /** The console's line is in the log, after the ready line (the console announces itself to a serving server). */
    private static void assertConsoleLineAfterReadyLine(KitsuneServer server, String round) throws Exception {
        server.awaitLog(Pattern.compile(Pattern.quote(CONSOLE_LINE)), Duration.ofSeconds(30));
        List<String> lines = Files.readAllLines(server.logFile(), StandardCharsets.UTF_8);
        int ready = -1;
        int console = -1;
        for (int n = 0; n < lines.size(); n++) {
            if (ready < 0 && lines.get(n).contains(READY_LINE)) ready = n;
            if (console < 0 && lines.get(n).contains(CONSOLE_LINE)) console = n;
        }
        assertTrue(ready >= 0 && console > ready, round + ": the console's line (line " + (console + 1)
                + ") comes after the ready line (line " + (ready + 1) + ")");
    }

    /**
     * Launches the server and polls `bin/kitsune status` on another thread (every 150 ms) until the ready line
     * appears, which this thread looks for every 10 ms; returns when it is there.
     */
    private static WatchedStart launchAndWatch(KitsuneServer server, Duration timeout) throws Exception {
        List<Integer> codes = new CopyOnWriteArrayList<>();
        AtomicBoolean ready = new AtomicBoolean();
        server.launch();
        Thread poller = new Thread(() -> {
            while (!ready.get()) {
                try {
                    int rc = server.script(Duration.ofSeconds(30), "status");
                    if (!ready.get()) codes.add(rc);
                    Thread.sleep(150); // a poll interval: each run of the script costs a bash and its commands
                } catch (Exception e) {
                    codes.add(-1);
                    return;
                }
            }
        }, "kitsune-status-poller");
        poller.setDaemon(true);
        poller.start();
        long[] seenSize = {-1};
        long[] readyAt = {0};
        try {
            await("the ready line").atMost(timeout).pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(10))
                    .until(() -> {
                        Path log = server.logFile();
                        long size = Files.exists(log) ? Files.size(log) : 0;
                        if (size != seenSize[0]) {
                            seenSize[0] = size;
                            if (size > 0 && Files.readString(log, StandardCharsets.UTF_8).contains(READY_LINE)) {
                                readyAt[0] = System.nanoTime();
                                return true;
                            }
                        }
                        if (!server.isAlive()) fail("Kitsune exited during its start:\n" + server.tail());
                        return false;
                    });
        } catch (ConditionTimeoutException e) {
            fail("No ready line within " + timeout + ":\n" + server.tail());
        } finally {
            ready.set(true);
            poller.join(30_000);
        }
        return new WatchedStart(readyAt[0], List.copyOf(codes));
    }

    /** When the ready line was seen, and what bin/kitsune status said before it, in order. */
    private record WatchedStart(long readyNanos, List<Integer> statusCodes) {
        long msSinceReady() {
            return (System.nanoTime() - readyNanos) / 1_000_000;
        }

        /**
         * Status said starting (2) while the server started, and went only forward: stopped (1, before the script has
         * written the pid file), starting, serving (0, the state is written just before the ready line).
         */
        void assertStartingSeen(String round) {
            assertTrue(statusCodes.contains(2), round + ": status said starting; it said " + statusCodes);
            int rank = 0;
            for (int code : statusCodes) {
                int r = switch (code) {
                    case 1 -> 0;
                    case 2 -> 1;
                    case 0 -> 2;
                    default -> throw new AssertionError(round + ": status said " + code + " while starting: "
                            + statusCodes);
                };
                assertTrue(r >= rank, round + ": status went back: " + statusCodes);
                rank = r;
            }
        }
    }
}
