package kitsune.session.impl;

import static org.apache.hive.service.rpc.thrift.TProtocolVersion.HIVE_CLI_SERVICE_PROTOCOL_V10;
import static org.apache.hive.service.rpc.thrift.TProtocolVersion.HIVE_CLI_SERVICE_PROTOCOL_V11;
import static org.apache.hive.service.rpc.thrift.TProtocolVersion.HIVE_CLI_SERVICE_PROTOCOL_V8;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import org.apache.hive.service.rpc.thrift.TCloseOperationReq;
import org.apache.hive.service.rpc.thrift.TCloseOperationResp;
import org.apache.hive.service.rpc.thrift.TCloseSessionReq;
import org.apache.hive.service.rpc.thrift.TCloseSessionResp;
import org.apache.hive.service.rpc.thrift.TExecuteStatementReq;
import org.apache.hive.service.rpc.thrift.TGetOperationStatusResp;
import org.apache.hive.service.rpc.thrift.TOperationState;
import org.apache.hive.service.rpc.thrift.TExecuteStatementResp;
import org.apache.hive.service.rpc.thrift.TFetchOrientation;
import org.apache.hive.service.rpc.thrift.TFetchResultsReq;
import org.apache.hive.service.rpc.thrift.TFetchResultsResp;
import org.apache.hive.service.rpc.thrift.TGetDelegationTokenReq;
import org.apache.hive.service.rpc.thrift.TGetInfoReq;
import org.apache.hive.service.rpc.thrift.TGetResultSetMetadataReq;
import org.apache.hive.service.rpc.thrift.TGetInfoResp;
import org.apache.hive.service.rpc.thrift.TGetInfoType;
import org.apache.hive.service.rpc.thrift.TGetOperationStatusReq;
import org.apache.hive.service.rpc.thrift.TOpenSessionReq;
import org.apache.hive.service.rpc.thrift.TOpenSessionResp;
import org.apache.hive.service.rpc.thrift.TOperationHandle;
import org.apache.hive.service.rpc.thrift.TOperationType;
import org.apache.hive.service.rpc.thrift.TProtocolVersion;
import org.apache.hive.service.rpc.thrift.TSessionHandle;
import org.apache.hive.service.rpc.thrift.TStatus;
import org.apache.hive.service.rpc.thrift.TStatusCode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import kitsune.api.conf.KitsuneConf;
import kitsune.api.engine.EngineConf;
import kitsune.api.engine.EngineLaunchRequest;
import kitsune.api.engine.EngineProvider;
import kitsune.thrift.Callers;
import kitsune.thrift.ClientContext;
import kitsune.thrift.Handles;

class SessionManagerImplTest {
    private static final ServerIdentity SERVER = new ServerIdentity("kitsune", "staff");
    private static final String ALICE_SPACE = "/kyuubi_1-spark-4.0_USER_SPARK_SQL/alice/default";

    @TempDir
    Path work;
    private FakeEngine engine;
    private FakeDiscovery discovery;
    private FakeProvider provider;
    private EngineServices services;
    private MutableClock clock;
    private SessionManagerImpl manager;
    private final ClientContext conn = new ClientContext("conn-1", "alice", "10.0.0.7");

    static final class MutableClock extends Clock {
        volatile Instant now = Instant.parse("2026-01-01T00:00:00Z");

        @Override
        public ZoneOffset getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }

    @BeforeEach
    void setUp() throws Exception {
        engine = new FakeEngine();
        discovery = new FakeDiscovery();
        provider = new FakeProvider(discovery, engine.port());
        services = new EngineServices();
        services.runtimeStarted();
        services.setDiscovery(discovery);
        services.addProvider(provider);
        clock = new MutableClock();
        manager = new SessionManagerImpl(new EngineLocator(services, SERVER, Duration.ofMillis(20)), clock);
        configure(Map.of());
    }

    private void configure(Map<String, String> extra) {
        Map<String, String> conf = new HashMap<>(extra);
        conf.put("kitsune.work.dir", work.toString());
        conf.putIfAbsent("kyuubi.engine.security.secret.provider.simple.secret", FakeEngine.SECRET);
        manager.configure(KitsuneConf.of(conf));
    }

    @AfterEach
    void tearDown() throws Exception {
        manager.shutdown();
        engine.close();
        provider.close();
    }

    private TOpenSessionResp open(TProtocolVersion protocol, Map<String, String> conf) {
        TOpenSessionReq req = new TOpenSessionReq(protocol);
        req.setConfiguration(new HashMap<>(conf));
        return manager.openSession(conn, req);
    }

    private TSessionHandle openOk(Map<String, String> conf) {
        TOpenSessionResp resp = open(HIVE_CLI_SERVICE_PROTOCOL_V10, conf);
        assertEquals(TStatusCode.SUCCESS_STATUS, resp.getStatus().getStatusCode(), resp.getStatus().toString());
        return resp.getSessionHandle();
    }

    @Test
    void noProviderGivesTheAgreedMessage() {
        services.removeProvider(provider);
        TOpenSessionResp resp = open(HIVE_CLI_SERVICE_PROTOCOL_V10, Map.of());
        assertEquals(TStatusCode.ERROR_STATUS, resp.getStatus().getStatusCode());
        assertTrue(resp.getStatus().getErrorMessage().toLowerCase(Locale.ROOT)
                .contains("no engine provider for spark_sql"), resp.getStatus().getErrorMessage());
        assertNotNull(resp.getServerProtocolVersion(), "required field set, so the error reaches the client");
    }

    @Test
    void protocolIsNeverAboveTheClientsNorV10() {
        discovery.register(ALICE_SPACE, engine.port(), "r");
        assertEquals(HIVE_CLI_SERVICE_PROTOCOL_V10, open(HIVE_CLI_SERVICE_PROTOCOL_V10, Map.of())
                .getServerProtocolVersion());
        assertEquals(HIVE_CLI_SERVICE_PROTOCOL_V8, open(HIVE_CLI_SERVICE_PROTOCOL_V8, Map.of())
                .getServerProtocolVersion());
        assertEquals(HIVE_CLI_SERVICE_PROTOCOL_V10, open(HIVE_CLI_SERVICE_PROTOCOL_V11, Map.of())
                .getServerProtocolVersion());
        assertEquals(HIVE_CLI_SERVICE_PROTOCOL_V10, engine.requests(TOpenSessionReq.class).get(2).getClient_protocol(),
                "the engine is asked for the negotiated protocol");
    }

    @Test
    void registeredEngineIsUsedAndGetsTheClientsMapWithThePoolingMark() {
        discovery.register(ALICE_SPACE, engine.port(), "r");
        Map<String, String> client = Map.of("use:database", "db1", "set:hiveconf:spark.sql.x", "1");
        TOpenSessionResp resp = open(HIVE_CLI_SERVICE_PROTOCOL_V10, client);
        assertEquals(TStatusCode.SUCCESS_STATUS, resp.getStatus().getStatusCode());
        assertTrue(provider.launches.isEmpty(), "no launch when an engine is registered");
        TOpenSessionReq sent = engine.requests(TOpenSessionReq.class).get(0);
        assertEquals("alice", sent.getUsername());
        Map<String, String> expected = new HashMap<>(client);
        expected.put(EngineConf.SESSION_POOLED, "true");
        assertEquals(expected, sent.getConfiguration());
        assertEquals("1000", resp.getConfiguration().get("hive.server2.thrift.resultset.default.fetch.size"));
        assertNotNull(resp.getConfiguration().get("hive.default.nulls.last"));
        assertFalse(Handles.key(resp.getSessionHandle()).equals(Handles.key(engine.sessionHandle)),
                "the server's session handle is its own");
        assertEquals(1, manager.openSessionCount());
        assertEquals("127.0.0.1:" + engine.port(), manager.sessions().get(0).engine());
        assertEquals("10.0.0.7", manager.sessions().get(0).clientAddress());
    }

    @Test
    void withTheServerAsInfoProviderGetInfoIsAnsweredWithoutTheEngine() {
        discovery.register(ALICE_SPACE, engine.port(), "r");
        TSessionHandle session = openOk(Map.of("set:hiveconf:kyuubi.server.info.provider", "SERVER"));

        assertEquals("Kitsune", manager.GetInfo(new TGetInfoReq(session, TGetInfoType.CLI_DBMS_NAME))
                .getInfoValue().getStringValue());
        assertEquals("0.0.0", manager.GetInfo(new TGetInfoReq(session, TGetInfoType.CLI_DBMS_VER))
                .getInfoValue().getStringValue(), "the release of the session bundle (none outside a framework)");
        assertEquals(128, manager.GetInfo(new TGetInfoReq(session, TGetInfoType.CLI_MAX_TABLE_NAME_LEN))
                .getInfoValue().getLenValue());
        assertTrue(engine.requests(TGetInfoReq.class).isEmpty(), "no GetInfo reached the engine");

        // a type the server does not know is still the engine's
        manager.GetInfo(new TGetInfoReq(session, TGetInfoType.CLI_USER_NAME));
        assertEquals(1, engine.requests(TGetInfoReq.class).size());
    }

    @Test
    void aSessionCannotSetAnUnknownInfoProvider() {
        TOpenSessionResp resp = open(HIVE_CLI_SERVICE_PROTOCOL_V10, Map.of("kyuubi.server.info.provider", "CLIENT"));
        assertEquals(TStatusCode.ERROR_STATUS, resp.getStatus().getStatusCode());
        assertTrue(resp.getStatus().getErrorMessage().contains("kyuubi.server.info.provider"),
                resp.getStatus().getErrorMessage());
    }

