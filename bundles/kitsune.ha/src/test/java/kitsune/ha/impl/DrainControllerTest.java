package kitsune.ha.impl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

import kitsune.api.session.SessionInfo;
import kitsune.api.session.SessionManager;

class DrainControllerTest {
    @AfterAll
    static void noLeftoverThreads() throws InterruptedException {
        ThreadCheck.assertNoLeftoverThreads();
    }

    static final class FakeSessions implements SessionManager {
        final AtomicInteger open = new AtomicInteger();
        final AtomicInteger counted = new AtomicInteger();
        final List<String> refusals = new CopyOnWriteArrayList<>();

        @Override public int openSessionCount() { counted.incrementAndGet(); return open.get(); }
        @Override public List<SessionInfo> sessions() { return List.of(); }
        @Override public void refuseNewSessions(String message) { refusals.add(message); }
        @Override public boolean closeSession(String id) { return false; }
    }

    @Test
    void refusesNewSessionsWaitsForTheLastOneThenStops() throws Exception {
        FakeSessions sm = new FakeSessions();
        sm.open.set(2);
        CountDownLatch stopped = new CountDownLatch(1);
        AtomicInteger stops = new AtomicInteger();
        try (DrainController d = new DrainController(() -> sm, Duration.ofMillis(30), () -> {
            stops.incrementAndGet();
            stopped.countDown();
        })) {
            assertFalse(d.draining());
            d.start("h:1");
            d.start("h:1"); // once
            assertTrue(d.draining());
            assertEquals(List.of(DrainController.REFUSAL), sm.refusals);
            TestSupport.await("a few ticks", Duration.ofSeconds(5), () -> sm.counted.get() >= 3);
            assertEquals(0, stops.get(), "not while sessions are open");
            sm.open.set(0);
            assertTrue(stopped.await(5, TimeUnit.SECONDS));
            TestSupport.holds("one stop, not two", Duration.ofMillis(100), () -> stops.get() == 1);
            assertTrue(d.stopRequested());

            FakeSessions later = new FakeSessions();
            d.sessionManagerBound(later);
            assertEquals(List.of(DrainController.REFUSAL), later.refusals, "a new session manager refuses too");
        }
    }

    static final class ClosableSessions implements SessionManager {
        final List<String> open = new CopyOnWriteArrayList<>(List.of("a", "b"));
        final List<String> refusals = new CopyOnWriteArrayList<>();

        @Override public int openSessionCount() { return open.size(); }
        @Override public List<SessionInfo> sessions() {
            return open.stream().map(id -> new SessionInfo(id, "u", "c", "e", null, null, 0)).toList();
        }
        @Override public void refuseNewSessions(String message) { refusals.add(message); }
        @Override public boolean closeSession(String id) { return open.remove(id); }
    }

    @Test
    void theBoundClosesWhatIsStillOpenThenStops() throws Exception {
        ClosableSessions sm = new ClosableSessions();
        CountDownLatch stopped = new CountDownLatch(1);
        try (DrainController d = new DrainController(() -> sm, Duration.ofMillis(50), stopped::countDown)) {
            long t0 = System.nanoTime();
            d.start("h:1", Duration.ofMillis(400), "kitsune.server.drain.timeout=PT0.4S", true);
            assertTrue(stopped.await(5, TimeUnit.SECONDS));
            long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
            assertTrue(ms >= 350, "not before the bound: " + ms);
            assertEquals(2, d.forced());
            assertTrue(sm.open.isEmpty());
            assertTrue(d.await(Duration.ofSeconds(1)));
        }
    }

    @Test
    void aStopRequestShortensARunningDrainButDoesNotStopTheServerItself() throws Exception {
        ClosableSessions sm = new ClosableSessions();
        AtomicInteger stops = new AtomicInteger();
        try (DrainController d = new DrainController(() -> sm, Duration.ofMillis(50), stops::incrementAndGet)) {
            d.start("h:1", null, "", false); // unbounded, e.g. SIGTERM path would pass a bound
            TestSupport.holds("an unbounded drain with a session open goes on", Duration.ofMillis(200),
                    () -> !d.await(Duration.ofMillis(10)));
            d.start("h:1", Duration.ofMillis(100), "kitsune.server.stop.timeout=PT0.1S", false);
            assertTrue(d.await(Duration.ofSeconds(5)));
            assertEquals(2, d.forced());
            assertEquals(0, stops.get(), "the caller stops the server");
        }
    }

    @Test
    void sessionsFinishingBeforeTheBoundEndTheDrainEarly() throws Exception {
        ClosableSessions sm = new ClosableSessions();
        try (DrainController d = new DrainController(() -> sm, Duration.ofMillis(50), () -> { })) {
            d.start("h:1", Duration.ofSeconds(30), "bound", false);
            sm.open.clear();
            assertTrue(d.await(Duration.ofSeconds(5)));
            assertEquals(0, d.forced());
        }
    }

    @Test
    void withoutASessionManagerNoSessionCanBeOpen() throws Exception {
        CountDownLatch stopped = new CountDownLatch(1);
        try (DrainController d = new DrainController(() -> null, Duration.ofMillis(30), stopped::countDown)) {
            d.start("h:1");
            assertTrue(stopped.await(5, TimeUnit.SECONDS));
        }
    }

}
