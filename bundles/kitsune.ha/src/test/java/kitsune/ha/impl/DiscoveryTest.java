package kitsune.ha.impl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.apache.curator.framework.CuratorFramework;
import org.apache.zookeeper.CreateMode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import kitsune.api.engine.ShareLevel;
import kitsune.api.registry.DiscoveryException;
import kitsune.api.registry.EngineSpace;
import kitsune.api.registry.ServiceNode;

class DiscoveryTest {
    @AfterAll
    static void noLeftoverThreads() throws InterruptedException {
        ThreadCheck.assertNoLeftoverThreads();
    }

    @TempDir
    Path tmp;
    HaCore core;
    CuratorFramework other;

    @BeforeEach
    void start() throws Exception {
        core = HaCore.start(TestSupport.settings("", tmp.resolve("zk"), "kyuubi", false, 2000));
        other = TestSupport.otherClient(core.connectString());
    }

    @AfterEach
    void stop() {
        if (other != null) other.close();
        if (core != null) core.close();
    }

    @Test
    void listOfAMissingPathIsEmpty() throws Exception {
        assertEquals(List.of(), core.discovery().list("/nothing/here"));
        assertEquals("kyuubi", core.discovery().namespace());
        assertEquals(core.connectString(), core.discovery().connectString());
    }

    @Test
    void listParsesNamesAndDataOldestFirstAndFindsEngines() throws Exception {
        EngineSpace space = new EngineSpace("kyuubi", "1", ShareLevel.USER, "spark_sql", "alice", "default");
        assertEquals("/kyuubi_1_USER_SPARK_SQL/alice/default", space.path());
        String prefix = space.path() + "/";
        String first = other.create().creatingParentsIfNeeded().withMode(CreateMode.PERSISTENT_SEQUENTIAL)
                .forPath(prefix + ServiceNode.namePrefix("h1", 4001, "1", java.util.Map.of(), "ref-1"),
                        "h1:4001".getBytes(StandardCharsets.UTF_8));
        other.create().forPath(prefix + "not-a-service-node", "junk".getBytes(StandardCharsets.UTF_8));
        String second = other.create().withMode(CreateMode.PERSISTENT_SEQUENTIAL)
                .forPath(prefix + ServiceNode.namePrefix("h2", 4002, "1", java.util.Map.of("kyuubi.engine.id", "app-2"),
                        "ref-2"), ("hive.server2.thrift.bind.host=h2b;hive.server2.thrift.port=4102")
                        .getBytes(StandardCharsets.UTF_8));

        List<ServiceNode> nodes = core.discovery().list(space.path());
        assertEquals(2, nodes.size());
        assertEquals(first, nodes.get(0).path());
        assertEquals("h1:4001", nodes.get(0).hostPort());
        assertEquals("ref-1", nodes.get(0).refId());
        assertEquals(second, nodes.get(1).path());
        assertEquals("h2b:4102", nodes.get(1).hostPort(), "host and port from the data, as clients read them");
        assertEquals("app-2", nodes.get(1).attributes().get("kyuubi.engine.id"));

        assertEquals(Optional.of(nodes.get(1)), core.discovery().findEngine(space));
        assertEquals(Optional.of(nodes.get(0)), core.discovery().findEngine(space, "ref-1"));
        assertEquals(Optional.empty(), core.discovery().findEngine(space, "ref-3"));

        assertTrue(core.discovery().delete(first));
        assertFalse(core.discovery().delete(first));
        assertEquals(1, core.discovery().list(space.path()).size());
    }

