package kitsune.engine.spark;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.Consumer;
import java.util.function.Supplier;

import org.apache.hive.service.rpc.thrift.*;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import kitsune.api.conf.ConfigKeys;
import kitsune.api.engine.EngineConf;
import kitsune.thrift.ClientContext;
import kitsune.thrift.InlineResults;
import kitsune.thrift.Statuses;
import kitsune.thrift.UnsupportedCalls;

/**
 * TCLIService as the engine serves it: each call is mapped to the sessions and operations, and every failure is
 * answered as an error status with Spark's message and a SQLSTATE, never thrown at the transport.
 */
final class EngineCliService implements UnsupportedCalls {
    private static final Logger LOG = LoggerFactory.getLogger(EngineCliService.class);
    /** The newest protocol the Hive 4.0.1 driver accepts; V11 makes it fail with "Unsupported Hive2 protocol". */
    static final TProtocolVersion MAX_PROTOCOL = TProtocolVersion.HIVE_CLI_SERVICE_PROTOCOL_V10;
    private static final int FETCH_TYPE_LOG = 1;

    private final EngineSessions sessions;
    private final ExecutorService statementPool;
    private final ScheduledExecutorService scheduler;
    private final Duration pollingTimeout;
    private final String sparkVersion;
    private final Supplier<ClientContext> connection;
    private final int resultMaxRows;
    private final JobProgress progress;

    EngineCliService(EngineSessions sessions, ExecutorService statementPool, ScheduledExecutorService scheduler,
            Duration pollingTimeout, String sparkVersion, Supplier<ClientContext> connection) {
        this(sessions, statementPool, scheduler, pollingTimeout, sparkVersion, connection, 0, new JobProgress());
    }

    /** @param resultMaxRows kyuubi.operation.result.max.rows of this engine (0: no limit) */
    EngineCliService(EngineSessions sessions, ExecutorService statementPool, ScheduledExecutorService scheduler,
            Duration pollingTimeout, String sparkVersion, Supplier<ClientContext> connection, int resultMaxRows,
            JobProgress progress) {
        this.resultMaxRows = resultMaxRows;
        this.progress = progress;
        this.sessions = sessions;
        this.statementPool = statementPool;
        this.scheduler = scheduler;
        this.pollingTimeout = pollingTimeout;
        this.sparkVersion = sparkVersion;
        this.connection = connection;
    }

    static TProtocolVersion negotiate(TProtocolVersion client) {
        return client == null || client.getValue() > MAX_PROTOCOL.getValue() ? MAX_PROTOCOL : client;
    }

    @Override
    public TOpenSessionResp OpenSession(TOpenSessionReq req) {
        TOpenSessionResp resp = new TOpenSessionResp();
        try {
            TProtocolVersion protocol = negotiate(req.getClient_protocol());
            ClientContext ctx = connection.get();
            String user = ctx.user() != null ? ctx.user() : req.getUsername() == null ? "anonymous" : req.getUsername();
            boolean pooled = req.getConfiguration() != null
                    && "true".equals(req.getConfiguration().get(EngineConf.SESSION_POOLED));
            EngineSession session = sessions.open(user, pooled ? null : ctx.connectionId(), protocol,
                    req.getConfiguration());
            resp.setStatus(Statuses.ok());
            resp.setServerProtocolVersion(protocol);
            resp.setSessionHandle(session.handle());
            // the driver reads both keys and fails without a configuration map
            resp.setConfiguration(Map.of(
                    "hive.server2.thrift.resultset.default.fetch.size", "1000",
                    "hive.default.nulls.last", "true",
                    EngineConf.RESULT_END_EXACT, "true",
                    EngineConf.INLINE_RESULTS, "true"));
        } catch (Exception e) {
            LOG.warn("OpenSession failed: {}", SqlErrors.message(e));
            resp.setStatus(SqlErrors.status(e));
            resp.setServerProtocolVersion(MAX_PROTOCOL);
        }
        return resp;
    }