    @Test
    void callsAreForwardedWithHandlesTranslated() {
        discovery.register(ALICE_SPACE, engine.port(), "r");
        TSessionHandle session = openOk(Map.of());

        TGetInfoResp info = manager.GetInfo(new TGetInfoReq(session, TGetInfoType.CLI_DBMS_NAME));
        assertEquals("Spark SQL", info.getInfoValue().getStringValue());
        assertEquals(Handles.key(engine.sessionHandle),
                Handles.key(engine.requests(TGetInfoReq.class).get(0).getSessionHandle()));

        TExecuteStatementResp exec = manager.ExecuteStatement(new TExecuteStatementReq(session, "SELECT 1"));
        TOperationHandle op = exec.getOperationHandle();
        assertNotNull(op, "the engine's operation handle goes to the client unchanged");
        assertEquals(1, manager.sessions().get(0).openOperations());

        TFetchResultsResp fetch = manager.FetchResults(new TFetchResultsReq(op, TFetchOrientation.FETCH_NEXT, 77));
        assertEquals(TStatusCode.SUCCESS_STATUS, fetch.getStatus().getStatusCode());
        assertEquals(77, engine.requests(TFetchResultsReq.class).get(0).getMaxRows(), "client's maxRows passed on");

        manager.CloseOperation(new TCloseOperationReq(op));
        assertEquals(0, manager.sessions().get(0).openOperations());
        assertTrue(manager.GetOperationStatus(new TGetOperationStatusReq(op)).getStatus().getErrorMessage()
                .startsWith("Invalid OperationHandle"));
    }

    @Test
    void engineErrorsPassThroughUnchanged() {
        discovery.register(ALICE_SPACE, engine.port(), "r");
        TSessionHandle session = openOk(Map.of());
        TExecuteStatementResp resp = manager.ExecuteStatement(new TExecuteStatementReq(session, "bad query"));
        assertEquals("Table not found: x", resp.getStatus().getErrorMessage());
        assertEquals("42S02", resp.getStatus().getSqlState());
    }

    @Test
    void unknownHandlesAreNamed() {
        TSessionHandle unknown = Handles.newSessionHandle(UUID.randomUUID());
        assertTrue(manager.GetInfo(new TGetInfoReq(unknown, TGetInfoType.CLI_DBMS_NAME)).getStatus()
                .getErrorMessage().startsWith("Invalid SessionHandle"));
        TOperationHandle op = Handles.newOperationHandle(TOperationType.EXECUTE_STATEMENT, true);
        assertTrue(manager.FetchResults(new TFetchResultsReq(op, TFetchOrientation.FETCH_NEXT, 10)).getStatus()
                .getErrorMessage().startsWith("Invalid OperationHandle"));
        assertEquals("0A000", manager.GetDelegationToken(new TGetDelegationTokenReq()).getStatus().getSqlState());
    }

    @Test
    void emptySpaceLaunchesUnderTheLockIntoAStableWorkDir() {
        TSessionHandle session = openOk(Map.of());
        assertNotNull(session);
        assertEquals(1, provider.launches.size());
        EngineLaunchRequest launch = provider.launches.get(0);
        assertEquals(ALICE_SPACE, launch.space().path());
        assertEquals("alice", launch.sessionUser());
        assertEquals("127.0.0.1:2181", launch.zkConnectString());
        assertEquals(java.util.List.of("/kyuubi_1-spark-4.0_USER_SPARK_SQL_lock/alice/default",
                "/kyuubi_launches_lock/alice"), discovery.locks, "the space's lock, and the owner's for the count");
        assertEquals(manager.sessions().get(0).id(), launch.refId(), "the session id is the launch's refId");

        openOk(Map.of());
        assertEquals(1, provider.launches.size(), "the second session of alice reuses the engine");
    }

    @Test
    void connectionLevelEngineIsTheSessionsOwnWithoutLock() {
        openOk(Map.of("set:hiveconf:kyuubi.engine.share.level", "CONNECTION",
                "set:hiveconf:spark.executor.memory", "2g"));
        EngineLaunchRequest launch = provider.launches.get(0);
        String refId = launch.refId();
        assertEquals("/kyuubi_1-spark-4.0_CONNECTION_SPARK_SQL/alice/" + refId, launch.space().path());
        assertEquals("2g", launch.conf().raw("spark.executor.memory"), "spark.* reach the launch");
        assertEquals(java.util.List.of("/kyuubi_launches_lock/alice"), discovery.locks,
                "no space lock: only the owner's, for the engine count");
    }

    @Test
    void engineThatDiesNamesExitCodeAndLog() {
        provider.behaviour = FakeProvider.Behaviour.DIE;
        TOpenSessionResp resp = open(HIVE_CLI_SERVICE_PROTOCOL_V10, Map.of());
        String msg = resp.getStatus().getErrorMessage();
        assertTrue(msg.startsWith("Engine failed to start (exit code 1). Last lines of its log "), msg);
        assertTrue(msg.contains("engine.log:\nException in thread \"main\" boom"), msg);
    }

    @Test
    void engineThatNeverRegistersTimesOutAndIsDestroyed() {
        provider.behaviour = FakeProvider.Behaviour.HANG;
        configure(Map.of("kyuubi.session.engine.initialize.timeout", "300"));
        String msg = open(HIVE_CLI_SERVICE_PROTOCOL_V10, Map.of()).getStatus().getErrorMessage();
        assertTrue(msg.startsWith("Timeout(300 ms, you can modify kyuubi.session.engine.initialize.timeout to "
                + "change it) to launch SPARK_SQL engine"), msg);
        assertTrue(provider.destroyed.get());
    }

    @Test
    void invalidOverridesAreRefusedByName() {
        String msg = open(HIVE_CLI_SERVICE_PROTOCOL_V10, Map.of("set:hiveconf:kyuubi.engine.type", "PRESTO"))
                .getStatus().getErrorMessage();
        assertTrue(msg.startsWith("Invalid value for kyuubi.engine.type: 'PRESTO' (allowed: one of"), msg);
        msg = open(HIVE_CLI_SERVICE_PROTOCOL_V10, Map.of("set:hiveconf:kitsune.engine.spark.home", "nope"))
                .getStatus().getErrorMessage();
        assertTrue(msg.contains("allowed: spark-4.0"), msg);
    }

    @Test
    void refusedServerSaysWhy() {
        manager.refuseNewSessions("Server is draining; use another one");
        TOpenSessionResp resp = open(HIVE_CLI_SERVICE_PROTOCOL_V10, Map.of());
        assertEquals("Server is draining; use another one", resp.getStatus().getErrorMessage());
    }

    @Test
    void disconnectClosesTheConnectionsSessions() {
        discovery.register(ALICE_SPACE, engine.port(), "r");
        openOk(Map.of());
        manager.connectionClosed(new ClientContext("other", "alice", "10.0.0.8"));
        assertEquals(1, manager.openSessionCount());
        manager.connectionClosed(conn);
        assertEquals(0, manager.openSessionCount());
        assertEquals(1, engine.requests(TCloseSessionReq.class).size(), "closed on the engine too");
    }

    @Test
    void idleSessionsAreClosed() {
        discovery.register(ALICE_SPACE, engine.port(), "r");
        configure(Map.of("kyuubi.session.idle.timeout", "PT1H"));
        TSessionHandle session = openOk(Map.of());
        clock.now = clock.now.plus(Duration.ofMinutes(59));
        manager.GetInfo(new TGetInfoReq(session, TGetInfoType.CLI_DBMS_NAME));
        clock.now = clock.now.plus(Duration.ofMinutes(59));
        manager.closeIdleSessions();
        assertEquals(1, manager.openSessionCount(), "a call resets the idle time");
        clock.now = clock.now.plus(Duration.ofMinutes(2));
        manager.closeIdleSessions();
        assertEquals(0, manager.openSessionCount());
    }

    @Test
    void operationsNobodyCallsForAreClosedAndTheirHandleSaysWhy() throws Exception {
        discovery.register(ALICE_SPACE, engine.port(), "r");
        configure(Map.of("kyuubi.operation.idle.timeout", "PT1H"));
        TSessionHandle session = openOk(Map.of());
        TOperationHandle polled = manager.ExecuteStatement(new TExecuteStatementReq(session, "SELECT 1"))
                .getOperationHandle();
        TOperationHandle forgotten = manager.ExecuteStatement(new TExecuteStatementReq(session, "SELECT 2"))
                .getOperationHandle();
        clock.now = clock.now.plus(Duration.ofMinutes(59));
        manager.GetOperationStatus(new TGetOperationStatusReq(polled));
        clock.now = clock.now.plus(Duration.ofMinutes(2));
        manager.closeIdleOperations();

        assertEquals(TStatusCode.SUCCESS_STATUS, manager.GetOperationStatus(new TGetOperationStatusReq(polled))
                .getStatus().getStatusCode(), "a call resets the idle time");
        String why = manager.GetOperationStatus(new TGetOperationStatusReq(forgotten)).getStatus().getErrorMessage();
        assertTrue(why.startsWith("Invalid OperationHandle: operation ") && why.endsWith(
                " was closed after no call for more than kyuubi.operation.idle.timeout=PT1H"), why);
        assertEquals(1, engine.requests(TCloseOperationReq.class).size(), "closed on the engine too");
        assertEquals(Handles.key(forgotten), Handles.key(engine.requests(TCloseOperationReq.class).get(0)
                .getOperationHandle()));
        assertEquals(1, manager.openSessionCount(), "the session stays");
        ClientContext bob = new ClientContext("conn-b", "bob", "10.0.0.9");
        assertEquals("Invalid OperationHandle: " + Handles.uuid(forgotten.getOperationId()), Callers.as(bob,
                () -> manager.GetOperationStatus(new TGetOperationStatusReq(forgotten))).getStatus()
                        .getErrorMessage(), "bob learns nothing of alice's operation");
        assertEquals(why, Callers.as(conn, () -> manager.GetOperationStatus(new TGetOperationStatusReq(forgotten)))
                .getStatus().getErrorMessage(), "alice is told");
    }

