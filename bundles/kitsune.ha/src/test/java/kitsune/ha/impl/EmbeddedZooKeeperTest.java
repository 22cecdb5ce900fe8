package kitsune.ha.impl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.apache.curator.framework.CuratorFramework;
import org.apache.zookeeper.CreateMode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import kitsune.api.conf.KitsuneConf;

class EmbeddedZooKeeperTest {
    @AfterAll
    static void noLeftoverThreads() throws InterruptedException {
        ThreadCheck.assertNoLeftoverThreads();
    }

    @TempDir
    Path tmp;

    @Test
    void startsOnAFreePort() throws Exception {
        Path data = tmp.resolve("zk");
        try (EmbeddedZooKeeper zk = new EmbeddedZooKeeper("127.0.0.1", 0, data, 500, 20_000)) {
            zk.start();
            assertTrue(zk.port() > 0);
            assertEquals("127.0.0.1:" + zk.port(), zk.connectString());
            assertEquals(20_000, zk.server().getMaxSessionTimeout());
            assertEquals(1_000, zk.server().getMinSessionTimeout());
            CuratorFramework c = TestSupport.otherClient(zk.connectString());
            try {
                c.create().forPath("/hello", "x".getBytes());
                assertEquals("x", new String(c.getData().forPath("/hello")));
            } finally {
                c.close();
            }
            assertTrue(Files.isDirectory(data.resolve("version-2")));
        }
    }

    /**
     * What an engine sees when the server restarts in pseudo mode: the embedded ZooKeeper goes and comes back on the
     * same port with the same data; the engine's client reconnects with its session, and its ephemeral node is still
     * there. (With the data deleted, ZooKeeper would refuse the client, which has seen newer transactions.)
     */
    @Test
    void aClientKeepsItsSessionAndEphemeralNodeAcrossARestart() throws Exception {
        Path data = tmp.resolve("zk");
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            port = s.getLocalPort();
        }
        EmbeddedZooKeeper first = new EmbeddedZooKeeper("127.0.0.1", port, data, 500, 20_000);
        first.start();
        CuratorFramework engine = TestSupport.otherClient(first.connectString());
        try {
            engine.create().withMode(CreateMode.EPHEMERAL).forPath("/engine", "e".getBytes());
            long session = engine.getZookeeperClient().getZooKeeper().getSessionId();
            first.close();
            try (EmbeddedZooKeeper second = new EmbeddedZooKeeper("127.0.0.1", port, data, 500, 20_000)) {
                second.start();
                assertTrue(engine.blockUntilConnected(10, TimeUnit.SECONDS), "the client reconnects");
                assertEquals(session, engine.getZookeeperClient().getZooKeeper().getSessionId(), "same session");
                assertEquals("e", new String(engine.getData().forPath("/engine")), "its node survived");
            }
        } finally {
            engine.close();
            first.close();
        }
    }

    @Test
    void portInUseIsOneClearLineNamingPortAndKey() throws Exception {
        try (ServerSocket taken = new ServerSocket()) {
            taken.bind(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0));
            int port = taken.getLocalPort();
            EmbeddedZooKeeper zk = new EmbeddedZooKeeper("127.0.0.1", port, tmp.resolve("zk"), 500, 20_000);
            EmbeddedZooKeeper.StartException e = assertThrows(EmbeddedZooKeeper.StartException.class, zk::start);
            assertEquals("Embedded ZooKeeper cannot listen on 127.0.0.1:" + port + ": the port is already in use. "
                    + "Set kyuubi.zookeeper.embedded.client.port to a free port (0 picks one), or kyuubi.ha.addresses "
                    + "to use an external ZooKeeper", e.getMessage());
            assertFalse(e.getMessage().contains("\n"));
            zk.close(); // nothing started: no-op
        }
    }

    @Test
    void settingsFromConfiguration() {
        HaSettings s = HaSettings.from(KitsuneConf.of(Map.of("kitsune.work.dir", tmp.toString(),
                "kyuubi.ha.namespace", "/ns/", "kyuubi.ha.zookeeper.session.timeout", "PT30S",
                "kyuubi.zookeeper.embedded.client.port", "0")), null, null);
        assertTrue(s.embedded());
        assertEquals("ns", s.namespace());
        assertEquals(30_000, s.sessionTimeoutMs());
        assertEquals(15_000, s.connectionTimeoutMs());
        assertEquals("EXPONENTIAL_BACKOFF", s.retryPolicy());
        assertEquals(120_000, s.nodeCreationTimeout().toMillis());
        assertEquals(tmp.resolve("embedded_zookeeper"), s.embeddedDataDir());
        assertEquals("127.0.0.1", s.embeddedHost());
        assertEquals(3000, s.embeddedTickTime());

        HaSettings abs = HaSettings.from(KitsuneConf.of(Map.of("kyuubi.zookeeper.embedded.data.dir",
                tmp.resolve("abs").toString(), "kyuubi.ha.addresses", "zk1:2181,zk2:2181")), "/w", null);
        assertFalse(abs.embedded());
        assertEquals(tmp.resolve("abs"), abs.embeddedDataDir());
        // without kitsune.work.dir in the conf, the framework property, then kitsune.home/work
        assertEquals(Path.of("/w"), HaSettings.workDir(KitsuneConf.empty(), "/w", "/h"));
        assertEquals(Path.of("/h", "work"), HaSettings.workDir(KitsuneConf.empty(), null, "/h"));
    }

    @Test
    void retryPoliciesAsKyuubiMapsThem() {
        assertTrue(RetryPolicies.create("ONE_TIME", 1000, 30000, 3) instanceof org.apache.curator.retry.RetryOneTime);
        assertTrue(RetryPolicies.create("N_TIME", 1000, 30000, 3) instanceof org.apache.curator.retry.RetryNTimes);
        assertTrue(RetryPolicies.create("BOUNDED_EXPONENTIAL_BACKOFF", 1000, 30000, 3)
                instanceof org.apache.curator.retry.BoundedExponentialBackoffRetry);
        assertTrue(RetryPolicies.create("UNTIL_ELAPSED", 1000, 30000, 3)
                instanceof org.apache.curator.retry.RetryUntilElapsed);
        org.apache.curator.retry.ExponentialBackoffRetry exp = (org.apache.curator.retry.ExponentialBackoffRetry)
                RetryPolicies.create("EXPONENTIAL_BACKOFF", 1000, 30000, 3);
        assertEquals(1000, exp.getBaseSleepTimeMs());
    }
}
