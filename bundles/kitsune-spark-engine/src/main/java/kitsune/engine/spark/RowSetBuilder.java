package kitsune.engine.spark;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

import org.apache.hive.service.rpc.thrift.TBinaryColumn;
import org.apache.hive.service.rpc.thrift.TBoolColumn;
import org.apache.hive.service.rpc.thrift.TBoolValue;
import org.apache.hive.service.rpc.thrift.TByteColumn;
import org.apache.hive.service.rpc.thrift.TByteValue;
import org.apache.hive.service.rpc.thrift.TColumn;
import org.apache.hive.service.rpc.thrift.TColumnValue;
import org.apache.hive.service.rpc.thrift.TDoubleColumn;
import org.apache.hive.service.rpc.thrift.TDoubleValue;
import org.apache.hive.service.rpc.thrift.TI16Column;
import org.apache.hive.service.rpc.thrift.TI16Value;
import org.apache.hive.service.rpc.thrift.TI32Column;
import org.apache.hive.service.rpc.thrift.TI32Value;
import org.apache.hive.service.rpc.thrift.TI64Column;
import org.apache.hive.service.rpc.thrift.TI64Value;
import org.apache.hive.service.rpc.thrift.TProtocolVersion;
import org.apache.hive.service.rpc.thrift.TRow;
import org.apache.hive.service.rpc.thrift.TRowSet;
import org.apache.hive.service.rpc.thrift.TStringColumn;
import org.apache.hive.service.rpc.thrift.TStringValue;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/**
 * Turns a batch of Spark rows into a TRowSet: columnar (one TColumn per column with a nulls bitmap) for protocol
 * V6 and later, row-based before. Numbers, booleans and binaries keep their Thrift column kind; everything else is
 * text from {@link ValueFormatter}.
 */
public final class RowSetBuilder {
    private final StructType schema;
    private final ValueFormatter formatter;

    public RowSetBuilder(StructType schema, ValueFormatter formatter) {
        this.schema = schema;
        this.formatter = formatter;
    }

    public TRowSet build(List<Row> rows, long startOffset, TProtocolVersion protocol) {
        return protocol.getValue() >= TProtocolVersion.HIVE_CLI_SERVICE_PROTOCOL_V6.getValue()
                ? columnar(rows, startOffset) : rowBased(rows, startOffset);
    }

    TRowSet columnar(List<Row> rows, long startOffset) {
        // rows is a required field of TRowSet: an empty list in columnar mode
        TRowSet set = new TRowSet(startOffset, new ArrayList<>());
        StructField[] fields = schema.fields();
        List<TColumn> columns = new ArrayList<>(fields.length);
        for (int c = 0; c < fields.length; c++) {
            columns.add(column(rows, c, fields[c].dataType()));
        }
        set.setColumns(columns);
        return set;
    }

