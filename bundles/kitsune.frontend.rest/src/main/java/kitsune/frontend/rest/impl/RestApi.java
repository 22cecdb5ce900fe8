package kitsune.frontend.rest.impl;

import java.time.Clock;
import java.time.Instant;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.function.Supplier;
import java.util.stream.Collectors;

import org.apache.hive.service.rpc.thrift.TCancelOperationReq;
import org.apache.hive.service.rpc.thrift.TCloseOperationReq;
import org.apache.hive.service.rpc.thrift.TCloseSessionReq;
import org.apache.hive.service.rpc.thrift.TExecuteStatementReq;
import org.apache.hive.service.rpc.thrift.TExecuteStatementResp;
import org.apache.hive.service.rpc.thrift.TFetchOrientation;
import org.apache.hive.service.rpc.thrift.TFetchResultsReq;
import org.apache.hive.service.rpc.thrift.TFetchResultsResp;
import org.apache.hive.service.rpc.thrift.TGetCatalogsReq;
import org.apache.hive.service.rpc.thrift.TGetColumnsReq;
import org.apache.hive.service.rpc.thrift.TGetCrossReferenceReq;
import org.apache.hive.service.rpc.thrift.TGetFunctionsReq;
import org.apache.hive.service.rpc.thrift.TGetInfoReq;
import org.apache.hive.service.rpc.thrift.TGetInfoResp;
import org.apache.hive.service.rpc.thrift.TGetInfoType;
import org.apache.hive.service.rpc.thrift.TGetInfoValue;
import org.apache.hive.service.rpc.thrift.TGetOperationStatusReq;
import org.apache.hive.service.rpc.thrift.TGetOperationStatusResp;
import org.apache.hive.service.rpc.thrift.TGetPrimaryKeysReq;
import org.apache.hive.service.rpc.thrift.TGetResultSetMetadataReq;
import org.apache.hive.service.rpc.thrift.TGetResultSetMetadataResp;
import org.apache.hive.service.rpc.thrift.TGetSchemasReq;
import org.apache.hive.service.rpc.thrift.TGetTableTypesReq;
import org.apache.hive.service.rpc.thrift.TGetTablesReq;
import org.apache.hive.service.rpc.thrift.TGetTypeInfoReq;
import org.apache.hive.service.rpc.thrift.TOpenSessionReq;
import org.apache.hive.service.rpc.thrift.TOpenSessionResp;
import org.apache.hive.service.rpc.thrift.TOperationHandle;
import org.apache.hive.service.rpc.thrift.TOperationState;
import org.apache.hive.service.rpc.thrift.TProtocolVersion;
import org.apache.hive.service.rpc.thrift.TSessionHandle;
import org.apache.hive.service.rpc.thrift.TStatus;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import kitsune.api.conf.ConfigException;
import kitsune.api.conf.ConfigKeys;
import kitsune.api.conf.EngineMaxima;
import kitsune.api.conf.KeyLists;
import kitsune.api.registry.Discovery;
import kitsune.api.registry.DiscoveryException;
import kitsune.api.registry.ServiceNode;
import kitsune.api.conf.KitsuneConf;
import kitsune.api.session.ExecPool;
import kitsune.api.session.SessionInfo;
import kitsune.api.session.SessionManager;
import kitsune.thrift.Callers;
import kitsune.thrift.CliBackend;
import kitsune.thrift.ClientContext;
import kitsune.thrift.Handles;
import kitsune.thrift.Statuses;
import kitsune.internal.text.LogText;

/**
 * The handlers of Kyuubi's REST API. Every session call goes to the same {@link CliBackend} as the Thrift frontends
 * call, as the authenticated user ({@link Callers#as}), so session limits, proxy-user rules, engine routing, query
 * timeouts and the backend's own ownership checks apply as they do for JDBC clients.
 */
final class RestApi {
    private static final Logger LOG = LoggerFactory.getLogger(RestApi.class);
    /** Kyuubi's REST sessions are interactive sessions; batches would be BATCH. */
    static final String SESSION_TYPE = "INTERACTIVE";
    /** Kyuubi's SessionOpenRequest may name the proxy user under this key too. */
    static final String PROXY_USER_ALIAS = "proxyUser";
    static final String HIVE_PROXY_USER = "hive.server2.proxy.user";
    static final int DEFAULT_MAX_ROWS = 100;
    /** A znode name part a client may name: no slash, no control character. */
    private static final java.util.regex.Pattern ZK_NAME = java.util.regex.Pattern.compile("[^/\\p{Cntrl}]{1,255}");

    private final Supplier<CliBackend> backend;
    private final Supplier<SessionManager> sessionManager;
    private final Supplier<List<String>> administrators;
    private final Supplier<Discovery> discovery;
    private final Supplier<KitsuneConf> conf;
    private final Supplier<Batches> batches;
    private volatile Supplier<Forwarding> forwarding = () -> null;
    private final RestHandles handles = new RestHandles();
    private final Clock clock;

    private Supplier<ExecPool> execPool = () -> null;

    RestApi(Supplier<CliBackend> backend, Supplier<SessionManager> sessionManager,
            Supplier<List<String>> administrators, Supplier<Discovery> discovery, Supplier<KitsuneConf> conf,
            Supplier<Batches> batches, Clock clock) {
        this.backend = backend;
        this.batches = batches;
        this.conf = conf;
        this.discovery = discovery;
        this.sessionManager = sessionManager;
        this.administrators = administrators;
        this.clock = clock;
    }

    /** Forwards batch requests to their owner (none: answered here or from the store). */
    RestApi forwarding(Supplier<Forwarding> forwarding) {
        this.forwarding = forwarding;
        return this;
    }

    /** The server's call workers, for GET /sessions/execPool/statistic (none: no Thrift frontend runs). */
    RestApi execPool(Supplier<ExecPool> execPool) {
        this.execPool = execPool;
        return this;
    }

