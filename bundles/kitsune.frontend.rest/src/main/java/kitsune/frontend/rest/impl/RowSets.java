package kitsune.frontend.rest.impl;

import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

import org.apache.hive.service.rpc.thrift.TColumn;
import org.apache.hive.service.rpc.thrift.TColumnDesc;
import org.apache.hive.service.rpc.thrift.TColumnValue;
import org.apache.hive.service.rpc.thrift.TPrimitiveTypeEntry;
import org.apache.hive.service.rpc.thrift.TRow;
import org.apache.hive.service.rpc.thrift.TRowSet;
import org.apache.hive.service.rpc.thrift.TTableSchema;
import org.apache.hive.service.rpc.thrift.TTypeDesc;
import org.apache.hive.service.rpc.thrift.TTypeId;
import org.apache.hive.service.rpc.thrift.TTypeQualifierValue;

import kitsune.thrift.Columns;

/**
 * TCLIService result sets as the REST API shows them: rows of fields, each field with the Thrift type of its value
 * (Kyuubi's names: INT_TYPE, BIGINT_TYPE, STRING_TYPE, ...) and the value itself (null when the engine sent null;
 * binary values in base64). Column-based row sets (protocol V6 and later) and row-based ones are both read.
 */
final class RowSets {
    private RowSets() {
    }

    static Dto.ResultRowSet rows(TRowSet set) {
        List<Dto.Row> rows = new ArrayList<>();
        if (set == null) return new Dto.ResultRowSet(rows, 0);
        if (set.isSetColumns() && !set.getColumns().isEmpty()) {
            List<TColumn> columns = set.getColumns();
            int count = Columns.size(columns.get(0));
            for (int r = 0; r < count; r++) {
                List<Dto.Field> fields = new ArrayList<>(columns.size());
                for (TColumn c : columns) fields.add(field(c, r));
                rows.add(new Dto.Row(fields));
            }
        } else if (set.isSetRows()) {
            for (TRow row : set.getRows()) {
                List<Dto.Field> fields = new ArrayList<>();
                for (TColumnValue v : row.getColVals()) fields.add(field(v));
                rows.add(new Dto.Row(fields));
            }
        }
        return new Dto.ResultRowSet(rows, rows.size());
    }

    /** The values of the first column as text (the operation log's rows). */
    static List<String> firstColumnText(TRowSet set) {
        List<String> lines = new ArrayList<>();
        if (set == null) return lines;
        if (set.isSetColumns() && !set.getColumns().isEmpty()) {
            TColumn c = set.getColumns().get(0);
            int n = Columns.size(c);
            for (int r = 0; r < n; r++) {
                Object v = field(c, r).value();
                lines.add(v == null ? null : String.valueOf(v));
            }
        } else if (set.isSetRows()) {
            for (TRow row : set.getRows()) {
                if (row.getColValsSize() == 0) continue;
                Object v = field(row.getColVals().get(0)).value();
                lines.add(v == null ? null : String.valueOf(v));
            }
        }
        return lines;
    }

    static Dto.ResultSetMetaData metadata(TTableSchema schema) {
        List<Dto.ColumnDesc> columns = new ArrayList<>();
        if (schema != null && schema.getColumns() != null) {
            for (TColumnDesc c : schema.getColumns()) {
                String type = "UNKNOWN";
                int precision = 0;
                int scale = 0;
                TTypeDesc desc = c.getTypeDesc();
                if (desc != null && desc.getTypesSize() > 0 && desc.getTypes().get(0).isSetPrimitiveEntry()) {
                    TPrimitiveTypeEntry p = desc.getTypes().get(0).getPrimitiveEntry();
                    type = p.getType() == null ? "UNKNOWN" : p.getType().name();
                    if (p.isSetTypeQualifiers() && p.getTypeQualifiers().getQualifiers() != null) {
                        precision = intQualifier(p.getTypeQualifiers().getQualifiers().get("precision"));
                        scale = intQualifier(p.getTypeQualifiers().getQualifiers().get("scale"));
                    }
                } else if (desc != null && desc.getTypesSize() > 0) {
                    // arrays, maps, structs: the engine sends them as strings; name the outer kind
                    TTypeId outer = desc.getTypes().get(0).isSetArrayEntry() ? TTypeId.ARRAY_TYPE
                            : desc.getTypes().get(0).isSetMapEntry() ? TTypeId.MAP_TYPE
                            : desc.getTypes().get(0).isSetStructEntry() ? TTypeId.STRUCT_TYPE
                            : TTypeId.USER_DEFINED_TYPE;
                    type = outer.name();
                }
                columns.add(new Dto.ColumnDesc(c.getColumnName(), type, c.getPosition(), precision, scale,
                        c.getComment()));
            }
        }
        return new Dto.ResultSetMetaData(columns);
    }

