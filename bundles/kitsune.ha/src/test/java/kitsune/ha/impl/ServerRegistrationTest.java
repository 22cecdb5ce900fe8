package kitsune.ha.impl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.apache.curator.framework.CuratorFramework;
import org.apache.zookeeper.data.Stat;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import kitsune.api.registry.ServerEndpoint;
import kitsune.api.registry.ServiceNode;

class ServerRegistrationTest {
    @AfterAll
    static void noLeftoverThreads() throws InterruptedException {
        ThreadCheck.assertNoLeftoverThreads();
    }

    @TempDir
    Path tmp;
    HaCore core;
    CuratorFramework other;
    ServerRegistration registration;
    final List<String> deregistered = new CopyOnWriteArrayList<>();
    final CountDownLatch deregisteredLatch = new CountDownLatch(1);

    @BeforeEach
    void start() throws Exception {
        core = HaCore.start(TestSupport.settings("", tmp.resolve("zk"), "kyuubi", false, 3000));
        assertTrue(core.curator().blockUntilConnected(10, TimeUnit.SECONDS));
        other = TestSupport.otherClient(core.connectString());
    }

    @AfterEach
    void stop() {
        if (registration != null) registration.close();
        if (other != null) other.close();
        if (core != null) core.close();
    }

    private ServerRegistration registration(String namespace, boolean publishConfigs) {
        return new ServerRegistration(core.curator(), namespace, "0.1.0", publishConfigs, Duration.ofSeconds(10),
                core.connectString(), (hostPort, path) -> {
                    deregistered.add(hostPort + " " + path);
                    deregisteredLatch.countDown();
                });
    }

    @Test
    void embeddedZooKeeperUsesAFreePortAndItsDataDir() {
        assertNotNull(core.embedded());
        assertTrue(core.embedded().port() > 0);
        assertEquals("127.0.0.1:" + core.embedded().port(), core.connectString());
        assertEquals(tmp.resolve("zk"), core.embedded().dataDir());
    }

    @Test
    void registersAnEphemeralSequentialNodeAsKyuubiDoes() throws Exception {
        registration = registration("kyuubi", false);
        String path = registration.register(new ServerEndpoint("host-a", 10009, "NONE"));
        assertTrue(path.matches("/kyuubi/serverUri=host-a:10009;version=0\\.1\\.0;sequence=\\d{10}"), path);
        assertEquals("host-a:10009", new String(other.getData().forPath(path), StandardCharsets.UTF_8));
        Stat stat = other.checkExists().forPath(path);
        assertEquals(core.curator().getZookeeperClient().getZooKeeper().getSessionId(), stat.getEphemeralOwner());
        // parent is a real persistent node
        assertEquals(0, other.checkExists().forPath("/kyuubi").getEphemeralOwner());
        List<ServiceNode> nodes = core.discovery().list("/kyuubi");
        assertEquals(1, nodes.size());
        assertEquals("host-a", nodes.get(0).host());
        assertEquals(10009, nodes.get(0).port());
        assertEquals("0.1.0", nodes.get(0).version());
        assertEquals(path, nodes.get(0).path());
    }

    @Test
    void publishConfigsWritesHiveKeyValueData() throws Exception {
        registration = registration("/published/", true);
        String path = registration.register(new ServerEndpoint("host-b", 10010, "NOSASL"));
        assertTrue(path.startsWith("/published/serverUri=host-b:10010;version=0.1.0;sequence="), path);
        assertEquals("hive.server2.thrift.bind.host=host-b;hive.server2.transport.mode=binary;"
                + "hive.server2.thrift.port=10010;hive.server2.authentication=NOSASL;hive.server2.use.SSL=false",
                new String(other.getData().forPath(path), StandardCharsets.UTF_8));
        assertTrue(ServerRegistration.data(new ServerEndpoint("h", 1, "LDAP", true), true)
                .endsWith(";hive.server2.authentication=LDAP;hive.server2.use.SSL=true"), "a TLS port says so");
        ServiceNode n = core.discovery().list("/published").get(0);
        assertEquals("host-b:10010", n.hostPort());
    }

