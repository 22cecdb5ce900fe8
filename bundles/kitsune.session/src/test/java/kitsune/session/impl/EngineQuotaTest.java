package kitsune.session.impl;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import kitsune.api.conf.KitsuneConf;
import kitsune.api.engine.EngineException;
import kitsune.api.registry.EngineSpace;

class EngineQuotaTest {
    private static final ServerIdentity SERVER = new ServerIdentity("kitsune", "staff");
    private static final KitsuneConf LIMIT_2 = KitsuneConf.of(Map.of("kitsune.engine.max.per.user", "2",
            "kyuubi.session.engine.initialize.timeout", "PT3M"));

    private static EngineSpace space(String subdomain) {
        return EngineSpaces.of(KitsuneConf.of(Map.of("kyuubi.engine.share.level.subdomain", subdomain)), "alice",
                "ref", "1-spark-4.0", SERVER);
    }

    @Test
    void twoServersLaunchingForOneUserAtOnceStayWithinTheLimit() throws Exception {
        FakeDiscovery zk = new FakeDiscovery(); // one ZooKeeper, two servers
        EngineQuota serverA = new EngineQuota();
        EngineQuota serverB = new EngineQuota();
        try (EngineQuota.Admission a = serverA.admit(zk, space("a"), "ref-a", LIMIT_2);
                EngineQuota.Admission b = serverB.admit(zk, space("b"), "ref-b", LIMIT_2)) {
            EngineException third = assertThrows(EngineException.class,
                    () -> serverA.admit(zk, space("c"), "ref-c", LIMIT_2));
            assertTrue(third.getMessage().startsWith("Engine limit reached: alice already has 2 engine(s) running or "
                    + "starting in namespace kyuubi (kitsune.engine.max.per.user=2)"), third.getMessage());
            assertEquals(List.of("/kyuubi_launches_lock/alice"), zk.locks.stream().distinct().toList());
        }
        // both launches ended (registered or failed): their records are gone
        assertEquals(List.of(), zk.children(EngineQuota.launchesPath("kyuubi", "alice")));
        assertDoesNotThrow(() -> serverA.admit(zk, space("c"), "ref-c", LIMIT_2).close());
    }

    @Test
    void anEngineThatRegisteredWhileItsRecordRemainsCountsOnce() throws Exception {
        FakeDiscovery zk = new FakeDiscovery();
        EngineQuota quota = new EngineQuota();
        try (EngineQuota.Admission a = quota.admit(zk, space("a"), "ref-a", LIMIT_2)) {
            zk.register(space("a").path(), 40001, "ref-a");
            assertDoesNotThrow(() -> quota.admit(zk, space("b"), "ref-b", LIMIT_2).close());
        }
    }

    @Test
    void aRecordLeftByAServerThatDiedMidLaunchStopsCountingAfterTheInitializeTimeoutAndAMinute() throws Exception {
        FakeDiscovery zk = new FakeDiscovery();
        Instant t0 = Instant.parse("2026-12-06T10:00:00Z");
        new EngineQuota(Clock.fixed(t0, ZoneOffset.UTC)).admit(zk, space("a"), "ref-dead-1", LIMIT_2); // never closed
        new EngineQuota(Clock.fixed(t0, ZoneOffset.UTC)).admit(zk, space("b"), "ref-dead-2", LIMIT_2);
        EngineQuota later = new EngineQuota(Clock.fixed(t0.plus(Duration.ofMinutes(4)).plusSeconds(1),
                ZoneOffset.UTC));
        try (EngineQuota.Admission c = later.admit(zk, space("c"), "ref-c", LIMIT_2)) {
            assertEquals(List.of("ref-c"), zk.children(EngineQuota.launchesPath("kyuubi", "alice")));
        }
    }

    @Test
    void thePrecheckRefusesWithoutLockOrRecordOnceTheOwnerIsAtTheLimit() throws Exception {
        FakeDiscovery zk = new FakeDiscovery();
        EngineQuota quota = new EngineQuota();
        try (EngineQuota.Admission a = quota.admit(zk, space("a"), "ref-a", LIMIT_2)) {
            assertDoesNotThrow(() -> quota.precheck(zk, space("b"), LIMIT_2));
        }
        try (EngineQuota.Admission a = quota.admit(zk, space("a"), "ref-a", LIMIT_2);
                EngineQuota.Admission b = quota.admit(zk, space("b"), "ref-b", LIMIT_2)) {
            int locks = zk.locks.size();
            EngineException third = assertThrows(EngineException.class, () -> quota.precheck(zk, space("c"), LIMIT_2));
            assertTrue(third.getMessage().startsWith("Engine limit reached: alice already has 2 engine(s) running or "
                    + "starting in namespace kyuubi (kitsune.engine.max.per.user=2)"), third.getMessage());
            assertEquals(locks, zk.locks.size(), "no lock taken");
            assertEquals(2, zk.children(EngineQuota.launchesPath("kyuubi", "alice")).size(), "nothing written");
        }
    }
}