    @Test
    void aSessionTheServerClosedTellsItsOwnerWhyAndNobodyElse() throws Exception {
        discovery.register(ALICE_SPACE, engine.port(), "r");
        configure(Map.of("kyuubi.session.idle.timeout", "PT1H"));
        TSessionHandle idle = Callers.as(conn, () -> openOk(Map.of()));
        TSessionHandle closedByOperator = Callers.as(conn, () -> openOk(Map.of()));
        assertTrue(manager.closeSession(Handles.uuid(closedByOperator.getSessionId()).toString()));
        clock.now = clock.now.plus(Duration.ofMinutes(61));
        TSessionHandle working = Callers.as(conn, () -> openOk(Map.of()));
        manager.closeIdleSessions();
        UUID id = Handles.uuid(idle.getSessionId());

        String why = Callers.as(conn, () -> manager.GetInfo(new TGetInfoReq(idle, TGetInfoType.CLI_DBMS_NAME)))
                .getStatus().getErrorMessage();
        assertEquals("Invalid SessionHandle: session " + id + " was closed by the server: idle for more than "
                + "kyuubi.session.idle.timeout=PT1H", why);
        String onClose = Callers.as(conn, () -> manager.CloseSession(new TCloseSessionReq(idle))).getStatus()
                .getErrorMessage();
        assertEquals(why, onClose, "a close of it is told the same");
        assertTrue(Callers.as(conn, () -> manager.ExecuteStatement(new TExecuteStatementReq(closedByOperator,
                "SELECT 1"))).getStatus().getErrorMessage().endsWith(" was closed by the server: closed on request "
                        + "(an operator, or the end of a drain)"));
        assertEquals(TStatusCode.SUCCESS_STATUS, Callers.as(conn, () -> manager.GetInfo(new TGetInfoReq(working,
                TGetInfoType.CLI_DBMS_NAME))).getStatus().getStatusCode(), "the session that worked stays open");

        String generic = "Invalid SessionHandle: " + id;
        ClientContext bob = new ClientContext("conn-b", "bob", "10.0.0.9");
        assertEquals(generic, Callers.as(bob, () -> manager.GetInfo(new TGetInfoReq(idle,
                TGetInfoType.CLI_DBMS_NAME))).getStatus().getErrorMessage(), "bob learns nothing of alice's session");
        TSessionHandle guessed = new TSessionHandle(new org.apache.hive.service.rpc.thrift.THandleIdentifier(
                idle.getSessionId().bufferForGuid(), java.nio.ByteBuffer.wrap(new byte[16])));
        assertEquals(generic, Callers.as(conn, () -> manager.GetInfo(new TGetInfoReq(guessed,
                TGetInfoType.CLI_DBMS_NAME))).getStatus().getErrorMessage(), "the guid without its secret half");
    }

    @Test
    void aSessionItsClientClosedIsNotSaidToBeClosedByTheServer() throws Exception {
        discovery.register(ALICE_SPACE, engine.port(), "r");
        TSessionHandle session = Callers.as(conn, () -> openOk(Map.of()));
        Callers.as(conn, () -> manager.CloseSession(new TCloseSessionReq(session)));
        assertEquals("Invalid SessionHandle: " + Handles.uuid(session.getSessionId()), Callers.as(conn,
                () -> manager.GetInfo(new TGetInfoReq(session, TGetInfoType.CLI_DBMS_NAME))).getStatus()
                        .getErrorMessage());
    }

    @Test
    void theReasonsOfOnlyTheMostRecentServerClosedSessionsAreKept() throws Exception {
        SessionRegistry registry = new SessionRegistry(null, new DrainAdmission(), () -> null, clock);
        List<ServerSession> closed = new java.util.ArrayList<>();
        for (int i = 0; i <= SessionRegistry.SERVER_CLOSED_REMEMBERED; i++) {
            ServerSession s = new ServerSession(UUID.randomUUID(), "alice", "alice", conn, null, null, clock.now,
                    null);
            registry.serverClosed(s, "idle");
            closed.add(s);
        }
        ServerSession first = closed.get(0);
        ServerSession last = closed.get(closed.size() - 1);
        assertEquals("Invalid SessionHandle: " + first.id(), Callers.as(conn,
                () -> registry.invalidSession(first.handle())).getErrorMessage(), "the oldest is forgotten");
        assertEquals("Invalid SessionHandle: session " + closed.get(1).id() + " was closed by the server: idle",
                Callers.as(conn, () -> registry.invalidSession(closed.get(1).handle())).getErrorMessage());
        assertEquals("Invalid SessionHandle: session " + last.id() + " was closed by the server: idle",
                Callers.as(conn, () -> registry.invalidSession(last.handle())).getErrorMessage());
    }

    @Test
    void closeSessionByClientAndByOperator() {
        discovery.register(ALICE_SPACE, engine.port(), "r");
        TSessionHandle session = openOk(Map.of());
        TCloseSessionResp resp = manager.CloseSession(new TCloseSessionReq(session));
        assertEquals(TStatusCode.SUCCESS_STATUS, resp.getStatus().getStatusCode());
        assertTrue(manager.CloseSession(new TCloseSessionReq(session)).getStatus().getErrorMessage()
                .startsWith("Invalid SessionHandle"));
        openOk(Map.of());
        assertTrue(manager.closeSession(manager.sessions().get(0).id()));
        assertFalse(manager.closeSession("no-such-session"));
    }

    @Test
    void aLostEngineIsNamedWithItsAddressOnEveryCall() throws Exception {
        discovery.register(ALICE_SPACE, engine.port(), "r");
        TSessionHandle session = openOk(Map.of());
        engine.close();
        String first = manager.GetInfo(new TGetInfoReq(session, TGetInfoType.CLI_DBMS_NAME)).getStatus()
                .getErrorMessage();
        assertTrue(first.contains("127.0.0.1:" + engine.port()), first);
        String second = manager.GetInfo(new TGetInfoReq(session, TGetInfoType.CLI_DBMS_NAME)).getStatus()
                .getErrorMessage();
        assertTrue(second.startsWith("Cannot connect to the engine at 127.0.0.1:" + engine.port()), second);
    }

    @Test
    void idleSessionsHoldNoConnectionOfTheirOwnToTheEngine() {
        discovery.register(ALICE_SPACE, engine.port(), "r");
        List<TSessionHandle> held = new ArrayList<>();
        for (int i = 0; i < 50; i++) held.add(openOk(Map.of()));
        for (TSessionHandle h : held) {
            assertEquals(TStatusCode.SUCCESS_STATUS, manager.GetInfo(new TGetInfoReq(h, TGetInfoType.CLI_DBMS_NAME))
                    .getStatus().getStatusCode());
        }
        assertEquals(1, engine.connectionsAccepted(), "one connection serves 50 sessions calling one at a time");
        assertEquals(1, manager.engineConnections());
        for (TOpenSessionReq r : engine.requests(TOpenSessionReq.class)) {
            assertEquals("true", r.getConfiguration().get(EngineConf.SESSION_POOLED),
                    "the engine is told the session outlives a connection");
        }
    }

    @Test
    void aLongCallOfOneSessionDoesNotHoldUpAnothersCalls() throws Exception {
        discovery.register(ALICE_SPACE, engine.port(), "r");
        TSessionHandle slow = openOk(Map.of());
        TSessionHandle other = openOk(Map.of());
        CompletableFuture<TExecuteStatementResp> blocked = CompletableFuture.supplyAsync(
                () -> manager.ExecuteStatement(new TExecuteStatementReq(slow, "block")));
        await().atMost(Duration.ofSeconds(10)).until(() -> engine.requests(TExecuteStatementReq.class).size() == 1);
        assertEquals(TStatusCode.SUCCESS_STATUS, manager.GetInfo(new TGetInfoReq(other, TGetInfoType.CLI_DBMS_NAME))
                .getStatus().getStatusCode());
        assertFalse(blocked.isDone());
        engine.release.countDown();
        assertEquals(TStatusCode.SUCCESS_STATUS, blocked.get(10, TimeUnit.SECONDS).getStatus().getStatusCode());
        assertEquals(2, manager.engineConnections(), "a second connection for the call made meanwhile");
    }

    @Test
    void aCallFindingEveryConnectionBusyWaitsBoundedThenFailsNamingTheKeys() throws Exception {
        configure(Map.of("kitsune.engine.connections.max", "1", "kitsune.engine.connections.wait", "PT0.3S"));
        discovery.register(ALICE_SPACE, engine.port(), "r");
        TSessionHandle slow = openOk(Map.of());
        TSessionHandle other = openOk(Map.of());
        CompletableFuture<TExecuteStatementResp> blocked = CompletableFuture.supplyAsync(
                () -> manager.ExecuteStatement(new TExecuteStatementReq(slow, "block")));
        await().atMost(Duration.ofSeconds(10)).until(() -> engine.requests(TExecuteStatementReq.class).size() == 1);
        String msg = manager.GetInfo(new TGetInfoReq(other, TGetInfoType.CLI_DBMS_NAME)).getStatus()
                .getErrorMessage();
        assertEquals("GetInfo: all 1 connections of this server to the engine at 127.0.0.1:" + engine.port()
                + " stayed busy for PT0.3S; raise kitsune.engine.connections.max or kitsune.engine.connections.wait,"
                + " or try again", msg);
        assertEquals(0, manager.engineCallsWaiting(), "a call that gave up waits no more");
        engine.release.countDown();
        blocked.get(10, TimeUnit.SECONDS);
        assertEquals(TStatusCode.SUCCESS_STATUS, manager.GetInfo(new TGetInfoReq(other, TGetInfoType.CLI_DBMS_NAME))
                .getStatus().getStatusCode(), "served once the connection is free");
    }

