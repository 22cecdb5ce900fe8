package kitsune.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.ZooDefs;
import org.apache.zookeeper.ZooKeeper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import kitsune.testkit.Jdbc;
import kitsune.testkit.KitsuneCtl;
import kitsune.testkit.KitsuneServer;
import kitsune.testkit.Zk;

/**
 * ZooKeeper authentication and ACLs (kyuubi.ha.zookeeper.auth.type=DIGEST) against a real server in pseudo mode, its
 * embedded ZooKeeper, a real engine and the Hive JDBC driver: anyone who reaches ZooKeeper still finds the server,
 * but cannot stop it by deleting its node, plant an engine in a user's space or read a session record; kitsune-ctl
 * with the digest still lists and de-registers the server. Without ACLs, anyone can do all of that (as before).
 */
class ZooKeeperAclTest {
    private static final String DIGEST = "kitsune:zk-s3cret-for-tests";
    private static final String SPACE = "/kyuubi_1-spark-4.0_USER_SPARK_SQL/wanda/default";

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static String serverNode(ZooKeeper zk) throws Exception {
        List<String> servers = zk.getChildren("/kyuubi", false);
        assertEquals(1, servers.size(), servers.toString());
        return "/kyuubi/" + servers.get(0);
    }

    @Test
    void withAclsOnlyTheServersIdentityChangesItsNodesAndDiscoveryStillWorks(@TempDir Path dir) throws Exception {
        try (KitsuneServer server = new KitsuneServer(dir.resolve("server"))
                .set("kyuubi.ha.zookeeper.auth.type", "DIGEST")
                .set("kyuubi.ha.zookeeper.auth.digest", DIGEST).start();
                ZooKeeper anyone = Zk.connect(server.zkConnect());
                ZooKeeper kitsune = Zk.connect(server.zkConnect())) {
            kitsune.addAuthInfo("digest", bytes(DIGEST));
            int port = server.port();
            try (Connection c = Jdbc.connect(server.zkUrl(), "wanda")) {
                // service discovery through ZooKeeper with the unmodified Hive driver, an engine that registered
                assertEquals(1, ((Number) Jdbc.single(c, "SELECT 1")).intValue());

                String node = serverNode(anyone);
                KeeperException.NoAuthException refused = assertThrows(KeeperException.NoAuthException.class,
                        () -> anyone.delete(node, -1), "an unauthenticated client cannot stop the server");
                assertEquals(node, refused.getPath());

                List<String> engines = anyone.getChildren(SPACE, false);
                assertEquals(1, engines.size(), "engine nodes stay readable: " + engines);
                assertTrue(anyone.getACL(SPACE + "/" + engines.get(0), null).stream().noneMatch(
                        a -> a.getId().getScheme().equals("world") && a.getPerms() != ZooDefs.Perms.READ),
                        "the engine protects its own node too");
                assertThrows(KeeperException.NoAuthException.class, () -> anyone.create(SPACE
                        + "/serverUri=127.0.0.1:1;version=1;refId=planted;sequence=", bytes("127.0.0.1:1"),
                        ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.EPHEMERAL_SEQUENTIAL),
                        "nobody plants a node that sorts newest in wanda's engine space");
                assertThrows(KeeperException.NoAuthException.class,
                        () -> anyone.delete(SPACE + "/" + engines.get(0), -1));

                List<String> records = kitsune.getChildren("/kyuubi_sessions", false);
                assertEquals(1, records.size(), records.toString());
                assertThrows(KeeperException.NoAuthException.class,
                        () -> anyone.getData("/kyuubi_sessions/" + records.get(0), false, null),
                        "a session record is readable by the servers' identity only");
                assertThrows(KeeperException.NoAuthException.class, () -> anyone.getChildren("/kyuubi_sessions",
                        false));

                assertEquals(2, ((Number) Jdbc.single(c, "SELECT 2")).intValue(), "the session goes on");
            }

            Path noDigest = Files.createDirectories(dir.resolve("ctl-without-digest"));
            Files.writeString(noDigest.resolve("kyuubi-defaults.conf"),
                    "kyuubi.zookeeper.embedded.client.port=" + server.zkPort() + "\n");
            KitsuneCtl.Run denied = KitsuneCtl.run(noDigest, dir, "delete", "server", "--host", "127.0.0.1",
                    "--port", String.valueOf(port));
            assertEquals(1, denied.rc(), denied.toString());
            assertTrue(denied.err().contains(": NoAuth: the node is protected by the servers' ZooKeeper identity; set "
                    + "kyuubi.ha.zookeeper.auth.type=DIGEST and kyuubi.ha.zookeeper.auth.digest (or KERBEROS and "
                    + "kyuubi.ha.zookeeper.auth.principal/kyuubi.ha.zookeeper.auth.keytab) as on the servers"),
                    denied.err());

            // the operator's kitsune-ctl reads the digest from the same kyuubi-defaults.conf
            KitsuneCtl.Run list = KitsuneCtl.run(server.confDir, dir, "list", "server");
            assertEquals(0, list.rc(), list.toString());
            assertTrue(list.out().contains("│ " + port + " │"), list.out());
            KitsuneCtl.Run delete = KitsuneCtl.run(server.confDir, dir, "delete", "server", "--host", "127.0.0.1",
                    "--port", String.valueOf(port));
            assertEquals(0, delete.rc(), delete.toString());
            assertEquals("", delete.err());
            server.awaitLog(Pattern.compile("Kitsune instance 127\\.0\\.0\\.1:" + port
                    + " is now de-registered from ZooKeeper"), Duration.ofSeconds(30));
            assertTrue(server.process().waitFor(60, TimeUnit.SECONDS), server.tail());
            assertFalse(server.log().contains(DIGEST.substring(DIGEST.indexOf(':') + 1)), "the password is never logged");
        }
    }

