package kitsune.engine.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Properties;

import org.junit.jupiter.api.Test;

import kitsune.api.conf.ConfigException;
import kitsune.api.engine.EngineConf;
import kitsune.api.engine.ShareLevel;

class EngineSettingsTest {

    private static Properties minimal() {
        Properties p = new Properties();
        p.setProperty("kyuubi.ha.addresses", "127.0.0.1:2181");
        p.setProperty("kyuubi.ha.namespace", "/kyuubi_1-spark-4.0_USER_SPARK_SQL/alice/default/");
        p.setProperty("kyuubi.ha.engine.ref.id", "ref-1");
        p.setProperty("kitsune.engine.space.version", "1-spark-4.0");
        p.setProperty("kitsune.engine.user", "alice");
        p.setProperty("kitsune.engine.work.dir", "/tmp/kitsune-work/alice");
        p.setProperty("kyuubi.engine.security.enabled", "false");
        return p;
    }

    @Test
    void withoutASecuritySettingAnEngineRequiresTheSecretAndDoesNotStartWithoutOne() {
        Properties p = minimal();
        p.remove("kyuubi.engine.security.enabled");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> EngineSettings.from(p));
        assertEquals("kyuubi.engine.security.enabled=true needs kyuubi.engine.security.secret.provider.simple.secret",
                e.getMessage());
        p.setProperty("kyuubi.engine.security.secret.provider.simple.secret", "s3cret");
        assertEquals("s3cret", EngineSettings.from(p).secret());
        p.setProperty("kyuubi.engine.security.enabled", "false");
        assertEquals(null, EngineSettings.from(p).secret(), "raw connections only when the server says so");
    }

    @Test
    void defaults() {
        EngineSettings s = EngineSettings.from(minimal());
        assertEquals("/kyuubi_1-spark-4.0_USER_SPARK_SQL/alice/default", s.engineSpace());
        assertEquals(ShareLevel.USER, s.shareLevel());
        assertEquals("127.0.0.1", s.bindHost());
        assertEquals(Duration.ofMinutes(30), s.idleTimeout());
        assertEquals(Duration.ofSeconds(5), s.pollingTimeout());
        assertEquals(Path.of("/tmp/kitsune-work/alice"), s.workDir());
    }

    @Test
    void durationsInMillisOrIso() {
        Properties p = minimal();
        p.setProperty("kyuubi.session.engine.idle.timeout", "60000");
        p.setProperty("kyuubi.operation.status.polling.timeout", "PT2S");
        EngineSettings s = EngineSettings.from(p);
        assertEquals(Duration.ofMinutes(1), s.idleTimeout());
        assertEquals(Duration.ofSeconds(2), s.pollingTimeout());
    }

    @Test
    void invalidValueNamesTheKey() {
        Properties p = minimal();
        p.setProperty("kyuubi.session.engine.idle.timeout", "soon");
        ConfigException e = assertThrows(ConfigException.class, () -> EngineSettings.from(p));
        assertTrue(e.getMessage().contains("kyuubi.session.engine.idle.timeout"), e.getMessage());
    }

    @Test
    void missingRequiredKeyIsRefused() {
        Properties p = minimal();
        p.remove("kyuubi.ha.engine.ref.id");
        ConfigException e = assertThrows(ConfigException.class, () -> EngineSettings.from(p));
        assertTrue(e.getMessage().contains("kyuubi.ha.engine.ref.id"), e.getMessage());
    }

    @Test
    void sparkConfGetsLocalDefaultsAndKeepsGivenKeys() {
        Properties p = minimal();
        p.setProperty("spark.master", "local[2]");
        p.setProperty("spark.sql.shuffle.partitions", "4");
        p.setProperty("kyuubi.engine.share.level", "user");
        Map<String, String> conf = EngineSettings.from(p).sparkConf(true);
        assertEquals("local[2]", conf.get("spark.master"));
        assertEquals("4", conf.get("spark.sql.shuffle.partitions"));
        assertEquals("false", conf.get("spark.ui.enabled"));
        assertEquals("127.0.0.1", conf.get("spark.driver.host"));
        assertEquals("127.0.0.1", conf.get("spark.driver.bindAddress"));
        assertEquals("/tmp/kitsune-work/alice/spark-warehouse", conf.get("spark.sql.warehouse.dir"));
        assertEquals("hive", conf.get("spark.sql.catalogImplementation"));
        assertEquals("jdbc:derby:;databaseName=/tmp/kitsune-work/alice/metastore_db;create=true",
                conf.get("spark.hadoop.javax.jdo.option.ConnectionURL"));
        assertEquals("kyuubi_USER_SPARK_SQL_alice_default_ref-1", conf.get("spark.app.name"));
        assertFalse(conf.containsKey("kyuubi.ha.addresses"));
    }

    @Test
    void withoutHiveNoMetastoreSettings() {
        Map<String, String> conf = EngineSettings.from(minimal()).sparkConf(false);
        assertFalse(conf.containsKey("spark.sql.catalogImplementation"));
        assertFalse(conf.containsKey("spark.hadoop.javax.jdo.option.ConnectionURL"));
        assertEquals("local[*]", conf.get("spark.master"));
    }

    @Test
    void connectionEngineAppNameUsesRefId() {
        Properties p = minimal();
        p.setProperty("kyuubi.engine.share.level", "CONNECTION");
        p.setProperty("kyuubi.ha.namespace", "/kyuubi_1-spark-4.0_CONNECTION_SPARK_SQL/bob/ref-1");
        assertEquals("kyuubi_CONNECTION_SPARK_SQL_bob_ref-1", EngineSettings.from(p).sparkConf(false).get("spark.app.name"));
    }

    @Test
    void wildcardBindAdvertisesAnAddress() {
        Properties p = minimal();
        p.setProperty("kitsune.engine.bind.host", "0.0.0.0");
        String host = EngineSettings.from(p).advertisedHost();
        assertFalse(host.equals("0.0.0.0"), host);
    }

    @Test
    void aSubmittedEngineReadsItsSettingsFromSparkConfAndTakesThemOutOfTheSystemProperties() {
        Properties system = new Properties();
        minimal().forEach((k, v) -> system.setProperty(EngineConf.SUBMITTED_SETTING_PREFIX + k, (String) v));
        system.setProperty(EngineConf.SUBMITTED_SETTING_PREFIX + "kyuubi.engine.security.enabled", "true");
        system.setProperty(EngineConf.SUBMITTED_SETTING_PREFIX
                + "kyuubi.engine.security.secret.provider.simple.secret", "s3cret");
        system.setProperty("spark.master", "spark://127.0.0.1:7077");
        system.setProperty("spark.submit.deployMode", "cluster");
        system.setProperty("java.home", "/usr/lib/jvm/x");
        EngineSettings s = EngineSettings.fromSubmission(system);
        assertEquals("alice", s.user());
        assertEquals("s3cret", s.secret());
        assertEquals("spark://127.0.0.1:7077", s.master());
        assertEquals("cluster", s.deployMode());
        assertEquals("spark://127.0.0.1:7077", s.sparkConf(false).get("spark.master"));
        assertTrue(system.stringPropertyNames().stream().noneMatch(k -> k.startsWith(EngineConf.SUBMITTED_SETTING_PREFIX)),
                "the settings (the secret among them) never reach the SparkSession's configuration");
        assertTrue(s.sparkConf(false).keySet().stream().noneMatch(k -> k.startsWith("spark.kitsune.engine.setting.")));
    }

    @Test
    void aClusterModeDriverWithoutAWorkDirWorksWhereTheClusterPutsIt() {
        Properties p = minimal();
        p.remove("kitsune.engine.work.dir");
        p.setProperty("spark.master", "yarn");
        EngineSettings s = EngineSettings.from(p);
        assertFalse(s.ownWorkDir());
        assertEquals(Path.of(System.getProperty("user.dir")).toAbsolutePath(), s.workDir());
        assertTrue(EngineSettings.from(minimal()).ownWorkDir());
    }

    @Test
    void theBindHostIsLoopbackForALocalMasterAndThisHostsAddressOnACluster() {
        assertEquals("127.0.0.1", EngineSettings.bindHost("", "local[2]"));
        assertEquals("10.1.2.3", EngineSettings.bindHost("10.1.2.3", "yarn"));
        String onCluster = EngineSettings.bindHost("", "k8s://https://kube:6443");
        assertFalse(onCluster.isEmpty());
        assertEquals(onCluster, EngineSettings.bindHost("", "spark://m:7077"));
    }
}
