package kitsune.session.impl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import kitsune.api.conf.ConfigException;
import kitsune.api.conf.KitsuneConf;

class ConfNormalizerTest {
    @Test
    void hiveJdbcPrefixesAreStrippedAndOnlyRoutingKeysKept() {
        Map<String, String> client = new LinkedHashMap<>();
        client.put("use:database", "mydb");
        client.put("set:hiveconf:kyuubi.engine.share.level", "CONNECTION");
        client.put("set:hivevar:kyuubi.engine.share.level.subdomain", "adhoc");
        client.put("set:hiveconf:spark.sql.shuffle.partitions", "4");
        client.put("set:hiveconf:hive.exec.parallel", "true");
        client.put("set:hivevar:myvar", "1");
        client.put("kitsune.engine.spark.home", "spark-3.5");
        client.put("set:hiveconf:kyuubi.session.engine.idle.timeout", "PT5M");
        client.put("kyuubi.engine.type", "SPARK_SQL");

        Map<String, String> o = ConfNormalizer.overrides(client);

        assertEquals(Map.of("kyuubi.engine.share.level", "CONNECTION",
                "kyuubi.engine.share.level.subdomain", "adhoc",
                "spark.sql.shuffle.partitions", "4",
                "kitsune.engine.spark.home", "spark-3.5",
                "kyuubi.session.engine.idle.timeout", "PT5M",
                "kyuubi.engine.type", "SPARK_SQL"), o);
    }

    @Test
    void otherScopesAreStrippedToo() {
        assertEquals("spark.x", ConfNormalizer.stripScope("set:system:spark.x"));
        assertEquals("spark.x", ConfNormalizer.stripScope("set:metaconf:spark.x"));
        assertEquals("spark.x", ConfNormalizer.stripScope("set:spark.x"));
        assertEquals("spark.x", ConfNormalizer.stripScope("spark.x"));
    }

    @Test
    void envVariablesAreForbidden() {
        ConfigException e = assertThrows(ConfigException.class,
                () -> ConfNormalizer.overrides(Map.of("set:env:PATH", "/tmp")));
        assertTrue(e.getMessage().contains("set:env:PATH is forbidden"), e.getMessage());
    }

    @Test
    void invalidRoutingValueNamesKeyValueAndAllowed() {
        ConfigException e = assertThrows(ConfigException.class,
                () -> ConfNormalizer.overrides(Map.of("set:hiveconf:kyuubi.engine.share.level", "EVERYONE")));
        assertEquals("Invalid value for kyuubi.engine.share.level: 'EVERYONE' (allowed: one of CONNECTION, USER, "
                + "GROUP, SERVER)", e.getMessage());
        ConfigException d = assertThrows(ConfigException.class,
                () -> ConfNormalizer.overrides(Map.of("kyuubi.session.engine.idle.timeout", "soon")));
        assertTrue(d.getMessage().contains("kyuubi.session.engine.idle.timeout: 'soon'"), d.getMessage());
    }

    @Test
    void subdomainMustBeOneZnodeName() {
        ConfigException e = assertThrows(ConfigException.class,
                () -> ConfNormalizer.overrides(Map.of("set:hiveconf:kyuubi.engine.share.level.subdomain", "a/b")));
        assertTrue(e.getMessage().startsWith("Invalid value for kyuubi.engine.share.level.subdomain: 'a/b'"));
    }

    @Test
    void nullMapIsEmpty() {
        assertTrue(ConfNormalizer.overrides(null).isEmpty());
    }

    @Test
    void aSessionMayShortenTheEngineInitializeTimeoutButNotLengthenIt() {
        KitsuneConf server = KitsuneConf.of(Map.of("kyuubi.session.engine.initialize.timeout", "PT2M"));
        Map<String, String> shorter = ConfNormalizer.overrides(
                Map.of("set:hiveconf:kyuubi.session.engine.initialize.timeout", "PT30S"));
        assertEquals(Map.of("kyuubi.session.engine.initialize.timeout", "PT30S"), shorter);
        ConfNormalizer.checkWithinServerLimits(server, server.with(shorter));

        KitsuneConf longer = server.with(ConfNormalizer.overrides(
                Map.of("set:hiveconf:kyuubi.session.engine.initialize.timeout", "PT1H")));
        ConfigException e = assertThrows(ConfigException.class,
                () -> ConfNormalizer.checkWithinServerLimits(server, longer));
        assertEquals("Invalid value for kyuubi.session.engine.initialize.timeout: 'PT1H' is longer than the server's "
                + "'PT2M'; a session may only shorten it (or ask the operator to raise it)", e.getMessage());
    }

    @Test
    void restrictedKeysAreRefusedByNameWhateverTheirScope() {
        KitsuneConf server = KitsuneConf.empty();
        for (String key : List.of("set:hiveconf:spark.hadoop.javax.jdo.option.ConnectionURL",
                "set:hivevar:spark.sql.warehouse.dir", "spark.driver.extraJavaOptions", "set:hiveconf:spark.jars",
                "set:hiveconf:spark.kitsune.engine.setting.kyuubi.engine.security.enabled")) {
            ConfigException e = assertThrows(ConfigException.class,
                    () -> ConfNormalizer.screen(Map.of(key, "x"), server), key);
            String bare = ConfNormalizer.stripScope(key);
            assertEquals(bare + " is a restricted key on this server (kyuubi.session.conf.restrict.list); remove it "
                    + "from the session's settings", e.getMessage());
        }
        Map<String, String> fine = Map.of("set:hiveconf:spark.sql.shuffle.partitions", "4", "use:database", "db1",
                "set:hiveconf:spark.submit.deployMode", "cluster");
        assertEquals(fine, ConfNormalizer.screen(fine, server), "the rest passes unchanged");
    }

    @Test
    void ignoredKeysAreDroppedAndTheOperatorsListsReplaceTheDefault() {
        KitsuneConf server = KitsuneConf.of(Map.of("kyuubi.session.conf.restrict.list", "spark.executor.memory",
                "kyuubi.session.conf.ignore.list", "spark.sql.adaptive.*"));
        Map<String, String> client = new LinkedHashMap<>();
        client.put("set:hiveconf:spark.sql.adaptive.enabled", "false");
        client.put("set:hiveconf:spark.sql.warehouse.dir", "/tmp/w"); // not restricted by this operator
        assertEquals(Map.of("set:hiveconf:spark.sql.warehouse.dir", "/tmp/w"), ConfNormalizer.screen(client, server));
        assertThrows(ConfigException.class,
                () -> ConfNormalizer.screen(Map.of("set:hiveconf:spark.executor.memory", "64g"), server));
    }
}