    private TColumn column(List<Row> rows, int c, DataType type) {
        int n = rows.size();
        byte[] nulls = new byte[(n + 7) / 8];
        for (int r = 0; r < n; r++) {
            if (rows.get(r).isNullAt(c)) nulls[r / 8] |= (byte) (1 << (r % 8));
        }
        ByteBuffer nullBits = ByteBuffer.wrap(nulls);
        switch (TypeMapping.typeId(type)) {
            case BOOLEAN_TYPE: {
                List<Boolean> v = new ArrayList<>(n);
                for (Row row : rows) v.add(!row.isNullAt(c) && row.getBoolean(c));
                return TColumn.boolVal(new TBoolColumn(v, nullBits));
            }
            case TINYINT_TYPE: {
                List<Byte> v = new ArrayList<>(n);
                for (Row row : rows) v.add(row.isNullAt(c) ? 0 : row.getByte(c));
                return TColumn.byteVal(new TByteColumn(v, nullBits));
            }
            case SMALLINT_TYPE: {
                List<Short> v = new ArrayList<>(n);
                for (Row row : rows) v.add(row.isNullAt(c) ? 0 : row.getShort(c));
                return TColumn.i16Val(new TI16Column(v, nullBits));
            }
            case INT_TYPE: {
                List<Integer> v = new ArrayList<>(n);
                for (Row row : rows) v.add(row.isNullAt(c) ? 0 : row.getInt(c));
                return TColumn.i32Val(new TI32Column(v, nullBits));
            }
            case BIGINT_TYPE: {
                List<Long> v = new ArrayList<>(n);
                for (Row row : rows) v.add(row.isNullAt(c) ? 0L : row.getLong(c));
                return TColumn.i64Val(new TI64Column(v, nullBits));
            }
            case FLOAT_TYPE:
            case DOUBLE_TYPE: {
                List<Double> v = new ArrayList<>(n);
                for (Row row : rows) v.add(row.isNullAt(c) ? 0d : toDouble(row.get(c)));
                return TColumn.doubleVal(new TDoubleColumn(v, nullBits));
            }
            case BINARY_TYPE: {
                List<ByteBuffer> v = new ArrayList<>(n);
                for (Row row : rows) v.add(ByteBuffer.wrap(row.isNullAt(c) ? new byte[0] : (byte[]) row.get(c)));
                return TColumn.binaryVal(new TBinaryColumn(v, nullBits));
            }
            default: {
                List<String> v = new ArrayList<>(n);
                for (Row row : rows) v.add(row.isNullAt(c) ? "" : formatter.format(row.get(c), type));
                return TColumn.stringVal(new TStringColumn(v, nullBits));
            }
        }
    }

    TRowSet rowBased(List<Row> rows, long startOffset) {
        TRowSet set = new TRowSet(startOffset, new ArrayList<>(rows.size()));
        StructField[] fields = schema.fields();
        for (Row row : rows) {
            List<TColumnValue> values = new ArrayList<>(fields.length);
            for (int c = 0; c < fields.length; c++) values.add(value(row, c, fields[c].dataType()));
            set.addToRows(new TRow(values));
        }
        return set;
    }

    /** One cell; a null is a value struct with its field unset. */
    private TColumnValue value(Row row, int c, DataType type) {
        boolean isNull = row.isNullAt(c);
        switch (TypeMapping.typeId(type)) {
            case BOOLEAN_TYPE: {
                TBoolValue v = new TBoolValue();
                if (!isNull) v.setValue(row.getBoolean(c));
                return TColumnValue.boolVal(v);
            }
            case TINYINT_TYPE: {
                TByteValue v = new TByteValue();
                if (!isNull) v.setValue(row.getByte(c));
                return TColumnValue.byteVal(v);
            }
            case SMALLINT_TYPE: {
                TI16Value v = new TI16Value();
                if (!isNull) v.setValue(row.getShort(c));
                return TColumnValue.i16Val(v);
            }
            case INT_TYPE: {
                TI32Value v = new TI32Value();
                if (!isNull) v.setValue(row.getInt(c));
                return TColumnValue.i32Val(v);
            }
            case BIGINT_TYPE: {
                TI64Value v = new TI64Value();
                if (!isNull) v.setValue(row.getLong(c));
                return TColumnValue.i64Val(v);
            }
            case FLOAT_TYPE:
            case DOUBLE_TYPE: {
                TDoubleValue v = new TDoubleValue();
                if (!isNull) v.setValue(toDouble(row.get(c)));
                return TColumnValue.doubleVal(v);
            }
            default: {
                TStringValue v = new TStringValue();
                if (!isNull) v.setValue(formatter.format(row.get(c), type));
                return TColumnValue.stringVal(v);
            }
        }
    }

    /** Floats go through their decimal text so that 1.1f reads back as 1.1, not 1.100000023841858. */
    private static double toDouble(Object v) {
        return v instanceof Float f ? Double.parseDouble(f.toString()) : ((Number) v).doubleValue();
    }
}
