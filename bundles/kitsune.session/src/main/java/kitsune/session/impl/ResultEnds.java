package kitsune.session.impl;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

import org.apache.hive.service.rpc.thrift.TBinaryColumn;
import org.apache.hive.service.rpc.thrift.TBoolColumn;
import org.apache.hive.service.rpc.thrift.TByteColumn;
import org.apache.hive.service.rpc.thrift.TColumn;
import org.apache.hive.service.rpc.thrift.TDoubleColumn;
import org.apache.hive.service.rpc.thrift.TFetchResultsResp;
import org.apache.hive.service.rpc.thrift.TI16Column;
import org.apache.hive.service.rpc.thrift.TI32Column;
import org.apache.hive.service.rpc.thrift.TI64Column;
import org.apache.hive.service.rpc.thrift.TRowSet;
import org.apache.hive.service.rpc.thrift.TStringColumn;

import kitsune.thrift.Columns;
import kitsune.thrift.Statuses;

/**
 * The end of a result, answered here: once an engine that says so ({@code kitsune.engine.result.end.exact}) has
 * reported a fetch with {@code hasMoreRows} false, the client's next FETCH_NEXT of that result would only get an
 * empty row set from the engine (the Hive driver always asks for it), so this server answers it itself and saves a
 * round trip to the engine per statement. The empty row set has the shape of the last one the engine sent: the same
 * columns, each with no value, and the row offset after it.
 */
final class ResultEnds {
    private ResultEnds() {
    }

    /** An empty row set that follows that last one; null for a shape this server does not rebuild (compressed). */
    static TRowSet emptyAfter(TRowSet last) {
        if (last == null || last.isSetBinaryColumns()) return null;
        long count;
        TRowSet empty = new TRowSet(0, new ArrayList<>());
        if (last.isSetColumns()) {
            List<TColumn> columns = new ArrayList<>(last.getColumnsSize());
            count = -1;
            for (TColumn c : last.getColumns()) {
                TColumn e = emptyLike(c);
                if (e == null) return null;
                columns.add(e);
                if (count < 0) count = Columns.size(c);
            }
            empty.setColumns(columns);
            if (last.isSetColumnCount()) empty.setColumnCount(columns.size());
            count = Math.max(count, 0);
        } else {
            count = last.getRowsSize();
        }
        empty.setStartRowOffset(last.getStartRowOffset() + count);
        return empty;
    }

    /** The answer to a fetch after the end: OK, no rows, no more rows. */
    static TFetchResultsResp answer(TRowSet empty) {
        TFetchResultsResp resp = new TFetchResultsResp(Statuses.ok());
        resp.setHasMoreRows(false);
        resp.setResults(empty.deepCopy());
        return resp;
    }

    private static TColumn emptyLike(TColumn c) {
        ByteBuffer none = ByteBuffer.wrap(new byte[0]);
        TColumn._Fields kind = c.getSetField();
        if (kind == null) return null;
        return switch (kind) {
            case BOOL_VAL -> TColumn.boolVal(new TBoolColumn(new ArrayList<>(), none));
            case BYTE_VAL -> TColumn.byteVal(new TByteColumn(new ArrayList<>(), none));
            case I16_VAL -> TColumn.i16Val(new TI16Column(new ArrayList<>(), none));
            case I32_VAL -> TColumn.i32Val(new TI32Column(new ArrayList<>(), none));
            case I64_VAL -> TColumn.i64Val(new TI64Column(new ArrayList<>(), none));
            case DOUBLE_VAL -> TColumn.doubleVal(new TDoubleColumn(new ArrayList<>(), none));
            case STRING_VAL -> TColumn.stringVal(new TStringColumn(new ArrayList<>(), none));
            case BINARY_VAL -> TColumn.binaryVal(new TBinaryColumn(new ArrayList<>(), none));
        };
    }
}
