package kitsune.session.impl;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.apache.hive.service.rpc.thrift.TCancelOperationReq;
import org.apache.hive.service.rpc.thrift.TCloseSessionReq;
import org.apache.hive.service.rpc.thrift.TFetchOrientation;
import org.apache.hive.service.rpc.thrift.TFetchResultsReq;
import org.apache.hive.service.rpc.thrift.TFetchResultsResp;
import org.apache.hive.service.rpc.thrift.TGetOperationStatusReq;
import org.apache.hive.service.rpc.thrift.TGetOperationStatusResp;
import org.apache.hive.service.rpc.thrift.TOperationHandle;
import org.apache.hive.service.rpc.thrift.TOperationState;
import org.apache.hive.service.rpc.thrift.TExecuteStatementReq;
import org.apache.hive.service.rpc.thrift.TExecuteStatementResp;
import org.apache.hive.service.rpc.thrift.TGetInfoReq;
import org.apache.hive.service.rpc.thrift.TGetInfoResp;
import org.apache.hive.service.rpc.thrift.TGetInfoType;
import org.apache.hive.service.rpc.thrift.TOpenSessionReq;
import org.apache.hive.service.rpc.thrift.TOpenSessionResp;
import org.apache.hive.service.rpc.thrift.TProtocolVersion;
import org.apache.hive.service.rpc.thrift.THandleIdentifier;
import org.apache.hive.service.rpc.thrift.TSessionHandle;
import org.apache.hive.service.rpc.thrift.TStatusCode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import kitsune.api.conf.KitsuneConf;
import kitsune.api.engine.EngineConf;
import kitsune.thrift.ClientContext;
import kitsune.thrift.Handles;

/**
 * Sessions bound to their engines in the background (kyuubi.session.engine.launch.async), against a real Thrift
 * engine on a socket and a provider whose launches register, die or hang as each test asks.
 */
class AsyncBindingTest {
    private static final ServerIdentity SERVER = new ServerIdentity("kitsune", "staff");
    @TempDir
    Path work;
    private FakeEngine engine;
    private FakeDiscovery discovery;
    private FakeProvider provider;
    private SessionManagerImpl manager;
    private final ClientContext conn = new ClientContext("conn-1", "alice", "10.0.0.7");

    @BeforeEach
    void setUp() throws Exception {
        engine = new FakeEngine();
        discovery = new FakeDiscovery();
        provider = new FakeProvider(discovery, engine.port());
        EngineServices services = new EngineServices();
        services.runtimeStarted();
        services.setDiscovery(discovery);
        services.addProvider(provider);
        manager = new SessionManagerImpl(new EngineLocator(services, SERVER, Duration.ofMillis(20)),
                Clock.systemUTC());
    }

    private void start(Map<String, String> extra) {
        Map<String, String> conf = new HashMap<>(extra);
        conf.put("kitsune.work.dir", work.toString());
        conf.put("kyuubi.engine.security.secret.provider.simple.secret", FakeEngine.SECRET);
        manager.configure(KitsuneConf.of(conf));
        manager.start();
    }

    @AfterEach
    void tearDown() throws Exception {
        manager.shutdown();
        engine.close();
        provider.close();
    }

    private TOpenSessionResp open(Map<String, String> conf) {
        TOpenSessionReq req = new TOpenSessionReq(TProtocolVersion.HIVE_CLI_SERVICE_PROTOCOL_V10);
        req.setConfiguration(new HashMap<>(conf));
        return manager.openSession(conn, req);
    }

    private TSessionHandle openOk() {
        TOpenSessionResp resp = open(Map.of());
        assertEquals(TStatusCode.SUCCESS_STATUS, resp.getStatus().getStatusCode(), resp.getStatus().toString());
        return resp.getSessionHandle();
    }

    @Test
    void theLoginAnswersBeforeTheEngineRegistersAndTheFirstStatementWaitsForIt() {
        start(Map.of());
        TSessionHandle session = openOk();
        assertTrue(engine.requests(TOpenSessionReq.class).isEmpty(), "no engine session yet at the login's answer");
        assertEquals(1, manager.openSessionCount());
        TExecuteStatementResp exec = manager.ExecuteStatement(new TExecuteStatementReq(session, "SELECT 1"));
        assertEquals(TStatusCode.SUCCESS_STATUS, exec.getStatus().getStatusCode(), exec.getStatus().toString());
        assertNotNull(exec.getOperationHandle());
        assertEquals(1, engine.requests(TOpenSessionReq.class).size());
        assertEquals(1, provider.launches.size());
        assertEquals(1, manager.sessions().get(0).openOperations());
        assertNotNull(manager.sessions().get(0).engine(), "the session names its engine once bound");
    }

