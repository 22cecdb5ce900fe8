package kitsune.session.impl;

import java.lang.reflect.Proxy;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.apache.hive.service.rpc.thrift.TCLIService;
import org.apache.hive.service.rpc.thrift.TColumn;
import org.apache.hive.service.rpc.thrift.TColumnDesc;
import org.apache.hive.service.rpc.thrift.TFetchResultsReq;
import org.apache.hive.service.rpc.thrift.TGetOperationStatusReq;
import org.apache.hive.service.rpc.thrift.TGetOperationStatusResp;
import org.apache.hive.service.rpc.thrift.TGetResultSetMetadataResp;
import org.apache.hive.service.rpc.thrift.TOperationState;
import org.apache.hive.service.rpc.thrift.TPrimitiveTypeEntry;
import org.apache.hive.service.rpc.thrift.TStringColumn;
import org.apache.hive.service.rpc.thrift.TTableSchema;
import org.apache.hive.service.rpc.thrift.TTypeDesc;
import org.apache.hive.service.rpc.thrift.TTypeEntry;
import org.apache.hive.service.rpc.thrift.TTypeId;
import org.apache.hive.service.rpc.thrift.TExecuteStatementReq;
import org.apache.hive.service.rpc.thrift.TExecuteStatementResp;
import org.apache.hive.service.rpc.thrift.TFetchResultsResp;
import org.apache.hive.service.rpc.thrift.TGetInfoResp;
import org.apache.hive.service.rpc.thrift.TGetInfoValue;
import org.apache.hive.service.rpc.thrift.TOpenSessionReq;
import org.apache.hive.service.rpc.thrift.TOpenSessionResp;
import org.apache.hive.service.rpc.thrift.TOperationType;
import org.apache.hive.service.rpc.thrift.TRowSet;
import org.apache.hive.service.rpc.thrift.TSessionHandle;
import org.apache.thrift.protocol.TBinaryProtocol;
import org.apache.thrift.protocol.TProtocol;
import org.apache.thrift.server.ServerContext;
import org.apache.thrift.server.TServerEventHandler;
import org.apache.thrift.server.TThreadPoolServer;
import org.apache.thrift.transport.TServerSocket;
import org.apache.thrift.transport.TTransport;

import kitsune.api.engine.EngineConf;
import kitsune.thrift.EngineChallenge;
import kitsune.thrift.EngineChallengeTransportFactory;
import kitsune.thrift.Handles;
import kitsune.thrift.Responses;
import kitsune.thrift.Statuses;

/**
 * A TCLIService engine that takes logins proving {@link #SECRET} (as the Spark engine serves with engine security on,
 * the default) and records what it was sent.
 */
final class FakeEngine implements AutoCloseable {
    /** The engine secret the tests' servers are configured with. */
    static final String SECRET = "fake-engine-secret";
    /** The engine space whose engine this plays by default: it proves that space's secret. */
    static final String SPACE = "/kyuubi_1-spark-4.0_USER_SPARK_SQL/alice/default";
    final List<Object> requests = new CopyOnWriteArrayList<>();
    final TSessionHandle sessionHandle = Handles.newSessionHandle(UUID.randomUUID());
    private final TThreadPoolServer server;
    private final TServerSocket socket;
    private final Thread thread;
    private final int port;
    private final List<TTransport> connections = new CopyOnWriteArrayList<>();
    private final Set<String> fetched = ConcurrentHashMap.newKeySet();
    /** Operations of the statement "wide": each fetch answers maxRows rows of 1 KiB. */
    private final Set<String> wide = ConcurrentHashMap.newKeySet();
    /** Operations of the statement "endless" run with a queryTimeout: their status is TIMEDOUT. */
    private final Set<String> timedOut = ConcurrentHashMap.newKeySet();
    /** Whether OpenSession says that this engine sets hasMoreRows exactly when false, as Kitsune's engine does. */
    volatile boolean resultEndExact;
    /** Whether OpenSession says that this engine answers a short statement whole with its reply (Kitsune's does). */
    volatile boolean inline;
    /** A statement "block" waits for this before it answers. */
    final CountDownLatch release = new CountDownLatch(1);

    private static TGetResultSetMetadataResp schema() {
        TTypeDesc type = new TTypeDesc(List.of(TTypeEntry.primitiveEntry(new TPrimitiveTypeEntry(TTypeId.STRING_TYPE))));
        TGetResultSetMetadataResp r = new TGetResultSetMetadataResp(Statuses.ok());
        r.setSchema(new TTableSchema(List.of(new TColumnDesc("greeting", type, 1))));
        return r;
    }

    FakeEngine() throws Exception {
        this(SPACE);
    }

