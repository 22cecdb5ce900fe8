package kitsune.frontend.rest.impl;

import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * The JSON bodies of the REST API, named and shaped as Kyuubi's REST client (org.apache.kyuubi.client.api.v1.dto)
 * reads and writes them. Requests ignore properties they do not know (older Kyuubi clients send a few more).
 */
final class Dto {
    private Dto() {
    }

    // ---------------------------------------------------------------- requests

    @JsonIgnoreProperties(ignoreUnknown = true)
    record SessionOpenRequest(Map<String, String> configs) {
    }

    @JsonIgnoreProperties(ignoreUnknown = true)
    record StatementRequest(String statement, Boolean runAsync, Long queryTimeout, Map<String, String> confOverlay) {
    }

    @JsonIgnoreProperties(ignoreUnknown = true)
    record GetSchemasRequest(String catalogName, String schemaName) {
    }

    @JsonIgnoreProperties(ignoreUnknown = true)
    record GetTablesRequest(String catalogName, String schemaName, String tableName, List<String> tableTypes) {
    }

    @JsonIgnoreProperties(ignoreUnknown = true)
    record GetColumnsRequest(String catalogName, String schemaName, String tableName, String columnName) {
    }

    @JsonIgnoreProperties(ignoreUnknown = true)
    record GetFunctionsRequest(String catalogName, String schemaName, String functionName) {
    }

    @JsonIgnoreProperties(ignoreUnknown = true)
    record GetPrimaryKeysRequest(String catalogName, String schemaName, String tableName) {
    }

    @JsonIgnoreProperties(ignoreUnknown = true)
    record GetCrossReferenceRequest(String primaryCatalog, String primarySchema, String primaryTable,
            String foreignCatalog, String foreignSchema, String foreignTable) {
    }

    @JsonIgnoreProperties(ignoreUnknown = true)
    record OpActionRequest(String action) {
    }

    @JsonIgnoreProperties(ignoreUnknown = true)
    record BatchRequest(String batchType, String resource, String className, String name, Map<String, String> conf,
            List<String> args, Map<String, String> extraResourcesMap) {
    }

    // ---------------------------------------------------------------- responses

    /** Kyuubi's Batch. */
    record Batch(String id, String user, String batchType, String name, long appStartTime, String appId,
            String appUrl, String appState, String appDiagnostic, String kyuubiInstance, String state,
            long createTime, long endTime, Map<String, String> batchInfo) {
    }

    record GetBatchesResponse(int from, int total, List<Batch> batches) {
    }

    record CloseBatchResponse(boolean success, String msg) {
    }

    record SessionHandle(String identifier, String kyuubiInstance) {
    }

    record OperationHandle(String identifier) {
    }

    record SessionData(String identifier, String user, String ipAddr, Map<String, String> conf, long createTime,
            long duration, long idleTime, String exception, String sessionType, String kyuubiInstance,
            String engineId) {
    }

    /** GET /sessions/{handle}: Kyuubi's KyuubiSessionEvent, as far as this server knows it. */
    record SessionEvent(String sessionId, String sessionName, String sessionType, String user, String clientIP,
            String serverIP, Map<String, String> conf, long eventTime, long openedTime, long startTime, long endTime,
            int totalOperations, String exception, String engineId) {
    }

    record SessionOpenCount(int openSessionCount) {
    }

    record ExecPoolStatistic(int execPoolSize, int execPoolActiveCount, int execPoolWorkQueueSize) {
    }

    record InfoDetail(String infoType, String infoValue) {
    }

    record ColumnDesc(String columnName, String dataType, int columnIndex, int precision, int scale,
            String comment) {
    }

    record ResultSetMetaData(List<ColumnDesc> columns) {
    }

    @JsonInclude(JsonInclude.Include.ALWAYS)
    record Field(String dataType, Object value) {
    }

    record Row(List<Field> fields) {
    }

    record ResultRowSet(List<Row> rows, int rowCount) {
    }

    record OperationLog(List<String> logRowSet, int rowCount) {
    }

    /** GET /operations/{handle}/event: Kyuubi's KyuubiOperationEvent, as far as this server knows it. */
    record OperationEvent(String statementId, String remoteId, String statement, boolean shouldRunAsync, String state,
            long eventTime, long createTime, long startTime, long completeTime, String exception, String sessionId,
            String sessionUser, String sessionType, String kyuubiInstance) {
    }

    record OperationData(String identifier, String statement, String state, long createTime, long startTime,
            long completeTime, String exception, String sessionId, String sessionUser, String sessionType,
            String kyuubiInstance) {
    }

    record ServerData(String nodeName, String namespace, String instance, String host, int port,
            Map<String, String> attributes, String status) {
    }

    record Engine(String version, String user, String engineType, String sharelevel, String subdomain,
            String instance, String namespace, Map<String, String> attributes) {
    }

    record Message(String message) {
    }
}
