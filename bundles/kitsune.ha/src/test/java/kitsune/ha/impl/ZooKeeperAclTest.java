package kitsune.ha.impl;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.apache.curator.framework.CuratorFramework;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.ZooDefs;
import org.apache.zookeeper.ZooKeeper;
import org.apache.zookeeper.data.ACL;
import org.apache.zookeeper.server.ZooKeeperServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import kitsune.api.conf.KitsuneConf;
import kitsune.api.engine.ShareLevel;
import kitsune.api.registry.DiscoveryException;
import kitsune.api.registry.EngineSpace;
import kitsune.api.registry.ServiceNode;
import kitsune.api.registry.ZkAuth;

/**
 * kyuubi.ha.zookeeper.auth.type=DIGEST against the real embedded ZooKeeper: what the server creates is writable by
 * its identity only, session records are private, nodes created before ACLs were on are protected at the first start
 * with ACLs, and a node someone else could have planted is refused.
 */
class ZooKeeperAclTest {
    private static final String DIGEST = "kitsune:s3cret-zk";
    private static final EngineSpace SPACE = new EngineSpace("kyuubi", "1-spark-4.0", ShareLevel.USER, "SPARK_SQL",
            "alice", "default");

    @AfterAll
    static void noLeftoverThreads() throws InterruptedException {
        ThreadCheck.assertNoLeftoverThreads();
    }

    @TempDir
    Path tmp;
    HaCore core;
    ZooKeeper anonymous;

    @AfterEach
    void stop() throws Exception {
        if (anonymous != null) anonymous.close();
        if (core != null) core.close();
    }

    private static HaSettings settings(Path dataDir, int port, ZkAuth auth) {
        HaSettings s = TestSupport.settings("", dataDir, "kyuubi", false, 3000);
        return new HaSettings(s.addresses(), s.namespace(), s.sessionTimeoutMs(), s.connectionTimeoutMs(),
                s.retryPolicy(), s.baseRetryWaitMs(), s.maxRetryWaitMs(), s.maxRetries(), s.nodeCreationTimeout(),
                s.publishConfigs(), s.embeddedHost(), port, s.embeddedDataDir(), s.embeddedTickTime(),
                s.embeddedMaxSessionTimeout(), auth);
    }

    private static ZkAuth digest() {
        return ZkAuth.from(KitsuneConf.of(Map.of("kyuubi.ha.zookeeper.auth.type", "DIGEST",
                "kyuubi.ha.zookeeper.auth.digest", DIGEST)));
    }

    private HaCore start(ZkAuth auth, int port) throws Exception {
        core = HaCore.start(settings(tmp.resolve("zk"), port, auth));
        anonymous = connectWithoutLogin(core.connectString());
        return core;
    }

