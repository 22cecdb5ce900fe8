package kitsune.e2e;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

import kitsune.testkit.Engines;
import kitsune.testkit.Jdbc;
import kitsune.testkit.KitsuneServer;

/**
 * Engines leave nothing behind and no user multiplies them: a server started under umask 000 still makes every
 * file and directory of its own owner-only, a CONNECTION engine's work directory goes when the engine ends, a failed
 * launch shows its log without secrets, and kitsune.engine.max.per.user refuses one engine too many.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class EngineHygieneTest {
    private static final String ENGINE_SECRET = "Engine-Secret-7f3a9c1e5b2d4f60";
    /** A secret of gina's own that her engine is given (a per-user default whose key names a secret). */
    private static final String GINAS_SECRET = "S3-Secret-4c1d9e7a2b";
    private static final Set<PosixFilePermission> OTHERS = EnumSet.of(PosixFilePermission.GROUP_READ,
            PosixFilePermission.GROUP_WRITE, PosixFilePermission.GROUP_EXECUTE, PosixFilePermission.OTHERS_READ,
            PosixFilePermission.OTHERS_WRITE, PosixFilePermission.OTHERS_EXECUTE);

    private KitsuneServer server;

    @BeforeAll
    void startServer() throws Exception {
        server = new KitsuneServer(Files.createTempDirectory("kitsune-e2e-hygiene-"))
                .permissiveUmask()
                .set("kitsune.engine.max.per.user", "1")
                .set("kyuubi.engine.security.secret.provider.simple.secret", ENGINE_SECRET)
                // gina's engines get a secret and the JVM option of test 4 (per-user defaults, as Kyuubi's
                // ___user___ keys)
                .set("___gina___.spark.hadoop.fs.s3a.secret.key", GINAS_SECRET)
                .set("___gina___.kyuubi.engineEnv.JAVA_TOOL_OPTIONS", "-Xss" + GINAS_SECRET)
                .set("spark.master", "local[1]").set("spark.driver.memory", "640m")
                .start();
    }

    @AfterAll
    void stopServer() throws Exception {
        if (server != null) server.close();
    }

    @Test
    @Order(1)
    void aUserAskingForOneEngineTooManyIsRefusedNamingTheKeyAndOthersAreNot() throws Exception {
        String url = server.directUrl();
        try (Connection first = Jdbc.connect(url + "?kyuubi.engine.share.level.subdomain=a", "alice")) {
            assertEquals(1, ((Number) Jdbc.single(first, "SELECT 1")).intValue());

            SQLException subdomain = assertThrows(SQLException.class,
                    () -> Jdbc.connect(url + "?kyuubi.engine.share.level.subdomain=b", "alice"));
            assertTrue(subdomain.getMessage().contains("kitsune.engine.max.per.user=1"), subdomain.getMessage());
            assertTrue(subdomain.getMessage().contains("alice already has 1 engine(s)"), subdomain.getMessage());
            SQLException connection = assertThrows(SQLException.class,
                    () -> Jdbc.connect(url + "?kyuubi.engine.share.level=CONNECTION", "alice"));
            assertTrue(connection.getMessage().contains("kitsune.engine.max.per.user"), connection.getMessage());
            assertEquals(1, Engines.of(server, "alice").size(), "no second engine was launched for alice");

            // her engine of subdomain a serves more sessions, and other users get theirs
            try (Connection again = Jdbc.connect(url + "?kyuubi.engine.share.level.subdomain=a", "alice");
                    Connection bob = Jdbc.connect(url, "bob")) {
                assertEquals(1, ((Number) Jdbc.single(again, "SELECT 1")).intValue());
                assertEquals(1, ((Number) Jdbc.single(bob, "SELECT 1")).intValue());
            }
            assertEquals(1, ((Number) Jdbc.single(first, "SELECT 1")).intValue());
        }
    }

    @Test
    @Order(2)
    void everyFileAndDirectoryOfTheServerIsOwnerOnlyUnderAPermissiveUmask() throws Exception {
        try (Connection c = Jdbc.connect(server.directUrl() + "?kyuubi.engine.share.level=CONNECTION", "carl")) {
            assertEquals(1, ((Number) Jdbc.single(c, "SELECT 1")).intValue());
            Path engineDir = connectionDir("carl");
            for (Path p : List.of(server.workDir, server.logDir, server.logFile(), server.workDir.resolve("engines"),
                    engineDir.getParent(), engineDir, server.workDir.resolve("framework"),
                    server.workDir.resolve("embedded_zookeeper"))) {
                assertTrue(Files.exists(p), p + " exists");
                assertEquals(Set.of(), others(p), p + " is the server user's only: "
                        + PosixFilePermissions.toString(Files.getPosixFilePermissions(p, LinkOption.NOFOLLOW_LINKS)));
            }
            try (Stream<Path> files = Files.list(engineDir)) {
                for (Path f : files.filter(f -> f.getFileName().toString().matches(
                        "engine-.*\\.properties|kitsune-spark-engine-.*\\.log|engine\\.lock")).toList()) {
                    assertEquals(Set.of(), others(f), f + " is owner-only");
                }
            }
            assertEquals(List.of(), reachableByOthers(server.workDir), "paths others may read or change");
            assertEquals(List.of(), reachableByOthers(server.logDir), "paths others may read or change");
        }
    }

    @Test
    @Order(3)
    void aConnectionEnginesWorkDirectoryGoesWithTheEngine() throws Exception {
        Path dir;
        try (Connection c = Jdbc.connect(server.directUrl() + "?kyuubi.engine.share.level=CONNECTION", "dora")) {
            Jdbc.execute(c, "CREATE TABLE t (i INT) USING parquet");
            Jdbc.execute(c, "INSERT INTO t VALUES (1)");
            dir = connectionDir("dora");
            assertTrue(Files.isDirectory(dir.resolve("spark-warehouse")), "its warehouse is in its work directory");
        }
        await("dora's CONNECTION engine ended").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200))
                .until(() -> Engines.of(server, "dora").isEmpty());
        Path gone = dir;
        await("its work directory removed").atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(200))
                .until(() -> !Files.exists(gone));
    }

    @Test
    @Order(4)
    void aFailedLaunchShowsItsLogWithSecretsMasked() throws Exception {
        // the JVM echoes JAVA_TOOL_OPTIONS into the engine's log ("Picked up JAVA_TOOL_OPTIONS: ..."), here with a
        // secret gina's engine was given pasted into an option it then refuses ("Invalid thread stack size:
        // -Xss..."): a failed launch whose log tail holds a secret
        SQLException e = firstStatementFails(server.directUrl(), "gina");
        assertTrue(e.getMessage().contains("Engine failed to start"), e.getMessage());
        assertTrue(e.getMessage().contains("-Xss******"), "the log tail is shown, masked: " + e.getMessage());
        assertFalse(e.getMessage().contains(GINAS_SECRET), e.getMessage());
        assertFalse(e.getMessage().contains(ENGINE_SECRET), e.getMessage());
        // the server logged the failure, also without the secret
        await().atMost(Duration.ofSeconds(10)).until(() -> server.log().contains("-Xss******"));
        assertFalse(server.log().contains(GINAS_SECRET), "the server log holds gina's secret");
        assertFalse(server.log().contains(ENGINE_SECRET), "the server log holds the engine secret");
        // the engine's own log (owner-only) keeps what it wrote
        Path log;
        try (Stream<Path> logs = Files.walk(server.workDir.resolve("engines/gina"))) {
            log = logs.filter(p -> p.getFileName().toString().startsWith("kitsune-spark-engine-")).findFirst()
                    .orElseThrow();
        }
        assertTrue(Files.readString(log).contains(GINAS_SECRET));
        assertEquals(Set.of(), others(log));
    }

    private Path connectionDir(String user) throws IOException {
        try (Stream<Path> dirs = Files.list(server.workDir.resolve("engines").resolve(user))) {
            List<Path> conn = dirs.filter(d -> d.getFileName().toString().startsWith("conn-")).toList();
            assertEquals(1, conn.size(), conn.toString());
            return conn.get(0);
        }
    }

    private static Set<PosixFilePermission> others(Path p) throws IOException {
        Set<PosixFilePermission> perms = EnumSet.copyOf(Files.getPosixFilePermissions(p, LinkOption.NOFOLLOW_LINKS));
        perms.retainAll(OTHERS);
        return perms;
    }

    /**
     * Paths under root (root included) that another user could read or change: it grants group or others access,
     * and every directory from root down to it lets them pass.
     */
    private static List<String> reachableByOthers(Path root) throws IOException {
        List<String> open = new ArrayList<>();
        try (Stream<Path> all = Files.walk(root)) {
            for (Path p : all.toList()) {
                if (others(p).isEmpty()) continue;
                boolean passable = true;
                for (Path d = p.getParent(); d != null && d.startsWith(root) && passable; d = d.getParent()) {
                    Set<PosixFilePermission> perms = Files.getPosixFilePermissions(d);
                    passable = perms.contains(PosixFilePermission.GROUP_EXECUTE)
                            || perms.contains(PosixFilePermission.OTHERS_EXECUTE);
                }
                if (passable) {
                    open.add(root.relativize(p) + " " + PosixFilePermissions.toString(
                            Files.getPosixFilePermissions(p, LinkOption.NOFOLLOW_LINKS)));
                }
            }
        } catch (java.io.UncheckedIOException e) {
            // a file removed during the walk (an engine's temporary file): not ours to judge
        }
        return open;
    }

    /** Kyuubi's asynchronous launch: the login answers, and the session's first statement gets the engine's error. */
    private static SQLException firstStatementFails(String url, String user) throws SQLException {
        try (Connection c = Jdbc.connect(url, user)) {
            return assertThrows(SQLException.class, () -> Jdbc.single(c, "SELECT 1"));
        }
    }
}
