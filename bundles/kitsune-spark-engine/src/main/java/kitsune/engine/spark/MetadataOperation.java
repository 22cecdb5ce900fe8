package kitsune.engine.spark;

import java.util.List;
import java.util.concurrent.Callable;

import org.apache.hive.service.rpc.thrift.TOperationState;
import org.apache.hive.service.rpc.thrift.TOperationType;
import org.apache.hive.service.rpc.thrift.TProtocolVersion;
import org.apache.hive.service.rpc.thrift.TRowSet;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.StructType;

/**
 * A metadata call (GetTables, GetColumns, ...). It runs synchronously inside the Thrift call, so its result is
 * ready when the handle returns: the Hive driver fetches metadata results without polling their status first.
 */
final class MetadataOperation extends Operation {
    private volatile ResultTable result;
    private int position;

    MetadataOperation(EngineSession session, TOperationType type, String description) {
        super(session, type);
        log.add("Executing " + description);
    }

    /** Computes the result now; a failure leaves the operation in ERROR with Spark's message. */
    MetadataOperation run(Callable<ResultTable> producer) {
        transition(TOperationState.RUNNING_STATE, null);
        try {
            result = producer.call();
            transition(TOperationState.FINISHED_STATE, null);
        } catch (Exception e) {
            transition(TOperationState.ERROR_STATE, e);
        }
        return this;
    }

    @Override
    StructType schema() {
        requireFinished();
        return result.schema();
    }

    @Override
    synchronized Fetched fetch(int maxRows, boolean fromStart, TProtocolVersion protocol) {
        requireFinished();
        if (fromStart) position = 0;
        List<Row> rows = result.rows();
        int end = Math.min(rows.size(), position + Math.max(maxRows, 0));
        List<Row> batch = rows.subList(position, end);
        TRowSet set = new RowSetBuilder(result.schema(), session.formatter()).build(batch, position, protocol);
        position = end;
        return new Fetched(set, end < rows.size());
    }

    @Override
    void cancel(TOperationState reason) {
        transition(reason, null);
    }
}