    @Test
    void callsWaitingForABusyEngineConnectionAreServedInTheOrderTheyCame() throws Exception {
        configure(Map.of("kitsune.engine.connections.max", "1"));
        ExecutorService callers = Executors.newCachedThreadPool(); // a thread per blocked call, whatever the cores
        try {
            callsAreServedInOrder(callers);
        } finally {
            callers.shutdownNow();
        }
    }

    private void callsAreServedInOrder(ExecutorService callers) throws Exception {
        discovery.register(ALICE_SPACE, engine.port(), "r");
        TSessionHandle slow = openOk(Map.of());
        List<TGetInfoType> order = List.of(TGetInfoType.CLI_SERVER_NAME, TGetInfoType.CLI_DBMS_VER,
                TGetInfoType.CLI_DBMS_NAME, TGetInfoType.CLI_MAX_IDENTIFIER_LEN);
        List<TSessionHandle> sessions = new ArrayList<>();
        for (int i = 0; i < order.size(); i++) sessions.add(openOk(Map.of()));
        CompletableFuture<TExecuteStatementResp> blocked = CompletableFuture.supplyAsync(
                () -> manager.ExecuteStatement(new TExecuteStatementReq(slow, "block")), callers);
        await().atMost(Duration.ofSeconds(10)).until(() -> engine.requests(TExecuteStatementReq.class).size() == 1);
        List<CompletableFuture<TGetInfoResp>> calls = new ArrayList<>();
        for (TGetInfoType type : order) {
            TSessionHandle s = sessions.get(calls.size());
            calls.add(CompletableFuture.supplyAsync(() -> manager.GetInfo(new TGetInfoReq(s, type)), callers));
            int queued = calls.size();
            await("call " + queued + " queued").atMost(Duration.ofSeconds(10))
                    .until(() -> manager.engineCallsWaiting() == queued);
        }
        engine.release.countDown();
        blocked.get(10, TimeUnit.SECONDS);
        for (CompletableFuture<TGetInfoResp> c : calls) {
            assertEquals(TStatusCode.SUCCESS_STATUS, c.get(10, TimeUnit.SECONDS).getStatus().getStatusCode());
        }
        List<TGetInfoType> sent = engine.requests(TGetInfoReq.class).stream().map(TGetInfoReq::getInfoType).toList();
        assertEquals(order, sent.subList(sent.size() - order.size(), sent.size()),
                "the connection went to the longest waiter each time");
        assertEquals(1, manager.engineConnections(), "the one connection was handed on, none more opened");
    }

    @Test
    void aCloseTheServerAlreadyAnsweredReachesTheEngineBeforeClientCallsThatWaitedLonger() throws Exception {
        configure(Map.of("kitsune.engine.connections.max", "1"));
        manager.start(); // the background closes
        ExecutorService callers = Executors.newCachedThreadPool();
        try {
            discovery.register(ALICE_SPACE, engine.port(), "r");
            TSessionHandle slow = openOk(Map.of());
            TSessionHandle asking = openOk(Map.of());
            TSessionHandle leaving = openOk(Map.of());
            CompletableFuture<TExecuteStatementResp> blocked = CompletableFuture.supplyAsync(
                    () -> manager.ExecuteStatement(new TExecuteStatementReq(slow, "block")), callers);
            await().atMost(Duration.ofSeconds(10)).until(() -> engine.requests(TExecuteStatementReq.class).size() == 1);
            CompletableFuture<TGetInfoResp> info = CompletableFuture.supplyAsync(() -> manager.GetInfo(
                    new TGetInfoReq(asking, TGetInfoType.CLI_DBMS_NAME)), callers);
            await("the client's call queued").atMost(Duration.ofSeconds(10))
                    .until(() -> manager.engineCallsWaiting() == 1);
            assertEquals(TStatusCode.SUCCESS_STATUS, manager.CloseSession(new TCloseSessionReq(leaving)).getStatus()
                    .getStatusCode(), "answered at once");
            await("the close queued").atMost(Duration.ofSeconds(10)).until(() -> manager.engineCallsWaiting() == 2);
            engine.release.countDown();
            blocked.get(10, TimeUnit.SECONDS);
            assertEquals(TStatusCode.SUCCESS_STATUS, info.get(10, TimeUnit.SECONDS).getStatus().getStatusCode());
            List<String> order = engine.requests.stream().map(r -> r.getClass().getSimpleName())
                    .filter(n -> n.equals("TCloseSessionReq") || n.equals("TGetInfoReq")).toList();
            assertEquals(List.of("TCloseSessionReq", "TGetInfoReq"), order.subList(order.size() - 2, order.size()),
                    "the close went first");
        } finally {
            callers.shutdownNow();
        }
    }

    @Test
    void theOwnersLastFetchAndCloseOfAnEndedStatementAreAnsweredAtOnceAndAnotherUsersGoTheUsualWay()
            throws Exception {
        engine.resultEndExact = true;
        manager.start(); // the background closes
        discovery.register(ALICE_SPACE, engine.port(), "r");
        TSessionHandle session = Callers.as(conn, () -> openOk(Map.of()));
        TOperationHandle op = Callers.as(conn, () -> manager.ExecuteStatement(
                new TExecuteStatementReq(session, "SELECT 'hello'"))).getOperationHandle();
        TFetchResultsReq next = new TFetchResultsReq(op, TFetchOrientation.FETCH_NEXT, 10);
        assertNull(Callers.as(conn, () -> manager.fetchResultsAtOnce(next)), "the end is not known before a fetch");
        TFetchResultsResp rows = Callers.as(conn, () -> manager.FetchResults(next));
        assertEquals(List.of("hello"), rows.getResults().getColumns().get(0).getStringVal().getValues());
        ClientContext bob = new ClientContext("conn-b", "bob", "10.0.0.9");
        assertNull(Callers.as(bob, () -> manager.fetchResultsAtOnce(next)), "bob's call takes the usual way");
        assertNull(Callers.as(conn, () -> manager.fetchResultsAtOnce(new TFetchResultsReq(op,
                TFetchOrientation.FETCH_FIRST, 10))), "only the next rows are known here");
        TFetchResultsResp end = Callers.as(conn, () -> manager.fetchResultsAtOnce(next));
        assertNotNull(end, "the owner's last fetch is answered here");
        assertFalse(end.isHasMoreRows());
        assertEquals(0, end.getResults().getColumns().get(0).getStringVal().getValuesSize());
        assertEquals(1, engine.requests(TFetchResultsReq.class).size(), "the engine saw the first fetch only");

        // the statement has not been seen to end (no status asked): its close goes the usual way
        TCloseOperationReq close = new TCloseOperationReq(op);
        assertNull(Callers.as(conn, () -> manager.closeOperationAtOnce(close)));
        assertEquals(TStatusCode.SUCCESS_STATUS, Callers.as(conn, () -> manager.GetOperationStatus(
                new TGetOperationStatusReq(op))).getStatus().getStatusCode());
        assertNull(Callers.as(bob, () -> manager.closeOperationAtOnce(close)), "bob's close takes the usual way");
        assertEquals(1, manager.sessions().get(0).openOperations(), "bob's try changed nothing");
        TCloseOperationResp closed = Callers.as(conn, () -> manager.closeOperationAtOnce(close));
        assertNotNull(closed, "the owner's close of an ended statement is answered here");
        assertEquals(TStatusCode.SUCCESS_STATUS, closed.getStatus().getStatusCode());
        assertEquals(0, manager.sessions().get(0).openOperations());
        await("the engine told in the background").atMost(Duration.ofSeconds(10))
                .until(() -> engine.requests(TCloseOperationReq.class).size() == 1);
        assertTrue(Callers.as(conn, () -> manager.GetOperationStatus(new TGetOperationStatusReq(op))).getStatus()
                .getErrorMessage().startsWith("Invalid OperationHandle"));
        assertNull(Callers.as(conn, () -> manager.closeOperationAtOnce(close)), "a second close goes the usual way");
    }

