package kitsune.engine.spark.impl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import kitsune.api.conf.ConfigException;
import kitsune.api.conf.KitsuneConf;
import kitsune.api.engine.EngineException;

class EngineHomesTest {
    private static final Path HOME = Path.of("/opt/kitsune");

    @Test
    void relativePathsResolveAgainstKitsuneHome() {
        EngineHomes homes = EngineHomes.parse("spark-4.0=engines/spark-4.0, spark-3.5=/srv/spark35", HOME);
        assertEquals(Map.of("spark-4.0", Path.of("/opt/kitsune/engines/spark-4.0"), "spark-3.5",
                Path.of("/srv/spark35")), homes.all());
    }

    @Test
    void aDistributionsSparkDefaultsAreRead(@TempDir Path dist) throws Exception {
        Files.createDirectories(dist.resolve("conf"));
        Files.writeString(dist.resolve("conf/spark-defaults.conf"), "# a distribution's defaults\n"
                + "spark.sql.shuffle.partitions   7\n"
                + "spark.eventLog.enabled=true\n"
                + "not.spark.key value\n");
        var defaults = EngineHomes.sparkDefaults(new EngineHomes.Home("dist", dist));
        assertEquals("7", defaults.getProperty("spark.sql.shuffle.partitions"));
        assertEquals("true", defaults.getProperty("spark.eventLog.enabled"));
        assertEquals(2, defaults.size(), "only spark.* keys, as spark-submit takes them");
    }

    @Test
    void aHomeWithoutSparkDefaultsHasNone(@TempDir Path home) throws Exception {
        assertTrue(EngineHomes.sparkDefaults(new EngineHomes.Home("built", home)).isEmpty());
    }

    @Test
    void malformedEntryNamesTheKey() {
        ConfigException e = assertThrows(ConfigException.class, () -> EngineHomes.parse("spark-4.0", HOME));
        assertTrue(e.getMessage().contains("kitsune.engine.spark.homes"), e.getMessage());
    }

    @Test
    void sessionMayChooseOnlyListedHomes() throws EngineException {
        EngineHomes homes = EngineHomes.parse("spark-4.0=a,spark-3.5=b", HOME);
        assertEquals("spark-4.0", homes.choose(KitsuneConf.empty()).name());
        assertEquals("spark-3.5", homes.choose(KitsuneConf.of(Map.of("kitsune.engine.spark.home", "spark-3.5"))).name());
        EngineException e = assertThrows(EngineException.class,
                () -> homes.choose(KitsuneConf.of(Map.of("kitsune.engine.spark.home", "/tmp/evil"))));
        assertTrue(e.getMessage().contains("not allowed; allowed: spark-4.0, spark-3.5"), e.getMessage());
    }

    @Test
    void kyuubiSparkHomeIsAServerWidePathWithItsOwnSpace() throws EngineException {
        EngineHomes homes = EngineHomes.parse("spark-4.0=a", HOME);
        EngineHomes.Home a = homes.choose(KitsuneConf.of(Map.of("kyuubi.engineEnv.SPARK_HOME", "/srv/spark-a")));
        EngineHomes.Home b = homes.choose(KitsuneConf.of(Map.of("kyuubi.engineEnv.SPARK_HOME", "/srv/spark-b")));
        assertEquals(Path.of("/srv/spark-a"), a.dir());
        assertNotEquals(a.name(), b.name());
    }

    @Test
    void homeWithoutJarsIsRefusedClearly(@TempDir Path dir) throws Exception {
        EngineHomes.Home home = new EngineHomes.Home("x", dir);
        EngineException e = assertThrows(EngineException.class, () -> EngineHomes.jarsDir(home));
        assertTrue(e.getMessage().contains("has no jars/ directory"), e.getMessage());
        Files.createDirectory(dir.resolve("jars"));
        assertEquals(dir.resolve("jars"), EngineHomes.jarsDir(home));
    }
}
