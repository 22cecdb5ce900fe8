package kitsune.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.Field;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.apache.hive.jdbc.HiveStatement;
import org.apache.hive.org.apache.thrift.protocol.TBinaryProtocol;
import org.apache.hive.org.apache.thrift.transport.THttpClient;
import org.apache.hive.org.apache.thrift.transport.TTransportException;
import org.apache.hive.service.rpc.thrift.TCLIService;
import org.apache.hive.service.rpc.thrift.TCloseSessionReq;
import org.apache.hive.service.rpc.thrift.TExecuteStatementReq;
import org.apache.hive.service.rpc.thrift.TExecuteStatementResp;
import org.apache.hive.service.rpc.thrift.TOpenSessionReq;
import org.apache.hive.service.rpc.thrift.TOpenSessionResp;
import org.apache.hive.service.rpc.thrift.TSessionHandle;
import org.apache.hive.service.rpc.thrift.TStatusCode;
import org.apache.zookeeper.ZooKeeper;
import org.awaitility.Awaitility;

import kitsune.testkit.Engines;
import kitsune.testkit.FreePorts;
import kitsune.testkit.Jdbc;
import kitsune.testkit.KitsuneServer;
import kitsune.testkit.RestClient;
import kitsune.testkit.TcpBalancer;
import kitsune.testkit.Zk;
import kitsune.testkit.ZooKeeperEnsemble;

