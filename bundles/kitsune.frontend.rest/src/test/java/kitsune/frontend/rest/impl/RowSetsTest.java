package kitsune.frontend.rest.impl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.nio.ByteBuffer;
import java.util.List;
import java.util.Map;

import org.apache.hive.service.rpc.thrift.TColumn;
import org.apache.hive.service.rpc.thrift.TColumnDesc;
import org.apache.hive.service.rpc.thrift.TI64Column;
import org.apache.hive.service.rpc.thrift.TPrimitiveTypeEntry;
import org.apache.hive.service.rpc.thrift.TRowSet;
import org.apache.hive.service.rpc.thrift.TStringColumn;
import org.apache.hive.service.rpc.thrift.TTableSchema;
import org.apache.hive.service.rpc.thrift.TTypeDesc;
import org.apache.hive.service.rpc.thrift.TTypeEntry;
import org.apache.hive.service.rpc.thrift.TTypeId;
import org.apache.hive.service.rpc.thrift.TTypeQualifierValue;
import org.apache.hive.service.rpc.thrift.TTypeQualifiers;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.ObjectMapper;

class RowSetsTest {
    @Test
    void columnBasedRowsBecomeRowsOfTypedFieldsWithNullsFromTheBitmap() throws Exception {
        TRowSet set = new TRowSet(0, List.of());
        // row 1 of the id column is null (bit 1 of the nulls bitmap)
        set.addToColumns(TColumn.i64Val(new TI64Column(List.of(7L, 0L, 9L), ByteBuffer.wrap(new byte[] {2}))));
        set.addToColumns(TColumn.stringVal(new TStringColumn(List.of("a", "b", ""), ByteBuffer.wrap(new byte[] {4}))));
        Dto.ResultRowSet rows = RowSets.rows(set);
        assertEquals(3, rows.rowCount());
        assertEquals(new Dto.Field("BIGINT_TYPE", 7L), rows.rows().get(0).fields().get(0));
        assertNull(rows.rows().get(1).fields().get(0).value());
        assertEquals(new Dto.Field("STRING_TYPE", "b"), rows.rows().get(1).fields().get(1));
        assertNull(rows.rows().get(2).fields().get(1).value());
        assertEquals("{\"rows\":[{\"fields\":[{\"dataType\":\"BIGINT_TYPE\",\"value\":7},{\"dataType\":\"STRING_TYPE\","
                + "\"value\":\"a\"}]},{\"fields\":[{\"dataType\":\"BIGINT_TYPE\",\"value\":null},{\"dataType\":"
                + "\"STRING_TYPE\",\"value\":\"b\"}]},{\"fields\":[{\"dataType\":\"BIGINT_TYPE\",\"value\":9},"
                + "{\"dataType\":\"STRING_TYPE\",\"value\":null}]}],\"rowCount\":3}",
                new ObjectMapper().writeValueAsString(rows));
    }

    @Test
    void metadataNamesTheThriftTypeAndItsPrecisionAndScale() {
        TPrimitiveTypeEntry decimal = new TPrimitiveTypeEntry(TTypeId.DECIMAL_TYPE);
        decimal.setTypeQualifiers(new TTypeQualifiers(Map.of("precision", TTypeQualifierValue.i32Value(10),
                "scale", TTypeQualifierValue.i32Value(2))));
        TTypeDesc type = new TTypeDesc(List.of(TTypeEntry.primitiveEntry(decimal)));
        TTableSchema schema = new TTableSchema(List.of(new TColumnDesc("price", type, 1)));
        assertEquals(new Dto.ResultSetMetaData(List.of(new Dto.ColumnDesc("price", "DECIMAL_TYPE", 1, 10, 2, null))),
                RowSets.metadata(schema));
    }
}