    /**
     * An engine runs users' code: whatever it can read, a user can. Alice's statements look for the servers' digest
     * in everything her engine process can read (its Spark conf, system properties, environment, command line, every
     * file of its work directory) and find nothing; the ZooKeeper identity her engine does hold (read from its own
     * settings file by a statement) registers in her engine space only: it can neither stop the server by deleting
     * its node, nor delete bob's engine or plant one in his space. The servers' identity (kitsune-ctl) still lists and
     * deletes engines, a new engine is launched into the existing space, and the server drains when its node goes.
     */
    @Test
    void anEngineNeverHoldsTheServersIdentityAndItsOwnReachesOnlyItsEngineSpace(@TempDir Path dir) throws Exception {
        String password = DIGEST.substring(DIGEST.indexOf(':') + 1);
        String aliceSpace = "/kyuubi_1-spark-4.0_USER_SPARK_SQL/alice/default";
        String bobSpace = "/kyuubi_1-spark-4.0_USER_SPARK_SQL/bob/default";
        try (KitsuneServer server = new KitsuneServer(dir.resolve("server"))
                .set("kyuubi.ha.zookeeper.auth.type", "DIGEST")
                .set("kyuubi.ha.zookeeper.auth.digest", DIGEST).start();
                ZooKeeper kitsune = Zk.connect(server.zkConnect())) {
            kitsune.addAuthInfo("digest", bytes(DIGEST));
            String appId;
            try (Connection alice = Jdbc.connect(server.zkUrl(), "alice");
                    Connection bob = Jdbc.connect(server.zkUrl(), "bob")) {
                appId = Jdbc.appId(alice);
                assertEquals(1, ((Number) Jdbc.single(bob, "SELECT 1")).intValue());

                // (a) what alice's statements can read of her engine process
                StringBuilder seen = new StringBuilder();
                for (String sql : List.of("SET -v", "SET")) {
                    Jdbc.query(alice, sql).forEach(row -> seen.append(row).append('\n'));
                }
                seen.append(Jdbc.single(alice, "SELECT reflect('java.lang.System', 'getProperties')")).append('\n');
                seen.append(Jdbc.single(alice, "SELECT reflect('java.lang.System', 'getenv')")).append('\n');
                seen.append(Jdbc.single(alice, "SELECT reflect('java.lang.System', 'getProperty', 'sun.java.command')"));
                String pid = (String) Jdbc.single(alice, "SELECT reflect('java.lang.ProcessHandle', 'current')");
                seen.append(Files.readString(Path.of("/proc", pid, "cmdline"))).append('\n');
                seen.append(new String(Files.readAllBytes(Path.of("/proc", pid, "environ")), StandardCharsets.UTF_8));
                assertTrue(seen.toString().contains("spark.master"), "the statements did read the engine's state");
                assertFalse(seen.toString().contains(password), "the servers' digest is nowhere alice can read it");
                // every file of its work directory, read by the engine itself (the literal is reversed so that the
                // statement in the engine's own log does not contain what it looks for)
                String workDir = (String) Jdbc.single(alice, "SELECT reflect('java.lang.System', 'getProperty', "
                        + "'user.dir')");
                Jdbc.execute(alice, "SET spark.sql.files.ignoreMissingFiles=true");
                Jdbc.execute(alice, "CREATE TEMPORARY VIEW work_dir USING binaryFile OPTIONS (path 'file://" + workDir
                        + "', recursiveFileLookup 'true')");
                assertTrue(((Number) Jdbc.single(alice, "SELECT count(*) FROM work_dir WHERE path LIKE "
                        + "'%.properties'")).intValue() >= 1, "the engine reads its own settings file");
                assertEquals(0, ((Number) Jdbc.single(alice, "SELECT count(*) FROM work_dir WHERE "
                        + "instr(cast(content AS STRING), reverse('" + new StringBuilder(password).reverse()
                        + "')) > 0")).intValue(), "no file of alice's engine holds the servers' digest");

                // (b) the ZooKeeper identity alice's engine holds, as a statement reads it from its settings file
                Properties settings = new Properties();
                for (List<Object> row : Jdbc.query(alice, "SELECT value FROM text.`file://" + workDir
                        + "/engine-*.properties`")) {
                    settings.load(new java.io.StringReader(String.valueOf(row.get(0))));
                }
                String held = settings.getProperty("kitsune.engine.zookeeper.digest",
                        settings.getProperty("kyuubi.ha.zookeeper.auth.digest"));
                assertTrue(held != null && held.startsWith("engine-"), "alice's engine holds an identity of its own");
                String serverNode = serverNode(kitsune);
                List<String> bobEngines = kitsune.getChildren(bobSpace, false);
                assertEquals(1, bobEngines.size(), bobEngines.toString());
                try (ZooKeeper asAlicesEngine = Zk.connect(server.zkConnect())) {
                    asAlicesEngine.addAuthInfo("digest", bytes(held));
                    assertThrows(KeeperException.NoAuthException.class, () -> asAlicesEngine.delete(serverNode, -1),
                            "alice's engine cannot stop the server");
                    assertThrows(KeeperException.NoAuthException.class,
                            () -> asAlicesEngine.delete(bobSpace + "/" + bobEngines.get(0), -1),
                            "nor end bob's engine");
                    assertThrows(KeeperException.NoAuthException.class, () -> asAlicesEngine.create(bobSpace
                            + "/serverUri=127.0.0.1:1;version=1;refId=planted;sequence=", bytes("127.0.0.1:1"),
                            ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.EPHEMERAL_SEQUENTIAL),
                            "nor plant an engine in bob's space");
                    assertThrows(KeeperException.NoAuthException.class, () -> asAlicesEngine.create(
                            "/kyuubi_1-spark-4.0_USER_SPARK_SQL/bob/other", null, ZooDefs.Ids.OPEN_ACL_UNSAFE,
                            CreateMode.PERSISTENT), "nor make bob a new space");
                    // what it may: register (and unregister) in alice's own space
                    String own = asAlicesEngine.create(aliceSpace + "/probe-", null, ZooDefs.Ids.OPEN_ACL_UNSAFE,
                            CreateMode.EPHEMERAL_SEQUENTIAL);
                    asAlicesEngine.delete(own, -1);
                }
                assertEquals(2, ((Number) Jdbc.single(alice, "SELECT 2")).intValue(), "alice's session goes on");
                assertEquals(2, ((Number) Jdbc.single(bob, "SELECT 2")).intValue(), "bob's session goes on");
            }

            // (c) the servers' identity: kitsune-ctl lists and deletes alice's engine, the next one launches into the
            // same space
            KitsuneCtl.Run list = KitsuneCtl.run(server.confDir, dir, "list", "engine", "--user", "alice");
            assertEquals(0, list.rc(), list.toString());
            assertTrue(list.out().contains(appId), list.out());
            KitsuneCtl.Run deleteEngine = KitsuneCtl.run(server.confDir, dir, "delete", "engine", "--user", "alice");
            assertEquals(0, deleteEngine.rc(), deleteEngine.toString());
            try (Connection alice = Jdbc.connect(server.zkUrl(), "alice")) {
                assertNotEquals(appId, Jdbc.appId(alice), "a new engine in the prepared space");
                assertEquals(3, ((Number) Jdbc.single(alice, "SELECT 3")).intValue());
            }
            KitsuneCtl.Run delete = KitsuneCtl.run(server.confDir, dir, "delete", "server", "--host", "127.0.0.1",
                    "--port", String.valueOf(server.port()));
            assertEquals(0, delete.rc(), delete.toString());
            server.awaitLog(Pattern.compile("is now de-registered from ZooKeeper"), Duration.ofSeconds(30));
            assertTrue(server.process().waitFor(60, TimeUnit.SECONDS), server.tail());
            assertFalse(server.log().contains(password), "the password is never logged");
        }
    }

