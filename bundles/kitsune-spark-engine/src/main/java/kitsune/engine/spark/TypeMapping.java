package kitsune.engine.spark;

import java.sql.Types;
import java.util.HashMap;
import java.util.Map;

import org.apache.hive.service.rpc.thrift.TCLIServiceConstants;
import org.apache.hive.service.rpc.thrift.TColumnDesc;
import org.apache.hive.service.rpc.thrift.TPrimitiveTypeEntry;
import org.apache.hive.service.rpc.thrift.TTableSchema;
import org.apache.hive.service.rpc.thrift.TTypeDesc;
import org.apache.hive.service.rpc.thrift.TTypeEntry;
import org.apache.hive.service.rpc.thrift.TTypeId;
import org.apache.hive.service.rpc.thrift.TTypeQualifierValue;
import org.apache.hive.service.rpc.thrift.TTypeQualifiers;
import org.apache.spark.sql.types.ArrayType;
import org.apache.spark.sql.types.BinaryType;
import org.apache.spark.sql.types.BooleanType;
import org.apache.spark.sql.types.ByteType;
import org.apache.spark.sql.types.CharType;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DateType;
import org.apache.spark.sql.types.DecimalType;
import org.apache.spark.sql.types.DoubleType;
import org.apache.spark.sql.types.FloatType;
import org.apache.spark.sql.types.IntegerType;
import org.apache.spark.sql.types.LongType;
import org.apache.spark.sql.types.MapType;
import org.apache.spark.sql.types.NullType;
import org.apache.spark.sql.types.NumericType;
import org.apache.spark.sql.types.ShortType;
import org.apache.spark.sql.types.StringType;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.sql.types.TimestampNTZType;
import org.apache.spark.sql.types.TimestampType;
import org.apache.spark.sql.types.VarcharType;

/**
 * Spark types as HiveServer2 clients see them: the TTypeId of a result column, its qualifiers, and the JDBC
 * metadata numbers of GetColumns. Complex types travel as strings but keep their ARRAY/MAP/STRUCT type id, as
 * HiveServer2, Spark's Thrift server and Kyuubi do; intervals are plain strings because the Hive driver would try
 * to parse INTERVAL_* values in Hive's own format.
 */
public final class TypeMapping {
    private TypeMapping() {
    }

    public static TTypeId typeId(DataType t) {
        if (t instanceof NullType) return TTypeId.NULL_TYPE;
        if (t instanceof BooleanType) return TTypeId.BOOLEAN_TYPE;
        if (t instanceof ByteType) return TTypeId.TINYINT_TYPE;
        if (t instanceof ShortType) return TTypeId.SMALLINT_TYPE;
        if (t instanceof IntegerType) return TTypeId.INT_TYPE;
        if (t instanceof LongType) return TTypeId.BIGINT_TYPE;
        if (t instanceof FloatType) return TTypeId.FLOAT_TYPE;
        if (t instanceof DoubleType) return TTypeId.DOUBLE_TYPE;
        if (t instanceof DecimalType) return TTypeId.DECIMAL_TYPE;
        // Spark 4 makes CharType/VarcharType subclasses of StringType: test them first
        if (t instanceof CharType) return TTypeId.CHAR_TYPE;
        if (t instanceof VarcharType) return TTypeId.VARCHAR_TYPE;
        if (t instanceof DateType) return TTypeId.DATE_TYPE;
        if (t instanceof TimestampType || t instanceof TimestampNTZType) return TTypeId.TIMESTAMP_TYPE;
        if (t instanceof BinaryType) return TTypeId.BINARY_TYPE;
        if (t instanceof ArrayType) return TTypeId.ARRAY_TYPE;
        if (t instanceof MapType) return TTypeId.MAP_TYPE;
        if (t instanceof StructType) return TTypeId.STRUCT_TYPE;
        return TTypeId.STRING_TYPE;
    }

    public static TTypeDesc typeDesc(DataType t) {
        TPrimitiveTypeEntry entry = new TPrimitiveTypeEntry(typeId(t));
        Map<String, TTypeQualifierValue> q = new HashMap<>();
        if (t instanceof DecimalType d) {
            q.put(TCLIServiceConstants.PRECISION, TTypeQualifierValue.i32Value(d.precision()));
            q.put(TCLIServiceConstants.SCALE, TTypeQualifierValue.i32Value(d.scale()));
        } else if (t instanceof CharType c) {
            q.put(TCLIServiceConstants.CHARACTER_MAXIMUM_LENGTH, TTypeQualifierValue.i32Value(c.length()));
        } else if (t instanceof VarcharType v) {
            q.put(TCLIServiceConstants.CHARACTER_MAXIMUM_LENGTH, TTypeQualifierValue.i32Value(v.length()));
        }
        if (!q.isEmpty()) entry.setTypeQualifiers(new TTypeQualifiers(q));
        TTypeDesc desc = new TTypeDesc();
        desc.addToTypes(TTypeEntry.primitiveEntry(entry));
        return desc;
    }

