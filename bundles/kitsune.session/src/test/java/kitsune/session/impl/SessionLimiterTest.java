package kitsune.session.impl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;

import kitsune.api.conf.KitsuneConf;

class SessionLimiterTest {
    private final SessionLimiter limiter = new SessionLimiter();

    private static KitsuneConf conf(String... kv) {
        Map<String, String> m = new java.util.HashMap<>();
        for (int i = 0; i < kv.length; i += 2) m.put(kv[i], kv[i + 1]);
        return KitsuneConf.of(m);
    }

    @Test
    void withoutLimitsEverySessionIsAdmittedAndNothingStaysCountedAfterRelease() throws Exception {
        List<SessionLimiter.Permit> permits = new ArrayList<>();
        for (int i = 0; i < 1000; i++) permits.add(limiter.acquire(KitsuneConf.empty(), "alice", "10.0.0.1"));
        assertEquals(1000, limiter.sessionsOf("alice"));
        permits.forEach(SessionLimiter.Permit::release);
        assertTrue(limiter.isEmpty());
    }

    @Test
    void aUserBeyondTheLimitIsRefusedNamingTheKeyTheLimitAndTheUser() throws Exception {
        KitsuneConf c = conf("kyuubi.server.limit.connections.per.user", "2");
        limiter.acquire(c, "alice", "10.0.0.1");
        limiter.acquire(c, "alice", "10.0.0.2");
        SessionRefusedException e = assertThrows(SessionRefusedException.class,
                () -> limiter.acquire(c, "alice", "10.0.0.3"));
        assertTrue(e.getMessage().contains("kyuubi.server.limit.connections.per.user=2"), e.getMessage());
        assertTrue(e.getMessage().contains("alice already holds 2 session(s)"), e.getMessage());
        assertTrue(e.getMessage().indexOf('\n') < 0, "one line");
        limiter.acquire(c, "bob", "10.0.0.3");
    }

    @Test
    void zeroMeansNoLimitAsUnset() throws Exception {
        KitsuneConf c = conf("kyuubi.server.limit.connections.per.user", "0",
                "kyuubi.server.limit.connections.per.ipaddress", "0");
        for (int i = 0; i < 50; i++) limiter.acquire(c, "alice", "10.0.0.1");
    }

    @Test
    void releasingTwiceGivesBackOneSlotOnly() throws Exception {
        KitsuneConf c = conf("kyuubi.server.limit.connections.per.user", "2");
        SessionLimiter.Permit p = limiter.acquire(c, "alice", "10.0.0.1");
        limiter.acquire(c, "alice", "10.0.0.1");
        p.release();
        p.release();
        limiter.acquire(c, "alice", "10.0.0.1");
        assertThrows(SessionRefusedException.class, () -> limiter.acquire(c, "alice", "10.0.0.1"));
    }

    @Test
    void anUnknownAddressIsCountedForTheUserOnly() throws Exception {
        KitsuneConf c = conf("kyuubi.server.limit.connections.per.ipaddress", "1",
                "kyuubi.server.limit.connections.per.user", "3");
        limiter.acquire(c, "alice", null);
        limiter.acquire(c, "alice", null);
        limiter.acquire(c, "alice", null);
        assertThrows(SessionRefusedException.class, () -> limiter.acquire(c, "alice", null));
    }

    @Test
    void theUserDenyListWinsOverTheUnlimitedList() {
        KitsuneConf c = conf("kyuubi.server.limit.connections.user.unlimited.list", "etl",
                "kyuubi.server.limit.connections.user.deny.list", "etl");
        SessionRefusedException e = assertThrows(SessionRefusedException.class,
                () -> limiter.acquire(c, "etl", "10.0.0.1"));
        assertTrue(e.getMessage().contains("kyuubi.server.limit.connections.user.deny.list"), e.getMessage());
    }

    @Test
    void concurrentOpensNeverAdmitMoreThanTheLimit() throws Exception {
        KitsuneConf c = conf("kyuubi.server.limit.connections.per.user", "5");
        int threads = 32;
        CyclicBarrier start = new CyclicBarrier(threads);
        AtomicInteger admitted = new AtomicInteger();
        List<CompletableFuture<Void>> all = new ArrayList<>();
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(threads);
        for (int i = 0; i < threads; i++) {
            all.add(CompletableFuture.runAsync(() -> {
                try {
                    start.await();
                    limiter.acquire(c, "alice", "10.0.0.1");
                    admitted.incrementAndGet();
                } catch (SessionRefusedException refused) {
                    // expected beyond the limit
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            }, pool));
        }
        try {
            CompletableFuture.allOf(all.toArray(CompletableFuture[]::new)).get();
        } finally {
            pool.shutdownNow();
        }
        assertEquals(5, admitted.get());
        assertEquals(5, limiter.sessionsOf("alice"));
    }
}