    @Test
    void aShortStatementAnsweredWholeWithItsExecuteNeedsTheEngineForNothingElseButItsOwnersCallsOnly()
            throws Exception {
        engine.resultEndExact = true;
        engine.inline = true;
        manager.start();
        discovery.register(ALICE_SPACE, engine.port(), "r");
        TSessionHandle session = Callers.as(conn, () -> openOk(Map.of("kyuubi.session.engine.launch.async", "false")));
        TExecuteStatementReq exec = new TExecuteStatementReq(session, "SELECT 'hello'");
        exec.setConfOverlay(new java.util.HashMap<>(Map.of("kitsune.inline.rows", "99999")));
        TExecuteStatementResp resp = Callers.as(conn, () -> manager.ExecuteStatement(exec));
        TOperationHandle op = resp.getOperationHandle();
        assertFalse(resp.getStatus().isSetInfoMessages(), "nothing of the inline answer reaches the client");
        TExecuteStatementReq sent = engine.requests(TExecuteStatementReq.class).get(0);
        assertEquals("1000", sent.getConfOverlay().get("kitsune.inline.rows"), "the server's value, not the client's");
        assertEquals("50", sent.getConfOverlay().get("kitsune.inline.wait.ms"));

        ClientContext bob = new ClientContext("conn-b", "bob", "10.0.0.9");
        assertNull(Callers.as(bob, () -> manager.getOperationStatusAtOnce(new TGetOperationStatusReq(op))));
        assertNull(Callers.as(bob, () -> manager.getResultSetMetadataAtOnce(new TGetResultSetMetadataReq(op))));
        assertNull(Callers.as(bob, () -> manager.fetchResultsAtOnce(new TFetchResultsReq(op,
                TFetchOrientation.FETCH_NEXT, 10))), "bob's calls take the usual way (and are refused there)");

        TGetOperationStatusResp status = Callers.as(conn, () -> manager.getOperationStatusAtOnce(
                new TGetOperationStatusReq(op)));
        assertEquals(TOperationState.FINISHED_STATE, status.getOperationState());
        assertEquals("greeting", Callers.as(conn, () -> manager.getResultSetMetadataAtOnce(
                new TGetResultSetMetadataReq(op))).getSchema().getColumns().get(0).getColumnName());
        TFetchResultsResp rows = Callers.as(conn, () -> manager.fetchResultsAtOnce(new TFetchResultsReq(op,
                TFetchOrientation.FETCH_NEXT, 1000)));
        assertEquals(List.of("hello"), rows.getResults().getColumns().get(0).getStringVal().getValues());
        assertFalse(rows.isHasMoreRows());
        TFetchResultsResp end = Callers.as(conn, () -> manager.fetchResultsAtOnce(new TFetchResultsReq(op,
                TFetchOrientation.FETCH_NEXT, 1000)));
        assertEquals(0, end.getResults().getColumns().get(0).getStringVal().getValuesSize());
        assertNotNull(Callers.as(conn, () -> manager.closeOperationAtOnce(new TCloseOperationReq(op))),
                "the statement is known to have ended: its close is answered here too");
        assertTrue(engine.requests(TGetOperationStatusReq.class).isEmpty());
        assertTrue(engine.requests(TGetResultSetMetadataReq.class).isEmpty());
        assertTrue(engine.requests(TFetchResultsReq.class).isEmpty(), "the engine answered the ExecuteStatement only");
        await("the held answer is released with its operation").atMost(Duration.ofSeconds(10))
                .until(() -> manager.inlineHeld() == 0);

        // a client fetching fewer rows than the result has gets them from the engine, which kept them
        TOperationHandle op2 = Callers.as(conn, () -> manager.ExecuteStatement(
                new TExecuteStatementReq(session, "SELECT 'hello'"))).getOperationHandle();
        assertTrue(manager.inlineHeld() > 0);
        assertNull(Callers.as(conn, () -> manager.fetchResultsAtOnce(new TFetchResultsReq(op2,
                TFetchOrientation.FETCH_NEXT, 0))), "fewer rows asked for than the result has: not answered here");
        TFetchResultsResp fromEngine = Callers.as(conn, () -> manager.FetchResults(new TFetchResultsReq(op2,
                TFetchOrientation.FETCH_NEXT, 10)));
        assertEquals(1, engine.requests(TFetchResultsReq.class).size(), "asked the engine");
        assertEquals(List.of("hello"), fromEngine.getResults().getColumns().get(0).getStringVal().getValues());

        // a fetch from the start goes to the engine; the rows held here are not answered after it (no row twice)
        TOperationHandle op3 = Callers.as(conn, () -> manager.ExecuteStatement(
                new TExecuteStatementReq(session, "SELECT 'hello'"))).getOperationHandle();
        TFetchResultsResp first = Callers.as(conn, () -> manager.FetchResults(new TFetchResultsReq(op3,
                TFetchOrientation.FETCH_FIRST, 10)));
        assertEquals(List.of("hello"), first.getResults().getColumns().get(0).getStringVal().getValues());
        TFetchResultsResp after = Callers.as(conn, () -> manager.fetchResultsAtOnce(new TFetchResultsReq(op3,
                TFetchOrientation.FETCH_NEXT, 10)));
        assertEquals(0, after.getResults().getColumns().get(0).getStringVal().getValuesSize(), "the end, not the rows");

        // closing the session releases what its operations held
        Callers.as(conn, () -> manager.ExecuteStatement(new TExecuteStatementReq(session, "SELECT 'hello'")));
        Callers.as(conn, () -> manager.CloseSession(new org.apache.hive.service.rpc.thrift.TCloseSessionReq(session)));
        assertEquals(0, manager.inlineHeld());
    }

    @Test
    void withInlineAnswersOffTheEngineIsNotAskedForThem() throws Exception {
        engine.inline = true;
        configure(Map.of("kitsune.operation.inline.wait", "0"));
        discovery.register(ALICE_SPACE, engine.port(), "r");
        TSessionHandle session = Callers.as(conn, () -> openOk(Map.of("kyuubi.session.engine.launch.async", "false")));
        TOperationHandle op = Callers.as(conn, () -> manager.ExecuteStatement(
                new TExecuteStatementReq(session, "SELECT 'hello'"))).getOperationHandle();
        TExecuteStatementReq sent = engine.requests(TExecuteStatementReq.class).get(0);
        assertTrue(sent.getConfOverlay() == null || !sent.getConfOverlay().containsKey("kitsune.inline.wait.ms"));
        assertNull(Callers.as(conn, () -> manager.getOperationStatusAtOnce(new TGetOperationStatusReq(op))));
        assertEquals(0, manager.inlineHeld());
    }

    @Test
    void aSettingTheServerDoesNotAllowIsRefusedWithTheInvalidParameterSqlState() {
        TStatus refused = open(HIVE_CLI_SERVICE_PROTOCOL_V10, Map.of("spark.driver.memory", "64g")).getStatus();
        assertTrue(refused.getErrorMessage().contains("kitsune.session.engine.memory.max"), refused.getErrorMessage());
        assertEquals("22023", refused.getSqlState(), "invalid parameter value (the REST API answers 400)");
        assertTrue(provider.launches.isEmpty());
    }

    @Test
    void aServiceAccountMayActAsAnotherUserOnlyWhereTheProxyUserRulesAllow() {
        TStatus refused = open(HIVE_CLI_SERVICE_PROTOCOL_V10, Map.of("hive.server2.proxy.user", "bob")).getStatus();
        String msg = refused.getErrorMessage();
        assertTrue(msg.startsWith("User alice is not allowed to impersonate bob from "), msg);
        assertEquals("42501", refused.getSqlState(), "insufficient privilege (the REST API answers 403)");
        assertTrue(provider.launches.isEmpty(), "nothing is launched for a refused impersonation");

        configure(Map.of("hadoop.proxyuser.alice.users", "carol, bob", "hadoop.proxyuser.alice.hosts", "*"));
        openOk(Map.of("hive.server2.proxy.user", "bob"));
        assertEquals("bob", provider.launches.get(0).sessionUser(), "the session is bob's");
        assertEquals("/kyuubi_1-spark-4.0_USER_SPARK_SQL/bob/default", provider.launches.get(0).space().path());
        openOk(Map.of("set:hiveconf:kyuubi.session.proxy.user", "carol"));
        assertEquals("carol", provider.launches.get(1).sessionUser());
        String dave = open(HIVE_CLI_SERVICE_PROTOCOL_V10, Map.of("hive.server2.proxy.user", "dave")).getStatus()
                .getErrorMessage();
        assertTrue(dave.startsWith("User alice is not allowed to impersonate dave"), dave);

        configure(Map.of("hadoop.proxyuser.alice.users", "*", "hadoop.proxyuser.alice.hosts", "10.9.9.9"));
        assertTrue(open(HIVE_CLI_SERVICE_PROTOCOL_V10, Map.of("hive.server2.proxy.user", "erin")).getStatus()
                .getErrorMessage().contains("not allowed"), "not from this client's address");
    }

    @Test
    void anEngineNodeAskingForTheSecretInClearGetsNoConnectionAndTheClientIsToldTheUpgradePath() throws Exception {
        discovery.register(ALICE_SPACE, engine.port(), "old", "kitsune.engine.auth=PLAIN;");
        String msg = open(HIVE_CLI_SERVICE_PROTOCOL_V10, Map.of()).getStatus().getErrorMessage();
        assertTrue(msg.startsWith("The engine at 127.0.0.1:" + engine.port() + " (" + ALICE_SPACE + "/serverUri="),
                msg);
        assertTrue(msg.contains("asks for the engine secret in clear (kitsune.engine.auth=PLAIN, an engine of an "
                + "older Kitsune, or a node planted in its engine space): this server does not send it; stop it "
                + "(bin/kitsune-ctl delete engine, or the console)"), msg);
        assertEquals(0, engine.connectionsAccepted(), "not even a connection");
        assertTrue(provider.launches.isEmpty());
    }

    @Test
    void withEngineSecurityOnAnEngineNodeWithoutLoginIsNotUsed() throws Exception {
        try (RawEngine raw = new RawEngine()) {
            discovery.register(ALICE_SPACE, raw.port(), "raw", "");
            String msg = open(HIVE_CLI_SERVICE_PROTOCOL_V10, Map.of()).getStatus().getErrorMessage();
            assertTrue(msg.contains("takes connections without a login, so it cannot prove that it is an engine of "
                    + "this namespace, and kyuubi.engine.security.enabled is on here"), msg);
            assertEquals(0, raw.accepted(), "nothing was sent to it");
        }
    }

