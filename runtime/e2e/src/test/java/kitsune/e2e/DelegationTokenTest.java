package kitsune.e2e;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;

import kitsune.testkit.Jdbc;
import kitsune.testkit.KitsuneServer;
import kitsune.testkit.MiniDfs;
import kitsune.testkit.TestKdc;

/**
 * Engines on a Kerberized HDFS (Hadoop's MiniDFSCluster in its own JVM, secured by a real KDC): the server, holding
 * the keytab of hive/localhost, obtains each engine user's HDFS delegation token as a proxy user and gives the engine
 * (a local master, no keytab, no ticket) only an owner-only token file. Alice reads her private file and writes and
 * reads a table as alice (its files owned by her; the
 * NameNode's audit log says auth:TOKEN), bob is refused by HDFS's permissions, and with the NameNode's token lifetime
 * cut to 60 s alice's engine keeps reading after her first token expired, on the tokens the server renewed.
 */
class DelegationTokenTest {
    private static final long TOKEN_RENEW_MS = 60_000;

    @Test
    void aliceReadsHerHdfsFileOnTheTokensTheServerObtainedAndRenewsAndBobIsRefused() throws Exception {
        Path dir = Files.createTempDirectory("kitsune-e2e-dtoken-");
        try (TestKdc kdc = TestKdc.start(dir.resolve("kdc"))) {
            Path serverKeytab = kdc.keytab("hive/localhost");
            try (MiniDfs dfs = new MiniDfs(dir.resolve("dfs"), kdc, "hive", List.of("alice", "bob"), TOKEN_RENEW_MS);
                    KitsuneServer server = new KitsuneServer(dir.resolve("server"))
                            .javaOption("-Djava.security.krb5.conf=" + kdc.krb5Conf())
                            .set("kyuubi.kinit.principal", TestKdc.principal("hive/localhost"))
                            .set("kyuubi.kinit.keytab", serverKeytab.toString())
                            .set("kyuubi.engineEnv.HADOOP_CONF_DIR", dfs.confDir.toString())
                            .set("kyuubi.credentials.renewal.interval", "PT20S")
                            .set("kyuubi.credentials.renewal.retry.wait", "PT5S")
                            .start()) {
                String file = dfs.uri + "/user/alice/x";
                String count = "SELECT count(*) FROM text.`" + file + "`";
                String table = dfs.uri + "/user/alice/t";
                try (Connection alice = Jdbc.connect(server.directUrl(), "alice")) {
                    assertEquals(3L, ((Number) Jdbc.single(alice, count)).longValue(), server.tail());
                    assertEquals("alice", Jdbc.single(alice, "SELECT current_user()"));
                    // alice's engine writes a table into HDFS and reads it back, as alice
                    Jdbc.execute(alice, "INSERT OVERWRITE DIRECTORY '" + table + "' USING parquet "
                            + "SELECT id FROM range(5)");
                    assertEquals(10L, ((Number) Jdbc.single(alice, "SELECT sum(id) FROM parquet.`" + table + "`"))
                            .longValue());
                }
                // its files were created by alice, authenticated by her token, and are owned by her
                await().atMost(Duration.ofSeconds(10)).until(() -> java.util.regex.Pattern.compile(
                        "ugi=alice \\(auth:TOKEN\\).*cmd=create\\s+src=/user/alice/t/\\S+\\s+dst=null\\s+perm=alice:")
                        .matcher(dfs.log()).find());
                assertFalse(java.util.regex.Pattern.compile("cmd=create\\s+src=/user/alice/t/\\S+\\s+dst=null\\s+"
                        + "perm=(?!alice:)").matcher(dfs.log()).find(), "a file of alice's table owned by someone else:\n"
                        + dfs.log());
                // alice's first token was issued before this
                long firstRead = System.currentTimeMillis();
                // the NameNode saw alice, authenticated by a delegation token (the engine has no Kerberos login)
                await().atMost(Duration.ofSeconds(10)).until(() -> dfs.log().contains("ugi=alice (auth:TOKEN)"));
                assertTrue(dfs.log().matches("(?s).*ugi=alice \\(auth:TOKEN\\).*cmd=open\\s+src=/user/alice/x.*"),
                        "the NameNode's audit log:\n" + dfs.log());

                // the token file: owner-only, in alice's engine directory, which only the server's user may enter
                Path engines = dir.resolve("server").resolve("work").resolve("engines");
                List<Path> tokenFiles;
                try (Stream<Path> walk = Files.walk(engines)) {
                    tokenFiles = walk.filter(p -> p.getFileName().toString().matches("hadoop-tokens-[0-9a-f-]+"))
                            .toList();
                }
                assertEquals(1, tokenFiles.size(), "one engine, one token file: " + tokenFiles);
                Path tokens = tokenFiles.get(0);
                assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(tokens)));
                assertTrue(tokens.startsWith(engines.resolve("alice")), tokens.toString());
                for (Path p = tokens.getParent(); !p.equals(engines.getParent()); p = p.getParent()) {
                    assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(p)),
                            p.toString());
                }

                try (Connection bob = Jdbc.connect(server.directUrl(), "bob")) {
                    // (a query on text.`path` would hide HDFS's answer behind Spark's UNSUPPORTED_DATASOURCE_FOR_DIRECT_QUERY)
                    SQLException refused = assertThrows(SQLException.class, () -> Jdbc.execute(bob,
                            "CREATE TEMPORARY VIEW alices USING text OPTIONS (path '" + file + "')"));
                    assertTrue(refused.getMessage().contains("Permission denied: user=bob"), refused.getMessage());
                    assertEquals(3L, ((Number) Jdbc.single(bob, "SELECT count(*) FROM text.`" + dfs.uri
                            + "/user/bob/x`")).longValue());
                }
                assertTrue(dfs.log().contains("ugi=bob (auth:TOKEN)"), dfs.log());

                // alice's first token dies 60 s after it was issued; the server renews before that, the engine loads
                // the new file, and a read well after the first token's end still works
                server.awaitLog(java.util.regex.Pattern.compile("Renewed the delegation tokens of engine \\S+ of "
                        + "alice \\(1 tokens"), Duration.ofSeconds(60));
                // the engine loads its file at start, then each replaced one
                await().atMost(Duration.ofSeconds(30)).until(() -> engineLog(engines.resolve("alice"))
                        .split("renewed delegation tokens loaded", -1).length > 2);
                await("alice's first token's end").atMost(Duration.ofSeconds(60))
                        .until(() -> System.currentTimeMillis() > firstRead + TOKEN_RENEW_MS + 5_000);
                try (Connection alice = Jdbc.connect(server.directUrl(), "alice")) {
                    assertEquals(3L, ((Number) Jdbc.single(alice, count)).longValue(), server.tail());
                }
                // the server obtained alice's token more than once, and the engine never logged in itself
                assertTrue(java.util.regex.Pattern.compile("cmd=getDelegationToken\\s+src=HDFS_DELEGATION_TOKEN token "
                        + "\\d+ for alice").matcher(dfs.log()).results().count() >= 2, dfs.log());
                assertFalse(dfs.log().contains("ugi=alice (auth:KERBEROS)"), dfs.log());
            }
        }
    }

    private static String engineLog(Path userDir) throws Exception {
        StringBuilder all = new StringBuilder();
        try (Stream<Path> walk = Files.walk(userDir)) {
            for (Path p : walk.filter(p -> p.getFileName().toString().startsWith("kitsune-spark-engine-")).toList()) {
                all.append(Files.readString(p));
            }
        }
        return all.toString();
    }
}
