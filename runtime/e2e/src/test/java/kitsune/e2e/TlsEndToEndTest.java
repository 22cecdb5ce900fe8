package kitsune.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

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
        Path keystore = dir.resolve("server.p12");
        Path truststore = dir.resolve("clients.p12");
        keytool("-genkeypair", "-alias", "kitsune", "-keyalg", "RSA", "-keysize", "2048", "-validity", "2",
                "-dname", "CN=localhost", "-ext", "SAN=ip:127.0.0.1,dns:localhost", "-storetype", "PKCS12",
                "-keystore", keystore.toString(), "-storepass", PASSWORD, "-keypass", PASSWORD);
        keytool("-exportcert", "-alias", "kitsune", "-keystore", keystore.toString(), "-storepass", PASSWORD,
                "-file", dir.resolve("server.crt").toString());
        keytool("-importcert", "-noprompt", "-alias", "kitsune", "-file", dir.resolve("server.crt").toString(),
                "-storetype", "PKCS12", "-keystore", truststore.toString(), "-storepass", PASSWORD);
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

    private static void keytool(String... args) throws Exception {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertTrue(p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0, "keytool " + args[0] + ": " + out);
    }
}
