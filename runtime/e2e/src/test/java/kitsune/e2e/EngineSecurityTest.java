package kitsune.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import java.util.stream.Stream;

import org.apache.zookeeper.ZooKeeper;
import org.junit.jupiter.api.Test;

import kitsune.testkit.Engines;
import kitsune.testkit.Jdbc;
import kitsune.testkit.KitsuneServer;
import kitsune.testkit.Zk;

/**
 * Engine security, on by default: an engine takes only connections that prove they know the engine secret (after it
 * proved it first), so a client that found its address in ZooKeeper cannot reach it around the server, not even
 * with the secret in SASL PLAIN; sessions through the server work. Without a configured secret the server generates
 * one, owner-only, and it appears nowhere else: not in a log, a node or a command line.
 */
class EngineSecurityTest {
    private static final String SPACE = "/kyuubi_1-spark-4.0_USER_SPARK_SQL/vera/default";
    private static final String REFUSAL = "this engine takes only connections that prove they know the engine secret";

    @Test
    void onlyTheServerWithTheSecretReachesTheEngine() throws Exception {
        String secret = "s3cret-for-engines-0b1d";
        try (KitsuneServer server = new KitsuneServer(Files.createTempDirectory("kitsune-e2e-engine-secret-"))
                .set("kyuubi.engine.security.enabled", "true")
                .set("kyuubi.engine.security.secret.provider.simple.secret", secret).start();
                ZooKeeper zk = Zk.connect(server.zkConnect())) {
            try (Connection c = Jdbc.connect(server.zkUrl(), "vera")) {
                assertEquals(1, ((Number) Jdbc.single(c, "SELECT 1")).intValue());
            }
            String engine = engineOf(zk);

            assertThrows(SQLException.class, () -> Jdbc.connect("jdbc:hive2://" + engine + "/;auth=noSasl", "mallory"),
                    "a raw connection is refused");
            SQLException guessed = assertThrows(SQLException.class,
                    () -> Jdbc.connect("jdbc:hive2://" + engine + "/", "mallory", "guess"));
            assertTrue(guessed.getMessage().contains(REFUSAL), guessed.getMessage());
            SQLException inClear = assertThrows(SQLException.class,
                    () -> Jdbc.connect("jdbc:hive2://" + engine + "/", "mallory", secret));
            assertTrue(inClear.getMessage().contains(REFUSAL),
                    "the secret itself is no login any more: " + inClear.getMessage());
            assertFalse(Files.exists(server.workDir.resolve("engine-secret")), "a configured secret is not written");

            try (Connection again = Jdbc.connect(server.directUrl(), "vera")) {
                assertEquals(2, ((Number) Jdbc.single(again, "SELECT 2")).intValue(), "the server still gets in");
            }
        }
    }

    @Test
    void withNoConfigurationAtAllEnginesRequireAGeneratedSecretThatOnlyTheOwnerCanReadAndThatAppearsNowhereElse()
            throws Exception {
        Path dir = Files.createTempDirectory("kitsune-e2e-engine-secret-default-");
        try (KitsuneServer server = new KitsuneServer(dir).start();
                ZooKeeper zk = Zk.connect(server.zkConnect())) {
            assertFalse(server.conf.keySet().stream().anyMatch(k -> k.startsWith("kyuubi.engine.security")));
            Path file = server.workDir.resolve("engine-secret");
            assertTrue(Files.isRegularFile(file), "generated at the first start");
            assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
            String secret = Files.readString(file).trim();
            assertTrue(secret.length() >= 43, "32 random bytes");

            try (Connection c = Jdbc.connect(server.zkUrl(), "vera")) {
                assertEquals(1, ((Number) Jdbc.single(c, "SELECT 1")).intValue());
                String engine = engineOf(zk);
                SQLException raw = assertThrows(SQLException.class,
                        () -> Jdbc.connect("jdbc:hive2://" + engine + "/;auth=noSasl", "mallory"));
                assertFalse(raw.getMessage().contains(secret));
                SQLException plain = assertThrows(SQLException.class,
                        () -> Jdbc.connect("jdbc:hive2://" + engine + "/", "mallory", secret));
                assertTrue(plain.getMessage().contains(REFUSAL), plain.getMessage());

                // nowhere but in the file
                for (String node : zk.getChildren(SPACE, false)) {
                    assertFalse(node.contains(secret), node);
                    assertFalse(new String(zk.getData(SPACE + "/" + node, false, null), StandardCharsets.UTF_8)
                            .contains(secret));
                }
                List<ProcessHandle> engines = Engines.of(server, "vera");
                assertEquals(1, engines.size());
                for (ProcessHandle p : Stream.concat(Stream.of(server.jvm()), engines.stream()).toList()) {
                    String cmdline = Files.readString(Path.of("/proc/" + p.pid() + "/cmdline"));
                    assertFalse(cmdline.contains(secret), "not on the command line of " + p.pid());
                    String environ = Files.readString(Path.of("/proc/" + p.pid() + "/environ"));
                    assertFalse(environ.contains(secret), "not in the environment of " + p.pid());
                }
                try (Stream<Path> files = Stream.concat(Files.walk(server.logDir), Files.walk(server.workDir))) {
                    for (Path f : files.filter(Files::isRegularFile).toList()) {
                        if (f.equals(file)) continue;
                        if (f.getFileName().toString().matches("engine-.*\\.properties")) {
                            assertEquals("rw-------", PosixFilePermissions.toString(
                                    Files.getPosixFilePermissions(f)), f.toString());
                            // the engine is given its space's secret, never the servers' own
                            assertFalse(Files.readString(f, StandardCharsets.ISO_8859_1).contains(secret),
                                    "the servers' secret is in " + f);
                            continue;
                        }
                        if (f.getFileName().toString().endsWith(".log") || f.toString().contains("/logs/")) {
                            assertFalse(Files.readString(f, StandardCharsets.ISO_8859_1).contains(secret),
                                    "the secret is in " + f);
                        }
                    }
                }
            }
            assertTrue(server.log().contains("Engine secret: generated " + file), "the log says where it is");
        }

        // a restart reuses the secret file (and engines it launches take its logins)
        String before = Files.readString(dir.resolve("work/engine-secret"));
        try (KitsuneServer again = new KitsuneServer(dir).start()) {
            assertEquals(before, Files.readString(again.workDir.resolve("engine-secret")));
            try (Connection c = Jdbc.connect(again.directUrl(), "vera")) {
                assertEquals(3, ((Number) Jdbc.single(c, "SELECT 3")).intValue());
            }
        }
    }

    private static String engineOf(ZooKeeper zk) throws Exception {
        List<String> nodes = zk.getChildren(SPACE, false);
        assertEquals(1, nodes.size(), nodes.toString());
        assertTrue(nodes.get(0).contains(";kitsune.engine.auth=HMAC;"), "the node says what it needs: " + nodes);
        return Zk.hostPort(zk.getData(SPACE + "/" + nodes.get(0), false, null));
    }
}