    private static int intQualifier(TTypeQualifierValue v) {
        return v != null && v.isSetI32Value() ? v.getI32Value() : 0;
    }

    private static Dto.Field field(TColumn c, int r) {
        return switch (c.getSetField()) {
            case BOOL_VAL -> field(TTypeId.BOOLEAN_TYPE, c.getBoolVal().getNulls(), r, c.getBoolVal().getValues());
            case BYTE_VAL -> field(TTypeId.TINYINT_TYPE, c.getByteVal().getNulls(), r, c.getByteVal().getValues());
            case I16_VAL -> field(TTypeId.SMALLINT_TYPE, c.getI16Val().getNulls(), r, c.getI16Val().getValues());
            case I32_VAL -> field(TTypeId.INT_TYPE, c.getI32Val().getNulls(), r, c.getI32Val().getValues());
            case I64_VAL -> field(TTypeId.BIGINT_TYPE, c.getI64Val().getNulls(), r, c.getI64Val().getValues());
            case DOUBLE_VAL -> field(TTypeId.DOUBLE_TYPE, c.getDoubleVal().getNulls(), r,
                    c.getDoubleVal().getValues());
            case STRING_VAL -> field(TTypeId.STRING_TYPE, c.getStringVal().getNulls(), r,
                    c.getStringVal().getValues());
            case BINARY_VAL -> {
                Dto.Field f = field(TTypeId.BINARY_TYPE, c.getBinaryVal().getNulls(), r,
                        c.getBinaryVal().getValues());
                yield f.value() instanceof java.nio.ByteBuffer b ? new Dto.Field(f.dataType(), base64(b)) : f;
            }
        };
    }

    private static Dto.Field field(TTypeId type, byte[] nulls, int r, List<?> values) {
        boolean isNull = nulls != null && r / 8 < nulls.length && (nulls[r / 8] & (1 << (r % 8))) != 0;
        return new Dto.Field(type.name(), isNull ? null : values.get(r));
    }

    private static Dto.Field field(TColumnValue v) {
        return switch (v.getSetField()) {
            case BOOL_VAL -> new Dto.Field(TTypeId.BOOLEAN_TYPE.name(),
                    v.getBoolVal().isSetValue() ? v.getBoolVal().isValue() : null);
            case BYTE_VAL -> new Dto.Field(TTypeId.TINYINT_TYPE.name(),
                    v.getByteVal().isSetValue() ? v.getByteVal().getValue() : null);
            case I16_VAL -> new Dto.Field(TTypeId.SMALLINT_TYPE.name(),
                    v.getI16Val().isSetValue() ? v.getI16Val().getValue() : null);
            case I32_VAL -> new Dto.Field(TTypeId.INT_TYPE.name(),
                    v.getI32Val().isSetValue() ? v.getI32Val().getValue() : null);
            case I64_VAL -> new Dto.Field(TTypeId.BIGINT_TYPE.name(),
                    v.getI64Val().isSetValue() ? v.getI64Val().getValue() : null);
            case DOUBLE_VAL -> new Dto.Field(TTypeId.DOUBLE_TYPE.name(),
                    v.getDoubleVal().isSetValue() ? v.getDoubleVal().getValue() : null);
            case STRING_VAL -> new Dto.Field(TTypeId.STRING_TYPE.name(), v.getStringVal().getValue());
        };
    }

    private static String base64(java.nio.ByteBuffer b) {
        java.nio.ByteBuffer d = b.duplicate();
        byte[] bytes = new byte[d.remaining()];
        d.get(bytes);
        return Base64.getEncoder().encodeToString(bytes);
    }
}
