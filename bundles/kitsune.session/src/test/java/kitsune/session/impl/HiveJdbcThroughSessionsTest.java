package kitsune.session.impl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;

import org.apache.hive.service.rpc.thrift.TCLIService;
import org.apache.hive.service.rpc.thrift.TCloseSessionReq;
import org.apache.hive.service.rpc.thrift.TFetchResultsReq;
import org.apache.hive.service.rpc.thrift.TOpenSessionReq;
import org.apache.thrift.TProcessor;
import org.apache.thrift.TProcessorFactory;
import org.apache.thrift.protocol.TBinaryProtocol;
import org.apache.thrift.server.TThreadPoolServer;
import org.apache.thrift.transport.TServerSocket;
import org.apache.thrift.transport.TTransport;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import kitsune.api.conf.KitsuneConf;
import kitsune.internal.testing.HiveJdbc;
import kitsune.thrift.ClientContext;

/**
 * The session manager behind a plain NOSASL Thrift server, driven by the real Hive JDBC 4.0.1 driver: what
 * OpenSession answers must satisfy the driver, and a query's rows must stream from the engine to the client.
 */
class HiveJdbcThroughSessionsTest {
    @TempDir
    Path work;
    private FakeEngine engine;
    private SessionManagerImpl manager;
    private TThreadPoolServer server;
    private TServerSocket socket;
    private Thread thread;

    @BeforeEach
    void setUp() throws Exception {
        engine = new FakeEngine();
        FakeDiscovery discovery = new FakeDiscovery();
        discovery.register("/kyuubi_1-spark-4.0_USER_SPARK_SQL/alice/default", engine.port(), "r");
        EngineServices services = new EngineServices();
        services.runtimeStarted();
        services.setDiscovery(discovery);
        services.addProvider(new FakeProvider(discovery, engine.port()));
        manager = new SessionManagerImpl(new EngineLocator(services, new ServerIdentity("kitsune", "staff"),
                Duration.ofMillis(20)), Clock.systemUTC());
        manager.configure(KitsuneConf.of(Map.of("kitsune.work.dir", work.toString(),
                "kyuubi.engine.security.secret.provider.simple.secret", FakeEngine.SECRET)));

        socket = new TServerSocket(new InetSocketAddress("127.0.0.1", 0));
        server = new TThreadPoolServer(new TThreadPoolServer.Args(socket).processorFactory(new TProcessorFactory(null) {
            @Override
            public TProcessor getProcessor(TTransport client) {
                return new TCLIService.Processor<>(handlerFor(new ClientContext(UUID.randomUUID().toString(), null,
                        "127.0.0.1")));
            }
        }).protocolFactory(new TBinaryProtocol.Factory()));
        thread = new Thread(server::serve, "test-frontend");
        thread.setDaemon(true);
        thread.start();
        Awaitility.await("the test frontend serving").atMost(Duration.ofSeconds(10))
                .pollInterval(Duration.ofMillis(5)).until(server::isServing);
    }

    /** What the frontend does: OpenSession gets the connection's context, everything else goes straight on. */
    private TCLIService.Iface handlerFor(ClientContext ctx) {
        return (TCLIService.Iface) Proxy.newProxyInstance(getClass().getClassLoader(),
                new Class<?>[] {TCLIService.Iface.class}, (proxy, method, args) -> {
                    if (method.getName().equals("OpenSession")) return manager.openSession(ctx, (TOpenSessionReq) args[0]);
                    try {
                        return method.invoke(manager, args);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
    }

    @AfterEach
    void tearDown() throws Exception {
        server.stop();
        manager.shutdown();
        engine.close();
    }

    private String url() {
        return "jdbc:hive2://127.0.0.1:" + socket.getServerSocket().getLocalPort() + "/default;auth=noSasl";
    }

    /** The Hive driver sends the URL's session variable hive.server2.proxy.user with OpenSession. */
    @Test
    void theDriversProxyUserSessionVariableReachesTheSessionManager() throws Exception {
        manager.configure(KitsuneConf.of(Map.of("kitsune.work.dir", work.toString(),
                "kyuubi.engine.security.secret.provider.simple.secret", FakeEngine.SECRET,
                "hadoop.proxyuser.svc.users", "alice", "hadoop.proxyuser.svc.hosts", "127.0.0.1")));
        String url = "jdbc:hive2://127.0.0.1:" + socket.getServerSocket().getLocalPort()
                + "/default;auth=noSasl;hive.server2.proxy.user=alice";
        try (Connection c = HiveJdbc.connect(url, "svc", "")) {
            assertTrue(c.isValid(5));
            assertEquals("alice", manager.sessions().get(0).user(), "the session is alice's, opened by svc");
        }
        SQLException refused = assertThrows(SQLException.class, () -> HiveJdbc.connect(url.replace("=alice", "=root"),
                "svc", ""));
        assertTrue(refused.getMessage().contains("User svc is not allowed to impersonate root"), refused.getMessage());
    }

    @Test
    void queryRowsStreamThroughToTheDriver() throws Exception {
        try (Connection c = HiveJdbc.connect(url() + "?spark.sql.shuffle.partitions=3", "alice", "")) {
            assertTrue(c.isValid(5));
            assertEquals("Spark SQL", c.getMetaData().getDatabaseProductName());
            try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT 'hello'")) {
                assertTrue(rs.next());
                assertEquals("hello", rs.getString(1));
                assertFalse(rs.next());
            }
            assertEquals(1, manager.openSessionCount());
            TOpenSessionReq sent = engine.requests(TOpenSessionReq.class).get(0);
            assertEquals("3", sent.getConfiguration().get("set:hiveconf:spark.sql.shuffle.partitions"));
            assertEquals("default", sent.getConfiguration().get("use:database"));
            assertTrue(engine.requests(TFetchResultsReq.class).stream().anyMatch(r -> r.getMaxRows() == 1000),
                    "the driver's fetch size reaches the engine");
        }
        assertEquals(0, manager.openSessionCount(), "Connection.close closes the session");
        assertEquals(1, engine.requests(TCloseSessionReq.class).size());
    }

    @Test
    void openSessionErrorReachesTheDriver() {
        manager.refuseNewSessions("Server is draining; use another one");
        SQLException e = assertThrows(SQLException.class, () -> HiveJdbc.connect(url(), "alice", ""));
        assertTrue(e.getMessage().contains("Server is draining; use another one"), e.getMessage());
    }
}