    @Override
    public TCloseSessionResp CloseSession(TCloseSessionReq req) {
        TCloseSessionResp resp = new TCloseSessionResp();
        try {
            sessions.close(req.getSessionHandle());
            resp.setStatus(Statuses.ok());
        } catch (Exception e) {
            resp.setStatus(SqlErrors.status(e));
        }
        return resp;
    }

    @Override
    public TGetInfoResp GetInfo(TGetInfoReq req) {
        TGetInfoResp resp = new TGetInfoResp();
        try {
            sessions.get(req.getSessionHandle());
            TGetInfoValue value = switch (req.getInfoType()) {
                case CLI_SERVER_NAME -> TGetInfoValue.stringValue("Kitsune Spark engine");
                case CLI_DBMS_NAME -> TGetInfoValue.stringValue("Spark SQL");
                case CLI_DBMS_VER -> TGetInfoValue.stringValue(sparkVersion);
                case CLI_ODBC_KEYWORDS -> TGetInfoValue.stringValue("Unimplemented");
                case CLI_MAX_COLUMN_NAME_LEN, CLI_MAX_SCHEMA_NAME_LEN, CLI_MAX_TABLE_NAME_LEN ->
                        TGetInfoValue.lenValue(128);
                case CLI_TXN_CAPABLE -> TGetInfoValue.smallIntValue((short) 0);
                default -> null;
            };
            if (value == null) {
                resp.setStatus(Statuses.notSupported("GetInfo type " + req.getInfoType()));
                resp.setInfoValue(TGetInfoValue.stringValue(""));
            } else {
                resp.setStatus(Statuses.ok());
                resp.setInfoValue(value);
            }
        } catch (Exception e) {
            resp.setStatus(SqlErrors.status(e));
            resp.setInfoValue(TGetInfoValue.stringValue(""));
        }
        return resp;
    }

    @Override
    public TExecuteStatementResp ExecuteStatement(TExecuteStatementReq req) {
        TExecuteStatementResp resp = new TExecuteStatementResp();
        try {
            EngineSession session = sessions.get(req.getSessionHandle());
            java.util.UUID id = requestedId(req);
            Inline inline = Inline.asked(req);
            StatementOperation op = new StatementOperation(session, req.getStatement(), scheduler,
                    StatementOperation.resultMaxRows(resultMaxRows, session), progress, id);
            sessions.addOperation(op);
            try {
                op.submit(statementPool, req.getQueryTimeout());
            } catch (RejectedExecutionException e) {
                sessions.closeOperation(op.handle());
                throw new IllegalStateException("The engine is busy: " + ConfigKeys.ENGINE_EXEC_POOL_SIZE.name()
                        + " statements are running and " + ConfigKeys.ENGINE_EXEC_QUEUE_SIZE.name()
                        + " waiting; try again later or raise them");
            }
            if (!req.isRunAsync()) {
                op.awaitRun();
            } else if (inline != null) {
                op.awaitTerminal(inline.patience());
            }
            resp.setStatus(Statuses.ok());
            resp.setOperationHandle(op.handle());
            if (inline != null) inline(op, inline.rows(), resp.getStatus());
        } catch (Exception e) {
            resp.setStatus(SqlErrors.status(e));
        }
        return resp;
    }

    /** What a Kitsune server asks of a statement's reply ({@link EngineConf#INLINE_WAIT_MS}). */
    private record Inline(Duration patience, int rows) {
        /** The server's request, taken out of the overlay; null when it made none (or a malformed one). */
        static Inline asked(TExecuteStatementReq req) {
            java.util.Map<String, String> overlay = req.getConfOverlay();
            if (overlay == null) return null;
            String wait = overlay.remove(EngineConf.INLINE_WAIT_MS);
            String rows = overlay.remove(EngineConf.INLINE_ROWS);
            if (wait == null || rows == null) return null;
            try {
                long ms = Long.parseLong(wait);
                int n = Integer.parseInt(rows);
                return ms < 0 || ms > MAX_INLINE_WAIT_MS || n < 1 || n > MAX_INLINE_ROWS ? null
                        : new Inline(Duration.ofMillis(ms), n);
            } catch (NumberFormatException e) {
                return null;
            }
        }
    }