    @Test
    void anEngineThatCannotProveTheSecretGetsNoSessionAndTheClientIsToldWhy() throws Exception {
        discovery.register(ALICE_SPACE, engine.port(), "r");
        configure(Map.of("kyuubi.engine.security.secret.provider.simple.secret", "another-servers-secret"));
        String msg = open(HIVE_CLI_SERVICE_PROTOCOL_V10, Map.of()).getStatus().getErrorMessage();
        assertTrue(msg.startsWith("Cannot log in to the engine at 127.0.0.1:" + engine.port()), msg);
        assertTrue(msg.contains("the engine did not prove that it knows the engine secret. It is not an engine of "
                + "this namespace (a node planted in its engine space?) or it was launched by a server with another "
                + "engine secret: set kyuubi.engine.security.secret.provider.simple.secret to one value on every "
                + "server of the namespace"), msg);
        assertTrue(engine.requests.isEmpty(), "no call reached it");
    }

    @Test
    void aNodeItsProviderReportsGoneIsRemovedAndANewEngineLaunched() throws Exception {
        discovery.register(ALICE_SPACE, 1, "dead"); // nothing listens on port 1
        provider.liveness = EngineProvider.Liveness.GONE;
        openOk(Map.of());
        assertEquals(1, provider.launches.size(), "a new engine replaces the dead one");
        assertTrue(discovery.list(ALICE_SPACE).stream().noneMatch(n -> n.port() == 1), "the stale node is gone");
    }

    @Test
    void aNodeWhoseAddressAnotherSpacesEngineTookIsRemovedWhenItsProviderReportsItGone() throws Exception {
        int bobsEngine = provider.enginePortFor("/kyuubi_1-spark-4.0_USER_SPARK_SQL/bob/default");
        discovery.register(ALICE_SPACE, bobsEngine, "dead"); // alice's engine died, bob's got its port since
        provider.liveness = EngineProvider.Liveness.GONE;
        openOk(Map.of());
        assertEquals(1, provider.launches.size(), "a new engine replaces alice's dead one");
        assertTrue(discovery.list(ALICE_SPACE).stream().noneMatch(n -> n.port() == bobsEngine),
                "the stale node is gone");
    }

    @Test
    void aNodeAtAnAddressThatCannotProveItselfKeepsItsNodeWhileItsProviderCannotTell() throws Exception {
        int bobsEngine = provider.enginePortFor("/kyuubi_1-spark-4.0_USER_SPARK_SQL/bob/default");
        discovery.register(ALICE_SPACE, bobsEngine, "planted"); // a node nobody launched: not the provider's to judge
        provider.liveness = EngineProvider.Liveness.UNKNOWN;
        String msg = open(HIVE_CLI_SERVICE_PROTOCOL_V10, Map.of()).getStatus().getErrorMessage();
        assertTrue(msg.contains("the engine did not prove that it knows the engine secret"), msg);
        assertEquals(1, discovery.list(ALICE_SPACE).size(), "the node stays");
        assertTrue(provider.launches.isEmpty());
    }

    @Test
    void aRefusingEngineWhoseFateItsProviderCannotTellKeepsItsNode() throws Exception {
        discovery.register(ALICE_SPACE, 1, "r");
        for (EngineProvider.Liveness answer : new EngineProvider.Liveness[] {EngineProvider.Liveness.ALIVE,
                EngineProvider.Liveness.UNKNOWN}) {
            provider.liveness = answer;
            String msg = open(HIVE_CLI_SERVICE_PROTOCOL_V10, Map.of()).getStatus().getErrorMessage();
            assertTrue(msg.startsWith("Cannot connect to the engine at 127.0.0.1:1"), msg);
        }
        assertEquals(1, discovery.list(ALICE_SPACE).size(), "the node of a running engine stays");
        assertTrue(provider.launches.isEmpty());
    }

    @Test
    void anEngineThatRunsUnregisteredIsWaitedForNotLaunchedTwice() throws Exception {
        provider.runsUnregistered = true;
        configure(Map.of("kyuubi.session.engine.initialize.timeout", "PT10S"));
        // the engine registers again 300 ms into the session's wait for it
        CompletableFuture.runAsync(() -> discovery.register(ALICE_SPACE, engine.port(), "earlier"),
                CompletableFuture.delayedExecutor(300, TimeUnit.MILLISECONDS));
        openOk(Map.of());
        assertTrue(provider.launches.isEmpty(), "the engine that registered again serves the session");
    }

    @Test
    void theUsersOwnDefaultsApplyUnderTheSessionsSettings() {
        configure(Map.of("___alice___.spark.executor.memory", "4g", "___alice___.spark.yarn.queue", "etl",
                "___bob___.spark.yarn.queue", "adhoc", "spark.yarn.queue", "default"));
        openOk(Map.of("set:hiveconf:spark.executor.memory", "2g"));
        KitsuneConf launched = provider.launches.get(0).conf();
        assertEquals("etl", launched.raw("spark.yarn.queue"), "alice's default over the server's");
        assertEquals("2g", launched.raw("spark.executor.memory"), "the session's own setting over alice's default");
        assertFalse(launched.asMap().keySet().stream().anyMatch(k -> k.startsWith("___")),
                "no user's defaults travel to the engine as keys");
    }

    // ---------------------------------------------------------------- sessions that outlive their server

    private SessionManagerImpl secondServer() {
        SessionManagerImpl other = new SessionManagerImpl(new EngineLocator(services, SERVER, Duration.ofMillis(20)),
                clock);
        other.configure(KitsuneConf.of(Map.of("kitsune.work.dir", work.toString(),
                "kyuubi.engine.security.secret.provider.simple.secret", FakeEngine.SECRET)));
        others.add(other);
        return other;
    }

    private final List<SessionManagerImpl> others = new ArrayList<>();

    @AfterEach
    void stopOthers() {
        others.forEach(SessionManagerImpl::shutdown);
    }

    @Test
    void anotherServerOfTheNamespaceContinuesASessionAndItsRunningOperation() throws Exception {
        discovery.register(ALICE_SPACE, engine.port(), "r");
        TSessionHandle session = openOk(Map.of());
        TOperationHandle op = Callers.as(conn, () -> manager.ExecuteStatement(
                new TExecuteStatementReq(session, "SELECT 'hello'"))).getOperationHandle();
        // the server that opened it is gone (its memory with it); the record in ZooKeeper is what is left
        SessionManagerImpl other = secondServer();
        ClientContext sameUserElsewhere = new ClientContext("conn-2", "alice", "10.0.0.8");
        assertEquals(TStatusCode.SUCCESS_STATUS, Callers.as(sameUserElsewhere,
                () -> other.GetOperationStatus(new TGetOperationStatusReq(op))).getStatus().getStatusCode());
        TFetchResultsResp rows = Callers.as(sameUserElsewhere, () -> other.FetchResults(
                new TFetchResultsReq(op, TFetchOrientation.FETCH_NEXT, 10)));
        assertEquals(List.of("hello"), rows.getResults().getColumns().get(0).getStringVal().getValues());
        assertEquals(TStatusCode.SUCCESS_STATUS, Callers.as(sameUserElsewhere, () -> other.GetInfo(
                new TGetInfoReq(session, TGetInfoType.CLI_DBMS_NAME))).getStatus().getStatusCode());
        assertEquals(1, other.openSessionCount(), "the other server holds the session from now on");
        assertEquals(TStatusCode.SUCCESS_STATUS, Callers.as(sameUserElsewhere,
                () -> other.CloseSession(new TCloseSessionReq(session))).getStatus().getStatusCode());
        assertTrue(discovery.records.isEmpty(), "closing a session removes its record");
    }

    @Test
    void anotherUsersHandleIsRefusedOnEveryServer() throws Exception {
        discovery.register(ALICE_SPACE, engine.port(), "r");
        TSessionHandle session = openOk(Map.of());
        TOperationHandle op = Callers.as(conn, () -> manager.ExecuteStatement(
                new TExecuteStatementReq(session, "SELECT 1"))).getOperationHandle();
        ClientContext bob = new ClientContext("conn-b", "bob", "10.0.0.9");
        SessionManagerImpl other = secondServer();
        for (SessionManagerImpl server : List.of(manager, other)) {
            String onSession = Callers.as(bob, () -> server.GetInfo(new TGetInfoReq(session,
                    TGetInfoType.CLI_DBMS_NAME))).getStatus().getErrorMessage();
            assertEquals("Invalid SessionHandle: the session belongs to another user", onSession);
            String onOperation = Callers.as(bob, () -> server.FetchResults(new TFetchResultsReq(op,
                    TFetchOrientation.FETCH_NEXT, 10))).getStatus().getErrorMessage();
            assertEquals("Invalid SessionHandle: the session belongs to another user", onOperation);
            String close = Callers.as(bob, () -> server.CloseSession(new TCloseSessionReq(session))).getStatus()
                    .getErrorMessage();
            assertEquals("Invalid SessionHandle: the session belongs to another user", close);
        }
        assertEquals(0, other.openSessionCount(), "nothing was resumed for bob");
        assertEquals(1, manager.openSessionCount(), "alice's session is still open");
    }

    @Test
    void aSessionClosedAnywhereCannotBeResumed() throws Exception {
        discovery.register(ALICE_SPACE, engine.port(), "r");
        TSessionHandle session = openOk(Map.of());
        Callers.as(conn, () -> manager.CloseSession(new TCloseSessionReq(session)));
        String msg = Callers.as(conn, () -> secondServer().GetInfo(new TGetInfoReq(session,
                TGetInfoType.CLI_DBMS_NAME))).getStatus().getErrorMessage();
        assertTrue(msg.startsWith("Invalid SessionHandle"), msg);
    }

