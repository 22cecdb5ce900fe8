package kitsune.ha.impl;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.retry.RetryNTimes;
import org.apache.zookeeper.Watcher;
import org.apache.zookeeper.ZooKeeper;
import org.awaitility.Awaitility;

final class TestSupport {
    /** Curator never stops the runSafe executor it creates itself; test clients share this daemon one. */
    static final java.util.concurrent.ExecutorService TEST_SAFE = java.util.concurrent.Executors.newSingleThreadExecutor(
            r -> {
                Thread t = new Thread(r, "test-curator-safe");
                t.setDaemon(true);
                return t;
            });

    private TestSupport() {
    }

    /** Settings for tests: short timeouts, N_TIME retries, embedded ZooKeeper on a free port when addresses is "". */
    static HaSettings settings(String addresses, Path dataDir, String namespace, boolean publishConfigs,
            int connectionTimeoutMs) {
        return new HaSettings(addresses, namespace, 10_000, connectionTimeoutMs, "N_TIME", 200, 1000, 3,
                Duration.ofSeconds(10), publishConfigs, "127.0.0.1", 0, dataDir, 500, 20_000,
                kitsune.api.registry.ZkAuth.none());
    }

    static CuratorFramework otherClient(String connectString) throws InterruptedException {
        CuratorFramework c = CuratorFrameworkFactory.builder().connectString(connectString).sessionTimeoutMs(10_000)
                .connectionTimeoutMs(3_000).retryPolicy(new RetryNTimes(3, 200)).runSafeService(TEST_SAFE).build();
        c.start();
        assertTrue(c.blockUntilConnected(10, TimeUnit.SECONDS), "second client connected");
        return c;
    }

    /**
     * Expires the client's session on the server: a second handle takes over the session (the server drops the
     * first connection and its watches) and closes it (the server deletes the session's ephemeral nodes). The first
     * client then learns on reconnect that its session has expired, exactly as after a long partition.
     */
    static void expireSession(CuratorFramework client, String connectString) throws Exception {
        ZooKeeper zk = client.getZookeeperClient().getZooKeeper();
        CountDownLatch connected = new CountDownLatch(1);
        ZooKeeper other = new ZooKeeper(connectString, 10_000, e -> {
            if (e.getState() == Watcher.Event.KeeperState.SyncConnected) connected.countDown();
        }, zk.getSessionId(), zk.getSessionPasswd());
        try {
            assertTrue(connected.await(10, TimeUnit.SECONDS), "took over the session");
        } finally {
            other.close();
        }
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    static void await(String what, Duration timeout, BooleanSupplier condition) {
        Awaitility.await(what).atMost(timeout).pollInterval(Duration.ofMillis(25)).until(condition::getAsBoolean);
    }

    /** Asserts that the condition is true now and stays true for the whole period (a thing that must not happen). */
    static void holds(String what, Duration period, Callable<Boolean> condition) {
        Awaitility.await(what).during(period).atMost(period.plusSeconds(5)).pollInterval(Duration.ofMillis(25))
                .until(condition);
    }
}
