package kitsune.session.impl;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import org.apache.hive.service.rpc.thrift.TGetOperationStatusResp;
import org.apache.hive.service.rpc.thrift.TOperationState;

import kitsune.api.conf.ConfigKeys;
import kitsune.api.conf.KitsuneConf;

/**
 * kyuubi.operation.query.timeout: the bound a session's statements run under, passed to the engine as the
 * statement's queryTimeout (the engine cancels the job and reports TIMEDOUT), and the error a client gets when that
 * bound, not its own, ended its statement. Only the operations this bound ended are remembered here.
 */
final class QueryTimeouts {
    private static final String KEY = ConfigKeys.OPERATION_QUERY_TIMEOUT.name();
    /** Operations whose queryTimeout is the server's bound, by operation key. */
    private final Map<String, Duration> bounded = new ConcurrentHashMap<>();

    /** The server's value, or the session's when lower (a session may lower it, not raise it); null: no bound. */
    static Duration bound(KitsuneConf server, KitsuneConf session) {
        Duration allowed = positive(server.get(ConfigKeys.OPERATION_QUERY_TIMEOUT));
        Duration asked = positive(session.get(ConfigKeys.OPERATION_QUERY_TIMEOUT));
        if (allowed == null) return asked;
        return asked != null && asked.compareTo(allowed) < 0 ? asked : allowed;
    }

    private static Duration positive(Duration d) {
        return d == null || d.isZero() || d.isNegative() ? null : d;
    }

    /**
     * The queryTimeout (seconds, 0: none) a statement runs under: the client's, or the bound when that is shorter
     * (whole seconds, rounded up).
     */
    static long seconds(long client, Duration bound) {
        if (bound == null) return Math.max(0, client);
        long server = Math.max(1, (bound.toMillis() + 999) / 1000);
        return client > 0 && client <= server ? client : server;
    }

    /** Remembers that the server's bound, not the client's own timeout, limits that operation. */
    void bounded(String operation, Duration bound) {
        bounded.put(operation, bound);
    }

    void forget(String operation) {
        bounded.remove(operation);
    }

    /**
     * An operation the server's bound ended is reported as an error naming the bound and the key (the Hive driver
     * reports TIMEDOUT with the client's own timeout only, which the client did not set).
     */
    void explain(String operation, TGetOperationStatusResp resp) {
        if (resp == null || resp.getOperationState() != TOperationState.TIMEDOUT_STATE) return;
        Duration bound = bounded.get(operation);
        if (bound == null) return;
        resp.setOperationState(TOperationState.ERROR_STATE);
        resp.setSqlState("HYT00");
        resp.setErrorMessage("The statement ran longer than " + KEY + "=" + bound + " and was cancelled; make it "
                + "faster, or ask the operator to raise " + KEY);
    }
}