    /** Bounds of what a server may ask for ({@link EngineConf#INLINE_WAIT_MS}, {@link EngineConf#INLINE_ROWS}). */
    static final long MAX_INLINE_WAIT_MS = 1000;
    static final int MAX_INLINE_ROWS = 10_000;
    /** The most characters an inline answer may take in the reply. */
    static final int MAX_INLINE_CHARS = 256 * 1024;

    /**
     * Puts a FINISHED statement's whole answer into its ExecuteStatement reply ({@link InlineResults}) when its rows
     * are few and held in the driver; otherwise, or if it does not fit, the reply stays as it is.
     */
    private void inline(StatementOperation op, int rows, TStatus status) {
        try {
            TRowSet whole = op.peekWhole(rows, op.session().protocol());
            if (whole == null) return;
            TGetResultSetMetadataResp metadata = new TGetResultSetMetadataResp(Statuses.ok());
            metadata.setSchema(TypeMapping.tableSchema(op.schema()));
            java.util.List<String> messages = InlineResults.encode(new InlineResults.Answer(status(op, false),
                    metadata, whole), MAX_INLINE_CHARS);
            if (messages != null) status.setInfoMessages(new java.util.ArrayList<>(messages));
        } catch (Exception e) {
            // the client asks for the status, schema and rows as usual
            LOG.warn("No inline answer for operation {}", op.id(), e);
        }
    }

    /**
     * The operation id a Kitsune server gave the client already ({@link EngineConf#OPERATION_ID}, taken out of the
     * overlay), else a new one.
     */
    private static java.util.UUID requestedId(TExecuteStatementReq req) {
        java.util.Map<String, String> overlay = req.getConfOverlay();
        String id = overlay == null ? null : overlay.get(EngineConf.OPERATION_ID);
        if (id == null) return java.util.UUID.randomUUID();
        overlay.remove(EngineConf.OPERATION_ID);
        try {
            return java.util.UUID.fromString(id);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(EngineConf.OPERATION_ID + " of the statement is not a UUID");
        }
    }

    /** Runs a metadata call to completion and answers its handle (or the error). */
    private TStatus metadata(TSessionHandle handle, TOperationType type, String description,
            MetadataCall call, Consumer<TOperationHandle> setHandle) {
        try {
            EngineSession session = sessions.get(handle);
            CatalogMetadata catalog = new CatalogMetadata(session.spark());
            MetadataOperation op = new MetadataOperation(session, type, description);
            sessions.addOperation(op);
            op.run(() -> call.apply(catalog));
            if (op.state() == TOperationState.ERROR_STATE) {
                // the driver fetches metadata without polling the status: answer the failure right here
                sessions.closeOperation(op.handle());
                return SqlErrors.status(op.error());
            }
            setHandle.accept(op.handle());
            return Statuses.ok();
        } catch (Exception e) {
            return SqlErrors.status(e);
        }
    }

    @FunctionalInterface
    private interface MetadataCall {
        ResultTable apply(CatalogMetadata catalog) throws Exception;
    }

    @Override
    public TGetTypeInfoResp GetTypeInfo(TGetTypeInfoReq req) {
        TGetTypeInfoResp resp = new TGetTypeInfoResp();
        resp.setStatus(metadata(req.getSessionHandle(), TOperationType.GET_TYPE_INFO, "GetTypeInfo",
                c -> CatalogMetadata.typeInfo(), resp::setOperationHandle));
        return resp;
    }

    @Override
    public TGetCatalogsResp GetCatalogs(TGetCatalogsReq req) {
        TGetCatalogsResp resp = new TGetCatalogsResp();
        resp.setStatus(metadata(req.getSessionHandle(), TOperationType.GET_CATALOGS, "GetCatalogs",
                c -> CatalogMetadata.catalogs(), resp::setOperationHandle));
        return resp;
    }

