package kitsune.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.sql.Connection;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import kitsune.testkit.Engines;
import kitsune.testkit.Jdbc;
import kitsune.testkit.KitsuneServer;
import kitsune.testkit.ProcStats;

/**
 * More sessions on one engine than an engine ever had worker threads (200): the server shares a few connections to
 * the engine among all its sessions, so held sessions cost the engine no thread, and every session keeps answering.
 * Their client connections cost the server no thread either (its binary frontend is a selector server).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ManySessionsTest {
    private static final int HELD = 300;
    private static final int POOL = 16;
    private static final int STATEMENT_THREADS = 8;
    private KitsuneServer server;

    @BeforeAll
    void start() throws Exception {
        server = new KitsuneServer(Files.createTempDirectory("kitsune-e2e-many-"))
                .set("kitsune.engine.connections.max", String.valueOf(POOL))
                .set("kyuubi.backend.engine.exec.pool.size", String.valueOf(STATEMENT_THREADS))
                .start();
    }

    @AfterAll
    void stop() throws Exception {
        if (server != null) server.close();
    }

    @Test
    void threeHundredSessionsOnOneEngineHoldNoEngineThreadEachAndAllKeepAnswering() throws Exception {
        List<Connection> held = new ArrayList<>();
        ExecutorService clients = Executors.newFixedThreadPool(32);
        try {
            held.add(Jdbc.connect(server.zkUrl(), "alice"));
            assertEquals(1, Jdbc.single(held.get(0), "SELECT 1"));
            ProcessHandle engine = Engines.of(server, "alice").get(0);
            int threadsBefore = ProcStats.threads(engine);
            int serverThreadsBefore = ProcStats.threads(server.jvm());

            for (int i = 1; i < HELD; i++) held.add(Jdbc.connect(server.zkUrl(), "alice"));
            assertEquals(1, Engines.of(server, "alice").size(), "one USER engine serves them all");
            // each session is a client connection to the server too: its selector frontend holds no thread for one
            int serverThreadsHeld = ProcStats.threads(server.jvm());
            System.out.printf("[many] server threads with 1 client connection %d, with %d %d%n", serverThreadsBefore,
                    HELD, serverThreadsHeld);
            assertTrue(serverThreadsHeld - serverThreadsBefore < 20, "the server's threads grew from "
                    + serverThreadsBefore + " to " + serverThreadsHeld + " for " + HELD + " idle client connections");
            // every held session answers, 32 at a time
            List<Future<Object>> answers = new ArrayList<>();
            for (Connection c : held) answers.add(clients.submit(() -> Jdbc.single(c, "SELECT 1")));
            for (Future<Object> a : answers) assertEquals(1, a.get());
            int threadsHeld = ProcStats.threads(engine);
            // a Thrift worker per server connection and the statement threads, nothing per session
            assertTrue(threadsHeld - threadsBefore <= POOL + STATEMENT_THREADS + 8, "the engine's threads grew from "
                    + threadsBefore + " to " + threadsHeld + " for " + HELD + " sessions (at most " + POOL
                    + " connections and " + STATEMENT_THREADS + " statement threads)");

            // new sessions still open, and run a Spark job, while the 300 are held
            try (Connection fresh = Jdbc.connect(server.zkUrl(), "alice")) {
                assertEquals(49995000L, Jdbc.single(fresh, "SELECT sum(id) FROM range(0, 10000, 1, 4)"));
            }
            // the first and the last held sessions still see their own state
            Jdbc.execute(held.get(0), "SET spark.sql.shuffle.partitions=3");
            Jdbc.execute(held.get(HELD - 1), "SET spark.sql.shuffle.partitions=5");
            assertEquals("3", Jdbc.query(held.get(0), "SET spark.sql.shuffle.partitions").get(0).get(1));
            assertEquals("5", Jdbc.query(held.get(HELD - 1), "SET spark.sql.shuffle.partitions").get(0).get(1));
        } finally {
            clients.shutdownNow();
            for (Connection c : held) c.close();
        }
    }
}
