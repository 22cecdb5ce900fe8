package kitsune.thrift;

import org.apache.hive.service.rpc.thrift.TColumn;

/** Facts about the columns of a columnar row set (protocol V6 and later). */
public final class Columns {
    private Columns() {
    }

    /** How many values the column holds (its rows in this row set). */
    public static int size(TColumn c) {
        return switch (c.getSetField()) {
            case BOOL_VAL -> c.getBoolVal().getValuesSize();
            case BYTE_VAL -> c.getByteVal().getValuesSize();
            case I16_VAL -> c.getI16Val().getValuesSize();
            case I32_VAL -> c.getI32Val().getValuesSize();
            case I64_VAL -> c.getI64Val().getValuesSize();
            case DOUBLE_VAL -> c.getDoubleVal().getValuesSize();
            case STRING_VAL -> c.getStringVal().getValuesSize();
            case BINARY_VAL -> c.getBinaryVal().getValuesSize();
        };
    }
}
