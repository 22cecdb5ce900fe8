package kitsune.frontend.rest.impl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import kitsune.api.conf.KitsuneConf;

/** What a batch request may name: its resource, its settings and its user, against real files and links. */
class BatchRequestsTest {
    @TempDir
    Path dir;

    private KitsuneConf conf(String... kv) {
        Map<String, String> m = new HashMap<>();
        for (int i = 0; i < kv.length; i += 2) m.put(kv[i], kv[i + 1]);
        return KitsuneConf.of(m);
    }

    @Test
    void aResourceMustBeAFileUnderAnAllowedDirectoryByItsRealPath() throws Exception {
        Path apps = Files.createDirectories(dir.resolve("apps"));
        Path jar = Files.writeString(apps.resolve("app.jar"), "jar");
        Path secret = Files.writeString(dir.resolve("secret.txt"), "s");
        KitsuneConf c = conf("kitsune.batch.resource.dirs", apps.toString());
        assertEquals(jar.toRealPath().toString(), Batches.resource(jar.toString(), c));
        assertEquals(jar.toRealPath().toString(), Batches.resource("file:" + jar, c));

        assertEquals(403, assertThrows(RestException.class,
                () -> Batches.resource(apps.resolve("../secret.txt").toString(), c)).status());
        Path link = Files.createSymbolicLink(apps.resolve("link.jar"), secret);
        assertEquals(403, assertThrows(RestException.class, () -> Batches.resource(link.toString(), c)).status());
        assertEquals(403, assertThrows(RestException.class, () -> Batches.resource(apps.toString(), c)).status(),
                "a directory is no jar");
        assertEquals(400, assertThrows(RestException.class, () -> Batches.resource("apps/app.jar", c)).status());
        assertEquals(400, assertThrows(RestException.class, () -> Batches.resource(jar + "\n", c)).status());
        assertEquals(400, assertThrows(RestException.class, () -> Batches.resource(apps + "/missing.jar", c))
                .status());
        // a sibling directory whose name starts like the allowed one is not under it
        Path sibling = Files.createDirectories(dir.resolve("apps-evil"));
        Path evil = Files.writeString(sibling.resolve("x.jar"), "x");
        assertEquals(403, assertThrows(RestException.class, () -> Batches.resource(evil.toString(), c)).status());

        RestException none = assertThrows(RestException.class, () -> Batches.resource(jar.toString(), conf()));
        assertEquals(403, none.status());
        assertTrue(none.getMessage().contains("kitsune.batch.resource.dirs"), none.getMessage());
    }

    @Test
    void batchSettingsAreScreenedAsSessionSettingsAre() throws Exception {
        KitsuneConf c = conf("kyuubi.session.conf.ignore.list", "spark.ignored.*");
        Map<String, String> kept = RestApi.screen(Map.of("spark.executor.memory", "2g", "spark.ignored.a", "1"), c);
        assertEquals(Map.of("spark.executor.memory", "2g"), kept);
        for (String restricted : List.of("spark.driver.extraJavaOptions", "spark.jars", "spark.yarn.dist.files",
                "spark.kitsune.engine.setting.x")) {
            RestException e = assertThrows(RestException.class, () -> RestApi.screen(Map.of(restricted, "x"), c));
            assertEquals(400, e.status());
            assertTrue(e.getMessage().contains("kyuubi.session.conf.restrict.list"), e.getMessage());
        }
    }

    @Test
    void aBatchAskingForMoreMemoryCoresOrExecutorsThanTheOperatorAllowsIsRefusedNamingTheKey() throws Exception {
        KitsuneConf c = conf("kitsune.session.engine.memory.max", "8g", "kitsune.session.engine.cores.max", "4",
                "kitsune.session.engine.executors.max", "20", "___etl___.spark.executor.memory", "16g");
        RestApi.checkMaxima(Map.of("spark.driver.memory", "8g", "spark.executor.cores", "4",
                "spark.executor.instances", "20", "spark.sql.shuffle.partitions", "1000"), c.forUser("alice"));
        for (Map.Entry<String, String> over : Map.of("spark.driver.memory", "64g", "spark.executor.memoryOverhead",
                "9000", "spark.executor.cores", "5", "spark.dynamicAllocation.maxExecutors", "21",
                "spark.executor.memory", "lots").entrySet()) {
            RestException e = assertThrows(RestException.class,
                    () -> RestApi.checkMaxima(Map.of(over.getKey(), over.getValue()), c.forUser("alice")));
            assertEquals(400, e.status());
            assertTrue(e.getMessage().contains(over.getKey()) && e.getMessage().contains("kitsune.session.engine."),
                    e.getMessage());
        }
        // the operator's own value for the batch's user is allowed
        RestApi.checkMaxima(Map.of("spark.executor.memory", "16g"), c.forUser("etl"));
        assertThrows(RestException.class,
                () -> RestApi.checkMaxima(Map.of("spark.executor.memory", "16g"), c.forUser("alice")));
    }

    @Test
    void aProxyUserNeedsTheHadoopProxyUserRulesOfTheLogin() throws Exception {
        Call alice = new Call("alice", "10.0.0.7", "h:1", List.of(), Map.of(), new byte[0], null);
        Map<String, String> asBob = Map.of("hive.server2.proxy.user", "bob", "spark.a", "1");
        assertEquals(403, assertThrows(RestException.class,
                () -> RestApi.batchUser(alice, new HashMap<>(asBob), conf())).status());
        KitsuneConf allowed = conf("hadoop.proxyuser.alice.users", "bob", "hadoop.proxyuser.alice.hosts", "10.0.0.7");
        assertEquals("bob", RestApi.batchUser(alice, new HashMap<>(asBob), allowed));
        Map<String, String> fromElsewhere = new HashMap<>(asBob);
        KitsuneConf otherHost = conf("hadoop.proxyuser.alice.users", "bob", "hadoop.proxyuser.alice.hosts", "10.0.0.8");
        assertEquals(403, assertThrows(RestException.class, () -> RestApi.batchUser(alice, fromElsewhere, otherHost))
                .status());
        Map<String, String> plain = new HashMap<>(Map.of("spark.a", "1"));
        assertEquals("alice", RestApi.batchUser(alice, plain, conf()));
        Map<String, String> proxied = new HashMap<>(asBob);
        RestApi.batchUser(alice, proxied, allowed);
        assertFalse(proxied.containsKey("hive.server2.proxy.user"), "the proxy key does not reach the application");
    }
}