    @Test
    void anAsynchronousStatementIsAcceptedAtOnceAndSentWithItsHandleOnceTheEngineIsThere() {
        provider.registerDelayMillis = 1500;
        start(Map.of());
        TSessionHandle session = openOk();
        TExecuteStatementReq req = new TExecuteStatementReq(session, "SELECT 1");
        req.setRunAsync(true);
        // an operation id is the server's to choose: a client's own is dropped
        // nor is holding the engine's reply (kitsune.inline.*: between server and engine only)
        req.setConfOverlay(new HashMap<>(Map.of(EngineConf.OPERATION_ID, "00000000-0000-0000-0000-000000000001",
                EngineConf.INLINE_WAIT_MS, "1000", EngineConf.INLINE_ROWS, "10000")));
        TExecuteStatementResp exec = manager.ExecuteStatement(req);
        assertEquals(TStatusCode.SUCCESS_STATUS, exec.getStatus().getStatusCode(), exec.getStatus().toString());
        TOperationHandle op = exec.getOperationHandle();
        assertTrue(engine.requests(TExecuteStatementReq.class).isEmpty(), "accepted before the engine registered");
        TGetOperationStatusResp status = manager.GetOperationStatus(new TGetOperationStatusReq(op));
        assertTrue(status.getOperationState() == TOperationState.PENDING_STATE
                || engine.requests(TExecuteStatementReq.class).size() == 1, status.toString());

        await("the statement sent to the engine").atMost(Duration.ofSeconds(20))
                .until(() -> engine.requests(TExecuteStatementReq.class).size() == 1);
        TExecuteStatementReq sent = engine.requests(TExecuteStatementReq.class).get(0);
        assertEquals(Handles.uuid(op.getOperationId()).toString(), sent.getConfOverlay().get(EngineConf.OPERATION_ID),
                "the engine is given the handle's id");
        assertFalse(sent.getConfOverlay().containsKey(EngineConf.INLINE_WAIT_MS), "the client's inline keys dropped");
        assertFalse(sent.getConfOverlay().containsKey(EngineConf.INLINE_ROWS));
        TFetchResultsReq logReq = new TFetchResultsReq(op, TFetchOrientation.FETCH_NEXT, 100);
        logReq.setFetchType((short) 1);
        TFetchResultsResp log = manager.FetchResults(logReq);
        List<String> lines = log.getResults().getColumns().get(0).getStringVal().getValues();
        assertTrue(lines.get(0).startsWith("Waiting for the engine of session"), lines.toString());
        assertTrue(lines.stream().anyMatch(l -> l.startsWith("Launched a SPARK_SQL engine in ")), lines.toString());
        assertTrue(lines.stream().anyMatch(l -> l.contains("running the statement")), lines.toString());
    }

    @Test
    void aStatementWaitingForItsEngineIsNotClosedForIdlenessWhileItsClientPollsIt() {
        provider.registerDelayMillis = 3000;
        start(Map.of("kyuubi.operation.idle.timeout", "PT1S"));
        TSessionHandle session = openOk();
        TExecuteStatementReq req = new TExecuteStatementReq(session, "SELECT 1");
        req.setRunAsync(true);
        TOperationHandle op = manager.ExecuteStatement(req).getOperationHandle();
        await("the statement finished on its engine").atMost(Duration.ofSeconds(20)).until(() -> {
            TGetOperationStatusResp status = manager.GetOperationStatus(new TGetOperationStatusReq(op));
            manager.closeIdleOperations();
            assertEquals(TStatusCode.SUCCESS_STATUS, status.getStatus().getStatusCode(), status.toString());
            return status.getOperationState() == TOperationState.FINISHED_STATE;
        });
        assertEquals(1, engine.requests(TExecuteStatementReq.class).size());
    }

