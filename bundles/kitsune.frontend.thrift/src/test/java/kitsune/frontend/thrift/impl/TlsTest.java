package kitsune.frontend.thrift.impl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.Socket;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import kitsune.api.conf.KitsuneConf;
import kitsune.internal.testing.HiveJdbc;
import kitsune.internal.testing.KeyStores;
import kitsune.thrift.CliBackend;

/** TLS on the binary port with a key store made by the JDK's keytool, against the real Hive JDBC driver. */
class TlsTest {
    private static final String PASSWORD = "changeit-tls";
    @TempDir
    static Path dir;
    private static Path keystore;
    private static Path truststore;
    private static ThriftFrontendServer server;

    @BeforeAll
    static void start() throws Exception {
        KeyStores stores = KeyStores.create(dir, PASSWORD);
        keystore = stores.keystore;
        truststore = stores.truststore;
        RecordingBackend rb = new RecordingBackend();
        CliBackend b = rb.backend();
        server = new ThriftFrontendServer(settings(tls(keystore.toString(), PASSWORD)), () -> b);
        server.start();
    }

    @AfterAll
    static void stop() {
        if (server != null) server.stop(Duration.ofSeconds(5));
    }

    private static TlsSettings tls(String path, String password) {
        return TlsSettings.from(KitsuneConf.of(Map.of("kyuubi.frontend.thrift.binary.ssl.enabled", "true",
                "kyuubi.frontend.ssl.keystore.path", path, "kyuubi.frontend.ssl.keystore.password", password)));
    }

    private static FrontendSettings settings(TlsSettings tls) {
        return new FrontendSettings("127.0.0.1", 0, "127.0.0.1", "NONE", 64 * 1024, 1, 4, 100,
                Duration.ofSeconds(2), tls);
    }

    @Test
    void theHiveDriverConnectsOverTlsWithTheServersCertificateInItsTrustStore() throws Exception {
        String url = "jdbc:hive2://127.0.0.1:" + server.port() + "/;ssl=true;sslTrustStore=" + truststore
                + ";trustStorePassword=" + PASSWORD + ";trustStoreType=PKCS12";
        try (Connection c = HiveJdbc.connect(url, "tina", "pw")) {
            assertTrue(c.isValid(5));
        }
        assertTrue(server.endpoint().ssl(), "published as hive.server2.use.SSL=true with publish.configs");
    }

    @Test
    void aPlainClientIsRefusedWithAReasonAndOthersAreServed() throws Exception {
        int mark = LogCapture.mark();
        assertThrows(SQLException.class, () -> HiveJdbc.connect("jdbc:hive2://127.0.0.1:" + server.port() + "/",
                "tina", "pw"));
        assertNotNull(LogCapture.awaitLine(mark, Duration.ofSeconds(5), "WARN", "TLS handshake failed",
                ";ssl=true"));
    }

    @Test
    void aClientThatNeverStartsTheTlsHandshakeIsClosedAfterTheLoginTimeout() throws Exception {
        int mark = LogCapture.mark();
        try (Socket s = new Socket("127.0.0.1", server.port())) {
            s.setSoTimeout(10_000);
            assertEquals(-1, s.getInputStream().read(), "closed by the server");
        }
        assertNotNull(LogCapture.awaitLine(mark, Duration.ofSeconds(5), "WARN", "Closing connection from 127.0.0.1:",
                "no handshake within kyuubi.frontend.thrift.login.timeout=PT2S"));
    }

    @Test
    void keyStoreProblemsStopTheStartNamingTheKey() {
        FrontendStartException missing = assertThrows(FrontendStartException.class,
                () -> new ThriftFrontendServer(settings(tls("", PASSWORD)), () -> null).start());
        assertTrue(missing.getMessage().contains("kyuubi.frontend.ssl.keystore.path not configured for SSL connection"),
                missing.getMessage());
        FrontendStartException wrong = assertThrows(FrontendStartException.class,
                () -> new ThriftFrontendServer(settings(tls(keystore.toString(), "not-it")), () -> null).start());
        assertTrue(wrong.getMessage().contains("Cannot use the key store " + keystore), wrong.getMessage());
        assertFalse(wrong.getMessage().contains("not-it"), "the password is never shown");
        assertFalse(tls(keystore.toString(), PASSWORD).toString().contains(PASSWORD));
        assertEquals(1, wrong.getMessage().lines().count(), "one line");
    }
}