    Router router() {
        Router r = new Router();
        r.addOpen("GET", "/ping", c -> "pong");
        r.addOpen("GET", "/openapi.json", c -> openApi());
        r.add("POST", "/sessions", this::openSession);
        r.add("GET", "/sessions", this::listSessions);
        r.add("GET", "/sessions/count", this::countSessions);
        r.add("GET", "/sessions/execPool/statistic", this::execPoolStatistic);
        r.add("GET", "/sessions/{session}", this::getSession);
        r.add("DELETE", "/sessions/{session}", this::closeSession);
        r.add("GET", "/sessions/{session}/info/{type}", this::getInfo);
        r.add("POST", "/sessions/{session}/operations/statement", this::executeStatement);
        r.add("POST", "/sessions/{session}/operations/typeInfo", c -> metadata(c, (s, x) -> {
            var resp = backend().GetTypeInfo(new TGetTypeInfoReq(s));
            return check(resp.getStatus(), resp.getOperationHandle());
        }, "GetTypeInfo"));
        r.add("POST", "/sessions/{session}/operations/catalogs", c -> metadata(c, (s, x) -> {
            var resp = backend().GetCatalogs(new TGetCatalogsReq(s));
            return check(resp.getStatus(), resp.getOperationHandle());
        }, "GetCatalogs"));
        r.add("POST", "/sessions/{session}/operations/schemas", this::getSchemas);
        r.add("POST", "/sessions/{session}/operations/tables", this::getTables);
        r.add("POST", "/sessions/{session}/operations/tableTypes", c -> metadata(c, (s, x) -> {
            var resp = backend().GetTableTypes(new TGetTableTypesReq(s));
            return check(resp.getStatus(), resp.getOperationHandle());
        }, "GetTableTypes"));
        r.add("POST", "/sessions/{session}/operations/columns", this::getColumns);
        r.add("POST", "/sessions/{session}/operations/functions", this::getFunctions);
        r.add("POST", "/sessions/{session}/operations/primaryKeys", this::getPrimaryKeys);
        r.add("POST", "/sessions/{session}/operations/crossReference", this::getCrossReference);
        r.add("GET", "/operations/{operation}/event", this::operationEvent);
        r.add("PUT", "/operations/{operation}", this::operationAction);
        r.add("GET", "/operations/{operation}/resultsetmetadata", this::resultSetMetadata);
        r.add("GET", "/operations/{operation}/rowset", this::rowSet);
        r.add("GET", "/operations/{operation}/log", this::operationLog);
        r.add("GET", "/admin/sessions", this::adminSessions);
        r.add("DELETE", "/admin/sessions/{session}", this::adminCloseSession);
        r.add("GET", "/admin/operations", this::adminOperations);
        r.add("DELETE", "/admin/operations/{operation}", this::adminCloseOperation);
        r.add("GET", "/admin/server", this::adminServers);
        r.add("GET", "/admin/engine", this::adminEngines);
        r.add("DELETE", "/admin/engine", this::adminDeleteEngines);
        for (String what : List.of("hadoop_conf", "user_defaults_conf", "unlimited_users", "deny_users",
                "deny_ips", "kubernetes_conf")) {
            r.add("POST", "/admin/refresh/" + what, c -> refresh(c, what));
        }
        r.add("GET", "/admin/servers", this::adminServers);
        r.add("POST", "/batches", this::submitBatch);
        r.add("GET", "/batches", this::listBatches);
        r.add("GET", "/batches/{batch}", this::getBatch);
        r.add("DELETE", "/batches/{batch}", this::deleteBatch);
        r.add("GET", "/batches/{batch}/localLog", this::batchLocalLog);
        return r;
    }

    /** The OpenAPI 3 document of this API, a resource of the bundle, read once. */
    static com.fasterxml.jackson.databind.JsonNode openApi() throws java.io.IOException {
        com.fasterxml.jackson.databind.JsonNode doc = openApi;
        if (doc == null) {
            try (java.io.InputStream in = RestApi.class.getResourceAsStream("openapi.json")) {
                if (in == null) throw new java.io.IOException("openapi.json is missing from the bundle");
                doc = new com.fasterxml.jackson.databind.ObjectMapper().readTree(in);
            }
            openApi = doc;
        }
        return doc;
    }

    private static volatile com.fasterxml.jackson.databind.JsonNode openApi;

    // ---------------------------------------------------------------- sessions

    private Object openSession(Call c) throws Exception {
        Dto.SessionOpenRequest body = c.body(Dto.SessionOpenRequest.class);
        Map<String, String> configs = new HashMap<>();
        if (body != null && body.configs() != null) {
            for (Map.Entry<String, String> e : body.configs().entrySet()) {
                if (e.getKey() == null || e.getValue() == null) {
                    throw RestException.badRequest("configs has a null key or value: " + LogText.of(
                            String.valueOf(e.getKey())) + " (every setting needs a text value)");
                }
                configs.put(e.getKey(), e.getValue());
            }
        }
        String alias = configs.remove(PROXY_USER_ALIAS);
        if (alias != null) configs.putIfAbsent(HIVE_PROXY_USER, alias);
        TOpenSessionReq req = new TOpenSessionReq(TProtocolVersion.HIVE_CLI_SERVICE_PROTOCOL_V10);
        req.setUsername(c.user());
        req.setConfiguration(configs);
        ClientContext context = new ClientContext("rest-" + UUID.randomUUID(), c.user(), c.address());
        CliBackend be = backend();
        TOpenSessionResp resp = Callers.as(context, () -> be.openSession(context, req));
        TStatus status = resp.getStatus();
        if (!Statuses.isOk(status) || resp.getSessionHandle() == null) {
            String message = status == null ? "no answer" : status.getErrorMessage();
            // a draining server (or one refusing sessions) says so with 08S01: clients go to another server; a
            // setting of the request's own that is not allowed is the client's to fix
            int code = status == null ? 500 : "08S01".equals(status.getSqlState()) ? 503
                    : Statuses.INVALID_SETTING.equals(status.getSqlState()) ? 400
                    : Statuses.NOT_ALLOWED.equals(status.getSqlState()) ? 403 : 500;
            throw new RestException(code, "Cannot open a session for " + c.user() + ": " + message);
        }
        TSessionHandle handle = resp.getSessionHandle();
        UUID id = Handles.uuid(handle.getSessionId());
        String user = Optional.ofNullable(configs.get(HIVE_PROXY_USER))
                .or(() -> Optional.ofNullable(configs.get("kyuubi.session.proxy.user"))).orElse(c.user());
        sweep();
        handles.add(new RestHandles.SessionEntry(id, handle, user, c.user(), c.address(), masked(configs),
                clock.instant()));
        return new Dto.SessionHandle(id.toString(), c.instance());
    }

