package kitsune.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.time.Duration;
import java.util.List;
import java.util.regex.Pattern;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

import kitsune.testkit.Jdbc;
import kitsune.testkit.KitsuneServer;

/**
 * Bad input gets one clear message and never takes the server down: bad clients on the wire, and bad
 * configuration at start.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class BadInputTest {
    /** SASL negotiation status bytes of Thrift's TSaslTransport. */
    private static final int START = 0x01;
    private static final int COMPLETE = 0x05;

    private KitsuneServer server;

    @BeforeAll
    void startServer() throws Exception {
        server = new KitsuneServer(Files.createTempDirectory("kitsune-badinput-"))
                .set("kyuubi.frontend.thrift.max.message.size", "1048576").start();
    }

    @AfterAll
    void stopServer() throws Exception {
        if (server != null) server.close();
    }

    @Test
    void garbageHttpAndWrongMechanismAndOversizedFramesAreRefusedWhileOthersAreServed() throws Exception {
        try (Connection good = Jdbc.connect(server.directUrl(), "alice")) {
            // garbage
            assertClosedByServer(out -> out.write(new byte[] {(byte) 0xde, (byte) 0xad, (byte) 0xbe, (byte) 0xef, 9, 9}));
            // an HTTP client on the binary port
            assertClosedByServer(out -> out.write("GET / HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII)));
            // a SASL mechanism the server does not offer
            assertClosedByServer(out -> saslMessage(out, START, "DIGEST-MD5".getBytes(StandardCharsets.US_ASCII)));
            // a SASL message claiming to be 2 GB
            assertClosedByServer(out -> {
                out.write(START);
                out.writeInt(Integer.MAX_VALUE);
            });
            // after a good PLAIN handshake, a Thrift frame larger than kyuubi.frontend.thrift.max.message.size
            assertClosedByServer(out -> {
                saslMessage(out, START, "PLAIN".getBytes(StandardCharsets.US_ASCII));
                saslMessage(out, COMPLETE, "\0mallory\0pw".getBytes(StandardCharsets.US_ASCII));
                out.writeInt(64 * 1024 * 1024);
                out.write(new byte[1024]);
            });
            // the connection opened before all this still works, and so do new ones
            assertEquals(1, ((Number) Jdbc.single(good, "SELECT 1")).intValue());
        }
        try (Connection again = Jdbc.connect(server.directUrl(), "alice")) {
            assertEquals(3, ((Number) Jdbc.single(again, "SELECT 1 + 2")).intValue());
        }
        assertTrue(server.isAlive());
    }

    @Test
    void aSessionAskingForAnotherMetastoreOrJvmOptionsIsRefusedNamingTheKey() throws Exception {
        try (Connection good = Jdbc.connect(server.directUrl(), "alice")) {
            for (String setting : List.of("spark.hadoop.javax.jdo.option.ConnectionURL=jdbc:derby:/tmp/other_db",
                    "spark.driver.extraJavaOptions=-XX:+UseSerialGC", "spark.sql.warehouse.dir=/tmp/elsewhere")) {
                String key = setting.substring(0, setting.indexOf('='));
                java.sql.SQLException e = org.junit.jupiter.api.Assertions.assertThrows(java.sql.SQLException.class,
                        () -> Jdbc.connect(server.directUrl() + "?" + setting, "mallory").close());
                assertTrue(e.getMessage().contains(key + " is a restricted key on this server "
                        + "(kyuubi.session.conf.restrict.list)"), e.getMessage());
            }
            // a user name (or a proxy user) that would climb out of its engine space or work directory
            for (String url : List.of(server.directUrl(), server.directUrl() + "?hive.server2.proxy.user=../alice")) {
                java.sql.SQLException e = org.junit.jupiter.api.Assertions.assertThrows(java.sql.SQLException.class,
                        () -> Jdbc.connect(url, url.contains("proxy") ? "mallory" : "../alice").close());
                assertTrue(e.getMessage().contains("Invalid user name '../alice': a user name may not contain '..'"),
                        e.getMessage());
            }
            assertEquals(1, ((Number) Jdbc.single(good, "SELECT 1")).intValue(), "others keep being served");
        }
    }

    @Test
    void aSessionAskingForMoreMemoryOrALongerEngineIdleTimeoutThanTheOperatorAllowsIsRefusedNamingTheKey()
            throws Exception {
        // within the caps: the server's own idle timeout (PT2M here) and memory under the default 32g
        try (Connection good = Jdbc.connect(server.directUrl()
                + "?kyuubi.session.engine.idle.timeout=PT2M;spark.driver.memory=1g", "alice")) {
            java.sql.SQLException memory = org.junit.jupiter.api.Assertions.assertThrows(java.sql.SQLException.class,
                    () -> Jdbc.connect(server.directUrl() + "?spark.driver.memory=64g", "mallory").close());
            assertTrue(memory.getMessage().contains("spark.driver.memory=64g is over this server's maximum of 32g "
                    + "(kitsune.session.engine.memory.max)"), memory.getMessage());
            java.sql.SQLException idle = org.junit.jupiter.api.Assertions.assertThrows(java.sql.SQLException.class,
                    () -> Jdbc.connect(server.directUrl() + "?kyuubi.session.engine.idle.timeout=P3650D", "mallory")
                            .close());
            assertTrue(idle.getMessage().contains("kyuubi.session.engine.idle.timeout=P3650D is longer than this "
                    + "server allows (PT2M"), idle.getMessage());
            java.sql.SQLException hivevar = org.junit.jupiter.api.Assertions.assertThrows(
                    java.sql.SQLException.class, () -> Jdbc.connect(server.directUrl()
                            + "#spark.executor.memory=1t", "mallory").close());
            assertTrue(hivevar.getMessage().contains("spark.executor.memory=1t is over"), hivevar.getMessage());
            assertEquals(1, ((Number) Jdbc.single(good, "SELECT 1")).intValue(), "others keep being served");
        }
    }

    @Test
    void missingConfFileStopsTheStartWithOneClearLine(@TempDir Path dir) throws Exception {
        try (KitsuneServer s = new KitsuneServer(dir, false)) {
            int exit = s.startExpectingExit(Duration.ofSeconds(60));
            assertNotEquals(0, exit);
            String out = s.console() + s.log();
            assertTrue(out.contains(s.confDir.resolve("kyuubi-defaults.conf").toString()), out);
            assertTrue(out.contains("does not exist"), out);
        }
    }

    @Test
    void invalidValueStopsTheStartNamingKeyValueAndWhatIsAllowed(@TempDir Path dir) throws Exception {
        try (KitsuneServer s = new KitsuneServer(dir).set("kyuubi.engine.share.level", "TEAM")) {
            assertNotEquals(0, s.startExpectingExit(Duration.ofSeconds(60)));
            assertTrue(s.console().contains("Invalid value for kyuubi.engine.share.level: 'TEAM' (allowed: one of "
                    + "CONNECTION, USER, GROUP, SERVER)"), s.tail());
        }
    }

    @Test
    void portInUseStopsTheStartNamingThePortAndTheKey(@TempDir Path dir) throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
                KitsuneServer s = new KitsuneServer(dir)
                        .set("kyuubi.frontend.thrift.binary.bind.port", String.valueOf(taken.getLocalPort()))) {
            assertNotEquals(0, s.startExpectingExit(Duration.ofSeconds(90)));
            String out = s.console() + s.log();
            assertTrue(out.contains(String.valueOf(taken.getLocalPort())), out);
            assertTrue(out.contains("kyuubi.frontend.thrift.binary.bind.port"), out);
        }
    }

    @Test
    void unknownKeysAreWarnedByName(@TempDir Path dir) throws Exception {
        try (KitsuneServer s = new KitsuneServer(dir).set("kyuubi.no.such.thing", "1").start()) {
            s.awaitLog(Pattern.compile("kyuubi\\.no\\.such\\.thing"), Duration.ofSeconds(10));
            assertTrue(s.isAlive());
        }
    }

    private interface Writer {
        void write(DataOutputStream out) throws IOException;
    }

    private static void saslMessage(DataOutputStream out, int status, byte[] payload) throws IOException {
        out.write(status);
        out.writeInt(payload.length);
        out.write(payload);
    }

    /** Sends the bytes and expects the server to close the connection (EOF or reset) within 10 s. */
    private void assertClosedByServer(Writer writer) throws Exception {
        try (Socket s = new Socket("127.0.0.1", server.port())) {
            s.setSoTimeout(10_000);
            DataOutputStream out = new DataOutputStream(s.getOutputStream());
            try {
                writer.write(out);
                out.flush();
            } catch (IOException closedWhileWriting) {
                return;
            }
            DataInputStream in = new DataInputStream(s.getInputStream());
            try {
                byte[] buf = new byte[4096];
                while (in.read(buf) >= 0) {
                    // the server may answer with a SASL error status first; read until it closes
                }
            } catch (SocketTimeoutException e) {
                throw new AssertionError("the server kept a bad connection open", e);
            } catch (IOException reset) {
                // closed with a reset: fine
            }
        }
    }
}
