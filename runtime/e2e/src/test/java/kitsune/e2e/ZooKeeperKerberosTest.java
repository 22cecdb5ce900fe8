package kitsune.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.ZooDefs;
import org.apache.zookeeper.ZooKeeper;
import org.apache.zookeeper.data.ACL;
import org.apache.zookeeper.data.Id;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import kitsune.testkit.Jdbc;
import kitsune.testkit.KitsuneCtl;
import kitsune.testkit.KitsuneServer;
import kitsune.testkit.TestKdc;
import kitsune.testkit.Zk;
import kitsune.testkit.ZooKeeperEnsemble;

/**
 * kyuubi.ha.zookeeper.auth.type=KERBEROS against a real ZooKeeper server (a separate JVM) that authenticates clients
 * by SASL with its own zookeeper/localhost keys from a real KDC (Apache Kerby in the test JVM): the server and its
 * engine log in from their own keytabs (the engine as kyuubi.ha.zookeeper.engine.auth.principal, never as the
 * server), their nodes name those principals in their ACLs, an unauthenticated client can
 * neither stop the server nor plant an engine, the Hive driver still finds the server through ZooKeeper, and
 * kitsune-ctl with the server's conf lists and de-registers it.
 */
class ZooKeeperKerberosTest {
    private static final String SPACE = "/kyuubi_1-spark-4.0_USER_SPARK_SQL/wanda/default";

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void aKerberizedServerAndEngineProtectTheirNodesAndDiscoveryStillWorks(@TempDir Path dir) throws Exception {
        try (TestKdc kdc = TestKdc.start(dir.resolve("kdc"))) {
            // the ZooKeeper client asks for zookeeper/<canonical name of the address it connects to>
            String zkHost = InetAddress.getByName("127.0.0.1").getCanonicalHostName().toLowerCase(Locale.ROOT);
            String zkPrincipal = TestKdc.principal("zookeeper/" + zkHost);
            Path zkKeytab = kdc.keytab("zookeeper/" + zkHost);
            // _HOST in the server's principal stands for this machine's canonical host name
            String host = InetAddress.getLocalHost().getCanonicalHostName().toLowerCase(Locale.ROOT);
            String kitsune = TestKdc.principal("kitsune/" + host);
            Path kitsuneKeytab = kdc.keytab("kitsune/" + host);
            String engine = TestKdc.principal("engine/" + host);
            Path engineKeytab = kdc.keytab("engine/" + host);
            String krb5 = "-Djava.security.krb5.conf=" + kdc.krb5Conf();

            try (ZooKeeperEnsemble zk = new ZooKeeperEnsemble(dir.resolve("zk"), 1, 500, 2000, 60000).configure(
                    "authProvider.1=org.apache.zookeeper.server.auth.SASLAuthenticationProvider\n",
                    List.of(krb5, "-Djava.security.auth.login.config="
                            + kdc.jaasFile("Server", zkPrincipal, zkKeytab))).start();
                    KitsuneServer server = new KitsuneServer(dir.resolve("server"))
                            .javaOption(krb5)
                            .set("kyuubi.ha.addresses", zk.connectString())
                            .set("kyuubi.ha.zookeeper.auth.type", "KERBEROS")
                            .set("kyuubi.ha.zookeeper.auth.principal", "kitsune/_HOST@" + TestKdc.REALM)
                            .set("kyuubi.ha.zookeeper.auth.keytab", kitsuneKeytab.toString())
                            .set("kyuubi.ha.zookeeper.engine.auth.type", "KERBEROS")
                            .set("kyuubi.ha.zookeeper.engine.auth.principal", "engine/_HOST@" + TestKdc.REALM)
                            .set("kyuubi.ha.zookeeper.engine.auth.keytab", engineKeytab.toString())
                            .set("spark.driver.extraJavaOptions", krb5).start();
                    ZooKeeper anyone = Zk.connect(zk.connectString())) {
                List<String> servers = anyone.getChildren("/kyuubi", false);
                assertEquals(1, servers.size(), servers.toString());
                String node = "/kyuubi/" + servers.get(0);
                List<ACL> acl = anyone.getACL(node, null);
                assertTrue(acl.contains(new ACL(ZooDefs.Perms.ALL, new Id("sasl", kitsune))),
                        "the server's node is the principal's: " + acl);
                assertTrue(acl.contains(new ACL(ZooDefs.Perms.READ, ZooDefs.Ids.ANYONE_ID_UNSAFE)), acl.toString());
                assertEquals(2, acl.size(), acl.toString());
                assertThrows(KeeperException.NoAuthException.class, () -> anyone.delete(node, -1),
                        "an unauthenticated client cannot stop the server");

                try (Connection c = Jdbc.connect(server.zkUrl(), "wanda")) {
                    // the unmodified Hive driver finds the server through ZooKeeper; the engine registered itself
                    assertEquals(1, ((Number) Jdbc.single(c, "SELECT 1")).intValue());
                    List<String> engines = anyone.getChildren(SPACE, false);
                    assertEquals(1, engines.size(), engines.toString());
                    List<ACL> engineAcl = anyone.getACL(SPACE + "/" + engines.get(0), null);
                    assertTrue(engineAcl.contains(new ACL(ZooDefs.Perms.ALL, new Id("sasl", engine))),
                            "the engine logged in as its own principal: " + engineAcl);
                    assertTrue(engineAcl.contains(new ACL(ZooDefs.Perms.ALL, new Id("sasl", kitsune))),
                            "the servers may still delete it: " + engineAcl);
                    List<ACL> spaceAcl = anyone.getACL(SPACE, null);
                    assertTrue(spaceAcl.contains(new ACL(ZooDefs.Perms.READ | ZooDefs.Perms.CREATE
                            | ZooDefs.Perms.DELETE, new Id("sasl", engine))), spaceAcl.toString());
                    Path settingsFile;
                    try (var files = Files.walk(server.workDir.resolve("engines"))) {
                        settingsFile = files.filter(f -> f.getFileName().toString()
                                .matches("engine-.*\\.properties")).findFirst().orElseThrow();
                    }
                    String settings = Files.readString(settingsFile);
                    assertTrue(settings.contains(engineKeytab.toString()), settings);
                    // the servers' principal appears only as a name in the ACL of the engine's node
                    assertTrue(!settings.contains(kitsuneKeytab.toString())
                            && !settings.contains("kyuubi.ha.zookeeper.auth.") && !settings.contains("kyuubi.kinit."),
                            "the engine is never told to log in as the servers' principal, nor their keytab:\n"
                            + settings);
                    assertThrows(KeeperException.NoAuthException.class, () -> anyone.create(SPACE
                            + "/serverUri=127.0.0.1:1;version=1;refId=planted;sequence=", bytes("127.0.0.1:1"),
                            ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.EPHEMERAL_SEQUENTIAL),
                            "nobody plants an engine in wanda's engine space");
                    assertThrows(KeeperException.NoAuthException.class,
                            () -> anyone.delete(SPACE + "/" + engines.get(0), -1));
                    assertEquals(2, ((Number) Jdbc.single(c, "SELECT 2")).intValue(), "the session goes on");
                }
                assertTrue(server.countLog("ZooKeeper Kerberos principal " + kitsune) >= 1, server.tail());

                // the operator's kitsune-ctl logs in from the same kyuubi-defaults.conf
                Map<String, String> env = Map.of("KITSUNE_CTL_JAVA_OPTS", krb5);
                KitsuneCtl.Run list = KitsuneCtl.run(env, server.confDir, dir, "list", "server");
                assertEquals(0, list.rc(), list.toString());
                assertTrue(list.out().contains("│ " + server.port() + " │"), list.out());
                KitsuneCtl.Run delete = KitsuneCtl.run(env, server.confDir, dir, "delete", "server", "--host",
                        "127.0.0.1", "--port", String.valueOf(server.port()));
                assertEquals(0, delete.rc(), delete.toString());
                server.awaitLog(Pattern.compile("Kitsune instance 127\\.0\\.0\\.1:" + server.port()
                        + " is now de-registered from ZooKeeper"), Duration.ofSeconds(30));
                assertTrue(server.process().waitFor(60, TimeUnit.SECONDS), server.tail());
            }
        }
    }