    private Object listSessions(Call c) {
        sweep();
        Map<String, SessionInfo> infos = sessionInfos();
        return handles.sessionsOf(c.user()).stream().map(s -> sessionData(s, infos.get(s.id().toString()), c))
                .toList();
    }

    /**
     * Kyuubi's figures of the server's exec pool: here the threads that run client calls (the same figures as the
     * kyuubi.exec.pool.* metrics); all 0 while no Thrift frontend runs.
     */
    private Object execPoolStatistic(Call c) {
        ExecPool pool = execPool.get();
        ExecPool.Statistic s = pool == null ? new ExecPool.Statistic(0, 0, 0) : pool.statistic();
        return new Dto.ExecPoolStatistic(s.poolSize(), s.activeCount(), s.workQueueSize());
    }

    private Object countSessions(Call c) {
        SessionManager m = sessionManager.get();
        return new Dto.SessionOpenCount(m == null ? handles.size() : m.openSessionCount());
    }

    private Object getSession(Call c) throws RestException {
        RestHandles.SessionEntry s = handles.session(c.param(0), c.user());
        SessionInfo info = sessionInfos().get(s.id().toString());
        if (info == null && sessionManager.get() != null) {
            handles.removeSession(s.id());
            throw RestException.notFound("Session " + s.id() + " is closed (idle timeout, an operator or a drain)");
        }
        long now = clock.millis();
        long opened = s.opened().toEpochMilli();
        int operations = info == null ? 0 : info.openOperations();
        return new Dto.SessionEvent(s.id().toString(), null, SESSION_TYPE, s.user(), s.clientAddress(),
                c.instance(), s.conf(), now, opened, opened, -1L, operations, null,
                info == null || info.engine() == null ? null : info.engine());
    }

    private Object closeSession(Call c) throws Exception {
        RestHandles.SessionEntry s = handles.session(c.param(0), c.user());
        CliBackend be = backend();
        TStatus status = as(c, () -> be.CloseSession(new TCloseSessionReq(s.handle())).getStatus());
        try {
            check(status, "Cannot close session " + s.id());
        } catch (RestException e) {
            // forgotten only when the session service no longer knows it; a refused close keeps the handle
            if (e.status() == 404) handles.removeSession(s.id());
            throw e;
        }
        handles.removeSession(s.id());
        return null;
    }

    private Object getInfo(Call c) throws Exception {
        RestHandles.SessionEntry s = handles.session(c.param(0), c.user());
        TGetInfoType type;
        try {
            type = TGetInfoType.findByValue(Integer.parseInt(c.param(1)));
        } catch (NumberFormatException e) {
            type = null;
        }
        if (type == null) {
            throw RestException.badRequest("Unknown info type " + LogText.of(c.param(1))
                    + ": use the number of a TGetInfoType (e.g. 17 for CLI_DBMS_NAME, 18 for CLI_DBMS_VER)");
        }
        CliBackend be = backend();
        TGetInfoReq req = new TGetInfoReq(s.handle(), type);
        TGetInfoResp resp = as(c, () -> be.GetInfo(req));
        check(resp.getStatus(), "GetInfo " + type);
        return new Dto.InfoDetail(type.name(), text(resp.getInfoValue()));
    }

    private static String text(TGetInfoValue v) {
        if (v == null || v.getSetField() == null) return null;
        return switch (v.getSetField()) {
            case STRING_VALUE -> v.getStringValue();
            case SMALL_INT_VALUE -> String.valueOf(v.getSmallIntValue());
            case INTEGER_BITMASK -> String.valueOf(v.getIntegerBitmask());
            case INTEGER_FLAG -> String.valueOf(v.getIntegerFlag());
            case BINARY_VALUE -> String.valueOf(v.getBinaryValue());
            case LEN_VALUE -> String.valueOf(v.getLenValue());
        };
    }

    // ---------------------------------------------------------------- statements and metadata

    private Object executeStatement(Call c) throws Exception {
        RestHandles.SessionEntry s = handles.session(c.param(0), c.user());
        Dto.StatementRequest body = c.body(Dto.StatementRequest.class);
        if (body == null || body.statement() == null || body.statement().isBlank()) {
            throw RestException.badRequest("The request body needs a statement: {\"statement\": \"SELECT 1\", "
                    + "\"runAsync\": true}");
        }
        boolean async = body.runAsync() != null && body.runAsync();
        TExecuteStatementReq req = new TExecuteStatementReq(s.handle(), body.statement());
        req.setRunAsync(async);
        if (body.queryTimeout() != null) {
            if (body.queryTimeout() < 0) {
                throw RestException.badRequest("queryTimeout must be 0 (none) or a number of seconds, not "
                        + body.queryTimeout());
            }
            req.setQueryTimeout(body.queryTimeout());
        }
        if (body.confOverlay() != null) {
            Map<String, String> overlay = new HashMap<>();
            for (Map.Entry<String, String> e : body.confOverlay().entrySet()) {
                if (e.getKey() != null && e.getValue() != null) overlay.put(e.getKey(), e.getValue());
            }
            req.setConfOverlay(overlay);
        }
        CliBackend be = backend();
        TExecuteStatementResp resp = as(c, () -> be.ExecuteStatement(req));
        check(resp.getStatus(), "Cannot execute the statement");
        return operation(s, resp.getOperationHandle(), body.statement(), async);
    }

    /** A metadata call: the operation handle it made (its status already checked). */
    private interface MetadataCall {
        TOperationHandle call(TSessionHandle session, Call c) throws Exception;
    }

    private Object metadata(Call c, MetadataCall call, String what) throws Exception {
        RestHandles.SessionEntry s = handles.session(c.param(0), c.user());
        TOperationHandle op = as(c, () -> call.call(s.handle(), c));
        return operation(s, op, what, true);
    }

