package kitsune.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.regex.Pattern;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import kitsune.testkit.Jdbc;
import kitsune.testkit.KitsuneServer;

/**
 * Engine homes and engine configuration change at runtime: a conf file edit applies to engines launched from then
 * on, never to running ones; a session picks among the homes the operator listed, and nothing else.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class EngineHomesTest {
    private KitsuneServer server;

    @BeforeAll
    void startServer() throws Exception {
        server = new KitsuneServer(Files.createTempDirectory("kitsune-homes-"))
                .set("spark.master", "local[1]").set("spark.driver.memory", "640m").start();
    }

    @AfterAll
    void stopServer() throws Exception {
        if (server != null) server.close();
    }

    @Test
    void homesAndSparkDefaultsSwitchAtRuntimeForNewEnginesOnly() throws Exception {
        try (Connection old = Jdbc.connect(server.zkUrl(), "kate")) {
            assertTrue(sparkVersion(old).startsWith("4.0"), sparkVersion(old));
            assertEquals("2", setting(old, "spark.sql.shuffle.partitions"));

            // the session may pick another listed home...
            try (Connection picked = Jdbc.connect(server.zkUrl() + "?kitsune.engine.spark.home=spark-3.5", "lena")) {
                assertTrue(sparkVersion(picked).startsWith("3.5"), sparkVersion(picked));
            }
            // ...but never a path or an unlisted name
            SQLException refused = assertThrows(SQLException.class,
                    () -> Jdbc.connect(server.zkUrl() + "?kitsune.engine.spark.home=/opt/evil-spark", "lena"));
            assertTrue(refused.getMessage().contains("not allowed; allowed: spark-4.0, spark-3.5"),
                    refused.getMessage());

            // the operator switches the default home and a spark.* default in the conf file
            server.set("kitsune.engine.spark.home", "spark-3.5").set("spark.sql.shuffle.partitions", "7").writeConf();
            server.awaitLog(Pattern.compile("Applied configuration changes: .*kitsune\\.engine\\.spark\\.home"),
                    Duration.ofSeconds(30));

            try (Connection fresh = Jdbc.connect(server.zkUrl(), "mona")) {
                assertTrue(sparkVersion(fresh).startsWith("3.5"), "a new user's engine uses the new default home");
                assertEquals("7", setting(fresh, "spark.sql.shuffle.partitions"));
            }
            // the session opened before the change keeps its engine and what it was made of
            assertTrue(sparkVersion(old).startsWith("4.0"), sparkVersion(old));
            assertEquals("2", setting(old, "spark.sql.shuffle.partitions"));
        }
    }

    @Test
    void aJarAddedToTheEngineExtraJarsIsOnTheClasspathOfNewEngines() throws Exception {
        Path jar = UdfJar.build(server.dir.resolve("udf"), KitsuneServer.HOME.resolve("engines/spark-4.0/jars"));
        server.set("kitsune.engine.spark.extra.jars", jar.toString()).writeConf();
        server.awaitLog(Pattern.compile("Applied configuration changes: .*kitsune\\.engine\\.spark\\.extra\\.jars"),
                Duration.ofSeconds(30));
        try (Connection c = Jdbc.connect(server.zkUrl() + "?kitsune.engine.spark.home=spark-4.0", "nina")) {
            Jdbc.execute(c, "CREATE TEMPORARY FUNCTION kupper AS '" + UdfJar.CLASS_NAME + "'");
            assertEquals("KITSUNE", Jdbc.single(c, "SELECT kupper('kitsune')"));
        }
    }

    /**
     * A directory laid out like a Spark distribution (bin/spark-submit, jars/, conf/spark-defaults.conf, RELEASE) is
     * accepted as a home; its spark-defaults.conf applies under the server's spark.* keys. Its jars are the Spark
     * 3.5 jars the build assembled (a distribution tarball is not on Maven Central).
     */
    @Test
    void aSparkDistributionDirectoryIsAHomeWithItsSparkDefaults() throws Exception {
        Path dist = Files.createDirectories(server.dir.resolve("spark-3.5-dist"));
        Files.createDirectories(dist.resolve("bin"));
        Files.writeString(dist.resolve("bin/spark-submit"), "#!/usr/bin/env bash\nexit 1\n");
        Files.createSymbolicLink(dist.resolve("jars"), KitsuneServer.HOME.resolve("engines/spark-3.5/jars"));
        Files.createDirectories(dist.resolve("conf"));
        Files.writeString(dist.resolve("conf/spark-defaults.conf"),
                "spark.kitsune.from.home   dist-defaults\nspark.sql.shuffle.partitions 11\n");
        Files.writeString(dist.resolve("RELEASE"), "Spark 3.5 (built for Kitsune's test)\n");
        String homes = server.conf.get("kitsune.engine.spark.homes") + ",dist=" + dist;
        server.set("kitsune.engine.spark.homes", homes).writeConf();
        server.awaitLog(Pattern.compile("Applied configuration changes: .*kitsune\\.engine\\.spark\\.homes"),
                Duration.ofSeconds(30));
        try (Connection c = Jdbc.connect(server.zkUrl() + "?kitsune.engine.spark.home=dist", "omar")) {
            assertTrue(sparkVersion(c).startsWith("3.5"), sparkVersion(c));
            assertEquals("dist-defaults", setting(c, "spark.kitsune.from.home"), "the home's spark-defaults.conf");
            assertNotEquals("11", setting(c, "spark.sql.shuffle.partitions"), "the server's spark.* keys win");
        }
    }

    private static String sparkVersion(Connection c) throws SQLException {
        return String.valueOf(Jdbc.single(c, "SELECT version()"));
    }

    private static String setting(Connection c, String key) throws SQLException {
        return String.valueOf(Jdbc.query(c, "SET " + key).get(0).get(1));
    }
}
