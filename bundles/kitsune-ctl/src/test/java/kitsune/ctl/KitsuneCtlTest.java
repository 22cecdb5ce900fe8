package kitsune.ctl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Properties;

import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.retry.RetryOneTime;
import org.apache.curator.test.TestingServer;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.data.Stat;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/** The commands against a real (in-process) ZooKeeper, with nodes laid out as Kitsune servers and engines write them. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class KitsuneCtlTest {
    static final String ENGINES = "/kyuubi_1-spark-4.0_USER_SPARK_SQL";

    private TestingServer zkServer;
    private CuratorFramework zk;
    @TempDir
    Path confDir;

    record Result(int rc, String out, String err) {
    }

    @BeforeAll
    void startZooKeeper() throws Exception {
        zkServer = new TestingServer(true);
        zk = CuratorFrameworkFactory.newClient(zkServer.getConnectString(), new RetryOneTime(100));
        zk.start();
        zk.blockUntilConnected();
    }

    @AfterAll
    void stopZooKeeper() throws Exception {
        if (zk != null) zk.close();
        if (zkServer != null) zkServer.close();
    }

    @BeforeEach
    void cleanTree() throws Exception {
        for (String child : zk.getChildren().forPath("/")) {
            if (!child.equals("zookeeper")) zk.delete().deletingChildrenIfNeeded().forPath("/" + child);
        }
        Files.writeString(confDir.resolve("kyuubi-defaults.conf"),
                "kyuubi.ha.addresses=" + zkServer.getConnectString() + "\nkyuubi.ha.namespace=kyuubi\n");
    }

    private Result ctl(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int rc = new KitsuneCtl(confDir, new Properties(), new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8)).run(args);
        return new Result(rc, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    /** Registers as kitsune.ha does: EPHEMERAL_SEQUENTIAL, data host:port. */
    private String registerServer(String ns, String host, int port, String version) throws Exception {
        return zk.create().creatingParentsIfNeeded().withMode(CreateMode.EPHEMERAL_SEQUENTIAL)
                .forPath(ns + "/serverUri=" + host + ":" + port + ";version=" + version + ";sequence=",
                        (host + ":" + port).getBytes(StandardCharsets.UTF_8));
    }

    /** An engine's node as Kitsune's engines write it: application id in the name, where it runs in the data. */
    private String registerEngine(String space, String host, int port, String refId) throws Exception {
        return zk.create().creatingParentsIfNeeded().withMode(CreateMode.EPHEMERAL_SEQUENTIAL)
                .forPath(space + "/serverUri=" + host + ":" + port + ";version=1-spark-4.0;kyuubi.engine.id=app-" + port
                        + ";refId=" + refId + ";sequence=", ("hive.server2.thrift.bind.host=" + host
                        + ";hive.server2.thrift.port=" + port + ";kitsune.engine.master=spark://m:7077"
                        + ";kitsune.engine.deploy.mode=cluster;kitsune.engine.driver.id=driver-20261205084158-0000")
                        .getBytes(StandardCharsets.UTF_8));
    }

    private static void assertOneErrorLine(Result r, int rc, String message) {
        assertEquals(rc, r.rc(), r.toString());
        assertEquals("Error: " + message + "\n", r.err(), r.toString());
    }

    @Test
    void listServer() throws Exception {
        registerServer("/kyuubi", "127.0.0.1", 10009, "0.1.0");
        registerServer("/kyuubi", "127.0.0.1", 10010, "0.1.0");
        registerServer("/other", "127.0.0.1", 10011, "0.1.0");
        Result r = ctl("list", "server");
        assertEquals(0, r.rc(), r.toString());
        assertEquals("", r.err());
        assertEquals("\n"
                + "          Zookeeper service nodes          \n"
                + "╔═══════════╤═══════════╤═══════╤═════════╗\n"
                + "║ Namespace │ Host      │ Port  │ Version ║\n"
                + "╠═══════════╪═══════════╪═══════╪═════════╣\n"
                + "║ /kyuubi   │ 127.0.0.1 │ 10009 │ 0.1.0   ║\n"
                + "╟───────────┼───────────┼───────┼─────────╢\n"
                + "║ /kyuubi   │ 127.0.0.1 │ 10010 │ 0.1.0   ║\n"
                + "╚═══════════╧═══════════╧═══════╧═════════╝\n"
                + "2 row(s)\n", r.out());
        r = ctl("list", "server", "-n", "other");
        assertTrue(r.out().contains("│ 10011 │") && r.out().endsWith("1 row(s)\n"), r.out());
        r = ctl("list", "server", "--namespace", "/nothing/");
        assertEquals(0, r.rc());
        assertTrue(r.out().endsWith("0 row(s)\n"), r.out());
        r = ctl("list", "server", "--version", "9.9.9");
        assertTrue(r.out().endsWith("0 row(s)\n"), r.out());
    }

    @Test
    void quorumAndNamespaceFromOptionsAndConf() throws Exception {
        registerServer("/ns2", "127.0.0.1", 10009, "0.1.0");
        Files.writeString(confDir.resolve("kyuubi-defaults.conf"), "kyuubi.ha.addresses=127.0.0.1:1\n");
        Result r = ctl("list", "server", "-zk", zkServer.getConnectString(), "--conf", "kyuubi.ha.namespace=ns2");
        assertEquals(0, r.rc(), r.toString());
        assertTrue(r.out().contains("║ /ns2      │ 127.0.0.1 │ 10009 │ 0.1.0   ║"), r.out());
        r = ctl("list", "server", "-n", "ns2", "--conf", "kyuubi.ha.addresses=" + zkServer.getConnectString());
        assertEquals(0, r.rc(), r.toString());
        assertTrue(r.out().endsWith("1 row(s)\n"), r.out());
        // pseudo mode: empty addresses = the embedded ZooKeeper on kyuubi.zookeeper.embedded.client.port
        Files.writeString(confDir.resolve("kyuubi-defaults.conf"),
                "kyuubi.zookeeper.embedded.client.port=" + zkServer.getPort() + "\nkyuubi.ha.namespace=ns2\n");
        r = ctl("get", "server", "--host", "127.0.0.1", "--port", "10009");
        assertEquals(0, r.rc(), r.toString());
        assertTrue(r.out().endsWith("1 row(s)\n"), r.out());
    }

    @Test
    void getServerByNameOrIp() throws Exception {
        registerServer("/kyuubi", "localhost", 10009, "0.1.0");
        registerServer("/kyuubi", "127.0.0.1", 10010, "0.1.0");
        Result r = ctl("get", "server", "--host", "127.0.0.1", "--port", "10009");
        assertEquals(0, r.rc(), r.toString());
        assertTrue(r.out().contains("║ /kyuubi   │ localhost │ 10009 │ 0.1.0   ║"), r.out());
        assertTrue(r.out().endsWith("1 row(s)\n"), r.out());
        r = ctl("get", "server", "-s", "localhost", "-p", "10010");
        assertEquals(0, r.rc(), r.toString());
        assertTrue(r.out().contains("│ 127.0.0.1 │ 10010 │"), r.out());
        assertTrue(r.out().contains("Zookeeper service nodes"), r.out());
    }

    @Test
    void getServerErrors() throws Exception {
        registerServer("/kyuubi", "127.0.0.1", 10009, "0.1.0");
        assertOneErrorLine(ctl("get", "server", "--host", "127.0.0.1", "--port", "10999"), 1,
                "No server registered at 127.0.0.1:10999 in namespace /kyuubi");
        assertOneErrorLine(ctl("get", "server", "--host", "no-such-host.invalid", "--port", "10009"), 2,
                "Unknown host: no-such-host.invalid");
        assertOneErrorLine(ctl("get", "server", "--port", "10009"), 2,
                "Must specify host for service, please use -s or --host.");
        assertOneErrorLine(ctl("get", "server", "--host", "127.0.0.1"), 2,
                "Must specify port for service, please use -p or --port.");
        assertOneErrorLine(ctl("get", "server", "--host", "127.0.0.1", "--port", "x1"), 2,
                "Specified port is not a valid integer number: x1");
        assertOneErrorLine(ctl("get", "server", "--host", "127.0.0.1", "--port", "10009", "-u", "alice"), 2,
                "Option --user applies to engine commands only");
    }

    @Test
    void deleteServer() throws Exception {
        String path = registerServer("/kyuubi", "127.0.0.1", 10009, "0.1.0");
        String other = registerServer("/kyuubi", "127.0.0.1", 10010, "0.1.0");
        Result r = ctl("delete", "server", "--host", "localhost", "--port", "10009");
        assertEquals(0, r.rc(), r.toString());
        assertEquals("", r.err());
        assertTrue(r.out().startsWith("Deleting zookeeper service node:" + path + "\n"), r.out());
        assertTrue(r.out().contains("Deleted zookeeper service nodes"), r.out());
        assertTrue(r.out().contains("║ /kyuubi   │ 127.0.0.1 │ 10009 │ 0.1.0   ║"), r.out());
        assertTrue(r.out().endsWith("1 row(s)\n"), r.out());
        assertNull(zk.checkExists().forPath(path));
        assertNotNull(zk.checkExists().forPath(other));
        assertOneErrorLine(ctl("delete", "server", "--host", "127.0.0.1", "--port", "10009"), 1,
                "No server registered at 127.0.0.1:10009 in namespace /kyuubi");
        assertOneErrorLine(ctl("delete", "server", "--host", "127.0.0.1", "--port", "10010", "-v", "0.2.0"), 1,
                "No server registered at 127.0.0.1:10010 in namespace /kyuubi with version 0.2.0");
        assertNotNull(zk.checkExists().forPath(other));
    }

    @Test
    void createServerExposesIntoAnotherNamespace() throws Exception {
        registerServer("/kyuubi", "127.0.0.1", 10009, "0.1.0");
        registerServer("/kyuubi", "127.0.0.1", 10010, "0.1.0");
        Result r = ctl("create", "server", "--namespace", "exposed");
        assertEquals(0, r.rc(), r.toString());
        assertTrue(r.out().startsWith(
                "Exposing server instance:127.0.0.1:10009 with version:0.1.0 from /kyuubi to /exposed\n"
                        + "Exposing server instance:127.0.0.1:10010 with version:0.1.0 from /kyuubi to /exposed\n"),
                r.out());
        assertTrue(r.out().contains("Created zookeeper service nodes"), r.out());
        assertTrue(r.out().contains("║ /exposed  │ 127.0.0.1 │ 10009 │ 0.1.0   ║"), r.out());
        assertTrue(r.out().endsWith("2 row(s)\n"), r.out());
        List<String> children = zk.getChildren().forPath("/exposed");
        children.sort(null);
        assertEquals(2, children.size());
        assertTrue(children.get(0).matches("serverUri=127\\.0\\.0\\.1:10009;version=0\\.1\\.0;sequence=\\d{10}"),
                children.toString());
        Stat stat = zk.checkExists().forPath("/exposed/" + children.get(0));
        assertEquals(0, stat.getEphemeralOwner(), "persistent");
        assertEquals("127.0.0.1:10009",
                new String(zk.getData().forPath("/exposed/" + children.get(0)), StandardCharsets.UTF_8));

        // a second run does not duplicate them
        r = ctl("create", "server", "--namespace", "exposed");
        assertEquals(0, r.rc(), r.toString());
        assertTrue(r.out().endsWith("0 row(s)\n"), r.out());
        assertEquals(2, zk.getChildren().forPath("/exposed").size());

        // and the exposed nodes are listed and deleted like any server node
        r = ctl("delete", "server", "-n", "exposed", "-s", "127.0.0.1", "-p", "10010");
        assertEquals(0, r.rc(), r.toString());
        assertEquals(1, zk.getChildren().forPath("/exposed").size());
    }

    @Test
    void createServerRefusesTheSameNamespace() throws Exception {
        registerServer("/kyuubi", "127.0.0.1", 10009, "0.1.0");
        String msg = "Only support expose Kitsune server instance to another domain, a different namespace than the "
                + "default namespace [kyuubi] should be specified with --namespace";
        assertOneErrorLine(ctl("create", "server"), 2, msg);
        assertOneErrorLine(ctl("create", "server", "-n", "/kyuubi"), 2, msg);
        assertEquals(1, zk.getChildren().forPath("/kyuubi").size());
    }

    @Test
    void engines() throws Exception {
        String a1 = registerEngine(ENGINES + "/alice/default", "127.0.0.1", 40001, "r1");
        registerEngine(ENGINES + "/alice/adhoc", "127.0.0.1", 40002, "r2");
        String b1 = registerEngine(ENGINES + "/bob/default", "127.0.0.1", 40003, "r3");

        Result r = ctl("list", "engine", "--user", "alice");
        assertEquals(0, r.rc(), r.toString());
        assertTrue(r.out().startsWith("\n" + " ".repeat(65) + "Zookeeper service nodes" + " ".repeat(66) + "\n╔"),
                r.out());
        assertTrue(r.out().contains("║ Namespace                                        │ Host      │ Port  │ Version     │ "
                + "Application                            │ Master                   ║"), r.out());
        assertTrue(r.out().contains("║ " + ENGINES + "/alice/default │ 127.0.0.1 │ 40001 │ 1-spark-4.0 │ app-40001 "
                + "(driver-20261205084158-0000) │ spark://m:7077 (cluster) ║"), r.out());
        assertTrue(r.out().endsWith("1 row(s)\n"), r.out());

        r = ctl("list", "engine", "-u", "alice", "-es", "adhoc");
        assertTrue(r.out().contains("/alice/adhoc │ 127.0.0.1 │ 40002"), r.out());
        r = ctl("list", "engine", "-u", "alice", "--conf", "kyuubi.engine.share.level.subdomain=adhoc");
        assertTrue(r.out().contains("/alice/adhoc │ 127.0.0.1 │ 40002"), r.out());
        r = ctl("list", "engine", "-u", "alice", "-v", "1-spark-3.5");
        assertEquals(0, r.rc(), r.toString());
        assertTrue(r.out().endsWith("0 row(s)\n"), r.out());
        r = ctl("list", "engine", "-u", "carol");
        assertEquals(0, r.rc(), r.toString());
        assertTrue(r.out().endsWith("0 row(s)\n"), r.out());

        r = ctl("get", "engine", "-u", "alice", "-s", "localhost", "-p", "40001");
        assertEquals(0, r.rc(), r.toString());
        assertTrue(r.out().endsWith("1 row(s)\n"), r.out());
        assertOneErrorLine(ctl("get", "engine", "-u", "carol"), 1,
                "No engine registered for user carol in " + ENGINES + "/carol/default");
        assertOneErrorLine(ctl("get", "engine", "-u", "alice", "-s", "127.0.0.1", "-p", "1"), 1,
                "No engine registered for user alice in " + ENGINES + "/alice/default at 127.0.0.1:1");
        assertOneErrorLine(ctl("list", "engine"), 2, "Must specify user name for engine, please use -u or --user.");
        assertOneErrorLine(ctl("list", "engine", "-u", "alice", "-esl", "TEAM"), 2,
                "Invalid engine share level 'TEAM' (allowed: CONNECTION, USER, GROUP, SERVER)");

        r = ctl("delete", "engine", "--user", "bob");
        assertEquals(0, r.rc(), r.toString());
        assertTrue(r.out().startsWith("Deleting zookeeper service node:" + b1 + "\n"), r.out());
        assertTrue(r.out().contains("Deleted zookeeper service nodes"), r.out());
        assertNull(zk.checkExists().forPath(b1));
        assertNotNull(zk.checkExists().forPath(a1));
    }

    @Test
    void connectionEnginesOfEverySession() throws Exception {
        String space = "/kyuubi_1-spark-4.0_CONNECTION_SPARK_SQL/alice";
        registerEngine(space + "/ref-1", "127.0.0.1", 40001, "ref-1");
        registerEngine(space + "/ref-2", "127.0.0.1", 40002, "ref-2");
        Result r = ctl("list", "engine", "-u", "alice", "-esl", "connection");
        assertEquals(0, r.rc(), r.toString());
        assertTrue(r.out().contains(space + "/ref-1") && r.out().contains(space + "/ref-2"), r.out());
        assertTrue(r.out().endsWith("2 row(s)\n"), r.out());
        r = ctl("delete", "engine", "-u", "alice", "-esl", "CONNECTION", "-s", "127.0.0.1", "-p", "40002");
        assertEquals(0, r.rc(), r.toString());
        assertTrue(r.out().endsWith("1 row(s)\n"), r.out());
        assertTrue(zk.getChildren().forPath(space + "/ref-2").isEmpty());
        assertFalse(zk.getChildren().forPath(space + "/ref-1").isEmpty());
    }

    @Test
    void unreachableZooKeeperFailsWithinTheBound() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        long start = System.nanoTime();
        Result r = ctl("list", "server", "-zk", "127.0.0.1:" + port, "--conf",
                "kyuubi.ha.zookeeper.connection.timeout=1500");
        long ms = (System.nanoTime() - start) / 1_000_000;
        assertOneErrorLine(r, 1, "Cannot connect to ZooKeeper at 127.0.0.1:" + port + " within 1500 ms");
        assertEquals("", r.out());
        assertTrue(ms < 6000, ms + " ms");
        assertOneErrorLine(ctl("list", "server", "-zk", "no-such-zk.invalid:2181"), 1,
                "Cannot connect to ZooKeeper at no-such-zk.invalid:2181: unknown host no-such-zk.invalid");
    }

    @Test
    void commandLineErrors() {
        assertOneErrorLine(ctl(), 2, "Must specify action command: [create|get|delete|list] (see kitsune-ctl --help)");
        assertOneErrorLine(ctl("frobnicate", "server"), 2,
                "Unknown command 'frobnicate': expected create, get, delete, list, log or submit (see kitsune-ctl --help)");
        assertOneErrorLine(ctl("list"), 2, "Must specify resource: list [server|engine|session|batch] (see kitsune-ctl --help)");
        assertOneErrorLine(ctl("list", "servers"), 2,
                "Unknown resource 'servers': expected server, engine or session (see kitsune-ctl --help)");
        assertOneErrorLine(ctl("list", "server", "extra"), 2, "Unexpected argument 'extra' (see kitsune-ctl --help)");
        assertOneErrorLine(ctl("list", "server", "--bogus"), 2, "Unknown option: '--bogus' (see kitsune-ctl --help)");
        assertOneErrorLine(ctl("create", "engine", "-u", "a"), 2,
                "create engine is not supported: a server launches an engine on its user's first session");
        Result r = ctl("--help");
        assertEquals(0, r.rc());
        assertTrue(r.out().startsWith("Usage: kitsune-ctl <create|get|delete|list> <server|engine|session|batch> "
                + "[options]\n       kitsune-ctl <submit|log> batch [options]\n"), r.out());
        assertOneErrorLine(ctl("list", "session"), 2, "Must specify the REST API's address for this command: "
                + "--hostUrl http://host:10099 (or kyuubi.ctl.rest.base.url in kyuubi-defaults.conf)");
        assertOneErrorLine(ctl("list", "session", "--hostUrl", "ftp://x"), 2,
                "Invalid --hostUrl 'ftp://x': expected http://host:port or https://host:port");
        assertOneErrorLine(ctl("delete", "session", "--hostUrl", "http://127.0.0.1:1"), 2,
                "Must specify the session: delete session <session identifier>");
        assertOneErrorLine(ctl("delete", "session", "../admin", "--hostUrl", "http://127.0.0.1:1"), 2,
                "Invalid session identifier '../admin': expected the identifier list session shows");
        assertOneErrorLine(ctl("list", "session", "--hostUrl", "http://127.0.0.1:1", "--authSchema", "digest"), 2,
                "Unknown --authSchema 'digest': expected basic or spnego");
        assertOneErrorLine(ctl("list", "session", "--hostUrl", "http://127.0.0.1:1", "--authSchema", "spnego",
                "--spnegoHost", "a/b@EVIL"), 2, "Invalid --spnegoHost 'a/b@EVIL': expected the host name of the REST "
                + "API's HTTP/<host> principal");
        Result conf = ctl("list", "session", "--hostUrl", "http://127.0.0.1:1", "--conf",
                "kyuubi.ctl.rest.auth.schema=kerberos");
        assertEquals(1, conf.rc(), conf.toString());
        assertTrue(conf.err().startsWith("Error: Invalid value for kyuubi.ctl.rest.auth.schema: 'kerberos'"),
                conf.toString());
    }

    @Test
    void aRestCommandAgainstAPortWhereNothingListensFailsInOneLine() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        Result r = ctl("list", "session", "--hostUrl", "http://127.0.0.1:" + port);
        assertEquals(1, r.rc(), r.toString());
        assertTrue(r.err().startsWith("Error: Cannot reach the REST API at http://127.0.0.1:" + port + "/api/v1"),
                r.err());
        assertEquals(1, r.err().strip().lines().count(), r.err());
    }

    @Test
    void batchCommandLinesAreCheckedBeforeAnyRequestIsSent() throws Exception {
        String nowhere = "http://127.0.0.1:1";
        assertOneErrorLine(ctl("create", "batch", "--hostUrl", nowhere), 2,
                "Must specify the batch file: create batch -f <file.yaml>");
        assertOneErrorLine(ctl("submit", "batch", "extra", "-f", "x.yaml", "--hostUrl", nowhere), 2,
                "Unexpected argument 'extra': submit batch takes the batch from -f <file.yaml>");
        assertOneErrorLine(ctl("get", "batch", "--hostUrl", nowhere), 2, "Must specify the batch: get batch <batch id>");
        assertOneErrorLine(ctl("log", "batch", "../../admin/sessions", "--hostUrl", nowhere), 2,
                "Invalid batch id '../../admin/sessions': expected the id create batch or list batch shows");
        assertOneErrorLine(ctl("delete", "batch", "a?b=c", "--hostUrl", nowhere), 2,
                "Invalid batch id 'a?b=c': expected the id create batch or list batch shows");
        assertOneErrorLine(ctl("list", "batch", "--batchState", "DONE", "--hostUrl", nowhere), 2,
                "Invalid --batchState 'DONE': expected PENDING, RUNNING, FINISHED, ERROR or CANCELED");
        assertOneErrorLine(ctl("list", "batch", "--createTime", "2026-12-07", "--hostUrl", nowhere), 2,
                "Invalid --createTime '2026-12-07': expected yyyyMMddHHmmss, e.g. 20261207093000");
        assertOneErrorLine(ctl("list", "batch", "--size", "-1", "--hostUrl", nowhere), 2,
                "Invalid --size '-1': expected a whole number from 0 to 10000");
        assertOneErrorLine(ctl("log", "session"), 2, "Unknown resource 'session': log works on batches only (log batch)");
        assertOneErrorLine(ctl("submit"), 2, "Must specify resource: submit batch (see kitsune-ctl --help)");
        assertOneErrorLine(ctl("get", "batch", "abc"), 2, "Must specify the REST API's address for this command: "
                + "--hostUrl http://host:10099 (or kyuubi.ctl.rest.base.url in kyuubi-defaults.conf)");
        Path missing = confDir.resolve("job.yaml");
        assertOneErrorLine(ctl("create", "batch", "-f", missing.toString(), "--hostUrl", nowhere), 2,
                "Batch file " + missing + " does not exist (-f/--filename)");
    }

    @Test
    void batchOptionsParseWithKyuubiCtlsNames() throws Exception {
        CtlArgs a = CtlArgs.parse("list", "batch", "--batchType", "SPARK", "--batchUser", "alice", "--batchState",
                "RUNNING", "--batchName", "pi", "--createTime", "20261207093000", "--endTime", "20261207103000",
                "--from", "3", "--size", "7");
        assertEquals(List.of("list", "batch"), a.words);
        assertEquals("SPARK", a.batchType);
        assertEquals("alice", a.batchUser);
        assertEquals("RUNNING", a.batchState);
        assertEquals("pi", a.batchName);
        assertEquals("3", a.from);
        assertEquals("7", a.size);
        assertEquals(String.valueOf(java.time.LocalDateTime.of(2026, 12, 7, 9, 30).atZone(java.time.ZoneId.systemDefault())
                .toInstant().toEpochMilli()), BatchCommands.time("--createTime", a.createTime));
        CtlArgs log = CtlArgs.parse("log", "batch", "id-1", "--forward");
        assertTrue(log.forward);
        CtlArgs submit = CtlArgs.parse("submit", "batch", "-f", "job.yaml");
        assertEquals("job.yaml", submit.filename);
        assertTrue(submit.waitCompletion);
        assertFalse(CtlArgs.parse("submit", "batch", "--filename", "j.yaml", "--waitCompletion", "false").waitCompletion);
    }

    @Test
    void aBatchReportShowsTheBatchAsKyuubiCtlDoes() throws Exception {
        com.fasterxml.jackson.databind.JsonNode b = new com.fasterxml.jackson.databind.ObjectMapper().readTree("""
                {"id": "b-1", "user": "alice", "batchType": "SPARK", "name": "pi", "appId": "local-1",
                 "appState": "FINISHED", "appDiagnostic": "", "kyuubiInstance": "h:10009", "state": "FINISHED",
                 "createTime": 0, "endTime": 0}""");
        String report = BatchCommands.report(b);
        assertTrue(report.contains("Batch Report (b-1)"), report);
        assertTrue(report.lines().anyMatch(l -> l.matches("║ State +│ FINISHED +║")), report);
        assertTrue(report.contains("App Id: local-1"), report);
        assertFalse(report.contains("App Diagnostic"), report);
        assertTrue(report.endsWith("8 row(s)\n"), report);
    }
}