    private Object getSchemas(Call c) throws Exception {
        Dto.GetSchemasRequest b = Optional.ofNullable(c.body(Dto.GetSchemasRequest.class))
                .orElse(new Dto.GetSchemasRequest(null, null));
        return metadata(c, (s, x) -> {
            TGetSchemasReq req = new TGetSchemasReq(s);
            req.setCatalogName(b.catalogName());
            req.setSchemaName(b.schemaName());
            var resp = backend().GetSchemas(req);
            return check(resp.getStatus(), resp.getOperationHandle());
        }, "GetSchemas");
    }

    private Object getTables(Call c) throws Exception {
        Dto.GetTablesRequest b = Optional.ofNullable(c.body(Dto.GetTablesRequest.class))
                .orElse(new Dto.GetTablesRequest(null, null, null, null));
        return metadata(c, (s, x) -> {
            TGetTablesReq req = new TGetTablesReq(s);
            req.setCatalogName(b.catalogName());
            req.setSchemaName(b.schemaName());
            req.setTableName(b.tableName());
            if (b.tableTypes() != null && !b.tableTypes().isEmpty()) req.setTableTypes(b.tableTypes());
            var resp = backend().GetTables(req);
            return check(resp.getStatus(), resp.getOperationHandle());
        }, "GetTables");
    }

    private Object getColumns(Call c) throws Exception {
        Dto.GetColumnsRequest b = Optional.ofNullable(c.body(Dto.GetColumnsRequest.class))
                .orElse(new Dto.GetColumnsRequest(null, null, null, null));
        return metadata(c, (s, x) -> {
            TGetColumnsReq req = new TGetColumnsReq(s);
            req.setCatalogName(b.catalogName());
            req.setSchemaName(b.schemaName());
            req.setTableName(b.tableName());
            req.setColumnName(b.columnName());
            var resp = backend().GetColumns(req);
            return check(resp.getStatus(), resp.getOperationHandle());
        }, "GetColumns");
    }

    private Object getFunctions(Call c) throws Exception {
        Dto.GetFunctionsRequest b = c.body(Dto.GetFunctionsRequest.class);
        if (b == null || b.functionName() == null) {
            throw RestException.badRequest("The request body needs a functionName (a pattern, e.g. "
                    + "{\"functionName\": \"%\"})");
        }
        return metadata(c, (s, x) -> {
            TGetFunctionsReq req = new TGetFunctionsReq(s, b.functionName());
            req.setCatalogName(b.catalogName());
            req.setSchemaName(b.schemaName());
            var resp = backend().GetFunctions(req);
            return check(resp.getStatus(), resp.getOperationHandle());
        }, "GetFunctions");
    }

    private Object getPrimaryKeys(Call c) throws Exception {
        Dto.GetPrimaryKeysRequest b = Optional.ofNullable(c.body(Dto.GetPrimaryKeysRequest.class))
                .orElse(new Dto.GetPrimaryKeysRequest(null, null, null));
        return metadata(c, (s, x) -> {
            TGetPrimaryKeysReq req = new TGetPrimaryKeysReq(s);
            req.setCatalogName(b.catalogName());
            req.setSchemaName(b.schemaName());
            req.setTableName(b.tableName());
            var resp = backend().GetPrimaryKeys(req);
            return check(resp.getStatus(), resp.getOperationHandle());
        }, "GetPrimaryKeys");
    }

    private Object getCrossReference(Call c) throws Exception {
        Dto.GetCrossReferenceRequest b = Optional.ofNullable(c.body(Dto.GetCrossReferenceRequest.class))
                .orElse(new Dto.GetCrossReferenceRequest(null, null, null, null, null, null));
        return metadata(c, (s, x) -> {
            TGetCrossReferenceReq req = new TGetCrossReferenceReq(s);
            req.setParentCatalogName(b.primaryCatalog());
            req.setParentSchemaName(b.primarySchema());
            req.setParentTableName(b.primaryTable());
            req.setForeignCatalogName(b.foreignCatalog());
            req.setForeignSchemaName(b.foreignSchema());
            req.setForeignTableName(b.foreignTable());
            var resp = backend().GetCrossReference(req);
            return check(resp.getStatus(), resp.getOperationHandle());
        }, "GetCrossReference");
    }

    private Dto.OperationHandle operation(RestHandles.SessionEntry s, TOperationHandle op, String statement,
            boolean async) throws RestException {
        UUID id = op == null ? null : Handles.uuid(op.getOperationId());
        if (id == null) throw new RestException(502, "The engine returned no operation handle");
        handles.add(new RestHandles.OperationEntry(id, op, s.id(), s.login(), s.user(), statement, async,
                clock.instant()));
        return new Dto.OperationHandle(id.toString());
    }

    // ---------------------------------------------------------------- operations

    private Object operationEvent(Call c) throws Exception {
        RestHandles.OperationEntry o = handles.operation(c.param(0), c.user());
        CliBackend be = backend();
        TGetOperationStatusReq req = new TGetOperationStatusReq(o.handle());
        TGetOperationStatusResp resp = as(c, () -> be.GetOperationStatus(req));
        checkOperation(resp.getStatus(), o, "Cannot read the status of operation " + o.id());
        return new Dto.OperationEvent(o.id().toString(), null, o.statement(), o.runAsync(),
                state(resp.getOperationState()), clock.millis(), o.created().toEpochMilli(),
                resp.isSetOperationStarted() ? resp.getOperationStarted() : 0L,
                resp.isSetOperationCompleted() ? resp.getOperationCompleted() : 0L, resp.getErrorMessage(),
                o.session().toString(), o.user(), SESSION_TYPE, c.instance());
    }

    /** Kyuubi's OperationState names for TCLIService's states. */
    static String state(TOperationState s) {
        if (s == null) return "UNKNOWN";
        return switch (s) {
            case INITIALIZED_STATE -> "INITIALIZED";
            case RUNNING_STATE -> "RUNNING";
            case FINISHED_STATE -> "FINISHED";
            case CANCELED_STATE -> "CANCELED";
            case CLOSED_STATE -> "CLOSED";
            case ERROR_STATE -> "ERROR";
            case PENDING_STATE -> "PENDING";
            case TIMEDOUT_STATE -> "TIMEOUT";
            case UKNOWN_STATE -> "UNKNOWN";
        };
    }

