package kitsune.engine.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.sql.Types;

import org.apache.hive.service.rpc.thrift.TCLIServiceConstants;
import org.apache.hive.service.rpc.thrift.TPrimitiveTypeEntry;
import org.apache.hive.service.rpc.thrift.TTableSchema;
import org.apache.hive.service.rpc.thrift.TTypeId;
import org.apache.spark.sql.types.CharType;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.DayTimeIntervalType;
import org.apache.spark.sql.types.Metadata;
import org.apache.spark.sql.types.MetadataBuilder;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.sql.types.VarcharType;
import org.junit.jupiter.api.Test;

class TypeMappingTest {

    @Test
    void everySparkTypeHasATypeId() {
        assertEquals(TTypeId.BOOLEAN_TYPE, TypeMapping.typeId(DataTypes.BooleanType));
        assertEquals(TTypeId.TINYINT_TYPE, TypeMapping.typeId(DataTypes.ByteType));
        assertEquals(TTypeId.SMALLINT_TYPE, TypeMapping.typeId(DataTypes.ShortType));
        assertEquals(TTypeId.INT_TYPE, TypeMapping.typeId(DataTypes.IntegerType));
        assertEquals(TTypeId.BIGINT_TYPE, TypeMapping.typeId(DataTypes.LongType));
        assertEquals(TTypeId.FLOAT_TYPE, TypeMapping.typeId(DataTypes.FloatType));
        assertEquals(TTypeId.DOUBLE_TYPE, TypeMapping.typeId(DataTypes.DoubleType));
        assertEquals(TTypeId.DECIMAL_TYPE, TypeMapping.typeId(DataTypes.createDecimalType(10, 2)));
        assertEquals(TTypeId.STRING_TYPE, TypeMapping.typeId(DataTypes.StringType));
        assertEquals(TTypeId.CHAR_TYPE, TypeMapping.typeId(new CharType(3)));
        assertEquals(TTypeId.VARCHAR_TYPE, TypeMapping.typeId(new VarcharType(20)));
        assertEquals(TTypeId.DATE_TYPE, TypeMapping.typeId(DataTypes.DateType));
        assertEquals(TTypeId.TIMESTAMP_TYPE, TypeMapping.typeId(DataTypes.TimestampType));
        assertEquals(TTypeId.TIMESTAMP_TYPE, TypeMapping.typeId(DataTypes.TimestampNTZType));
        assertEquals(TTypeId.BINARY_TYPE, TypeMapping.typeId(DataTypes.BinaryType));
        assertEquals(TTypeId.ARRAY_TYPE, TypeMapping.typeId(DataTypes.createArrayType(DataTypes.IntegerType)));
        assertEquals(TTypeId.MAP_TYPE,
                TypeMapping.typeId(DataTypes.createMapType(DataTypes.StringType, DataTypes.IntegerType)));
        assertEquals(TTypeId.STRUCT_TYPE, TypeMapping.typeId(new StructType().add("a", DataTypes.IntegerType)));
        assertEquals(TTypeId.STRING_TYPE, TypeMapping.typeId(DataTypes.CalendarIntervalType));
        assertEquals(TTypeId.STRING_TYPE, TypeMapping.typeId(DayTimeIntervalType.apply()));
        assertEquals(TTypeId.NULL_TYPE, TypeMapping.typeId(DataTypes.NullType));
    }

    @Test
    void decimalAndVarcharCarryQualifiers() {
        TPrimitiveTypeEntry dec = TypeMapping.typeDesc(DataTypes.createDecimalType(12, 3)).getTypes().get(0)
                .getPrimitiveEntry();
        assertEquals(12, dec.getTypeQualifiers().getQualifiers().get(TCLIServiceConstants.PRECISION).getI32Value());
        assertEquals(3, dec.getTypeQualifiers().getQualifiers().get(TCLIServiceConstants.SCALE).getI32Value());
        TPrimitiveTypeEntry vc = TypeMapping.typeDesc(new VarcharType(20)).getTypes().get(0).getPrimitiveEntry();
        assertEquals(20, vc.getTypeQualifiers().getQualifiers()
                .get(TCLIServiceConstants.CHARACTER_MAXIMUM_LENGTH).getI32Value());
        // the Hive driver reads the first entry as a primitive entry, also for complex types
        TPrimitiveTypeEntry arr = TypeMapping.typeDesc(DataTypes.createArrayType(DataTypes.StringType))
                .getTypes().get(0).getPrimitiveEntry();
        assertEquals(TTypeId.ARRAY_TYPE, arr.getType());
    }

    @Test
    void tableSchemaKeepsNamesPositionsAndComments() {
        Metadata comment = new MetadataBuilder().putString("comment", "the id").build();
        StructType schema = new StructType(new StructField[] {
                new StructField("id", DataTypes.LongType, false, comment),
                new StructField("name", DataTypes.StringType, true, Metadata.empty())});
        TTableSchema ts = TypeMapping.tableSchema(schema);
        assertEquals(2, ts.getColumnsSize());
        assertEquals("id", ts.getColumns().get(0).getColumnName());
        assertEquals(1, ts.getColumns().get(0).getPosition());
        assertEquals("the id", ts.getColumns().get(0).getComment());
        assertEquals(2, ts.getColumns().get(1).getPosition());
        assertEquals(0, TypeMapping.tableSchema(new StructType()).getColumnsSize());
    }

    @Test
    void jdbcMetadataNumbers() {
        DataType dec = DataTypes.createDecimalType(10, 2);
        assertEquals(Types.DECIMAL, TypeMapping.jdbcType(dec));
        assertEquals(10, TypeMapping.columnSize(dec));
        assertEquals(2, TypeMapping.decimalDigits(dec));
        assertEquals(10, TypeMapping.numPrecRadix(dec));
        assertEquals(Types.VARCHAR, TypeMapping.jdbcType(DataTypes.StringType));
        assertNull(TypeMapping.columnSize(DataTypes.StringType));
        assertEquals(4, TypeMapping.columnSize(DataTypes.IntegerType));
        assertEquals(Types.OTHER, TypeMapping.jdbcType(DataTypes.CalendarIntervalType));
        assertEquals(Types.JAVA_OBJECT,
                TypeMapping.jdbcType(DataTypes.createMapType(DataTypes.StringType, DataTypes.StringType)));
        assertEquals(6, TypeMapping.decimalDigits(DataTypes.TimestampType));
    }

    @Test
    void declaredCharVarcharIsRecoveredFromMetadata() {
        Metadata md = new MetadataBuilder().putString("__CHAR_VARCHAR_TYPE_STRING", "varchar(10)").build();
        DataType t = TypeMapping.declaredType(new StructField("v", DataTypes.StringType, true, md));
        assertEquals(new VarcharType(10), t);
        assertEquals(DataTypes.StringType,
                TypeMapping.declaredType(new StructField("s", DataTypes.StringType, true, Metadata.empty())));
    }
}
