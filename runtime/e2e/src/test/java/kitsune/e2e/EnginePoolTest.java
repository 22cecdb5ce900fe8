package kitsune.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.sql.Connection;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import kitsune.testkit.Jdbc;
import kitsune.testkit.KitsuneServer;

/**
 * Kyuubi's engine pool against the real server, real Spark engines and the unmodified Hive JDBC driver: a SERVER-level
 * pool of two gives two engines, and POLLING sends new sessions to them in turn.
 */
class EnginePoolTest {

    @Test
    void aServerLevelPoolOfTwoGivesTwoEnginesAndPollingSendsSessionsToThemInTurn() throws Exception {
        try (KitsuneServer server = new KitsuneServer(Files.createTempDirectory("kitsune-e2e-pool-"))
                .set("kyuubi.engine.share.level", "SERVER").set("kyuubi.engine.pool.size", "2")
                .set("kyuubi.engine.pool.selectPolicy", "POLLING").set("spark.driver.memory", "512m").start()) {
            List<String> apps = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                // users differ: at SERVER level they share the pool
                try (Connection c = Jdbc.connect(server.directUrl(), i % 2 == 0 ? "ann" : "ben")) {
                    apps.add(Jdbc.appId(c));
                }
            }
            System.out.println("engine pool: sessions went to " + apps);
            assertNotEquals(apps.get(0), apps.get(1), "two engines");
            assertEquals(List.of(apps.get(0), apps.get(1), apps.get(0), apps.get(1)), apps, "in turn");
            String log = Files.readString(server.logFile());
            assertTrue(log.contains("/engine-pool-0") && log.contains("/engine-pool-1"), "engine spaces engine-pool-0/1");
        }
    }
}
