package kitsune.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import kitsune.testkit.KitsuneCtl;
import kitsune.testkit.KitsuneServer;

/**
 * bin/kitsune-ctl as an operator runs it, against a real server in pseudo mode: it finds the embedded ZooKeeper
 * through the server's conf dir, lists the server, and deleting its node makes the server (which has no session)
 * de-register and exit by itself.
 */
class KitsuneCtlTest {

    @Test
    void listsTheServerAndDeletingItsNodeDrainsAndStopsIt(@TempDir Path dir) throws Exception {
        try (KitsuneServer server = new KitsuneServer(dir.resolve("server"))) {
            server.start();
            int port = server.port();

            KitsuneCtl.Run list = KitsuneCtl.run(server.confDir, dir, "list", "server");
            assertEquals(0, list.rc(), list.toString());
            assertEquals("", list.err(), "only the command's own output, no ZooKeeper/Curator logging");
            assertTrue(list.out().contains("Zookeeper service nodes"), list.out());
            assertTrue(list.out().contains("║ Namespace │ Host      │ Port  │ Version ║"), list.out());
            assertTrue(Pattern.compile("║ /kyuubi   │ 127\\.0\\.0\\.1 │ " + port + " │ [0-9.]+ +║").matcher(list.out()).find(),
                    list.out());
            assertTrue(list.out().endsWith("1 row(s)\n"), list.out());

            KitsuneCtl.Run get = KitsuneCtl.run(server.confDir, dir, "get", "server", "--host", "localhost", "--port",
                    String.valueOf(port));
            assertEquals(0, get.rc(), get.toString());
            assertTrue(get.out().endsWith("1 row(s)\n"), get.out());

            KitsuneCtl.Run missing = KitsuneCtl.run(server.confDir, dir, "get", "server", "--host", "127.0.0.1", "--port",
                    "1");
            assertEquals(1, missing.rc(), missing.toString());
            assertEquals("Error: No server registered at 127.0.0.1:1 in namespace /kyuubi\n", missing.err());

            KitsuneCtl.Run delete = KitsuneCtl.run(server.confDir, dir, "delete", "server", "--host", "127.0.0.1", "--port",
                    String.valueOf(port));
            assertEquals(0, delete.rc(), delete.toString());
            assertEquals("", delete.err());
            assertTrue(delete.out().startsWith("Deleting zookeeper service node:/kyuubi/serverUri=127.0.0.1:" + port
                    + ";version="), delete.out());
            assertTrue(delete.out().contains("Deleted zookeeper service nodes"), delete.out());
            assertTrue(delete.out().endsWith("1 row(s)\n"), delete.out());

            server.awaitLog(Pattern.compile("Kitsune instance 127\\.0\\.0\\.1:" + port
                    + " is now de-registered from ZooKeeper"), Duration.ofSeconds(30));
            assertTrue(server.process().waitFor(60, TimeUnit.SECONDS),
                    "the server exits by itself once de-registered without sessions:\n" + server.tail());
            assertFalse(server.isAlive());
        }
    }

    @Test
    void unreachableZooKeeperIsOneLineAndBounded(@TempDir Path dir) throws Exception {
        Path conf = Files.createDirectories(dir.resolve("conf"));
        int port;
        try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
            port = s.getLocalPort();
        }
        Files.writeString(conf.resolve("kyuubi-defaults.conf"), "kyuubi.zookeeper.embedded.client.port=" + port + "\n");
        long start = System.nanoTime();
        KitsuneCtl.Run r = KitsuneCtl.run(conf, dir, "list", "server");
        long ms = (System.nanoTime() - start) / 1_000_000;
        assertEquals(1, r.rc(), r.toString());
        assertEquals("", r.out());
        assertEquals("Error: Cannot connect to ZooKeeper at 127.0.0.1:" + port + " within 10000 ms\n", r.err());
        assertTrue(ms < 20_000, ms + " ms");
    }
}
