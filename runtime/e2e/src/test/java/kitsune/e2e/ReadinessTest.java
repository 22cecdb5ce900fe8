package kitsune.e2e;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.apache.zookeeper.ZooKeeper;
import org.junit.jupiter.api.Test;

import kitsune.testkit.Jdbc;
import kitsune.testkit.KitsuneServer;
import kitsune.testkit.Zk;

/**
 * The ready line means ready: the instant it is logged, a client going through ZooKeeper finds the server, and
 * bin/kitsune status reads the server's own state (serving, draining, stopped). A fatal start error is one line.
 */
class ReadinessTest {
    /**
     * Consecutive starts, each in a fresh directory (its own work dir, engine secret and embedded ZooKeeper data). 3,
     * not 20: on 2 shared, loaded cores one start-connect-drain-stop round (an engine launch included) takes 60-80 s,
     * and the test must stay near 3 minutes; -Dkitsune.readiness.starts=20 runs more.
     */
    private static final int STARTS = Integer.getInteger("kitsune.readiness.starts", 3);

    @Test
    void theInstantTheReadyLineAppearsAClientThroughZooKeeperConnectsAndStatusFollowsTheDrain() throws Exception {
        List<Long> readyToConnected = new ArrayList<>();
        for (int i = 0; i < STARTS; i++) {
            Path dir = Files.createTempDirectory("kitsune-ready-");
            try (KitsuneServer server = new KitsuneServer(dir)) {
                server.start(); // returns as soon as the ready line is in the log
                long t0 = System.nanoTime();
                try (Connection c = Jdbc.connect(server.zkUrl(), "alice")) {
                    readyToConnected.add((System.nanoTime() - t0) / 1_000_000);
                    assertEquals(0, server.script(Duration.ofSeconds(30), "status"), "start " + i + ": serving");
                    Path state = server.workDir.resolve("kitsune.state");
                    assertEquals("serving", Files.readString(state).trim());
                    assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(state)));

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
                assertEquals(1, server.countLog("Starting and exposing JDBC connection at:"));
            }
        }
        System.out.println("ready line to JDBC connection through ZooKeeper, ms: " + readyToConnected);
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
}