    /** The engine of that space: it knows that space's secret only, as a launched engine does. */
    FakeEngine(String space) throws Exception {
        socket = new TServerSocket(new InetSocketAddress("127.0.0.1", 0));
        TCLIService.Iface handler = (TCLIService.Iface) Proxy.newProxyInstance(getClass().getClassLoader(),
                new Class<?>[] {TCLIService.Iface.class}, (proxy, method, args) -> {
                    if (method.getDeclaringClass() == Object.class) return method.invoke(this, args);
                    requests.add(args[0]);
                    return switch (method.getName()) {
                        case "OpenSession" -> {
                            TOpenSessionReq req = (TOpenSessionReq) args[0];
                            TOpenSessionResp r = new TOpenSessionResp(Statuses.ok(), req.getClient_protocol());
                            r.setSessionHandle(sessionHandle);
                            Map<String, String> says = new java.util.HashMap<>();
                            if (resultEndExact) says.put(EngineConf.RESULT_END_EXACT, "true");
                            if (inline) says.put(EngineConf.INLINE_RESULTS, "true");
                            if (!says.isEmpty()) r.setConfiguration(says);
                            yield r;
                        }
                        case "GetInfo" -> new TGetInfoResp(Statuses.ok(), TGetInfoValue.stringValue("Spark SQL"));
                        case "ExecuteStatement" -> {
                            TExecuteStatementReq req = (TExecuteStatementReq) args[0];
                            if (req.getStatement().equals("block")) release.await(30, TimeUnit.SECONDS);
                            if (req.getStatement().startsWith("bad")) {
                                yield new TExecuteStatementResp(Statuses.error("Table not found: x", "42S02"));
                            }
                            TExecuteStatementResp r = new TExecuteStatementResp(Statuses.ok());
                            r.setOperationHandle(Handles.newOperationHandle(TOperationType.EXECUTE_STATEMENT, true));
                            if (req.getStatement().equals("wide")) wide.add(Handles.key(r.getOperationHandle()));
                            if (req.getStatement().equals("endless") && req.getQueryTimeout() > 0) {
                                timedOut.add(Handles.key(r.getOperationHandle()));
                            }
                            Map<String, String> overlay = req.getConfOverlay();
                            if (inline && overlay != null && overlay.containsKey(EngineConf.INLINE_WAIT_MS)
                                    && !req.getStatement().equals("wide") && !req.getStatement().equals("endless")) {
                                // the one row a fetch would give, kept for a fetch as Kitsune's engine keeps it
                                TGetOperationStatusResp st = new TGetOperationStatusResp(Statuses.ok());
                                st.setOperationState(TOperationState.FINISHED_STATE);
                                st.setHasResultSet(true);
                                TRowSet rows = new TRowSet(0, new ArrayList<>());
                                rows.setColumns(List.of(TColumn.stringVal(new TStringColumn(List.of("hello"),
                                        ByteBuffer.allocate(0)))));
                                r.getStatus().setInfoMessages(new ArrayList<>(kitsune.thrift.InlineResults.encode(
                                        new kitsune.thrift.InlineResults.Answer(st, schema(), rows), 1 << 20)));
                            }
                            yield r;
                        }
                        case "GetOperationStatus" -> {
                            TGetOperationStatusResp r = new TGetOperationStatusResp(Statuses.ok());
                            String op = Handles.key(((TGetOperationStatusReq) args[0]).getOperationHandle());
                            r.setOperationState(timedOut.contains(op) ? TOperationState.TIMEDOUT_STATE
                                    : TOperationState.FINISHED_STATE);
                            r.setHasResultSet(true);
                            yield r;
                        }
                        case "GetResultSetMetadata" -> schema();
                        case "FetchResults" -> {
                            TFetchResultsReq req = (TFetchResultsReq) args[0];
                            // One row per result operation, then the empty batch that ends it.
                            boolean first = req.getFetchType() == 0
                                    && fetched.add(Handles.key(req.getOperationHandle()));
                            List<String> values = first ? List.of("hello") : List.of();
                            if (wide.contains(Handles.key(req.getOperationHandle()))) {
                                values = java.util.Collections.nCopies((int) req.getMaxRows(), "x".repeat(1024));
                            }
                            TRowSet rows = new TRowSet(0, new ArrayList<>());
                            rows.setColumns(List.of(TColumn.stringVal(new TStringColumn(
                                    values, ByteBuffer.allocate(0)))));
                            TFetchResultsResp r = new TFetchResultsResp(Statuses.ok());
                            r.setResults(rows);
                            r.setHasMoreRows(false);
                            yield r;
                        }
                        default -> Responses.withStatus(method.getReturnType(), Statuses.ok());
                    };
                });
        server = new TThreadPoolServer(new TThreadPoolServer.Args(socket).processor(new TCLIService.Processor<>(
                handler)).protocolFactory(new TBinaryProtocol.Factory()).minWorkerThreads(1).maxWorkerThreads(8)
                .transportFactory(new EngineChallengeTransportFactory(1 << 30, EngineChallenge.spaceSecret(SECRET, space),
                        EngineChallenge.address("127.0.0.1", socket.getServerSocket().getLocalPort()),
                        Duration.ofSeconds(10))));
        server.setServerEventHandler(new TServerEventHandler() {
            @Override
            public void preServe() {
            }

            @Override
            public ServerContext createContext(TProtocol in, TProtocol out) {
                connections.add(in.getTransport());
                return null;
            }

            @Override
            public void deleteContext(ServerContext ctx, TProtocol in, TProtocol out) {
            }

            @Override
            public void processContext(ServerContext ctx, TTransport in, TTransport out) {
            }
        });
        port = socket.getServerSocket().getLocalPort();
        thread = new Thread(server::serve, "fake-engine");
        thread.setDaemon(true);
        thread.start();
        while (!server.isServing()) Thread.onSpinWait();
    }

    int port() {
        return port;
    }

    /** Connections accepted so far. */
    int connectionsAccepted() {
        return connections.size();
    }

    <T> List<T> requests(Class<T> type) {
        return requests.stream().filter(type::isInstance).map(type::cast).toList();
    }

    @Override
    public void close() throws Exception {
        server.stop();
        connections.forEach(TTransport::close); // as if the engine process died
        thread.join(5000);
    }
}
