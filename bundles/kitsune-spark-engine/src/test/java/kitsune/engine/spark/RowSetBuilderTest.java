package kitsune.engine.spark;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.sql.Date;
import java.sql.Timestamp;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;

import org.apache.hive.service.rpc.thrift.TColumn;
import org.apache.hive.service.rpc.thrift.TProtocolVersion;
import org.apache.hive.service.rpc.thrift.TRowSet;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;

class RowSetBuilderTest {
    private static final StructType SCHEMA = new StructType()
            .add("b", DataTypes.BooleanType)
            .add("t", DataTypes.ByteType)
            .add("s", DataTypes.ShortType)
            .add("i", DataTypes.IntegerType)
            .add("l", DataTypes.LongType)
            .add("f", DataTypes.FloatType)
            .add("d", DataTypes.DoubleType)
            .add("dec", DataTypes.createDecimalType(10, 2))
            .add("str", DataTypes.StringType)
            .add("dt", DataTypes.DateType)
            .add("ts", DataTypes.TimestampType)
            .add("bin", DataTypes.BinaryType)
            .add("n", DataTypes.NullType);

    private static RowSetBuilder builder() {
        return new RowSetBuilder(SCHEMA, new ValueFormatter(ZoneOffset.UTC));
    }

    private static List<Row> rows() {
        List<Row> rows = new ArrayList<>();
        rows.add(RowFactory.create(true, (byte) 1, (short) 2, 3, 4L, 1.1f, 2.5d, new BigDecimal("12.30"), "x",
                Date.valueOf("2024-02-29"), Timestamp.valueOf("2024-02-29 10:11:12"), new byte[] {1, 2}, null));
        rows.add(RowFactory.create(null, null, null, null, null, null, null, null, null, null, null, null, null));
        rows.add(RowFactory.create(false, (byte) -1, (short) -2, -3, -4L, -1f, -2d, new BigDecimal("-1E+2"), "",
                Date.valueOf("1970-01-01"), Timestamp.valueOf("1970-01-01 00:00:00.123456"), new byte[0], null));
        return rows;
    }

    @Test
    void columnarKeepsThriftColumnKindsAndNulls() {
        TRowSet set = builder().build(rows(), 7, TProtocolVersion.HIVE_CLI_SERVICE_PROTOCOL_V10);
        assertEquals(7, set.getStartRowOffset());
        assertTrue(set.isSetRows());
        assertEquals(0, set.getRowsSize(), "rows is required but empty in columnar mode");
        List<TColumn> cols = set.getColumns();
        assertEquals(SCHEMA.fields().length, cols.size());
        assertEquals(List.of(true, false, false), cols.get(0).getBoolVal().getValues());
        assertEquals(List.of((byte) 1, (byte) 0, (byte) -1), cols.get(1).getByteVal().getValues());
        assertEquals(List.of((short) 2, (short) 0, (short) -2), cols.get(2).getI16Val().getValues());
        assertEquals(List.of(3, 0, -3), cols.get(3).getI32Val().getValues());
        assertEquals(List.of(4L, 0L, -4L), cols.get(4).getI64Val().getValues());
        assertEquals(List.of(1.1d, 0d, -1d), cols.get(5).getDoubleVal().getValues(), "floats read back exactly");
        assertEquals(List.of(2.5d, 0d, -2d), cols.get(6).getDoubleVal().getValues());
        assertEquals(List.of("12.30", "", "-100"), cols.get(7).getStringVal().getValues());
        assertEquals(List.of("x", "", ""), cols.get(8).getStringVal().getValues());
        assertEquals(List.of("2024-02-29", "", "1970-01-01"), cols.get(9).getStringVal().getValues());
        assertEquals(List.of("2024-02-29 10:11:12", "", "1970-01-01 00:00:00.123456"),
                cols.get(10).getStringVal().getValues());
        assertEquals(ByteBuffer.wrap(new byte[] {1, 2}), cols.get(11).getBinaryVal().getValues().get(0));
        // row 1 (the middle one) is null in every column: bit 1 of the first byte
        for (int c = 0; c < 12; c++) {
            assertArrayEquals(new byte[] {0b010}, nulls(cols.get(c)), "column " + c);
        }
        assertArrayEquals(new byte[] {0b111}, nulls(cols.get(12)), "the NULL column is null everywhere");
    }

    private static byte[] nulls(TColumn c) {
        Object v = c.getFieldValue();
        try {
            return (byte[]) v.getClass().getMethod("getNulls").invoke(v);
        } catch (ReflectiveOperationException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void nullBitmapSpansBytes() {
        StructType schema = new StructType().add("i", DataTypes.IntegerType);
        List<Row> rows = new ArrayList<>();
        for (int i = 0; i < 10; i++) rows.add(RowFactory.create(i % 3 == 0 ? null : i));
        TRowSet set = new RowSetBuilder(schema, new ValueFormatter(ZoneOffset.UTC))
                .build(rows, 0, TProtocolVersion.HIVE_CLI_SERVICE_PROTOCOL_V6);
        // rows 0, 3, 6, 9 are null
        assertArrayEquals(new byte[] {(byte) 0b0100_1001, 0b10}, set.getColumns().get(0).getI32Val().getNulls());
    }

    @Test
    void emptyBatchIsTheEndOfData() {
        TRowSet set = builder().build(List.of(), 100, TProtocolVersion.HIVE_CLI_SERVICE_PROTOCOL_V10);
        assertEquals(SCHEMA.fields().length, set.getColumnsSize());
        assertEquals(0, set.getColumns().get(3).getI32Val().getValuesSize());
    }

    @Test
    void oldProtocolsGetRows() {
        TRowSet set = builder().build(rows(), 0, TProtocolVersion.HIVE_CLI_SERVICE_PROTOCOL_V5);
        assertFalse(set.isSetColumns());
        assertEquals(3, set.getRowsSize());
        assertEquals(3, set.getRows().get(0).getColVals().get(3).getI32Val().getValue());
        assertEquals("12.30", set.getRows().get(0).getColVals().get(7).getStringVal().getValue());
        assertFalse(set.getRows().get(1).getColVals().get(3).getI32Val().isSetValue(), "null = unset value");
    }
}
