package kitsune.e2e;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.nio.file.Files;
import java.sql.Connection;
import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;

import kitsune.testkit.Engines;
import kitsune.testkit.Jdbc;
import kitsune.testkit.KitsuneServer;

/**
 * kyuubi.session.engine.spark.max.lifetime against the real server, real Spark engines and the unmodified Hive JDBC
 * driver: an engine past its lifetime keeps its sessions (and takes new ones while it has any), retires at its first
 * moment without a session, and the next session gets a new engine.
 */
class EngineLifetimeTest {

    @Test
    void anEnginePastItsLifetimeRetiresWhenItsLastSessionClosesAndTheNextSessionGetsANewOne() throws Exception {
        try (KitsuneServer server = new KitsuneServer(Files.createTempDirectory("kitsune-e2e-lifetime-"))
                .set("kyuubi.session.engine.spark.max.lifetime", "PT20S").set("spark.driver.memory", "512m")
                .start()) {
            String first;
            try (Connection held = Jdbc.connect(server.directUrl(), "lena")) {
                first = Jdbc.appId(held);
                ProcessHandle engine = Engines.of(server, "lena").get(0);
                long started = engine.info().startInstant().orElseThrow().toEpochMilli();
                await("the engine passes its 20 s lifetime").atMost(Duration.ofSeconds(40))
                        .pollInterval(Duration.ofMillis(250))
                        .until(() -> System.currentTimeMillis() - started >= 21_000);
                // past its lifetime, with a session open: it still serves it and a new one
                try (Connection more = Jdbc.connect(server.directUrl(), "lena")) {
                    assertEquals(first, Jdbc.appId(more), "no successor can start while it runs");
                }
                assertEquals(1, ((Number) Jdbc.single(held, "SELECT 1")).intValue());
                assertEquals(List.of(engine), Engines.of(server, "lena"));
            }
            await("the old engine retires once it has no session").atMost(Duration.ofSeconds(60))
                    .until(() -> Engines.of(server, "lena").isEmpty());
            try (Connection next = Jdbc.connect(server.directUrl(), "lena")) {
                assertNotEquals(first, Jdbc.appId(next), "a new engine");
            }
            assertEquals(1, Files.readString(server.logFile()).split("Launching engine for", -1).length - 2,
                    "exactly one more launch");
        }
    }
}