    @Override
    public TGetSchemasResp GetSchemas(TGetSchemasReq req) {
        TGetSchemasResp resp = new TGetSchemasResp();
        resp.setStatus(metadata(req.getSessionHandle(), TOperationType.GET_SCHEMAS,
                "GetSchemas schema=" + req.getSchemaName(),
                c -> c.schemas(req.getSchemaName()), resp::setOperationHandle));
        return resp;
    }

    @Override
    public TGetTablesResp GetTables(TGetTablesReq req) {
        TGetTablesResp resp = new TGetTablesResp();
        resp.setStatus(metadata(req.getSessionHandle(), TOperationType.GET_TABLES,
                "GetTables schema=" + req.getSchemaName() + " table=" + req.getTableName()
                        + " types=" + req.getTableTypes(),
                c -> c.tables(req.getSchemaName(), req.getTableName(), req.getTableTypes()),
                resp::setOperationHandle));
        return resp;
    }

    @Override
    public TGetTableTypesResp GetTableTypes(TGetTableTypesReq req) {
        TGetTableTypesResp resp = new TGetTableTypesResp();
        resp.setStatus(metadata(req.getSessionHandle(), TOperationType.GET_TABLE_TYPES, "GetTableTypes",
                c -> CatalogMetadata.tableTypes(), resp::setOperationHandle));
        return resp;
    }

    @Override
    public TGetColumnsResp GetColumns(TGetColumnsReq req) {
        TGetColumnsResp resp = new TGetColumnsResp();
        resp.setStatus(metadata(req.getSessionHandle(), TOperationType.GET_COLUMNS,
                "GetColumns schema=" + req.getSchemaName() + " table=" + req.getTableName()
                        + " column=" + req.getColumnName(),
                c -> c.columns(req.getSchemaName(), req.getTableName(), req.getColumnName()),
                resp::setOperationHandle));
        return resp;
    }

    @Override
    public TGetFunctionsResp GetFunctions(TGetFunctionsReq req) {
        TGetFunctionsResp resp = new TGetFunctionsResp();
        resp.setStatus(metadata(req.getSessionHandle(), TOperationType.GET_FUNCTIONS,
                "GetFunctions schema=" + req.getSchemaName() + " function=" + req.getFunctionName(),
                c -> c.functions(req.getSchemaName(), req.getFunctionName()), resp::setOperationHandle));
        return resp;
    }

    // TOperationType has no kind for keys; HiveServer2 also reports them as GET_FUNCTIONS
    @Override
    public TGetPrimaryKeysResp GetPrimaryKeys(TGetPrimaryKeysReq req) {
        TGetPrimaryKeysResp resp = new TGetPrimaryKeysResp();
        resp.setStatus(metadata(req.getSessionHandle(), TOperationType.GET_FUNCTIONS, "GetPrimaryKeys",
                c -> CatalogMetadata.primaryKeys(), resp::setOperationHandle));
        return resp;
    }

    @Override
    public TGetCrossReferenceResp GetCrossReference(TGetCrossReferenceReq req) {
        TGetCrossReferenceResp resp = new TGetCrossReferenceResp();
        resp.setStatus(metadata(req.getSessionHandle(), TOperationType.GET_FUNCTIONS, "GetCrossReference",
                c -> CatalogMetadata.crossReference(), resp::setOperationHandle));
        return resp;
    }

    @Override
    public TGetOperationStatusResp GetOperationStatus(TGetOperationStatusReq req) {
        TGetOperationStatusResp resp = new TGetOperationStatusResp();
        try {
            Operation op = sessions.operation(req.getOperationHandle());
            // long polling: the driver polls in a tight loop and relies on the server to wait
            if (!op.isTerminal()) op.awaitTerminal(pollingTimeout);
            resp = status(op, req.isGetProgressUpdate());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            resp.setStatus(SqlErrors.status(e));
        } catch (Exception e) {
            resp.setStatus(SqlErrors.status(e));
        }
        return resp;
    }

