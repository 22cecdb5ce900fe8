package kitsune.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;

import org.apache.zookeeper.ZooKeeper;
import org.junit.jupiter.api.Test;

import kitsune.testkit.Jdbc;
import kitsune.testkit.KitsuneServer;
import kitsune.testkit.Zk;

/**
 * kyuubi.engine.security.enabled: the engine takes only connections that log in with the shared engine secret, so a
 * client that found its address in ZooKeeper cannot reach it around the server; sessions through the server work.
 */
class EngineSecurityTest {
    private static final String SPACE = "/kyuubi_1-spark-4.0_USER_SPARK_SQL/vera/default";

    @Test
    void onlyTheServerWithTheSecretReachesTheEngine() throws Exception {
        try (KitsuneServer server = new KitsuneServer(Files.createTempDirectory("kitsune-e2e-engine-secret-"))
                .set("kyuubi.engine.security.enabled", "true")
                .set("kyuubi.engine.security.secret.provider.simple.secret", "s3cret-for-engines").start();
                ZooKeeper zk = Zk.connect(server.zkConnect())) {
            try (Connection c = Jdbc.connect(server.zkUrl(), "vera")) {
                assertEquals(1, ((Number) Jdbc.single(c, "SELECT 1")).intValue());
            }
            List<String> nodes = zk.getChildren(SPACE, false);
            assertEquals(1, nodes.size(), nodes.toString());
            assertTrue(nodes.get(0).contains(";kitsune.engine.auth=PLAIN;"), "the node says what it needs: " + nodes);
            String engine = Zk.hostPort(zk.getData(SPACE + "/" + nodes.get(0), false, null));

            assertThrows(SQLException.class, () -> Jdbc.connect("jdbc:hive2://" + engine + "/;auth=noSasl", "mallory"),
                    "a raw connection (what engines took before) is refused");
            SQLException guessed = assertThrows(SQLException.class,
                    () -> Jdbc.connect("jdbc:hive2://" + engine + "/", "mallory", "guess"));
            assertTrue(guessed.getMessage().contains("this engine takes only connections with the engine secret"),
                    guessed.getMessage());

            try (Connection again = Jdbc.connect(server.directUrl(), "vera")) {
                assertEquals(2, ((Number) Jdbc.single(again, "SELECT 2")).intValue(), "the server still gets in");
            }
        }
    }
}