    @Test
    void kerberosWithoutAPrincipalOrAReadableKeytabStopsTheStartWithOneLineNamingTheKey(@TempDir Path dir)
            throws Exception {
        try (KitsuneServer s = new KitsuneServer(dir.resolve("principal"))
                .set("kyuubi.ha.addresses", "127.0.0.1:1")
                .set("kyuubi.ha.zookeeper.auth.type", "KERBEROS")) {
            assertNotEquals(0, s.startExpectingExit(Duration.ofSeconds(60)));
            assertTrue(s.console().contains("kyuubi.ha.zookeeper.auth.type=KERBEROS needs "
                    + "kyuubi.ha.zookeeper.auth.principal (or kyuubi.kinit.principal)"), s.console() + s.tail());
        }
        Path missing = dir.resolve("no.keytab");
        try (KitsuneServer s = new KitsuneServer(dir.resolve("keytab"))
                .set("kyuubi.ha.addresses", "127.0.0.1:1")
                .set("kyuubi.ha.zookeeper.engine.auth.type", "KERBEROS")
                .set("kyuubi.kinit.principal", "kitsune/_HOST@" + TestKdc.REALM)
                .set("kyuubi.ha.zookeeper.auth.keytab", missing.toString())) {
            assertNotEquals(0, s.startExpectingExit(Duration.ofSeconds(60)));
            assertTrue(s.console().contains("kyuubi.ha.zookeeper.auth.keytab=" + missing + " is not a readable file"),
                    s.console() + s.tail());
        }
    }
}
