package kitsune.session.impl;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import org.apache.hive.service.rpc.thrift.TExecuteStatementReq;
import org.apache.hive.service.rpc.thrift.TGetOperationStatusResp;
import org.apache.hive.service.rpc.thrift.TGetResultSetMetadataResp;
import org.apache.hive.service.rpc.thrift.TOperationState;
import org.apache.hive.service.rpc.thrift.TRowSet;

import kitsune.api.conf.ConfigKeys;
import kitsune.api.conf.KitsuneConf;
import kitsune.api.engine.EngineConf;
import kitsune.thrift.Columns;
import kitsune.thrift.InlineResults;
import kitsune.thrift.Statuses;

/**
 * Short statements answered whole with their ExecuteStatement ({@link InlineResults}): the server asks an engine that
 * can ({@link EngineConf#INLINE_RESULTS}) to hold the reply up to kitsune.operation.inline.wait for the statement to
 * end, keeps what comes back (the final status, the schema, every row) with the operation, and answers the client's
 * status polls, metadata call and first fetch from it, saving three round trips to the engine per statement. All such
 * results together take at most kitsune.operation.inline.memory; a result that does not fit is left on the engine,
 * which keeps its rows for a normal fetch either way.
 */
final class InlineAnswers {
    /** The most characters one encoded answer may have; the engine sends no more. */
    static final int MAX_CHARS = 256 * 1024;
    private static final Duration MAX_WAIT = Duration.ofSeconds(1);

    private final AtomicLong held = new AtomicLong();

    /** One statement's answer, held with its operation until it is closed. */
    static final class Held {
        private final TGetOperationStatusResp status;
        private final TGetResultSetMetadataResp metadata;
        private final AtomicReference<TRowSet> rows;
        private final long rowCount;
        private final long chars;
        private final InlineAnswers owner;

        private Held(InlineResults.Answer a, long rowCount, long chars, InlineAnswers owner) {
            this.status = a.status();
            this.metadata = a.metadata();
            this.rows = new AtomicReference<>(a.rows());
            this.rowCount = rowCount;
            this.chars = chars;
            this.owner = owner;
        }

        TGetOperationStatusResp status() {
            return status.deepCopy();
        }

        TGetResultSetMetadataResp metadata() {
            return metadata.deepCopy();
        }

        /**
         * The rows for a first FETCH_NEXT of at most {@code maxRows}, once; null when they were taken already, or are
         * more than the client asked for (then they are dropped here and the engine, which kept them, answers).
         */
        TRowSet takeRows(long maxRows) {
            TRowSet r = rows.getAndSet(null);
            if (r == null || rowCount > maxRows) return null;
            return r;
        }

        /** Drops the rows (a fetch went to the engine: from there on the engine's cursor is the truth). */
        void dropRows() {
            rows.set(null);
        }

        void release() {
            owner.held.addAndGet(-chars);
        }
    }

    /**
     * Asks the engine for an inline answer in the statement's overlay when the session's engine can give one and the
     * server's configuration wants it; first removes whatever of it a client sent.
     */
    static void ask(TExecuteStatementReq req, boolean engineCan, KitsuneConf conf) {
        Map<String, String> overlay = req.getConfOverlay();
        if (overlay != null) {
            overlay.remove(EngineConf.INLINE_WAIT_MS);
            overlay.remove(EngineConf.INLINE_ROWS);
        }
        Duration wait = conf.get(ConfigKeys.OPERATION_INLINE_WAIT);
        if (!engineCan || wait == null || wait.isZero() || wait.isNegative()) return;
        if (overlay == null) {
            overlay = new HashMap<>();
            req.setConfOverlay(overlay);
        }
        overlay.put(EngineConf.INLINE_WAIT_MS, Long.toString(Math.min(wait.toMillis(), MAX_WAIT.toMillis())));
        overlay.put(EngineConf.INLINE_ROWS, Integer.toString(conf.get(ConfigKeys.OPERATION_INLINE_ROWS)));
    }

    /**
     * The answer of a statement that FINISHED, reserved against kitsune.operation.inline.memory; null when there is
     * none, it is not a whole FINISHED result this server can count, or it does not fit.
     */
    Held reserve(InlineResults.Answer a, KitsuneConf conf) {
        if (a == null || a.status().getOperationState() != TOperationState.FINISHED_STATE
                || !Statuses.isOk(a.status().getStatus()) || !Statuses.isOk(a.metadata().getStatus())) {
            return null;
        }
        long rows = rowCount(a.rows());
        if (rows < 0) return null;
        // decoded, an answer takes a few times its encoded size (boxed values in lists): count four times that
        long chars = 4 * Math.max(a.encodedChars(), 1);
        long budget = conf.get(ConfigKeys.OPERATION_INLINE_MEMORY);
        long now;
        do {
            now = held.get();
            if (now + chars > budget) return null;
        } while (!held.compareAndSet(now, now + chars));
        return new Held(a, rows, chars, this);
    }

    /** What all held answers take now (for tests and metrics). */
    long held() {
        return held.get();
    }

    /** Rows in the set; -1 for a shape this server does not count (compressed columns). */
    static long rowCount(TRowSet rows) {
        if (rows == null || rows.isSetBinaryColumns()) return -1;
        if (rows.isSetColumns()) return rows.getColumnsSize() == 0 ? 0 : Columns.size(rows.getColumns().get(0));
        return rows.getRowsSize();
    }
}