    private Object operationAction(Call c) throws Exception {
        RestHandles.OperationEntry o = handles.operation(c.param(0), c.user());
        Dto.OpActionRequest body = c.body(Dto.OpActionRequest.class);
        String action = body == null || body.action() == null ? "" : body.action().trim();
        CliBackend be = backend();
        if (action.equalsIgnoreCase("CANCEL")) {
            TStatus status = as(c, () -> be.CancelOperation(new TCancelOperationReq(o.handle())).getStatus());
            checkOperation(status, o, "Cannot cancel operation " + o.id());
        } else if (action.equalsIgnoreCase("CLOSE")) {
            TStatus status = as(c, () -> be.CloseOperation(new TCloseOperationReq(o.handle())).getStatus());
            checkOperation(status, o, "Cannot close operation " + o.id());
            handles.removeOperation(o.id());
        } else {
            throw RestException.badRequest("Unknown action " + LogText.of(action)
                    + ": the body must be {\"action\": \"CANCEL\"} or {\"action\": \"CLOSE\"}");
        }
        return null;
    }

    private Object resultSetMetadata(Call c) throws Exception {
        RestHandles.OperationEntry o = handles.operation(c.param(0), c.user());
        CliBackend be = backend();
        TGetResultSetMetadataResp resp = as(c, () -> be.GetResultSetMetadata(new TGetResultSetMetadataReq(
                o.handle())));
        checkOperation(resp.getStatus(), o, "Cannot read the result set metadata of operation " + o.id());
        return RowSets.metadata(resp.getSchema());
    }

    private Object rowSet(Call c) throws Exception {
        RestHandles.OperationEntry o = handles.operation(c.param(0), c.user());
        int maxRows = maxRows(c);
        TFetchOrientation orientation = orientation(c.query("fetchorientation"));
        CliBackend be = backend();
        TFetchResultsReq req = new TFetchResultsReq(o.handle(), orientation, maxRows);
        req.setFetchType((short) 0);
        TFetchResultsResp resp = as(c, () -> be.FetchResults(req));
        checkOperation(resp.getStatus(), o, "Cannot fetch the rows of operation " + o.id());
        return RowSets.rows(resp.getResults());
    }

    private Object operationLog(Call c) throws Exception {
        RestHandles.OperationEntry o = handles.operation(c.param(0), c.user());
        int maxRows = maxRows(c);
        CliBackend be = backend();
        TFetchResultsReq req = new TFetchResultsReq(o.handle(), TFetchOrientation.FETCH_NEXT, maxRows);
        req.setFetchType((short) 1);
        TFetchResultsResp resp = as(c, () -> be.FetchResults(req));
        checkOperation(resp.getStatus(), o, "Cannot read the log of operation " + o.id());
        List<String> lines = RowSets.firstColumnText(resp.getResults());
        return new Dto.OperationLog(lines, lines.size());
    }

    private static int maxRows(Call c) throws RestException {
        String v = c.query("maxrows");
        if (v == null || v.isBlank()) return DEFAULT_MAX_ROWS;
        try {
            int n = Integer.parseInt(v.trim());
            if (n >= 1) return n;
        } catch (NumberFormatException e) {
            // below
        }
        throw RestException.badRequest("maxrows must be a whole number from 1 to " + Integer.MAX_VALUE + ", not "
                + LogText.of(v));
    }

    private static TFetchOrientation orientation(String v) throws RestException {
        if (v == null || v.isBlank()) return TFetchOrientation.FETCH_NEXT;
        for (TFetchOrientation o : TFetchOrientation.values()) {
            if (o.name().equalsIgnoreCase(v.trim())) return o;
        }
        throw RestException.badRequest("Unknown fetchorientation " + LogText.of(v) + ": use one of "
                + java.util.Arrays.stream(TFetchOrientation.values()).map(Enum::name)
                        .collect(Collectors.joining(", ")));
    }

    // ---------------------------------------------------------------- admin

    private void requireAdmin(Call c) throws RestException {
        if (!administrators.get().contains(c.user())) {
            throw new RestException(403, c.user() + " is not an administrator of this server (only users listed "
                    + "in " + ConfigKeys.SERVER_ADMINISTRATORS.name() + " may call /api/v1/admin)");
        }
    }

    private Object adminSessions(Call c) throws RestException {
        requireAdmin(c);
        sweep();
        Set<String> only = usersFilter(c);
        SessionManager m = sessionManager.get();
        if (m == null) throw new RestException(503, "The session service is not available: retry");
        long now = clock.millis();
        return m.sessions().stream().filter(i -> only == null || only.contains(i.user())).map(i -> {
            RestHandles.SessionEntry s = handles.sessionById(RestHandles.uuid(i.id()));
            long opened = i.opened() == null ? 0 : i.opened().toEpochMilli();
            long last = i.lastAccess() == null ? opened : i.lastAccess().toEpochMilli();
            return new Dto.SessionData(i.id(), i.user(), i.clientAddress(), s == null ? Map.of() : s.conf(),
                    opened, now - opened, now - last, null, SESSION_TYPE, c.instance(), i.engine());
        }).toList();
    }

    private Object adminCloseSession(Call c) throws RestException {
        requireAdmin(c);
        SessionManager m = sessionManager.get();
        if (m == null) throw new RestException(503, "The session service is not available: retry");
        String id = c.param(0);
        if (RestHandles.uuid(id) == null || !m.closeSession(id)) {
            throw RestException.notFound("No open session " + LogText.of(id) + " on this server");
        }
        handles.removeSession(RestHandles.uuid(id));
        LOG.info("{} from {} closed session {} over REST", c.user(), c.address(), id);
        return new Dto.Message("Session " + id + " is closed successfully.");
    }

    /** Kyuubi's filters: {@code users} (comma-separated), {@code sessionHandle}, {@code sessionType}. */
    private Object adminOperations(Call c) throws RestException {
        requireAdmin(c);
        sweep();
        Set<String> only = usersFilter(c);
        String session = c.query("sessionHandle");
        String type = c.query("sessionType");
        return handles.operations().stream()
                .filter(o -> only == null || only.contains(o.user()))
                .filter(o -> session == null || session.isBlank() || o.session().toString().equals(session.trim()))
                .filter(o -> type == null || type.isBlank() || SESSION_TYPE.equalsIgnoreCase(type.trim()))
                .map(o -> new Dto.OperationData(o.id().toString(), o.statement(), null, o.created().toEpochMilli(),
                        0L, 0L, null, o.session().toString(), o.user(), SESSION_TYPE, c.instance())).toList();
    }