    @Test
    void deletionByAnotherClientDeregistersAndIsNotUndone() throws Exception {
        registration = registration("kyuubi", false);
        String path = registration.register(new ServerEndpoint("host-a", 10009, "NONE"));
        other.delete().forPath(path);
        assertTrue(deregisteredLatch.await(10, TimeUnit.SECONDS), "de-registration callback");
        assertEquals(List.of("host-a:10009 " + path), deregistered);
        assertTrue(registration.isDeregistered());
        // the recipe gets every chance to (wrongly) re-create it
        TestSupport.holds("the node not re-created", Duration.ofMillis(1500),
                () -> other.checkExists().forPath(path) == null);
        assertEquals(List.of(), other.getChildren().forPath("/kyuubi"));
        assertNull(registration.path());
    }

    @Test
    void unregisterRemovesTheNodeWithoutADeregistrationEvent() throws Exception {
        registration = registration("kyuubi", false);
        String path = registration.register(new ServerEndpoint("host-a", 10009, "NONE"));
        registration.unregister();
        assertNull(other.checkExists().forPath(path));
        TestSupport.holds("no de-registration event", Duration.ofMillis(500), deregistered::isEmpty);
        assertFalse(registration.isDeregistered());
        // and it can register again (e.g. the frontend came back on another port)
        String again = registration.register(new ServerEndpoint("host-a", 10019, "NONE"));
        assertNotNull(other.checkExists().forPath(again));
    }

    @Test
    void sessionExpiryRecreatesTheNodeAndTheWatchStillWorks() throws Exception {
        registration = registration("kyuubi", false);
        String path = registration.register(new ServerEndpoint("host-a", 10009, "NONE"));
        long oldSession = other.checkExists().forPath(path).getEphemeralOwner();

        TestSupport.expireSession(core.curator(), core.connectString());
        TestSupport.await("the node to be re-created by a new session", Duration.ofSeconds(30), () -> {
            try {
                Stat s = other.checkExists().forPath(path);
                return s != null && s.getEphemeralOwner() != oldSession;
            } catch (Exception e) {
                return false;
            }
        });
        assertNotEquals(oldSession, core.curator().getZookeeperClient().getZooKeeper().getSessionId());
        TestSupport.holds("an expiry is not a de-registration", Duration.ofMillis(300), deregistered::isEmpty);
        assertEquals(path, registration.path());

        // the re-armed watch sees a deletion by someone else
        other.delete().forPath(path);
        assertTrue(deregisteredLatch.await(10, TimeUnit.SECONDS), "de-registration callback after expiry");
        TestSupport.holds("the node not re-created", Duration.ofMillis(1500),
                () -> other.checkExists().forPath(path) == null);
    }

    /**
     * The client gives its session up (as Curator does after a disconnection longer than the session timeout) while
     * ZooKeeper still holds that session: on reconnect the recipe finds the old node and adopts it; when ZooKeeper
     * then expires the old session it removes the node. That removal is not an operator's delete: no drain, and the
     * node is re-created under the new session.
     */
    @Test
    void theOldSessionsNodeGoingAwayIsNotADeregistration() throws Exception {
        registration = registration("kyuubi", false);
        String path = registration.register(new ServerEndpoint("host-a", 10009, "NONE"));
        long oldSession = other.checkExists().forPath(path).getEphemeralOwner();

        core.curator().getZookeeperClient().getZooKeeper().getTestable().injectSessionExpiration();
        TestSupport.await("the node to be re-created under a new session", Duration.ofSeconds(30), () -> {
            try {
                Stat s = other.checkExists().forPath(path);
                return s != null && s.getEphemeralOwner() != oldSession;
            } catch (Exception e) {
                return false;
            }
        });
        TestSupport.holds("the old session's expiry is not a de-registration", Duration.ofMillis(500),
                deregistered::isEmpty);
        assertFalse(registration.isDeregistered());
        assertEquals(path, registration.path());

        other.delete().forPath(path);
        assertTrue(deregisteredLatch.await(10, TimeUnit.SECONDS), "an operator's delete still de-registers");
        TestSupport.holds("the node not re-created", Duration.ofMillis(1500),
                () -> other.checkExists().forPath(path) == null);
    }
}