    @Test
    void aStatementCancelledBeforeItsEngineIsReadyIsNeverSent() {
        provider.registerDelayMillis = 1500;
        start(Map.of());
        TSessionHandle session = openOk();
        TExecuteStatementReq req = new TExecuteStatementReq(session, "SELECT 1");
        req.setRunAsync(true);
        TOperationHandle op = manager.ExecuteStatement(req).getOperationHandle();
        assertEquals(TStatusCode.SUCCESS_STATUS,
                manager.CancelOperation(new TCancelOperationReq(op)).getStatus().getStatusCode());
        assertEquals(TOperationState.CANCELED_STATE,
                manager.GetOperationStatus(new TGetOperationStatusReq(op)).getOperationState());
        // once the session is bound (a synchronous statement waits for that), the cancelled one has not been sent
        assertEquals(TStatusCode.SUCCESS_STATUS,
                manager.ExecuteStatement(new TExecuteStatementReq(session, "SELECT 2")).getStatus().getStatusCode());
        assertEquals(List.of("SELECT 2"), engine.requests(TExecuteStatementReq.class).stream()
                .map(TExecuteStatementReq::getStatement).toList());
    }

    @Test
    void aSessionCannotQueueMoreStatementsForItsStartingEngineThanTheBound() {
        provider.registerDelayMillis = 3000;
        start(Map.of("kitsune.session.engine.launch.async.pending.statements", "2"));
        TSessionHandle session = openOk();
        for (int i = 0; i < 2; i++) {
            TExecuteStatementReq req = new TExecuteStatementReq(session, "SELECT " + i);
            req.setRunAsync(true);
            assertEquals(TStatusCode.SUCCESS_STATUS, manager.ExecuteStatement(req).getStatus().getStatusCode());
        }
        TExecuteStatementReq third = new TExecuteStatementReq(session, "SELECT 3");
        third.setRunAsync(true);
        TExecuteStatementResp refused = manager.ExecuteStatement(third);
        assertEquals(TStatusCode.ERROR_STATUS, refused.getStatus().getStatusCode());
        assertTrue(refused.getStatus().getErrorMessage().contains("kitsune.session.engine.launch.async.pending.statements"),
                refused.getStatus().getErrorMessage());
        await("both accepted statements sent").atMost(Duration.ofSeconds(20))
                .until(() -> engine.requests(TExecuteStatementReq.class).size() == 2);
    }

    @Test
    void aLaunchFailureIsTheErrorOfEveryStatementNotOfTheLogin() {
        provider.behaviour = FakeProvider.Behaviour.DIE;
        start(Map.of());
        TSessionHandle session = openOk();
        for (int i = 0; i < 2; i++) {
            TExecuteStatementResp exec = manager.ExecuteStatement(new TExecuteStatementReq(session, "SELECT 1"));
            assertEquals(TStatusCode.ERROR_STATUS, exec.getStatus().getStatusCode());
            assertTrue(exec.getStatus().getErrorMessage().startsWith("Engine failed to start (exit code 1)"),
                    exec.getStatus().getErrorMessage());
        }
        assertEquals(1, provider.launches.size(), "one launch per session, not one per statement");
        assertEquals(TStatusCode.SUCCESS_STATUS,
                manager.CloseSession(new TCloseSessionReq(session)).getStatus().getStatusCode());
        assertEquals(0, manager.openSessionCount());
    }

    @Test
    void withTheKeyOffInTheSessionTheLoginFailsAsBefore() {
        provider.behaviour = FakeProvider.Behaviour.DIE;
        start(Map.of());
        TOpenSessionResp resp = open(Map.of("set:hiveconf:kyuubi.session.engine.launch.async", "false"));
        assertEquals(TStatusCode.ERROR_STATUS, resp.getStatus().getStatusCode());
        assertTrue(resp.getStatus().getErrorMessage().startsWith("Engine failed to start (exit code 1)"));
        assertEquals(0, manager.openSessionCount());
    }

    @Test
    void refusalsKnownWithoutLaunchingStillRefuseTheLogin() {
        start(Map.of());
        TOpenSessionResp resp = open(Map.of("set:hiveconf:kitsune.engine.spark.home", "nope"));
        assertEquals(TStatusCode.ERROR_STATUS, resp.getStatus().getStatusCode());
        assertTrue(resp.getStatus().getErrorMessage().contains("is not a listed engine home"));
        assertTrue(provider.launches.isEmpty());
        assertEquals(0, manager.openSessionCount());
    }

