package kitsune.engine.spark;

import org.apache.hive.service.rpc.thrift.TStatus;
import org.apache.spark.SparkThrowable;
import org.apache.spark.sql.AnalysisException;

import kitsune.thrift.Statuses;

/**
 * Maps what Spark throws to what a JDBC client shows: Spark's own message and SQLSTATE (Spark 3.4+ errors carry
 * one, e.g. 42P01 for a missing table), 42000 for other analysis errors, HY000 otherwise. Never a stack trace.
 */
final class SqlErrors {
    static final String SYNTAX_OR_ACCESS = "42000";

    private SqlErrors() {
    }

    static String message(Throwable t) {
        String msg = t.getMessage();
        if (msg == null || msg.isBlank()) {
            return t.getCause() != null && t.getCause() != t ? message(t.getCause()) : t.getClass().getName();
        }
        return msg;
    }

    static String sqlState(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause() == c ? null : c.getCause()) {
            if (c instanceof SparkThrowable st) {
                String state = st.getSqlState();
                if (state != null && !state.isBlank()) return state;
            }
            if (c instanceof AnalysisException) return SYNTAX_OR_ACCESS;
        }
        return Statuses.GENERAL_ERROR;
    }

    static TStatus status(Throwable t) {
        return Statuses.error(message(t), sqlState(t));
    }
}