    @Test
    void aSessionWhoseEngineIsGoneGetsAClearErrorAndLosesItsRecord() throws Exception {
        discovery.register(ALICE_SPACE, engine.port(), "r");
        TSessionHandle session = openOk(Map.of());
        engine.close();
        String msg = Callers.as(conn, () -> secondServer().GetInfo(new TGetInfoReq(session,
                TGetInfoType.CLI_DBMS_NAME))).getStatus().getErrorMessage();
        assertTrue(msg.startsWith("Cannot resume session ") && msg.contains("127.0.0.1:" + engine.port()
                + " is gone"), msg);
        assertTrue(discovery.records.isEmpty(), "the record of a session whose engine is gone is removed");
    }

    @Test
    void aDrainingServerHandsItsHttpSessionsOverAndServesThemWithoutHoldingThem() throws Exception {
        discovery.register(ALICE_SPACE, engine.port(), "r");
        ClientContext http = new ClientContext(ClientContext.PER_REQUEST_PREFIX + "1", "alice", "10.0.0.7");
        TOpenSessionReq req = new TOpenSessionReq(HIVE_CLI_SERVICE_PROTOCOL_V10);
        TSessionHandle viaHttp = manager.openSession(http, req).getSessionHandle();
        TSessionHandle viaBinary = openOk(Map.of());
        assertEquals(2, manager.openSessionCount());

        manager.refuseNewSessions(null);
        assertEquals(1, manager.openSessionCount(), "only the binary session keeps the drain waiting");
        assertEquals(2, discovery.records.size(), "the handed-over session keeps its record");
        ClientContext nextRequest = new ClientContext(ClientContext.PER_REQUEST_PREFIX + "2", "alice", "10.0.0.7");
        assertEquals(TStatusCode.SUCCESS_STATUS, Callers.as(nextRequest, () -> manager.GetInfo(
                new TGetInfoReq(viaHttp, TGetInfoType.CLI_DBMS_NAME))).getStatus().getStatusCode());
        assertEquals(1, manager.openSessionCount(), "served while draining, not held again");

        SessionManagerImpl other = secondServer();
        assertEquals(TStatusCode.SUCCESS_STATUS, Callers.as(nextRequest, () -> other.GetInfo(
                new TGetInfoReq(viaHttp, TGetInfoType.CLI_DBMS_NAME))).getStatus().getStatusCode());
        assertEquals(1, other.openSessionCount(), "the next server holds it");
        assertEquals(TStatusCode.SUCCESS_STATUS, manager.CloseSession(new TCloseSessionReq(viaBinary)).getStatus()
                .getStatusCode());
        assertEquals(0, manager.openSessionCount());
    }

    @Test
    void recordsOfSessionsTheirEnginesNoLongerHaveAreSweptByOneServerAtATime() throws Exception {
        discovery.register(ALICE_SPACE, engine.port(), "r");
        openOk(Map.of());
        SessionManagerImpl other = secondServer();
        other.sweepRecords();
        assertEquals(1, discovery.records.keySet().stream().filter(k -> !k.endsWith("_swept")).count(),
                "a session its engine still has keeps its record");
        engine.close(); // the engine went away (or closed the session after its idle timeout)
        other.sweepRecords();
        assertEquals(1, discovery.records.keySet().stream().filter(k -> !k.endsWith("_swept")).count(),
                "not swept again before twice the idle timeout");
        clock.now = clock.now.plus(Duration.ofHours(13)); // kyuubi.session.idle.timeout is PT6H
        other.sweepRecords();
        assertEquals(0, discovery.records.keySet().stream().filter(k -> !k.endsWith("_swept")).count(),
                "the record of a session on a gone engine is removed");
    }

    @Test
    void aHandleWithTheRightGuidButAnotherSecretNamesNoSessionOnAnyServer() throws Exception {
        discovery.register(ALICE_SPACE, engine.port(), "r");
        TSessionHandle session = openOk(Map.of());
        TSessionHandle forged = new TSessionHandle(Handles.newIdentifier(Handles.uuid(session.getSessionId())));
        for (SessionManagerImpl server : List.of(manager, secondServer())) {
            String msg = Callers.as(conn, () -> server.GetInfo(new TGetInfoReq(forged, TGetInfoType.CLI_DBMS_NAME)))
                    .getStatus().getErrorMessage();
            assertTrue(msg.startsWith("Invalid SessionHandle"), msg);
        }
        assertEquals(TStatusCode.SUCCESS_STATUS, Callers.as(conn, () -> manager.GetInfo(new TGetInfoReq(session,
                TGetInfoType.CLI_DBMS_NAME))).getStatus().getStatusCode(), "the real handle still works");
    }

    /** A listener that counts connections and reads nothing: what a raw engine node points at. */
    private static final class RawEngine implements AutoCloseable {
        private final java.net.ServerSocket listener = new java.net.ServerSocket(0, 50,
                java.net.InetAddress.getLoopbackAddress());
        private final java.util.concurrent.atomic.AtomicInteger accepted =
                new java.util.concurrent.atomic.AtomicInteger();

        RawEngine() throws java.io.IOException {
            Thread t = new Thread(() -> {
                while (!listener.isClosed()) {
                    try (java.net.Socket s = listener.accept()) {
                        accepted.incrementAndGet();
                    } catch (java.io.IOException closed) {
                        return;
                    }
                }
            }, "raw-engine");
            t.setDaemon(true);
            t.start();
        }

        int port() {
            return listener.getLocalPort();
        }

        int accepted() {
            return accepted.get();
        }

        @Override
        public void close() throws java.io.IOException {
            listener.close();
        }
    }

    // ---------------------------------------------------------------- limits

    private TOpenSessionResp openAs(String user, String address, String connection) {
        TOpenSessionReq req = new TOpenSessionReq(HIVE_CLI_SERVICE_PROTOCOL_V10);
        req.setConfiguration(new HashMap<>());
        return manager.openSession(new ClientContext(connection, user, address), req);
    }

    private static void assertRefused(TOpenSessionResp resp, String... parts) {
        assertEquals(TStatusCode.ERROR_STATUS, resp.getStatus().getStatusCode(), resp.getStatus().toString());
        for (String part : parts) {
            assertTrue(resp.getStatus().getErrorMessage().contains(part), resp.getStatus().getErrorMessage());
        }
    }

    private static void assertOpened(TOpenSessionResp resp) {
        assertEquals(TStatusCode.SUCCESS_STATUS, resp.getStatus().getStatusCode(), resp.getStatus().toString());
    }

    @Test
    void aSessionBeyondTheUsersLimitIsRefusedNamingTheKeyWhileAnotherUserOpensAndItsSlotFreesOnClose() {
        discovery.register(ALICE_SPACE, engine.port(), "r");
        discovery.register("/kyuubi_1-spark-4.0_USER_SPARK_SQL/bob/default",
                provider.enginePortFor("/kyuubi_1-spark-4.0_USER_SPARK_SQL/bob/default"), "b");
        configure(Map.of("kyuubi.server.limit.connections.per.user", "2"));
        TSessionHandle first = openAs("alice", "10.0.0.7", "c1").getSessionHandle();
        assertOpened(openAs("alice", "10.0.0.8", "c2"));
        assertRefused(openAs("alice", "10.0.0.9", "c3"), "kyuubi.server.limit.connections.per.user=2", "alice");
        assertEquals(2, engine.requests(TOpenSessionReq.class).size(), "the refused session never reached the engine");
        assertOpened(openAs("bob", "10.0.0.9", "c4"));
        manager.CloseSession(new TCloseSessionReq(first));
        assertOpened(openAs("alice", "10.0.0.9", "c5"));
        assertRefused(openAs("alice", "10.0.0.9", "c6"), "kyuubi.server.limit.connections.per.user");
    }

    @Test
    void aSlotIsFreedWhenTheSessionEndsByIdleTimeoutByDisconnectOrByTheOperator() {
        discovery.register(ALICE_SPACE, engine.port(), "r");
        configure(Map.of("kyuubi.server.limit.connections.per.user", "1", "kyuubi.session.idle.timeout", "PT1H"));
        assertOpened(openAs("alice", "10.0.0.7", "c1"));
        assertRefused(openAs("alice", "10.0.0.7", "c2"), "kyuubi.server.limit.connections.per.user=1");
        clock.now = clock.now.plus(Duration.ofHours(2));
        manager.closeIdleSessions();
        assertOpened(openAs("alice", "10.0.0.7", "c3"));
        manager.connectionClosed(new ClientContext("c3", "alice", "10.0.0.7"));
        assertOpened(openAs("alice", "10.0.0.7", "c4"));
        manager.closeSession(manager.sessions().get(0).id());
        assertOpened(openAs("alice", "10.0.0.7", "c5"));
    }

    @Test
    void aFailedOpenGivesItsSlotBack() {
        configure(Map.of("kyuubi.server.limit.connections.per.user", "1"));
        services.removeProvider(provider);
        assertRefused(openAs("alice", "10.0.0.7", "c1"), "No engine provider");
        services.addProvider(provider);
        discovery.register(ALICE_SPACE, engine.port(), "r");
        assertOpened(openAs("alice", "10.0.0.7", "c2"));
    }