    @Test
    void theNamesAndCloseSessionDoNotWaitForTheLaunchAndTheEngineSessionOpenedLaterIsClosed() {
        provider.behaviour = FakeProvider.Behaviour.HANG;
        start(Map.of());
        TSessionHandle session = openOk();
        TGetInfoResp name = manager.GetInfo(new TGetInfoReq(session, TGetInfoType.CLI_DBMS_NAME));
        assertEquals(TStatusCode.SUCCESS_STATUS, name.getStatus().getStatusCode());
        assertEquals("Spark SQL", name.getInfoValue().getStringValue());
        // every reply must be writable as Thrift: a union without a value closes the client's connection
        assertDoesNotThrow(() -> new org.apache.thrift.TSerializer(new org.apache.thrift.protocol.TBinaryProtocol
                .Factory()).serialize(name));
        TGetInfoResp refused = manager.GetInfo(new TGetInfoReq(new TSessionHandle(new THandleIdentifier(
                java.nio.ByteBuffer.wrap(new byte[16]), java.nio.ByteBuffer.wrap(new byte[16]))),
                TGetInfoType.CLI_DBMS_VER));
        assertEquals(TStatusCode.ERROR_STATUS, refused.getStatus().getStatusCode());
        assertDoesNotThrow(() -> new org.apache.thrift.TSerializer(new org.apache.thrift.protocol.TBinaryProtocol
                .Factory()).serialize(refused));
        await().until(() -> provider.launches.size() == 1);

        assertEquals(TStatusCode.SUCCESS_STATUS,
                manager.CloseSession(new TCloseSessionReq(session)).getStatus().getStatusCode());
        assertEquals(0, manager.openSessionCount());
        assertTrue(manager.sessions().isEmpty());
        // the engine registers after all: the session opened on it for the closed session is closed there
        discovery.register(FakeEngine.SPACE, engine.port(), provider.launches.get(0).refId());
        await().atMost(Duration.ofSeconds(10)).until(() -> engine.requests(TCloseSessionReq.class).size() == 1);
        assertEquals(1, engine.requests(TOpenSessionReq.class).size());
        assertEquals(Handles.key(engine.sessionHandle),
                Handles.key(engine.requests(TCloseSessionReq.class).get(0).getSessionHandle()));
        assertEquals(0, manager.openSessionCount());
    }

    @Test
    void backgroundBindingsAreBoundedAndTheOthersWaitInLine() {
        provider.behaviour = FakeProvider.Behaviour.HANG;
        start(Map.of("kitsune.session.engine.launch.async.threads", "1",
                "kyuubi.engine.share.level", "CONNECTION", "kyuubi.session.engine.initialize.timeout", "PT1S"));
        TSessionHandle first = openOk();
        TSessionHandle second = openOk();
        await().until(() -> provider.launches.size() == 1);
        await().during(Duration.ofMillis(500)).atMost(Duration.ofSeconds(2))
                .until(() -> provider.launches.size() == 1);
        // the first launch times out; only then does the second session's binding run
        TExecuteStatementResp failed = manager.ExecuteStatement(new TExecuteStatementReq(first, "SELECT 1"));
        assertTrue(failed.getStatus().getErrorMessage().startsWith("Timeout(1000 ms, you can modify "
                + "kyuubi.session.engine.initialize.timeout"), failed.getStatus().getErrorMessage());
        await().atMost(Duration.ofSeconds(5)).until(() -> provider.launches.size() == 2);
        assertEquals(2, manager.openSessionCount());
        manager.CloseSession(new TCloseSessionReq(second));
        assertEquals(1, manager.openSessionCount());
    }

    @Test
    void aSessionThatWouldLaunchOneEngineTooManyIsRefusedAtTheLogin() {
        start(Map.of("kitsune.engine.max.per.user", "1"));
        // alice's engine of another space is starting (its launch record, as any server of the namespace writes it)
        discovery.write(EngineQuota.launchesPath("kyuubi", "alice") + "/ref-other",
                Long.toString(System.currentTimeMillis()).getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        TOpenSessionResp resp = open(Map.of());
        assertEquals(TStatusCode.ERROR_STATUS, resp.getStatus().getStatusCode());
        assertTrue(resp.getStatus().getErrorMessage().startsWith("Engine limit reached: alice already has 1 "
                + "engine(s)"), resp.getStatus().getErrorMessage());
        assertTrue(provider.launches.isEmpty());
        assertEquals(0, manager.openSessionCount());
        // a session of a space that has an engine is admitted
        discovery.register(FakeEngine.SPACE, engine.port(), "ref-default");
        TOpenSessionResp other = open(Map.of());
        assertEquals(TStatusCode.SUCCESS_STATUS, other.getStatus().getStatusCode(), other.getStatus().toString());
    }
}