    /** Kyuubi's {@code users} query parameter (comma-separated): the users to list, or null for every user. */
    private static Set<String> usersFilter(Call c) {
        String users = c.query("users");
        return users == null || users.isBlank() ? null
                : java.util.Arrays.stream(users.split(",")).map(String::trim).collect(Collectors.toSet());
    }

    /** An administrator closes any REST operation of this server (Kyuubi's DELETE /admin/operations/{op}). */
    private Object adminCloseOperation(Call c) throws Exception {
        requireAdmin(c);
        String id = c.param(0);
        RestHandles.OperationEntry o = handles.operationById(RestHandles.uuid(id));
        if (o == null) throw RestException.notFound("No operation " + LogText.of(id) + " on this server");
        CliBackend be = backend();
        // on behalf of the operation's owner (the backend serves a handle to its owner only); the administrator
        // is the one logged
        ClientContext owner = new ClientContext("rest-" + o.user(), o.user(), c.address());
        TStatus status = Callers.as(owner, () -> be.CloseOperation(new TCloseOperationReq(o.handle())).getStatus());
        checkOperation(status, o, "Cannot close operation " + o.id());
        handles.removeOperation(o.id());
        LOG.info("{} from {} closed operation {} of {} over REST", c.user(), c.address(), o.id(), o.user());
        return new Dto.Message("Operation " + o.id() + " is closed successfully.");
    }

    /** The servers registered in this server's namespace (Kyuubi's ServerData). */
    private Object adminServers(Call c) throws RestException {
        requireAdmin(c);
        Discovery d = discovery.get();
        if (d == null) throw new RestException(503, "ZooKeeper discovery is not available on this server: retry");
        try {
            return d.list("/" + d.namespace()).stream().map(n -> new Dto.ServerData(n.name(), d.namespace(),
                    n.hostPort(), n.host(), n.port(), n.attributes(), "Running")).toList();
        } catch (DiscoveryException e) {
            throw new RestException(503, "Cannot list the servers: " + e.getMessage());
        }
    }

    /**
     * The engines of one user (hive.server2.proxy.user, else the caller) at a share level (sharelevel, else the
     * server's) and engine type (type, else the server's), in every engine space version (engine home) and, unless
     * subdomain is given, every subdomain: Kyuubi's Engine list.
     */
    private Object adminEngines(Call c) throws RestException {
        requireAdmin(c);
        return engines(c).stream().map(EngineNode::dto).toList();
    }

    /**
     * Deletes the nodes of the engines GET /admin/engine lists with the same parameters (at least the user must be
     * named): each engine sees its node gone, takes no new sessions and stops once its sessions end (as kitsune-ctl
     * delete engine and Kyuubi do).
     */
    private Object adminDeleteEngines(Call c) throws RestException {
        requireAdmin(c);
        if (c.query(HIVE_PROXY_USER) == null || c.query(HIVE_PROXY_USER).isBlank()) {
            throw RestException.badRequest("Name the engine's user: DELETE /api/v1/admin/engine?"
                    + HIVE_PROXY_USER + "=<user>[&sharelevel=..&subdomain=..&type=..]");
        }
        List<EngineNode> found = engines(c);
        if (found.isEmpty()) throw RestException.notFound("No engine matches: nothing deleted");
        Discovery d = discovery.get();
        List<String> deleted = new java.util.ArrayList<>();
        try {
            for (EngineNode e : found) {
                if (d.delete(e.node().path())) deleted.add(e.node().hostPort());
            }
        } catch (DiscoveryException e) {
            throw new RestException(503, "Cannot delete the engine node: " + e.getMessage());
        }
        LOG.info("{} from {} deleted the engine node(s) of {}: {}", c.user(), c.address(), c.query(HIVE_PROXY_USER),
                deleted);
        return new Dto.Message("Engine " + String.join(", ", deleted) + " is deleted successfully.");
    }

    /** Kyuubi's refresh calls: Kitsune re-reads kyuubi-defaults.conf by itself every few seconds. */
    private Object refresh(Call c, String what) throws RestException {
        requireAdmin(c);
        return new Dto.Message("Nothing to refresh (" + what + "): this server re-reads kyuubi-defaults.conf by "
                + "itself within seconds of an edit and applies what may change without a restart");
    }

    private record EngineNode(String version, String user, String type, String level, String subdomain,
            String space, ServiceNode node) {
        Dto.Engine dto() {
            return new Dto.Engine(version, user, type, level, subdomain, node.hostPort(), space, node.attributes());
        }
    }

    /**
     * The engines of one user (hive.server2.proxy.user, else the caller) at a share level (sharelevel, else the
     * server's) and engine type (type, else the server's), in every engine space version (engine home) and, unless
     * subdomain is given, every subdomain: Kyuubi's Engine list.
     */
    private List<EngineNode> engines(Call c) throws RestException {
        Discovery d = discovery.get();
        if (d == null) throw new RestException(503, "ZooKeeper discovery is not available on this server: retry");
        KitsuneConf conf = this.conf.get();
        String type = Optional.ofNullable(c.query("type")).filter(v -> !v.isBlank())
                .orElse(conf.get(ConfigKeys.ENGINE_TYPE)).trim().toUpperCase(Locale.ROOT);
        String level = Optional.ofNullable(c.query("sharelevel")).filter(v -> !v.isBlank())
                .orElse(conf.get(ConfigKeys.ENGINE_SHARE_LEVEL)).trim().toUpperCase(Locale.ROOT);
        String user = Optional.ofNullable(c.query(HIVE_PROXY_USER)).filter(v -> !v.isBlank()).orElse(c.user());
        String subdomain = c.query("subdomain");
        for (String name : List.of(type, level, user, subdomain == null ? "x" : subdomain)) {
            if (!ZK_NAME.matcher(name).matches() || name.equals(".") || name.equals("..")) {
                throw RestException.badRequest("Not a valid engine type, share level, user or subdomain: "
                        + LogText.of(name));
            }
        }
        String namespace = d.namespace();
        String suffix = "_" + level + "_" + type;
        List<EngineNode> engines = new java.util.ArrayList<>();
        try {
            for (String root : d.children("/")) {
                if (!root.startsWith(namespace + "_") || !root.endsWith(suffix)) continue;
                String version = root.substring(namespace.length() + 1, root.length() - suffix.length());
                String userPath = "/" + root + "/" + user;
                List<String> subdomains = subdomain == null || subdomain.isBlank() ? d.children(userPath)
                        : List.of(subdomain);
                for (String sub : subdomains) {
                    for (ServiceNode n : d.list(userPath + "/" + sub)) {
                        engines.add(new EngineNode(version, user, type, level, sub, userPath.substring(1) + "/" + sub,
                                n));
                    }
                }
            }
        } catch (DiscoveryException e) {
            throw new RestException(503, "Cannot list the engines: " + e.getMessage());
        }
        return engines;
    }