    @Test
    void withoutAclsAnyoneMayStillChangeTheNodesAsBefore(@TempDir Path dir) throws Exception {
        try (KitsuneServer server = new KitsuneServer(dir.resolve("server")).start();
                ZooKeeper anyone = Zk.connect(server.zkConnect())) {
            String node = serverNode(anyone);
            anyone.create("/kyuubi/planted", null, ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.EPHEMERAL);
            anyone.delete(node, -1);
            server.awaitLog(Pattern.compile("is now de-registered from ZooKeeper"), Duration.ofSeconds(30));
            assertTrue(server.process().waitFor(60, TimeUnit.SECONDS), server.tail());
        }
    }

    @Test
    void aclsWithoutAnIdentityOrAMalformedDigestStopTheStartWithOneLine(@TempDir Path dir) throws Exception {
        try (KitsuneServer s = new KitsuneServer(dir.resolve("acl")).set("kyuubi.ha.zookeeper.acl.enabled", "true")) {
            assertNotEquals(0, s.startExpectingExit(Duration.ofSeconds(60)));
            assertTrue(s.console().contains("kyuubi.ha.zookeeper.acl.enabled=true needs "
                    + "kyuubi.ha.zookeeper.auth.type=DIGEST (now NONE)"), s.console() + s.tail());
        }
        try (KitsuneServer s = new KitsuneServer(dir.resolve("digest"))
                .set("kyuubi.ha.zookeeper.auth.type", "DIGEST")
                .set("kyuubi.ha.zookeeper.auth.digest", "no-colon-secretpw")) {
            assertNotEquals(0, s.startExpectingExit(Duration.ofSeconds(60)));
            String out = s.console() + s.log();
            assertTrue(out.contains("Invalid value for kyuubi.ha.zookeeper.auth.digest (not shown): expected "
                    + "user:password"), out);
            assertFalse(out.contains("secretpw"), out);
        }
    }
}