    /** A plain ZooKeeper client that never logs in: what anyone who can reach the port has. */
    private static ZooKeeper connectWithoutLogin(String connectString) throws Exception {
        java.util.concurrent.CountDownLatch connected = new java.util.concurrent.CountDownLatch(1);
        ZooKeeper zk = new ZooKeeper(connectString, 10_000, e -> {
            if (e.getState() == org.apache.zookeeper.Watcher.Event.KeeperState.SyncConnected) connected.countDown();
        });
        if (!connected.await(10, java.util.concurrent.TimeUnit.SECONDS)) {
            zk.close();
            throw new AssertionError("cannot connect to " + connectString);
        }
        return zk;
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private void registerEngine(CuratorFramework c) throws Exception {
        c.create().creatingParentsIfNeeded().withMode(CreateMode.EPHEMERAL_SEQUENTIAL).forPath(SPACE.path() + "/"
                + ServiceNode.namePrefix("127.0.0.1", 4001, "1", Map.of(), "ref-1"), bytes("127.0.0.1:4001"));
    }

    @Test
    void whatTheServerCreatesIsReadableByAllAndChangeableOnlyByItsIdentity() throws Exception {
        start(digest(), 0);
        CuratorFramework server = core.curator();
        server.create().creatingParentsIfNeeded().forPath("/kyuubi");
        registerEngine(server);
        core.discovery().write("/kyuubi_sessions/11111111-1111-1111-1111-111111111111", bytes("{\"user\":\"alice\"}"));

        // service discovery: anyone reads
        List<String> engines = anonymous.getChildren(SPACE.path(), false);
        assertEquals(1, engines.size());
        assertArrayEquals(bytes("127.0.0.1:4001"), anonymous.getData(SPACE.path() + "/" + engines.get(0), false, null));
        assertEquals(1, core.discovery().list(SPACE.path()).size(), "the server trusts its own nodes");

        // nobody else changes, deletes or plants
        assertThrows(KeeperException.NoAuthException.class,
                () -> anonymous.delete(SPACE.path() + "/" + engines.get(0), -1));
        assertThrows(KeeperException.NoAuthException.class, () -> anonymous.create(SPACE.path()
                + "/serverUri=6.6.6.6:666;version=1;refId=evil;sequence=", bytes("6.6.6.6:666"),
                ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.EPHEMERAL_SEQUENTIAL));
        for (String parent : List.of("/kyuubi", "/kyuubi_1-spark-4.0_USER_SPARK_SQL",
                "/kyuubi_1-spark-4.0_USER_SPARK_SQL/alice")) {
            assertThrows(KeeperException.NoAuthException.class, () -> anonymous.create(parent + "/planted", null,
                    ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT), parent);
            assertThrows(KeeperException.NoAuthException.class,
                    () -> anonymous.setACL(parent, ZooDefs.Ids.OPEN_ACL_UNSAFE, -1), parent);
        }

        // session records hold a hash of handle secrets: not even readable, not listable
        assertThrows(KeeperException.NoAuthException.class,
                () -> anonymous.getData("/kyuubi_sessions/11111111-1111-1111-1111-111111111111", false, null));
        assertThrows(KeeperException.NoAuthException.class, () -> anonymous.getChildren("/kyuubi_sessions", false));
        assertTrue(core.discovery().read("/kyuubi_sessions/11111111-1111-1111-1111-111111111111").isPresent());

        List<ACL> acl = anonymous.getACL(SPACE.path(), null);
        assertTrue(acl.stream().anyMatch(a -> a.getId().getScheme().equals("digest")
                && a.getId().getId().startsWith("kitsune:") && a.getPerms() == ZooDefs.Perms.ALL), acl.toString());
        assertTrue(acl.stream().anyMatch(a -> a.getId().getScheme().equals("world")
                && a.getPerms() == ZooDefs.Perms.READ), acl.toString());
    }

    @Test
    void aSpaceSomeoneElseCouldWriteToIsRefusedNamingTheNode() throws Exception {
        start(digest(), 0);
        // a space the server has never used: anyone could create its top-level node and plant an engine in it
        anonymous.create("/kyuubi_1-spark-4.0_USER_SPARK_SQL", null, ZooDefs.Ids.OPEN_ACL_UNSAFE,
                CreateMode.PERSISTENT);
        anonymous.create("/kyuubi_1-spark-4.0_USER_SPARK_SQL/alice", null, ZooDefs.Ids.OPEN_ACL_UNSAFE,
                CreateMode.PERSISTENT);
        anonymous.create(SPACE.path(), null, ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
        anonymous.create(SPACE.path() + "/" + ServiceNode.namePrefix("6.6.6.6", 666, "1", Map.of(), "evil"),
                bytes("6.6.6.6:666"), ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.EPHEMERAL_SEQUENTIAL);

        DiscoveryException e = assertThrows(DiscoveryException.class, () -> core.discovery().list(SPACE.path()));
        assertEquals("Refusing " + SPACE.path() + ": the znode " + SPACE.path() + " can be changed by world:anyone, "
                + "not only by this server's ZooKeeper identity (kitsune), so what is under it may have been planted; "
                + "delete " + SPACE.path() + " (as its owner or ZooKeeper's super user) and Kitsune re-creates it "
                + "protected", e.getMessage());
        assertThrows(DiscoveryException.class, () -> core.discovery().withLock(SPACE.path() + "/x",
                Duration.ofSeconds(1), () -> null));
    }

    @Test
    void nodesCreatedBeforeAclsWereOnAreProtectedAtTheFirstStartWithAcls() throws Exception {
        start(ZkAuth.none(), TestSupport.freePort());
        int port = core.embedded().port();
        core.curator().create().creatingParentsIfNeeded().forPath("/kyuubi");
        core.curator().create().creatingParentsIfNeeded().forPath(SPACE.path());
        core.discovery().write("/kyuubi_sessions/22222222-2222-2222-2222-222222222222", bytes("{}"));
        anonymous.close();
        core.close();

        start(digest(), port);
        TestSupport.await("existing nodes protected", Duration.ofSeconds(20), () -> {
            try {
                return anonymous.getACL(SPACE.path(), null).size() == 2;
            } catch (Exception e) {
                return false;
            }
        });
        assertEquals(List.of(), core.discovery().list(SPACE.path()), "trusted once protected");
        assertThrows(KeeperException.NoAuthException.class, () -> anonymous.create(SPACE.path() + "/planted", null,
                ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT));
        assertThrows(KeeperException.NoAuthException.class,
                () -> anonymous.getData("/kyuubi_sessions/22222222-2222-2222-2222-222222222222", false, null));
    }

    @Test
    void withoutAclsEverythingStaysOpenAsBefore() throws Exception {
        start(ZkAuth.none(), 0);
        registerEngine(core.curator());
        core.discovery().write("/kyuubi_sessions/33333333-3333-3333-3333-333333333333", bytes("{}"));
        assertEquals(ZooDefs.Ids.OPEN_ACL_UNSAFE, anonymous.getACL(SPACE.path(), null));
        anonymous.getData("/kyuubi_sessions/33333333-3333-3333-3333-333333333333", false, null);
        String engine = anonymous.getChildren(SPACE.path(), false).get(0);
        anonymous.delete(SPACE.path() + "/" + engine, -1);
        assertEquals(List.of(), core.discovery().list(SPACE.path()));
    }

    @Test
    void kerberosInPseudoModeStopsTheStartNamingTheKey() throws Exception {
        java.nio.file.Path keytab = java.nio.file.Files.createFile(tmp.resolve("kitsune.keytab"));
        ZkAuth kerberos = ZkAuth.from(KitsuneConf.of(Map.of("kyuubi.ha.zookeeper.auth.type", "KERBEROS",
                "kyuubi.ha.zookeeper.auth.principal", "kitsune@EXAMPLE.COM",
                "kyuubi.ha.zookeeper.auth.keytab", keytab.toString(), "kyuubi.ha.zookeeper.auth.digest", "k:p")));
        EmbeddedZooKeeper.StartException e = assertThrows(EmbeddedZooKeeper.StartException.class,
                () -> HaCore.start(settings(tmp.resolve("zk"), 0, kerberos)));
        assertEquals("kyuubi.ha.zookeeper.auth.type=KERBEROS needs an external ZooKeeper ensemble that accepts SASL "
                + "logins (kyuubi.ha.addresses): the embedded ZooKeeper of pseudo mode has no Kerberos; set "
                + "kyuubi.ha.addresses or use DIGEST", e.getMessage());
    }

    @Test
    void anEmbeddedZooKeeperThatWouldSkipAclChecksDoesNotStart() {
        System.setProperty(ZooKeeperServer.SKIP_ACL, "yes");
        try {
            EmbeddedZooKeeper.StartException e = assertThrows(EmbeddedZooKeeper.StartException.class,
                    () -> HaCore.start(settings(tmp.resolve("zk"), 0, digest())));
            assertEquals("The embedded ZooKeeper would not check ACLs: the JVM property zookeeper.skipACL=yes is set; "
                    + "remove it (KITSUNE_JAVA_OPTS) or set kyuubi.ha.zookeeper.auth.type=NONE", e.getMessage());
        } finally {
            System.clearProperty(ZooKeeperServer.SKIP_ACL);
        }
    }

    /** A plain client that logs in with the digest a server derived for an engine space. */
    private ZooKeeper connectAs(String digest) throws Exception {
        ZooKeeper zk = connectWithoutLogin(core.connectString());
        zk.addAuthInfo("digest", bytes(digest));
        return zk;
    }

    private static List<ACL> acl(List<String> entries) {
        List<ACL> acl = new java.util.ArrayList<>();
        for (String e : entries) {
            String[] p = e.split(":", 3);
            acl.add(new ACL(Integer.parseInt(p[0]), new org.apache.zookeeper.data.Id(p[1], p[2])));
        }
        return acl;
    }

    @Test
    void anEngineSpacesOwnIdentityRegistersInItsSpaceOnlyAndCannotTouchServersOrOtherSpaces() throws Exception {
        start(digest(), 0);
        CuratorFramework server = core.curator();
        server.create().creatingParentsIfNeeded().forPath("/kyuubi");
        String serverNode = server.create().withMode(CreateMode.EPHEMERAL_SEQUENTIAL)
                .forPath("/kyuubi/serverUri=127.0.0.1:10009;version=1;sequence=", bytes("127.0.0.1:10009"));
        EngineSpace bobSpace = new EngineSpace("kyuubi", "1-spark-4.0", ShareLevel.USER, "SPARK_SQL", "bob",
                "default");
        kitsune.api.registry.EngineZkIdentity alice = core.discovery().prepareEngineSpace(SPACE);
        kitsune.api.registry.EngineZkIdentity bob = core.discovery().prepareEngineSpace(bobSpace);
        assertTrue(alice.digest().startsWith("engine-"), alice.toString());
        assertTrue(!alice.digest().contains("s3cret-zk"), "never the servers' digest");
        assertTrue(!alice.digestUser().equals(bob.digestUser()));
        String bobEngine = server.create().withMode(CreateMode.EPHEMERAL_SEQUENTIAL).forPath(bobSpace.path()
                + "/serverUri=127.0.0.1:4002;version=1;refId=b;sequence=", bytes("127.0.0.1:4002"));

        try (ZooKeeper engine = connectAs(alice.digest())) {
            // registers in its own space with the ACL the server computed, and removes its node again
            String own = engine.create(SPACE.path() + "/serverUri=127.0.0.1:4001;version=1;refId=a;sequence=",
                    bytes("127.0.0.1:4001"), acl(alice.nodeAcl()), CreateMode.EPHEMERAL_SEQUENTIAL);
            assertEquals(1, core.discovery().list(SPACE.path()).size(), "the server trusts what the engine wrote");
            // neither the servers' node, nor bob's engine, nor a node in bob's space, nor the shared parents
            assertThrows(KeeperException.NoAuthException.class, () -> engine.delete(serverNode, -1));
            assertThrows(KeeperException.NoAuthException.class, () -> engine.delete(bobEngine, -1));
            assertThrows(KeeperException.NoAuthException.class, () -> engine.create(bobSpace.path()
                    + "/serverUri=6.6.6.6:666;version=1;refId=evil;sequence=", bytes("6.6.6.6:666"),
                    ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.EPHEMERAL_SEQUENTIAL));
            assertThrows(KeeperException.NoAuthException.class, () -> engine.create(SPACE.commonParent()
                    + "/bob/evil", null, ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT));
            assertThrows(KeeperException.NoAuthException.class, () -> engine.setACL(SPACE.path(),
                    ZooDefs.Ids.OPEN_ACL_UNSAFE, -1));
            assertThrows(KeeperException.NoAuthException.class, () -> engine.create("/kyuubi/serverUri=6.6.6.6:1;"
                    + "version=1;sequence=", null, ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.EPHEMERAL_SEQUENTIAL));
            // the servers (and kitsune-ctl with their digest) still delete the engine's node
            assertTrue(core.discovery().delete(own));
        }
        // a space created before engines had identities of their own gets its ACL at the next launch
        server.setACL().withACL(ZkAcls.of(ZkAuth.Access.READ_BY_ALL)).forPath(SPACE.path());
        core.discovery().prepareEngineSpace(SPACE);
        try (ZooKeeper engine = connectAs(alice.digest())) {
            engine.create(SPACE.path() + "/serverUri=127.0.0.1:4003;version=1;refId=c;sequence=", null,
                    acl(alice.nodeAcl()), CreateMode.EPHEMERAL_SEQUENTIAL);
        }
        // a space its engine identity opened to others is refused
        try (ZooKeeper engine = connectAs(alice.digest())) {
            engine.create(SPACE.path() + "/planted", null, ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
            assertThrows(DiscoveryException.class, () -> core.discovery().read(SPACE.path() + "/planted"));
        }
        // CONNECTION spaces are containers: their engine cannot remove them, ZooKeeper does once they are empty
        EngineSpace connection = new EngineSpace("kyuubi", "1-spark-4.0", ShareLevel.CONNECTION, "SPARK_SQL",
                "alice", "0f0f0f0f-1111-2222-3333-444444444444");
        core.discovery().prepareEngineSpace(connection);
        assertTrue(server.checkExists().forPath(connection.path()) != null);
    }
}
