package kitsune.engine.spark.impl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import org.junit.jupiter.api.Test;

import kitsune.api.conf.KitsuneConf;

class DelegationTokensTest {
    private static final Duration HOUR = Duration.ofHours(1);
    private static final Duration MINUTE = Duration.ofMinutes(1);
    private static final long NOW = 1_000_000_000_000L;

    @Test
    void tokensThatOutliveTheIntervalAreRenewedEveryInterval() {
        long expiry = NOW + Duration.ofHours(24).toMillis();
        assertEquals(HOUR, DelegationTokens.nextRenewal(false, expiry, NOW, HOUR, MINUTE));
    }

    @Test
    void tokensThatExpireBeforeTheIntervalAreRenewedAtThreeQuartersOfTheirTimeLeft() {
        long expiry = NOW + Duration.ofMinutes(40).toMillis();
        assertEquals(Duration.ofMinutes(30), DelegationTokens.nextRenewal(false, expiry, NOW, HOUR, MINUTE));
    }

    @Test
    void aRenewalIsNeverSoonerThanTheRetryWaitEvenForTokensAboutToExpire() {
        assertEquals(MINUTE, DelegationTokens.nextRenewal(false, NOW + 10_000, NOW, HOUR, MINUTE));
        assertEquals(MINUTE, DelegationTokens.nextRenewal(false, NOW - 10_000, NOW, HOUR, MINUTE));
    }

    @Test
    void tokensOfUnknownExpiryAreRenewedEveryInterval() {
        assertEquals(HOUR, DelegationTokens.nextRenewal(false, -1, NOW, HOUR, MINUTE));
    }

    @Test
    void aFailedRenewalIsRetriedAfterTheRetryWait() {
        assertEquals(MINUTE, DelegationTokens.nextRenewal(true, NOW + HOUR.toMillis() * 10, NOW, HOUR, MINUTE));
    }

    @Test
    void theFetchersAnswerLineGivesCountExpiryAndServices() {
        DelegationTokens.Obtained o = DelegationTokens.parse(Path.of("/w/t"),
                "2 1700000000000 HDFS_DELEGATION_TOKEN@127.0.0.1:8020,HIVE_DELEGATION_TOKEN@");
        assertEquals(2, o.count());
        assertEquals(1700000000000L, o.expiryMillis());
        assertEquals("HDFS_DELEGATION_TOKEN@127.0.0.1:8020,HIVE_DELEGATION_TOKEN@", o.services());
        assertEquals(0, DelegationTokens.parse(Path.of("/w/t"), "0 -1").count());
    }

    @Test
    void aSessionsSparkSettingCannotPointTheServersKerberosLoginAtAMetastoreOfItsChoosing() {
        // spark.* keys are what a session may set (the routing keys aside); hive.* only the operator
        KitsuneConf session = KitsuneConf.of(Map.of("spark.hadoop.hive.metastore.uris", "thrift://attacker:9083"));
        assertEquals(null, DelegationTokens.metastoreUris(session));
        assertEquals("thrift://hms:9083", DelegationTokens.metastoreUris(KitsuneConf.of(Map.of(
                "hive.metastore.uris", "thrift://hms:9083", "spark.hadoop.hive.metastore.uris", "thrift://attacker:9083"))));
    }

    @Test
    void tokensAreWantedOnlyWithAKeytabLoginAnEngineUserAndSomeTokenEnabled() {
        KitsuneConf kerberized = KitsuneConf.of(Map.of("kyuubi.kinit.principal", "hive/_HOST@EXAMPLE.COM",
                "kyuubi.kinit.keytab", "/etc/hive.keytab"));
        assertTrue(DelegationTokens.wanted(kerberized, "alice"));
        assertFalse(DelegationTokens.wanted(kerberized, null), "the engine runs as the server's own user");
        assertFalse(DelegationTokens.wanted(KitsuneConf.of(Map.of()), "alice"), "no keytab login");
        assertFalse(DelegationTokens.wanted(KitsuneConf.of(Map.of("kyuubi.kinit.principal", "hive/h@EXAMPLE.COM",
                "kyuubi.kinit.keytab", "/k", "kyuubi.credentials.hadoopfs.enabled", "false",
                "kyuubi.credentials.hive.enabled", "false")), "alice"), "every token turned off");
    }
}
