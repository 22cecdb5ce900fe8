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

    // ---- the operator's maxima for what a session asks of its engine

    /** Runs the session path's check: the client's map as sent, the operator's conf as this user sees it. */
    private static void open(KitsuneConf operator, Map<String, String> client) {
        Map<String, String> screened = ConfNormalizer.screen(client, operator);
        ConfNormalizer.checkWithinServerLimits(operator, operator.with(ConfNormalizer.overrides(screened)), screened);
    }

    private static ConfigException refused(KitsuneConf operator, String key, String value) {
        return assertThrows(ConfigException.class, () -> open(operator, Map.of(key, value)), key + "=" + value);
    }

    @Test
    void aSessionMayShortenTheEngineIdleTimeoutButNotLengthenItBeyondTheServersOwn() {
        KitsuneConf server = KitsuneConf.of(Map.of("kyuubi.session.engine.idle.timeout", "PT30M"));
        open(server, Map.of("set:hiveconf:kyuubi.session.engine.idle.timeout", "PT30M"));
        open(server, Map.of("set:hiveconf:kyuubi.session.engine.idle.timeout", "PT1M"));
        ConfigException e = refused(server, "set:hiveconf:kyuubi.session.engine.idle.timeout", "P3650D");
        assertEquals("kyuubi.session.engine.idle.timeout", e.key());
        assertEquals("kyuubi.session.engine.idle.timeout=P3650D is longer than this server allows (PT30M, "
                + "kitsune.session.engine.idle.timeout.max unset: the server's own kyuubi.session.engine.idle.timeout)"
                + "; ask for at most PT30M, or ask the operator to raise kitsune.session.engine.idle.timeout.max",
                e.getMessage());
        // in milliseconds, under another scope, or bare: the same cap
        refused(server, "set:hivevar:kyuubi.session.engine.idle.timeout", "1800001");
        refused(server, "kyuubi.session.engine.idle.timeout", "PT31M");
        assertTrue(refused(server, "kyuubi.session.engine.idle.timeout", "forever").getMessage()
                .contains("kyuubi.session.engine.idle.timeout: 'forever'"));
    }

    @Test
    void theIdleTimeoutMaximumLetsSessionsAskForMoreThanTheServersOwnUpToIt() {
        KitsuneConf server = KitsuneConf.of(Map.of("kyuubi.session.engine.idle.timeout", "PT30M",
                "kitsune.session.engine.idle.timeout.max", "PT2H"));
        open(server, Map.of("kyuubi.session.engine.idle.timeout", "PT2H"));
        ConfigException e = refused(server, "kyuubi.session.engine.idle.timeout", "PT2H1S");
        assertTrue(e.getMessage().startsWith("kyuubi.session.engine.idle.timeout=PT2H1S is longer than this server "
                + "allows (PT2H, kitsune.session.engine.idle.timeout.max); ask for at most PT2H"), e.getMessage());
    }

    @Test
    void theOperatorsPerUserDefaultsAreNotCappedAndRaiseThatUsersMaximum() {
        KitsuneConf conf = KitsuneConf.of(Map.of("kyuubi.session.engine.idle.timeout", "PT30M",
                "___etl___.kyuubi.session.engine.idle.timeout", "PT8H",
                "kitsune.session.engine.memory.max", "8g", "___etl___.spark.executor.memory", "48g"));
        KitsuneConf etl = conf.forUser("etl");
        open(etl, Map.of()); // the operator's own values open
        open(etl, Map.of("kyuubi.session.engine.idle.timeout", "PT8H", "spark.executor.memory", "48g"));
        refused(etl, "spark.executor.memory", "49g");
        KitsuneConf alice = conf.forUser("alice");
        refused(alice, "kyuubi.session.engine.idle.timeout", "PT8H");
        refused(alice, "spark.executor.memory", "48g");
        open(alice, Map.of("spark.executor.memory", "8g"));
    }

    @Test
    void memoryIsReadWithSparksSizeSyntaxAndCappedForDriverExecutorsAndOverheads() {
        KitsuneConf server = KitsuneConf.of(Map.of("kitsune.session.engine.memory.max", "4g"));
        for (String key : List.of("spark.driver.memory", "spark.executor.memory", "spark.driver.memoryOverhead",
                "spark.executor.memoryOverhead", "spark.yarn.executor.memoryOverhead", "spark.yarn.am.memory",
                "spark.executor.pyspark.memory")) {
            for (String ok : List.of("4g", "4G", "4gb", "4096m", "4096", "4194304k", "512m", " 1g ")) {
                open(server, Map.of("set:hiveconf:" + key, ok));
            }
            for (String over : List.of("4097m", "4097", "5g", "1t", "1p", "4294967297b")) {
                ConfigException e = refused(server, "set:hiveconf:" + key, over);
                assertEquals(key, e.key());
                assertEquals(key + "=" + over + " is over this server's maximum of 4g "
                        + "(kitsune.session.engine.memory.max); ask for at most 4g, or ask the operator to raise "
                        + "kitsune.session.engine.memory.max", e.getMessage());
            }
            for (String garbage : List.of("lots", "1.5g", "-1", "4x", "", "9999999999999999999g", "1g\nX")) {
                ConfigException e = refused(server, key, garbage);
                assertTrue(e.getMessage().startsWith("Invalid value for " + key + ": '"), e.getMessage());
                assertTrue(e.getMessage().endsWith("(allowed: a size like 512m, 4g or 1t (a bare number is MiB), at "
                        + "most 4g per kitsune.session.engine.memory.max)"), e.getMessage());
                assertTrue(!e.getMessage().contains("\n"), "one line: " + e.getMessage());
            }
        }
        // spark.memory.offHeap.size reads a bare number as bytes, as Spark does
        open(server, Map.of("spark.memory.offHeap.size", "4294967296"));
        refused(server, "spark.memory.offHeap.size", "4294967297");
    }

    @Test
    void theDefaultMemoryMaximumIs32g() {
        KitsuneConf server = KitsuneConf.empty();
        open(server, Map.of("set:hiveconf:spark.driver.memory", "32g"));
        assertTrue(refused(server, "set:hiveconf:spark.driver.memory", "64g").getMessage()
                .startsWith("spark.driver.memory=64g is over this server's maximum of 32g"));
    }

    @Test
    void coresAndExecutorsAreCappedAndMustBeWholeNumbers() {
        KitsuneConf server = KitsuneConf.of(Map.of("kitsune.session.engine.cores.max", "4",
                "kitsune.session.engine.executors.max", "10"));
        for (String key : List.of("spark.driver.cores", "spark.executor.cores", "spark.yarn.am.cores")) {
            open(server, Map.of(key, "4"));
            assertEquals(key + "=5 is over this server's maximum of 4 (kitsune.session.engine.cores.max); ask for "
                    + "at most 4, or ask the operator to raise kitsune.session.engine.cores.max",
                    refused(server, key, "5").getMessage());
            assertTrue(refused(server, key, "four").getMessage().startsWith("Invalid value for " + key + ": 'four'"));
            refused(server, key, "-1");
        }
        for (String key : List.of("spark.executor.instances", "spark.dynamicAllocation.maxExecutors",
                "spark.dynamicAllocation.initialExecutors", "spark.dynamicAllocation.minExecutors")) {
            open(server, Map.of("set:hiveconf:" + key, "10"));
            assertTrue(refused(server, "set:hiveconf:" + key, "11").getMessage().startsWith(key + "=11 is over this "
                    + "server's maximum of 10 (kitsune.session.engine.executors.max)"));
            refused(server, key, "2147483648");
        }
    }

    @Test
    void dynamicAllocationTurnedOnBySessionNeedsABoundOnItsExecutors() {
        KitsuneConf server = KitsuneConf.of(Map.of("kitsune.session.engine.executors.max", "10"));
        ConfigException e = refused(server, "set:hiveconf:spark.dynamicAllocation.enabled", "true");
        assertEquals("spark.dynamicAllocation.enabled=true without spark.dynamicAllocation.maxExecutors asks for "
                + "unbounded executors, over this server's maximum of 10 (kitsune.session.engine.executors.max); also "
                + "set spark.dynamicAllocation.maxExecutors to at most 10", e.getMessage());
        open(server, Map.of("set:hiveconf:spark.dynamicAllocation.enabled", "true",
                "set:hiveconf:spark.dynamicAllocation.maxExecutors", "8"));
        open(server.with(Map.of("spark.dynamicAllocation.maxExecutors", "20")),
                Map.of("spark.dynamicAllocation.enabled", "true")); // the operator's bound
        open(server.with(Map.of("spark.dynamicAllocation.enabled", "true")), Map.of()); // the operator's choice
    }

    @Test
    void aSecondSpellingOfACappedKeyCanNotSlipPast() {
        KitsuneConf server = KitsuneConf.of(Map.of("kitsune.session.engine.memory.max", "4g"));
        Map<String, String> client = new LinkedHashMap<>();
        client.put("set:hivevar:spark.driver.memory", "64g");
        client.put("set:hiveconf:spark.driver.memory", "1g");
        assertThrows(ConfigException.class, () -> open(server, client));
    }

    @Test
    void keysTheMaximaDoNotCoverPass() {
        KitsuneConf server = KitsuneConf.of(Map.of("kitsune.session.engine.memory.max", "1g"));
        open(server, Map.of("set:hiveconf:spark.sql.shuffle.partitions", "100000", "spark.driver.maxResultSize", "8g",
                "use:database", "db"));
    }
}
