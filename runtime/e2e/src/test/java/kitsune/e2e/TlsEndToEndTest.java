package kitsune.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

import kitsune.internal.testing.KeyStores;
import kitsune.testkit.Jdbc;
import kitsune.testkit.KitsuneServer;

/**
 * TLS on the binary port of the real runtime, with the Hive driver through ZooKeeper: with publish.configs the
 * server publishes hive.server2.use.SSL=true, so the client's URL needs only the trust store.
 */
class TlsEndToEndTest {
    private static final String PASSWORD = "tls-e2e-pw";

    @Test
    void clientsThroughZooKeeperGetTlsFromThePublishedConfiguration() throws Exception {
        Path dir = Files.createTempDirectory("kitsune-e2e-tls-");
        KeyStores stores = KeyStores.create(dir, PASSWORD);
        Path keystore = stores.keystore;
        Path truststore = stores.truststore;
        try (KitsuneServer server = new KitsuneServer(dir)
                .set("kyuubi.frontend.thrift.binary.ssl.enabled", "true")
                .set("kyuubi.frontend.ssl.keystore.path", keystore.toString())
                .set("kyuubi.frontend.ssl.keystore.password", PASSWORD)
                .set("kyuubi.ha.zookeeper.publish.configs", "true").start()) {
            String trust = ";sslTrustStore=" + truststore + ";trustStorePassword=" + PASSWORD + ";trustStoreType=PKCS12";
            try (Connection c = Jdbc.connect(server.zkUrl().replace("/;", "/;" + trust.substring(1) + ";"), "tess")) {
                assertEquals(1, ((Number) Jdbc.single(c, "SELECT 1")).intValue());
            }
            assertThrows(SQLException.class, () -> Jdbc.connect(server.directUrl(), "tess"),
                    "a client without TLS does not get in");
            // the refusal is logged with its reason (just after the client saw it)
            server.awaitLog(Pattern.compile("TLS handshake failed .*does not speak TLS"), Duration.ofSeconds(10));
        }
    }
}