    /** The operation's status as it is now. */
    private static TGetOperationStatusResp status(Operation op, boolean progress) {
        TGetOperationStatusResp resp = new TGetOperationStatusResp();
        TOperationState state = op.state();
        resp.setStatus(Statuses.ok());
        resp.setOperationState(state);
        resp.setHasResultSet(true);
        resp.setOperationStarted(op.startTime());
        if (op.completedTime() > 0) resp.setOperationCompleted(op.completedTime());
        if (progress && op instanceof StatementOperation statement) {
            resp.setProgressUpdateResponse(statement.progress());
        }
        if (state == TOperationState.ERROR_STATE && op.error() != null) {
            resp.setErrorMessage(SqlErrors.message(op.error()));
            resp.setSqlState(SqlErrors.sqlState(op.error()));
            resp.setErrorCode(0);
        }
        return resp;
    }

    @Override
    public TCancelOperationResp CancelOperation(TCancelOperationReq req) {
        TCancelOperationResp resp = new TCancelOperationResp();
        try {
            Operation op = sessions.operation(req.getOperationHandle());
            op.cancel(TOperationState.CANCELED_STATE);
            LOG.info("Cancelled operation {} of session {}", op.id(), op.session().id());
            resp.setStatus(Statuses.ok());
        } catch (Exception e) {
            resp.setStatus(SqlErrors.status(e));
        }
        return resp;
    }

    @Override
    public TCloseOperationResp CloseOperation(TCloseOperationReq req) {
        TCloseOperationResp resp = new TCloseOperationResp();
        try {
            sessions.closeOperation(req.getOperationHandle());
            resp.setStatus(Statuses.ok());
        } catch (Exception e) {
            resp.setStatus(SqlErrors.status(e));
        }
        return resp;
    }

    @Override
    public TGetResultSetMetadataResp GetResultSetMetadata(TGetResultSetMetadataReq req) {
        TGetResultSetMetadataResp resp = new TGetResultSetMetadataResp();
        try {
            Operation op = sessions.operation(req.getOperationHandle());
            resp.setSchema(TypeMapping.tableSchema(op.schema()));
            resp.setStatus(Statuses.ok());
        } catch (Exception e) {
            resp.setStatus(SqlErrors.status(e));
        }
        return resp;
    }

    @Override
    public TFetchResultsResp FetchResults(TFetchResultsReq req) {
        TFetchResultsResp resp = new TFetchResultsResp();
        try {
            Operation op = sessions.operation(req.getOperationHandle());
            TProtocolVersion protocol = op.session().protocol();
            boolean fromStart = req.getOrientation() == TFetchOrientation.FETCH_FIRST;
            int maxRows = (int) Math.min(Integer.MAX_VALUE, Math.max(0, req.getMaxRows()));
            if (req.getFetchType() == FETCH_TYPE_LOG) {
                resp.setResults(op.fetchLog(maxRows, fromStart, protocol));
                resp.setHasMoreRows(false);
            } else {
                Operation.Fetched fetched = op.fetch(maxRows, fromStart, protocol);
                resp.setResults(fetched.rows());
                // exact when false (EngineConf.RESULT_END_EXACT): a Kitsune server answers the client's last, empty
                // fetch itself; HiveServer2 always says false, and clients read an empty row set as the end anyway
                resp.setHasMoreRows(fetched.more());
            }
            resp.setStatus(Statuses.ok());
        } catch (Exception e) {
            resp.setStatus(SqlErrors.status(e));
        }
        return resp;
    }

    @Override
    public TGetQueryIdResp GetQueryId(TGetQueryIdReq req) {
        TGetQueryIdResp resp = new TGetQueryIdResp();
        try {
            resp.setQueryId(sessions.operation(req.getOperationHandle()).id().toString());
        } catch (Exception e) {
            // the IDL has no status here: an unknown handle has no query id
            resp.setQueryId("");
        }
        return resp;
    }

    @Override
    public TSetClientInfoResp SetClientInfo(TSetClientInfoReq req) {
        TSetClientInfoResp resp = new TSetClientInfoResp();
        try {
            sessions.get(req.getSessionHandle());
            resp.setStatus(Statuses.ok());
        } catch (Exception e) {
            resp.setStatus(SqlErrors.status(e));
        }
        return resp;
    }

}