    @Test
    void addressAndUserAddressLimitsCountSessionsFromOneAddress() {
        for (String u : List.of("alice", "bob", "carol")) {
            String space = "/kyuubi_1-spark-4.0_USER_SPARK_SQL/" + u + "/default";
            discovery.register(space, provider.enginePortFor(space), u);
        }
        configure(Map.of("kyuubi.server.limit.connections.per.ipaddress", "2",
                "kyuubi.server.limit.connections.per.user.ipaddress", "1"));
        assertOpened(openAs("alice", "10.0.0.7", "c1"));
        assertRefused(openAs("alice", "10.0.0.7", "c2"), "kyuubi.server.limit.connections.per.user.ipaddress=1",
                "alice from 10.0.0.7");
        assertOpened(openAs("alice", "10.0.0.8", "c3"));
        assertOpened(openAs("bob", "10.0.0.7", "c4"));
        assertRefused(openAs("carol", "10.0.0.7", "c5"), "kyuubi.server.limit.connections.per.ipaddress=2",
                "10.0.0.7");
        assertOpened(openAs("carol", "10.0.0.9", "c6"));
    }

    @Test
    void theUnlimitedListLetsItsUsersPastAndTheDenyListsStopThem() {
        for (String u : List.of("alice", "etl")) {
            String space = "/kyuubi_1-spark-4.0_USER_SPARK_SQL/" + u + "/default";
            discovery.register(space, provider.enginePortFor(space), u);
        }
        configure(Map.of("kyuubi.server.limit.connections.per.user", "1",
                "kyuubi.server.limit.connections.per.ipaddress", "1",
                "kyuubi.server.limit.connections.user.unlimited.list", "etl",
                "kyuubi.server.limit.connections.user.deny.list", "mallory",
                "kyuubi.server.limit.connections.ip.deny.list", "10.6.6.6"));
        for (int i = 0; i < 3; i++) assertOpened(openAs("etl", "10.0.0.7", "e" + i));
        assertOpened(openAs("alice", "10.0.0.7", "a1"));
        assertRefused(openAs("alice", "10.0.0.8", "a2"), "kyuubi.server.limit.connections.per.user=1");
        assertRefused(openAs("mallory", "10.0.0.9", "m1"), "kyuubi.server.limit.connections.user.deny.list");
        assertRefused(openAs("etl", "10.6.6.6", "e9"), "kyuubi.server.limit.connections.ip.deny.list");
    }

    @Test
    void theServersQueryTimeoutGoesToTheEngineAndItsTimeoutIsAnErrorNamingTheKey() {
        discovery.register(ALICE_SPACE, engine.port(), "r");
        configure(Map.of("kyuubi.operation.query.timeout", "PT2.5S"));
        TSessionHandle session = openOk(Map.of());
        TOperationHandle op = manager.ExecuteStatement(new TExecuteStatementReq(session, "endless"))
                .getOperationHandle();
        assertEquals(3, engine.requests(TExecuteStatementReq.class).get(0).getQueryTimeout(),
                "the engine cancels after the server's bound, in whole seconds rounded up");
        TGetOperationStatusResp status = manager.GetOperationStatus(new TGetOperationStatusReq(op));
        assertEquals(TOperationState.ERROR_STATE, status.getOperationState());
        assertTrue(status.getErrorMessage().contains("kyuubi.operation.query.timeout=PT2.5S"),
                status.getErrorMessage());
        assertEquals("HYT00", status.getSqlState());
    }

    @Test
    void aShorterClientTimeoutWinsAndKeepsTheEnginesTimedOutState() {
        discovery.register(ALICE_SPACE, engine.port(), "r");
        configure(Map.of("kyuubi.operation.query.timeout", "PT30S"));
        TSessionHandle session = openOk(Map.of());
        TExecuteStatementReq req = new TExecuteStatementReq(session, "endless");
        req.setQueryTimeout(5);
        TOperationHandle op = manager.ExecuteStatement(req).getOperationHandle();
        assertEquals(5, engine.requests(TExecuteStatementReq.class).get(0).getQueryTimeout());
        assertEquals(TOperationState.TIMEDOUT_STATE,
                manager.GetOperationStatus(new TGetOperationStatusReq(op)).getOperationState());
        TExecuteStatementReq longer = new TExecuteStatementReq(session, "SELECT 1");
        longer.setQueryTimeout(60);
        manager.ExecuteStatement(longer);
        assertEquals(30, engine.requests(TExecuteStatementReq.class).get(1).getQueryTimeout(),
                "a longer client timeout is cut to the server's");
    }

    @Test
    void aSessionMayLowerTheQueryTimeoutButNotRaiseIt() {
        discovery.register(ALICE_SPACE, engine.port(), "r");
        configure(Map.of("kyuubi.operation.query.timeout", "PT10S"));
        TSessionHandle lower = openOk(Map.of("set:hiveconf:kyuubi.operation.query.timeout", "PT2S"));
        manager.ExecuteStatement(new TExecuteStatementReq(lower, "SELECT 1"));
        TSessionHandle higher = openOk(Map.of("kyuubi.operation.query.timeout", "PT1H"));
        manager.ExecuteStatement(new TExecuteStatementReq(higher, "SELECT 1"));
        assertEquals(2, engine.requests(TExecuteStatementReq.class).get(0).getQueryTimeout());
        assertEquals(10, engine.requests(TExecuteStatementReq.class).get(1).getQueryTimeout());
    }

    @Test
    void withoutAQueryTimeoutTheClientsOwnPassesUnchanged() {
        discovery.register(ALICE_SPACE, engine.port(), "r");
        TSessionHandle session = openOk(Map.of());
        TExecuteStatementReq req = new TExecuteStatementReq(session, "SELECT 1");
        req.setQueryTimeout(7);
        manager.ExecuteStatement(req);
        manager.ExecuteStatement(new TExecuteStatementReq(session, "SELECT 1"));
        assertEquals(7, engine.requests(TExecuteStatementReq.class).get(0).getQueryTimeout());
        assertEquals(0, engine.requests(TExecuteStatementReq.class).get(1).getQueryTimeout());
    }

    @Test
    void aFetchOfMoreRowsThanTheServerAllowsIsRefusedNamingTheKeyAndTheSuggestedFetchSizeStaysBelow() {
        discovery.register(ALICE_SPACE, engine.port(), "r");
        configure(Map.of("kyuubi.server.limit.client.fetch.max.rows", "500"));
        TOpenSessionResp opened = open(HIVE_CLI_SERVICE_PROTOCOL_V10, Map.of());
        assertEquals("500", opened.getConfiguration().get("hive.server2.thrift.resultset.default.fetch.size"));
        TOperationHandle op = manager.ExecuteStatement(new TExecuteStatementReq(opened.getSessionHandle(),
                "SELECT 1")).getOperationHandle();
        TFetchResultsResp refused = manager.FetchResults(new TFetchResultsReq(op, TFetchOrientation.FETCH_NEXT,
                501));
        assertEquals(TStatusCode.ERROR_STATUS, refused.getStatus().getStatusCode());
        assertTrue(refused.getStatus().getErrorMessage().contains("kyuubi.server.limit.client.fetch.max.rows=500"),
                refused.getStatus().getErrorMessage());
        assertTrue(engine.requests(TFetchResultsReq.class).isEmpty(), "the engine is not asked");
        assertEquals(TStatusCode.SUCCESS_STATUS, manager.FetchResults(new TFetchResultsReq(op,
                TFetchOrientation.FETCH_NEXT, 500)).getStatus().getStatusCode());
    }

    @Test
    void anEngineReplyAboveTheBoundFailsThatCallNamingTheKeyAndTheSessionGoesOn() {
        discovery.register(ALICE_SPACE, engine.port(), "r");
        configure(Map.of("kitsune.engine.reply.max.bytes", String.valueOf(1 << 20)));
        TSessionHandle session = openOk(Map.of());
        TOperationHandle op = manager.ExecuteStatement(new TExecuteStatementReq(session, "wide"))
                .getOperationHandle();
        assertEquals(TStatusCode.SUCCESS_STATUS, manager.FetchResults(new TFetchResultsReq(op,
                TFetchOrientation.FETCH_NEXT, 500)).getStatus().getStatusCode(), "500 KiB pass");
        TFetchResultsResp big = manager.FetchResults(new TFetchResultsReq(op, TFetchOrientation.FETCH_NEXT, 2000));
        assertEquals(TStatusCode.ERROR_STATUS, big.getStatus().getStatusCode());
        assertTrue(big.getStatus().getErrorMessage().contains("kitsune.engine.reply.max.bytes=1048576"),
                big.getStatus().getErrorMessage());
        assertEquals("Spark SQL", manager.GetInfo(new TGetInfoReq(session, TGetInfoType.CLI_DBMS_NAME))
                .getInfoValue().getStringValue(), "the session goes on over another connection");
    }

    @Test
    void userNamesThatCouldClimbOutOfTheirPlaceAreRefusedByName() {
        discovery.register(ALICE_SPACE, engine.port(), "r");
        assertRefused(openAs("../bob", "10.0.0.7", "c1"), "Invalid user name '../bob'", "'..'");
        assertRefused(openAs("a/b", "10.0.0.7", "c2"), "Invalid user name 'a/b'", "'/'");
        assertRefused(openAs("eve\nINFO forged", "10.0.0.7", "c3"), "control character", "\\u000a");
        TOpenSessionReq req = new TOpenSessionReq(HIVE_CLI_SERVICE_PROTOCOL_V10);
        req.setConfiguration(new HashMap<>(Map.of("hive.server2.proxy.user", "..")));
        assertRefused(manager.openSession(conn, req), "Invalid user name '..'");
        assertTrue(engine.requests(TOpenSessionReq.class).isEmpty(), "none reached the engine");
        assertOpened(openAs("alice", "10.0.0.7", "c4"));
    }
}
