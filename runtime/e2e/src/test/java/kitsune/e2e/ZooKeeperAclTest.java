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