/**
 * Two production-mode servers with the Thrift HTTP transport behind a plain TCP balancer: the server holding a
 * session is killed (SIGKILL), and the same java.sql.Connection goes on through the other server, which continues the
 * session from its record — its settings, its temporary view and a query that was running at the moment of the crash.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class SessionFailoverTest {
    /** The cookie signing key both servers share. */
    private static final String COOKIE_KEY = "a-shared-cookie-key-for-both-servers-0123";
    private Path root;
    private ZooKeeperEnsemble zk;
    private final List<KitsuneServer> servers = new ArrayList<>();
    private final List<Integer> httpPorts = new ArrayList<>();
    private TcpBalancer balancer;
    private String url;

    @BeforeAll
    void start() throws Exception {
        root = Files.createTempDirectory("kitsune-failover-");
        zk = new ZooKeeperEnsemble(root.resolve("zk"), 1, 500, 2000, 60000).start();
        List<CompletableFuture<KitsuneServer>> starting = new ArrayList<>();
        for (String name : List.of("s1", "s2")) {
            int http = FreePorts.next();
            httpPorts.add(http);
            KitsuneServer s = new KitsuneServer(root.resolve(name))
                    .set("kyuubi.ha.addresses", zk.connectString())
                    // servers of one namespace on separate work dirs (hosts) share the secret the operator sets
                    .set("kyuubi.engine.security.secret.provider.simple.secret", "namespace-engine-secret-3f9a1c")
                    .set("kyuubi.frontend.protocols", "THRIFT_BINARY,THRIFT_HTTP")
                    .set("kyuubi.frontend.thrift.http.bind.host", "127.0.0.1")
                    .set("kyuubi.frontend.thrift.http.bind.port", String.valueOf(http))
                    .set("spark.master", "local[2]")
                    .set("spark.driver.memory", "640m")
                    .set("kyuubi.session.engine.idle.timeout", "PT5M")
                    .set("kitsune.frontend.thrift.http.cookie.secrets", COOKIE_KEY);
            servers.add(s);
            starting.add(CompletableFuture.supplyAsync(() -> {
                try {
                    return s.start();
                } catch (Exception e) {
                    throw new RuntimeException(e);
                }
            }));
        }
        starting.forEach(CompletableFuture::join);
        String serverUrl = servers.get(0).awaitLog(Pattern.compile("JDBC connection over HTTP at: (jdbc:hive2://\\S+)"),
                Duration.ofSeconds(30)).group(1);
        balancer = new TcpBalancer(httpPorts.stream().map(p -> new InetSocketAddress("127.0.0.1", p)).toList());
        url = serverUrl.replaceFirst("jdbc:hive2://[^/]+/", "jdbc:hive2://127.0.0.1:" + balancer.port() + "/");
    }

    @AfterAll
    void stop() throws Exception {
        if (balancer != null) balancer.close();
        for (KitsuneServer s : servers) {
            try {
                s.close();
            } catch (Exception e) {
                System.err.println("closing " + s.dir + ": " + e);
            }
        }
        if (zk != null) zk.close();
    }

    /** Each test starts with both servers serving: the one an earlier test stopped is started again. */
    @BeforeEach
    void bothServersServe() throws Exception {
        for (KitsuneServer s : servers) {
            if (!s.isAlive()) s.start();
        }
    }

    /** The server whose log says it opened a session for that user. */
    private KitsuneServer holderOf(String user) throws Exception {
        for (KitsuneServer s : servers) {
            if (s.isAlive() && s.countLog("Opened session") > 0 && s.log().contains(" for " + user + " from ")) {
                return s;
            }
        }
        throw new AssertionError("no server opened a session for " + user);
    }

    @Test
    @Order(1)
    void aDrainedServerHandsItsHttpSessionsToTheOtherServerAndExitsAtOnce() throws Exception {
        try (Connection c = Jdbc.connect(url, "dora"); ZooKeeper client = Zk.connect(zk.connectString())) {
            Jdbc.execute(c, "SET spark.sql.shuffle.partitions=9");
            KitsuneServer holder = holderOf("dora");
            KitsuneServer other = servers.get(0) == holder ? servers.get(1) : servers.get(0);
            String node = null;
            for (String child : client.getChildren("/kyuubi", false)) {
                if (child.startsWith("serverUri=127.0.0.1:" + holder.port() + ";")) node = "/kyuubi/" + child;
            }
            assertTrue(node != null, "the holder's node");
            long deleted = System.nanoTime();
            client.delete(node, -1); // what kitsune-ctl delete server does
            assertTrue(holder.awaitExit(Duration.ofSeconds(30)), "the drained server exits with dora's session open");
            double exitSeconds = (System.nanoTime() - deleted) / 1e9;
            assertTrue(holder.log().contains("HTTP session(s) handed over"), "it handed the session over");
            assertEquals("9", Jdbc.query(c, "SET spark.sql.shuffle.partitions").get(0).get(1),
                    "dora's session goes on through the other server");
            assertTrue(other.log().contains("Resumed session"), "the other server continued it");
            System.out.printf("[failover] drained server exited %.1f s after its node was deleted%n", exitSeconds);
        }
    }

    @Test
    @Order(2)
    void afterTheServingServerIsKilledTheSameConnectionGoesOnThroughTheOtherServer() throws Exception {
        try (Connection c = Jdbc.connect(url, "alice")) {
            Jdbc.execute(c, "SET spark.sql.shuffle.partitions=7");
            Jdbc.execute(c, "CREATE TEMPORARY VIEW answer AS SELECT 42 AS x");
            assertEquals(42, ((Number) Jdbc.single(c, "SELECT x FROM answer")).intValue());
            KitsuneServer holder = holderOf("alice");
            KitsuneServer other = servers.get(0) == holder ? servers.get(1) : servers.get(0);

            // a query that runs for a while, submitted before the crash on a second statement of the same session
            // (executeAsync returns once the server has accepted it), then polled and fetched from another thread
            Statement running = c.createStatement();
            assertTrue(((HiveStatement) running).executeAsync("SELECT count(*) FROM range(0, 4000000000, 1, "
                    + "4) WHERE id % 13 = 5"), "a query with a result");
            CompletableFuture<Long> longQuery = CompletableFuture.supplyAsync(() -> {
                try (running; ResultSet rs = running.getResultSet()) {
                    rs.next();
                    return rs.getLong(1);
                } catch (Exception e) {
                    throw new RuntimeException(e);
                }
            });
            long killedAt = System.nanoTime();
            java.time.Instant killedWall = java.time.Instant.now();
            holder.kill9();

            assertEquals("7", Jdbc.query(c, "SET spark.sql.shuffle.partitions").get(0).get(1),
                    "the session's setting, through the other server");
            double firstAnswerMs = (System.nanoTime() - killedAt) / 1e6;
            assertEquals(42, ((Number) Jdbc.single(c, "SELECT x FROM answer")).intValue(),
                    "the session's temporary view");
            assertEquals(307692308L, longQuery.get(180, TimeUnit.SECONDS), "the query running at the crash");
            assertTrue(other.log().matches("(?s).*Resumed session \\S+ of alice .*"),
                    "the other server continued the session");
            // the survivor's first call for the session (whichever of the two threads made it), by its log's clock
            java.util.regex.Matcher resumed = other.awaitLog(Pattern.compile("(\\d{4}-\\d\\d-\\d\\d "
                    + "\\d\\d:\\d\\d:\\d\\d\\.\\d{3}) .*Resumed session \\S+ of alice "), Duration.ofSeconds(5));
            java.time.Instant resumedAt = java.time.LocalDateTime.parse(resumed.group(1).replace(' ', 'T'))
                    .atZone(java.time.ZoneId.systemDefault()).toInstant();
            System.out.printf("[failover] SIGKILL to the survivor's first call for the session: %d ms; to the first "
                    + "statement answered on the connection: %.0f ms (it waits for the other thread's status poll)%n",
                    Duration.between(killedWall, resumedAt).toMillis(), firstAnswerMs);
        }
    }

    /** The session handle the Hive driver holds for this connection (its guid and its secret half). */
    private static TSessionHandle handleOf(Connection c) throws Exception {
        Field f = c.getClass().getDeclaredField("sessHandle");
        f.setAccessible(true);
        return (TSessionHandle) f.get(c);
    }

    /** A raw Thrift client on one server's HTTP port, logging in as that user (or showing only a cookie). */
    private TCLIService.Client raw(int server, String user, String cookie) throws Exception {
        THttpClient http = new THttpClient("http://127.0.0.1:" + httpPorts.get(server) + "/cliservice");
        if (user != null) {
            http.setCustomHeader("Authorization", RestClient.basic(user + ":pw"));
        }
        if (cookie != null) http.setCustomHeader("Cookie", cookie);
        return new TCLIService.Client(new TBinaryProtocol(http));
    }

    /** What ExecuteStatement on that handle answers on that server for that user: null when it ran. */
    private String refusal(int server, String user, TSessionHandle handle) throws Exception {
        TExecuteStatementResp resp = raw(server, user, null)
                .ExecuteStatement(new TExecuteStatementReq(handle, "SELECT 1"));
        return resp.getStatus().getStatusCode() == TStatusCode.ERROR_STATUS ? resp.getStatus().getErrorMessage()
                : null;
    }

    @Test
    @Order(3)
    void bobsLoginWithAlicesSessionHandleIsRefusedOnEitherServer() throws Exception {
        try (Connection c = Jdbc.connect(url, "alice")) {
            assertEquals(1, ((Number) Jdbc.single(c, "SELECT 1")).intValue());
            TSessionHandle alices = handleOf(c);
            for (int server = 0; server < 2; server++) {
                String refused = refusal(server, "bob", alices);
                assertTrue(refused != null && refused.contains("Invalid SessionHandle"),
                        "server " + server + " answers bob: " + refused);
            }
            assertEquals(1, ((Number) Jdbc.single(c, "SELECT 1")).intValue(), "alice goes on");
            for (int server = 0; server < 2; server++) {
                assertEquals(null, refusal(server, "alice", alices), "alice's own login works on server " + server);
            }
        }
    }

    @Test
    @Order(4)
    void aClosedSessionCannotBeResumedOnAnyServer() throws Exception {
        TSessionHandle closed;
        try (Connection c = Jdbc.connect(url, "alice")) {
            assertEquals(1, ((Number) Jdbc.single(c, "SELECT 1")).intValue());
            closed = handleOf(c);
        }
        for (int server = 0; server < 2; server++) {
            String refused = refusal(server, "alice", closed);
            assertTrue(refused != null && refused.contains("Invalid SessionHandle"),
                    "server " + server + " answers: " + refused);
        }
    }

    @Test
    @Order(5)
    void aSessionWhoseEngineWasStoppedGetsAClearErrorOnTheOtherServer() throws Exception {
        try (Connection c = Jdbc.connect(url, "carol")) {
            assertEquals(1, ((Number) Jdbc.single(c, "SELECT 1")).intValue());
            TSessionHandle carols = handleOf(c);
            KitsuneServer holder = holderOf("carol");
            int other = servers.get(0) == holder ? 1 : 0;
            List<ProcessHandle> engines = new ArrayList<>();
            servers.forEach(s -> engines.addAll(Engines.of(s, "carol")));
            assertEquals(1, engines.size(), "carol's engine");
            engines.get(0).destroyForcibly();
            Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> !engines.get(0).isAlive());
            String refused = refusal(other, "carol", carols);
            assertTrue(refused != null && refused.contains("its engine at") && refused.contains("is gone")
                    && refused.contains("open a new session"), refused);
        }
    }

    @Test
    @Order(6)
    void theLoginCookieOfOneServerIsTakenByTheOtherAndAForgedOneIsNot() throws Exception {
        HttpResponse<String> login = HttpClient.newHttpClient().send(HttpRequest
                .newBuilder(URI.create("http://127.0.0.1:" + httpPorts.get(0) + "/cliservice"))
                .header("Authorization", RestClient.basic("erin:pw"))
                .POST(HttpRequest.BodyPublishers.ofString("not thrift")).build(), HttpResponse.BodyHandlers.ofString());
        String cookie = login.headers().firstValue("Set-Cookie").orElseThrow().split(";")[0];
        TOpenSessionResp opened = raw(1, null, cookie).OpenSession(new TOpenSessionReq());
        assertEquals(TStatusCode.SUCCESS_STATUS, opened.getStatus().getStatusCode(),
                "the other server takes the cookie: " + opened.getStatus());
        raw(1, null, cookie).CloseSession(new TCloseSessionReq(opened.getSessionHandle()));

        String forged = cookie.substring(0, cookie.lastIndexOf('.') + 1) + "AAAA";
        TTransportException refused = assertThrows(TTransportException.class,
                () -> raw(1, null, forged).OpenSession(new TOpenSessionReq()));
        assertTrue(refused.getMessage().contains("401"), refused.getMessage());
    }
}