    public static TTableSchema tableSchema(StructType schema) {
        TTableSchema ts = new TTableSchema();
        StructField[] fields = schema.fields();
        for (int i = 0; i < fields.length; i++) {
            TColumnDesc col = new TColumnDesc(fields[i].name(), typeDesc(fields[i].dataType()), i + 1);
            String comment = comment(fields[i]);
            if (comment != null) col.setComment(comment);
            ts.addToColumns(col);
        }
        // the field is required by the IDL even for a result without columns
        if (!ts.isSetColumns()) ts.setColumns(new java.util.ArrayList<>());
        return ts;
    }

    static String comment(StructField f) {
        return f.metadata().contains("comment") ? f.metadata().getString("comment") : null;
    }

    /** The declared char/varchar type of a catalog column, which Spark reports as string plus a metadata hint. */
    public static DataType declaredType(StructField f) {
        String key = "__CHAR_VARCHAR_TYPE_STRING";
        if (!(f.metadata().contains(key))) return f.dataType();
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("(?i)(char|varchar)\\((\\d+)\\)")
                .matcher(f.metadata().getString(key));
        if (!m.matches()) return f.dataType();
        int len = Integer.parseInt(m.group(2));
        return m.group(1).equalsIgnoreCase("char") ? new CharType(len) : new VarcharType(len);
    }

    /** java.sql.Types of a column, as GetColumns reports it. */
    public static int jdbcType(DataType t) {
        return switch (typeId(t)) {
            case NULL_TYPE -> Types.NULL;
            case BOOLEAN_TYPE -> Types.BOOLEAN;
            case TINYINT_TYPE -> Types.TINYINT;
            case SMALLINT_TYPE -> Types.SMALLINT;
            case INT_TYPE -> Types.INTEGER;
            case BIGINT_TYPE -> Types.BIGINT;
            case FLOAT_TYPE -> Types.FLOAT;
            case DOUBLE_TYPE -> Types.DOUBLE;
            case DECIMAL_TYPE -> Types.DECIMAL;
            case CHAR_TYPE -> Types.CHAR;
            case VARCHAR_TYPE -> Types.VARCHAR;
            // STRING_TYPE also carries intervals and types Spark added later; only real strings are VARCHAR
            case STRING_TYPE -> t instanceof StringType ? Types.VARCHAR : Types.OTHER;
            case DATE_TYPE -> Types.DATE;
            case TIMESTAMP_TYPE -> Types.TIMESTAMP;
            case BINARY_TYPE -> Types.BINARY;
            case ARRAY_TYPE -> Types.ARRAY;
            case MAP_TYPE -> Types.JAVA_OBJECT;
            case STRUCT_TYPE -> Types.STRUCT;
            default -> Types.OTHER;
        };
    }

    /** COLUMN_SIZE: precision for numbers, length for char/varchar, bytes for fixed-size types, null if variable. */
    public static Integer columnSize(DataType t) {
        if (t instanceof DecimalType d) return d.precision();
        if (t instanceof CharType c) return c.length();
        if (t instanceof VarcharType v) return v.length();
        if (t instanceof BooleanType || t instanceof NumericType || t instanceof DateType
                || t instanceof TimestampType || t instanceof TimestampNTZType || t instanceof NullType) {
            return t.defaultSize();
        }
        if (t instanceof StructType s) {
            int sum = 0;
            for (StructField f : s.fields()) {
                Integer size = columnSize(f.dataType());
                if (size == null) return null;
                sum += size;
            }
            return sum;
        }
        return null;
    }

    /** DECIMAL_DIGITS: scale of decimals, microseconds for timestamps, IEEE 754 digits for floats. */
    public static Integer decimalDigits(DataType t) {
        if (t instanceof BooleanType || t instanceof ByteType || t instanceof ShortType || t instanceof IntegerType
                || t instanceof LongType) return 0;
        if (t instanceof FloatType) return 7;
        if (t instanceof DoubleType) return 15;
        if (t instanceof DecimalType d) return d.scale();
        if (t instanceof TimestampType || t instanceof TimestampNTZType) return 6;
        return null;
    }

    public static Integer numPrecRadix(DataType t) {
        return t instanceof NumericType ? 10 : null;
    }
}