    @Test
    void withLockIsMutuallyExclusiveAndTimesOutLikeKyuubi() throws Exception {
        ZooKeeperDiscovery d = core.discovery();
        CountDownLatch held = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            Future<String> holder = pool.submit(() -> d.withLock("/lock-test", Duration.ofSeconds(5), () -> {
                held.countDown();
                assertTrue(release.await(20, TimeUnit.SECONDS));
                return "first";
            }));
            assertTrue(held.await(10, TimeUnit.SECONDS));
            long t0 = System.nanoTime();
            DiscoveryException e = assertThrows(DiscoveryException.class,
                    () -> d.withLock("/lock-test", Duration.ofMillis(500), () -> "never"));
            long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
            assertTrue(e.getMessage().startsWith("Timeout to lock on path [/lock-test] after 500 ms. "),
                    e.getMessage());
            assertTrue(ms >= 450 && ms < 5000, "waited " + ms + " ms");

            Future<String> waiter = pool.submit(() -> d.withLock("/lock-test", Duration.ofSeconds(10), () -> "second"));
            TestSupport.holds("the second waits while the first holds the lock", Duration.ofMillis(200),
                    () -> !waiter.isDone());
            release.countDown();
            assertEquals("first", holder.get(10, TimeUnit.SECONDS));
            assertEquals("second", waiter.get(10, TimeUnit.SECONDS));
        } finally {
            release.countDown();
            pool.shutdownNow();
            assertTrue(pool.awaitTermination(10, TimeUnit.SECONDS));
        }
    }

    @Test
    void contendingThreadsNeverOverlap() throws Exception {
        ZooKeeperDiscovery d = core.discovery();
        AtomicInteger inside = new AtomicInteger();
        AtomicInteger maxInside = new AtomicInteger();
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            List<Future<Integer>> fs = new java.util.ArrayList<>();
            for (int i = 0; i < 2; i++) {
                fs.add(pool.submit(() -> {
                    int done = 0;
                    for (int j = 0; j < 5; j++) {
                        done += d.withLock("/lock-contended", Duration.ofSeconds(10), () -> {
                            maxInside.accumulateAndGet(inside.incrementAndGet(), Math::max);
                            Thread.sleep(20);
                            inside.decrementAndGet();
                            return 1;
                        });
                    }
                    return done;
                }));
            }
            for (Future<Integer> f : fs) assertEquals(5, f.get(60, TimeUnit.SECONDS));
            assertEquals(1, maxInside.get());
        } finally {
            pool.shutdownNow();
            assertTrue(pool.awaitTermination(10, TimeUnit.SECONDS));
        }
    }

    @Test
    void actionExceptionsPropagateAndReleaseTheLock() throws Exception {
        ZooKeeperDiscovery d = core.discovery();
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> d.withLock("/lock-x", Duration.ofSeconds(5), () -> {
                    throw new IllegalStateException("boom");
                }));
        assertEquals("boom", e.getMessage());
        assertEquals("ok", d.withLock("/lock-x", Duration.ofMillis(500), () -> "ok"));
    }

    @Test
    void aStoppedZooKeeperFailsFastInsteadOfHanging() throws Exception {
        core.discovery().list("/");
        core.embedded().close();
        long t0 = System.nanoTime();
        DiscoveryException e = assertThrows(DiscoveryException.class, () -> core.discovery().list("/kyuubi"));
        long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
        assertTrue(ms < 4000, "failed after " + ms + " ms");
        assertTrue(e.getMessage().contains("/kyuubi") && e.getMessage().contains(core.connectString()),
                e.getMessage());
        assertThrows(DiscoveryException.class, () -> core.discovery().delete("/kyuubi/x"));
        DiscoveryException l = assertThrows(DiscoveryException.class,
                () -> core.discovery().withLock("/lock-y", Duration.ofSeconds(30), () -> "never"));
        assertTrue(l.getMessage().contains("/lock-y"), l.getMessage());
    }

    @Test
    void anUnreachableEnsembleFailsWithinTheConnectionTimeout() throws Exception {
        int port = TestSupport.freePort();
        String ensemble = "127.0.0.1:" + port;
        try (HaCore dead = HaCore.start(TestSupport.settings(ensemble, tmp.resolve("unused"), "kyuubi", false,
                1000))) {
            long t0 = System.nanoTime();
            DiscoveryException e = assertThrows(DiscoveryException.class, () -> dead.discovery().list("/kyuubi"));
            long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
            assertTrue(ms < 3000, "failed after " + ms + " ms");
            assertEquals("Cannot list /kyuubi: ZooKeeper " + ensemble + " is not reachable (no connection within "
                    + "1000 ms)", e.getMessage());
            assertEquals(null, dead.embedded());
        }
    }
}