    // ---------------------------------------------------------------- batches

    private Batches batches() throws RestException {
        Batches b = batches.get();
        if (b == null) throw new RestException(503, "Batches are not available on this server yet: retry");
        return b;
    }

    private boolean admin(Call c) {
        return administrators.get().contains(c.user());
    }

    private Object submitBatch(Call c) throws Exception {
        Dto.BatchRequest body = c.body(Dto.BatchRequest.class);
        KitsuneConf server = conf.get();
        Map<String, String> batchConf = new LinkedHashMap<>();
        if (body != null && body.conf() != null) {
            for (Map.Entry<String, String> e : body.conf().entrySet()) {
                if (e.getKey() == null || e.getValue() == null) {
                    throw RestException.badRequest("conf has a null key or value: " + LogText.of(
                            String.valueOf(e.getKey())) + " (every setting needs a text value)");
                }
                batchConf.put(e.getKey(), e.getValue());
            }
        }
        String user = batchUser(c, batchConf, server);
        Map<String, String> screened = screen(batchConf, server);
        checkMaxima(screened, server.forUser(user));
        return Batches.dto(batches().submit(user, body, screened, c.upload()));
    }

    /**
     * The batch's user: the login, or the proxy user it names (hive.server2.proxy.user, kyuubi.session.proxy.user,
     * Kyuubi's proxyUser) when hadoop.proxyuser.&lt;login&gt;.users and .hosts allow it, as for sessions.
     */
    static String batchUser(Call c, Map<String, String> batchConf, KitsuneConf server) throws RestException {
        String proxy = null;
        for (String k : List.of(PROXY_USER_ALIAS, HIVE_PROXY_USER, "kyuubi.session.proxy.user")) {
            String v = batchConf.remove(k);
            if (v != null && !v.isBlank()) proxy = v.trim();
        }
        if (proxy == null || proxy.equals(c.user())) return c.user();
        if (!ZK_NAME.matcher(proxy).matches() || proxy.chars().anyMatch(Character::isWhitespace)) {
            throw RestException.badRequest("Not a valid proxy user name: " + LogText.of(proxy));
        }
        String users = server.raw("hadoop.proxyuser." + c.user() + ".users");
        String hosts = server.raw("hadoop.proxyuser." + c.user() + ".hosts");
        if (!allows(users, proxy) || !allows(hosts, c.address())) {
            throw new RestException(403, "User " + c.user() + " is not allowed to impersonate " + proxy + " from "
                    + c.address() + " (server configuration hadoop.proxyuser." + c.user() + ".users and "
                    + "hadoop.proxyuser." + c.user() + ".hosts)");
        }
        return proxy;
    }

    private static boolean allows(String list, String value) {
        if (list == null || value == null) return false;
        return java.util.Arrays.stream(list.split(",")).map(String::trim).anyMatch(v -> v.equals("*")
                || v.equals(value));
    }

    /**
     * A batch's settings as sessions' are screened: refused when a key is in kyuubi.session.conf.restrict.list,
     * dropped when in kyuubi.session.conf.ignore.list (a trailing * matches a prefix).
     */
    static Map<String, String> screen(Map<String, String> batchConf, KitsuneConf server) throws RestException {
        Map<String, String> out = new LinkedHashMap<>();
        for (Map.Entry<String, String> e : batchConf.entrySet()) {
            String k = e.getKey();
            if (KeyLists.restricted(server, k)) {
                throw new RestException(400, LogText.of(k) + " is a restricted key on this server ("
                        + ConfigKeys.SESSION_CONF_RESTRICT_LIST.name() + "); remove it from the batch's conf");
            }
            if (KeyLists.ignored(server, k)) {
                LOG.info("Ignoring the batch setting {} ({})", LogText.of(k),
                        ConfigKeys.SESSION_CONF_IGNORE_LIST.name());
                continue;
            }
            out.put(k, e.getValue());
        }
        return out;
    }

    /**
     * A batch's memory, cores and executors within the operator's maxima (kitsune.session.engine.*.max), as for
     * sessions; the operator's own values for the batch's user are always allowed.
     */
    static void checkMaxima(Map<String, String> screenedConf, KitsuneConf userConf) throws RestException {
        try {
            EngineMaxima.checkResources(userConf, screenedConf);
        } catch (ConfigException e) {
            throw new RestException(400, LogText.of(e.getMessage()));
        }
    }

    private Object listBatches(Call c) throws RestException {
        String type = c.query("batchType");
        String user = c.query("batchUser");
        if (!admin(c)) {
            if (user != null && !user.isBlank() && !user.equals(c.user())) {
                return new Dto.GetBatchesResponse(0, 0, List.of());
            }
            user = c.user();
        }
        kitsune.api.batch.BatchState state = null;
        String s = c.query("batchState");
        if (s != null && !s.isBlank()) {
            try {
                state = kitsune.api.batch.BatchState.valueOf(s.trim().toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw RestException.badRequest("Unknown batchState " + LogText.of(s) + ": use one of "
                        + java.util.Arrays.toString(kitsune.api.batch.BatchState.values()));
            }
        }
        long created = number(c, "createTime", 0, 0, Long.MAX_VALUE);
        long ended = number(c, "endTime", 0, 0, Long.MAX_VALUE);
        int from = (int) number(c, "from", 0, 0, Integer.MAX_VALUE);
        int size = (int) number(c, "size", 100, 0, 10_000);
        String name = c.query("batchName");
        String desc = c.query("desc");
        boolean oldestFirst = false;
        if (desc != null && !desc.isBlank()) {
            if (!desc.trim().equalsIgnoreCase("true") && !desc.trim().equalsIgnoreCase("false")) {
                throw RestException.badRequest("desc must be true or false, not " + LogText.of(desc));
            }
            oldestFirst = desc.trim().equalsIgnoreCase("false");
        }
        List<kitsune.api.batch.Batch> found = batches().list(new kitsune.api.batch.BatchFilter(
                type == null || type.isBlank() ? null : type.trim().toUpperCase(Locale.ROOT),
                user == null || user.isBlank() ? null : user, state, created, ended, from, size,
                name == null || name.isEmpty() ? null : name, oldestFirst));
        return new Dto.GetBatchesResponse(from, found.size(), found.stream().map(Batches::dto).toList());
    }

    private static long number(Call c, String name, long def, long min, long max) throws RestException {
        String v = c.query(name);
        if (v == null || v.isBlank()) return def;
        try {
            long n = Long.parseLong(v.trim());
            if (n >= min && n <= max) return n;
        } catch (NumberFormatException e) {
            // below
        }
        throw RestException.badRequest(name + " must be a whole number from " + min + " to " + max + ", not "
                + LogText.of(v));
    }

    private Object getBatch(Call c) throws RestException {
        return Batches.dto(batches().get(c.param(0), c.user(), admin(c)));
    }

    private Object batchLocalLog(Call c) throws RestException {
        Batches b = batches();
        kitsune.api.batch.Batch batch = b.get(c.param(0), c.user(), admin(c));
        int from = (int) number(c, "from", 0, 0, Integer.MAX_VALUE);
        int size = (int) number(c, "size", 100, 0, 10_000);
        Object relayed = forwardToOwner(c, b, batch, "GET", "/batches/" + batch.id() + "/localLog?from=" + from
                + "&size=" + size);
        if (relayed != null) return relayed;
        List<String> lines = b.localLog(batch, from, size);
        return new Dto.OperationLog(lines, lines.size());
    }

    private Object deleteBatch(Call c) throws RestException {
        Batches b = batches();
        kitsune.api.batch.Batch batch = b.get(c.param(0), c.user(), admin(c));
        if (!batch.state().terminal()) {
            Object relayed = forwardToOwner(c, b, batch, "DELETE", "/batches/" + batch.id());
            if (relayed != null) return relayed;
        }
        return b.cancel(batch, c.user());
    }

    /**
     * The owner's answer when another live server owns the batch and forwarding is on, else null (answered here: by
     * this server as owner, or from the store). A forwarded request is never forwarded again.
     */
    private Object forwardToOwner(Call c, Batches b, kitsune.api.batch.Batch batch, String method, String path)
            throws RestException {
        Forwarding f = forwarding.get();
        if (c.forwarded() || f == null || !f.enabled()) return null;
        Batches.Owner o = b.ownerOf(batch);
        if (o.here() || !Boolean.TRUE.equals(o.live()) || o.api() == null) return null;
        LOG.info("{} of batch {} for {} forwarded to its owner {} ({})", method, batch.id(), c.user(), o.hostPort(),
                o.api());
        return f.forward(o.api(), method, path, c.user(), o.hostPort());
    }

    // ---------------------------------------------------------------- helpers

    private Dto.SessionData sessionData(RestHandles.SessionEntry s, SessionInfo info, Call c) {
        long now = clock.millis();
        long opened = s.opened().toEpochMilli();
        long last = info == null || info.lastAccess() == null ? opened : info.lastAccess().toEpochMilli();
        return new Dto.SessionData(s.id().toString(), s.user(), s.clientAddress(), s.conf(), opened, now - opened,
                now - last, null, SESSION_TYPE, c.instance(), info == null ? null : info.engine());
    }

    /** The session's settings as the API shows them: values of keys that look secret are masked. */
    static Map<String, String> masked(Map<String, String> configs) {
        Map<String, String> m = new java.util.TreeMap<>();
        configs.forEach((k, v) -> m.put(k, ConfigKeys.looksSecret(k) ? "********" : v));
        return java.util.Collections.unmodifiableMap(m);
    }

    private Map<String, SessionInfo> sessionInfos() {
        SessionManager m = sessionManager.get();
        Map<String, SessionInfo> map = new LinkedHashMap<>();
        if (m != null) m.sessions().forEach(i -> map.put(i.id(), i));
        return map;
    }

    /** Forgets REST handles of sessions the server closed on its own. */
    private void sweep() {
        SessionManager m = sessionManager.get();
        if (m != null) handles.retainSessions(m.sessions().stream().map(SessionInfo::id).collect(Collectors.toSet()));
    }

    private CliBackend backend() throws RestException {
        CliBackend b = backend.get();
        if (b == null) {
            throw new RestException(503, "The session service is not available (bundle kitsune.session is being "
                    + "replaced or stopped): retry in a moment");
        }
        return b;
    }

    /** Runs a backend call as the caller, so that the backend checks the session's owner as for JDBC. */
    private static <T> T as(Call c, Callable<T> call) throws Exception {
        ClientContext context = new ClientContext("rest-" + c.user(), c.user(), c.address());
        return Callers.as(context, call);
    }

    private static TOperationHandle check(TStatus status, TOperationHandle handle) throws RestException {
        check(status, "The metadata call failed");
        return handle;
    }

    static void check(TStatus status, String what) throws RestException {
        if (Statuses.isOk(status)) return;
        String message = status == null || status.getErrorMessage() == null ? "no reason given"
                : status.getErrorMessage();
        int code = message.startsWith("Invalid SessionHandle") || message.startsWith("Invalid OperationHandle")
                ? 404 : 500;
        throw new RestException(code, what + ": " + message);
    }

    private void checkOperation(TStatus status, RestHandles.OperationEntry o, String what) throws RestException {
        try {
            check(status, what);
        } catch (RestException e) {
            if (e.status() == 404) handles.removeOperation(o.id());
            throw e;
        }
    }

    Instant now() {
        return clock.instant();
    }
}
