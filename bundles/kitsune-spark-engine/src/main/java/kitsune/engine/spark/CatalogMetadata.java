package kitsune.engine.spark;

import java.sql.DatabaseMetaData;
import java.sql.Types;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import org.apache.spark.sql.AnalysisException;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.catalog.Database;
import org.apache.spark.sql.catalog.Function;
import org.apache.spark.sql.catalog.Table;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/**
 * The answers to the metadata calls, in HiveServer2's column layouts, read from the session's catalog through
 * Spark's public Catalog API (the same in Spark 3.5 and 4.0). Temporary views have no schema and are listed with
 * an empty TABLE_SCHEM when the schema pattern matches everything.
 */
final class CatalogMetadata {
    static final String CATALOG = "spark_catalog";
    private static final String TABLE = "TABLE";
    private static final String VIEW = "VIEW";

    private final SparkSession spark;

    CatalogMetadata(SparkSession spark) {
        this.spark = spark;
    }

    static ResultTable catalogs() {
        StructType schema = new StructType().add("TABLE_CAT", DataTypes.StringType);
        return new ResultTable(schema, List.of(RowFactory.create(CATALOG)));
    }

    static ResultTable tableTypes() {
        StructType schema = new StructType().add("TABLE_TYPE", DataTypes.StringType);
        return new ResultTable(schema, List.of(RowFactory.create(TABLE), RowFactory.create(VIEW)));
    }

    ResultTable schemas(String schemaPattern) {
        StructType schema = new StructType()
                .add("TABLE_SCHEM", DataTypes.StringType)
                .add("TABLE_CATALOG", DataTypes.StringType);
        List<Row> rows = new ArrayList<>();
        for (String db : databases(JdbcPattern.of(schemaPattern))) rows.add(RowFactory.create(db, CATALOG));
        return new ResultTable(schema, rows);
    }

    ResultTable tables(String schemaPattern, String tablePattern, List<String> types) {
        StructType schema = new StructType()
                .add("TABLE_CAT", DataTypes.StringType)
                .add("TABLE_SCHEM", DataTypes.StringType)
                .add("TABLE_NAME", DataTypes.StringType)
                .add("TABLE_TYPE", DataTypes.StringType)
                .add("REMARKS", DataTypes.StringType)
                .add("TYPE_CAT", DataTypes.StringType)
                .add("TYPE_SCHEM", DataTypes.StringType)
                .add("TYPE_NAME", DataTypes.StringType)
                .add("SELF_REFERENCING_COL_NAME", DataTypes.StringType)
                .add("REF_GENERATION", DataTypes.StringType);
        List<Row> rows = new ArrayList<>();
        for (Table t : tables(JdbcPattern.of(schemaPattern), JdbcPattern.of(tablePattern))) {
            String type = jdbcTableType(t);
            if (types != null && !types.isEmpty() && types.stream().noneMatch(type::equalsIgnoreCase)) continue;
            rows.add(RowFactory.create(CATALOG, schemaOf(t), t.name(), type, t.description(),
                    null, null, null, null, null));
        }
        return new ResultTable(schema, rows);
    }

    ResultTable columns(String schemaPattern, String tablePattern, String columnPattern) {
        StructType schema = new StructType()
                .add("TABLE_CAT", DataTypes.StringType)
                .add("TABLE_SCHEM", DataTypes.StringType)
                .add("TABLE_NAME", DataTypes.StringType)
                .add("COLUMN_NAME", DataTypes.StringType)
                .add("DATA_TYPE", DataTypes.IntegerType)
                .add("TYPE_NAME", DataTypes.StringType)
                .add("COLUMN_SIZE", DataTypes.IntegerType)
                .add("BUFFER_LENGTH", DataTypes.ByteType)
                .add("DECIMAL_DIGITS", DataTypes.IntegerType)
                .add("NUM_PREC_RADIX", DataTypes.IntegerType)
                .add("NULLABLE", DataTypes.IntegerType)
                .add("REMARKS", DataTypes.StringType)
                .add("COLUMN_DEF", DataTypes.StringType)
                .add("SQL_DATA_TYPE", DataTypes.IntegerType)
                .add("SQL_DATETIME_SUB", DataTypes.IntegerType)
                .add("CHAR_OCTET_LENGTH", DataTypes.IntegerType)
                .add("ORDINAL_POSITION", DataTypes.IntegerType)
                .add("IS_NULLABLE", DataTypes.StringType)
                .add("SCOPE_CATALOG", DataTypes.StringType)
                .add("SCOPE_SCHEMA", DataTypes.StringType)
                .add("SCOPE_TABLE", DataTypes.StringType)
                .add("SOURCE_DATA_TYPE", DataTypes.ShortType)
                .add("IS_AUTO_INCREMENT", DataTypes.StringType);
        JdbcPattern columnNames = JdbcPattern.of(columnPattern);
        List<Row> rows = new ArrayList<>();
        for (Table t : tables(JdbcPattern.of(schemaPattern), JdbcPattern.of(tablePattern))) {
            StructField[] fields = spark.table(qualifiedName(t)).schema().fields();
            for (int i = 0; i < fields.length; i++) {
                StructField f = fields[i];
                if (!columnNames.matches(f.name())) continue;
                DataType type = TypeMapping.declaredType(f);
                rows.add(RowFactory.create(CATALOG, schemaOf(t), t.name(), f.name(),
                        TypeMapping.jdbcType(type), type.sql(), TypeMapping.columnSize(type), null,
                        TypeMapping.decimalDigits(type), TypeMapping.numPrecRadix(type),
                        f.nullable() ? DatabaseMetaData.columnNullable : DatabaseMetaData.columnNoNulls,
                        TypeMapping.comment(f), null, null, null, null, i + 1, f.nullable() ? "YES" : "NO",
                        null, null, null, null, "NO"));
            }
        }
        return new ResultTable(schema, rows);
    }

    ResultTable functions(String schemaPattern, String functionPattern) {
        StructType schema = new StructType()
                .add("FUNCTION_CAT", DataTypes.StringType)
                .add("FUNCTION_SCHEM", DataTypes.StringType)
                .add("FUNCTION_NAME", DataTypes.StringType)
                .add("REMARKS", DataTypes.StringType)
                .add("FUNCTION_TYPE", DataTypes.IntegerType)
                .add("SPECIFIC_NAME", DataTypes.StringType);
        JdbcPattern schemas = JdbcPattern.of(schemaPattern);
        JdbcPattern names = JdbcPattern.of(functionPattern);
        List<Row> rows = new ArrayList<>();
        for (Function f : spark.catalog().listFunctions().collectAsList()) {
            // built-in and temporary functions belong to no database and are listed for every schema pattern
            if (f.database() != null && !schemas.matches(f.database())) continue;
            if (!names.matches(f.name())) continue;
            rows.add(RowFactory.create(null, f.database(), f.name(), f.description(),
                    DatabaseMetaData.functionResultUnknown, f.className()));
        }
        return new ResultTable(schema, rows);
    }

    static ResultTable typeInfo() {
        StructType schema = new StructType()
                .add("TYPE_NAME", DataTypes.StringType)
                .add("DATA_TYPE", DataTypes.IntegerType)
                .add("PRECISION", DataTypes.IntegerType)
                .add("LITERAL_PREFIX", DataTypes.StringType)
                .add("LITERAL_SUFFIX", DataTypes.StringType)
                .add("CREATE_PARAMS", DataTypes.StringType)
                .add("NULLABLE", DataTypes.ShortType)
                .add("CASE_SENSITIVE", DataTypes.BooleanType)
                .add("SEARCHABLE", DataTypes.ShortType)
                .add("UNSIGNED_ATTRIBUTE", DataTypes.BooleanType)
                .add("FIXED_PREC_SCALE", DataTypes.BooleanType)
                .add("AUTO_INCREMENT", DataTypes.BooleanType)
                .add("LOCAL_TYPE_NAME", DataTypes.StringType)
                .add("MINIMUM_SCALE", DataTypes.ShortType)
                .add("MAXIMUM_SCALE", DataTypes.ShortType)
                .add("SQL_DATA_TYPE", DataTypes.IntegerType)
                .add("SQL_DATETIME_SUB", DataTypes.IntegerType)
                .add("NUM_PREC_RADIX", DataTypes.IntegerType);
        List<Row> rows = new ArrayList<>();
        rows.add(typeRow("VOID", Types.NULL, null));
        rows.add(typeRow("BOOLEAN", Types.BOOLEAN, null));
        rows.add(typeRow("TINYINT", Types.TINYINT, 3));
        rows.add(typeRow("SMALLINT", Types.SMALLINT, 5));
        rows.add(typeRow("INTEGER", Types.INTEGER, 10));
        rows.add(typeRow("BIGINT", Types.BIGINT, 19));
        rows.add(typeRow("FLOAT", Types.FLOAT, 7));
        rows.add(typeRow("DOUBLE", Types.DOUBLE, 15));
        rows.add(typeRow("DECIMAL", Types.DECIMAL, 38));
        rows.add(typeRow("CHAR", Types.CHAR, null));
        rows.add(typeRow("VARCHAR", Types.VARCHAR, null));
        rows.add(typeRow("STRING", Types.VARCHAR, null));
        rows.add(typeRow("BINARY", Types.BINARY, null));
        rows.add(typeRow("DATE", Types.DATE, null));
        rows.add(typeRow("TIMESTAMP", Types.TIMESTAMP, null));
        rows.add(typeRow("ARRAY", Types.ARRAY, null));
        rows.add(typeRow("MAP", Types.JAVA_OBJECT, null));
        rows.add(typeRow("STRUCT", Types.STRUCT, null));
        rows.add(typeRow("INTERVAL", Types.OTHER, null));
        return new ResultTable(schema, rows);
    }

    private static Row typeRow(String name, int jdbcType, Integer precision) {
        boolean numeric = precision != null && jdbcType != Types.CHAR && jdbcType != Types.VARCHAR;
        boolean text = jdbcType == Types.VARCHAR || jdbcType == Types.CHAR;
        short searchable = (short) (jdbcType == Types.OTHER || jdbcType == Types.ARRAY || jdbcType == Types.STRUCT
                || jdbcType == Types.JAVA_OBJECT ? DatabaseMetaData.typePredNone : DatabaseMetaData.typeSearchable);
        return RowFactory.create(name, jdbcType, precision, null, null, null,
                (short) DatabaseMetaData.typeNullable, text, searchable, !numeric, false, false, null,
                (short) 0, (short) (jdbcType == Types.DECIMAL ? 38 : 0), null, null, numeric ? 10 : null);
    }

    static ResultTable primaryKeys() {
        StructType schema = new StructType()
                .add("TABLE_CAT", DataTypes.StringType)
                .add("TABLE_SCHEM", DataTypes.StringType)
                .add("TABLE_NAME", DataTypes.StringType)
                .add("COLUMN_NAME", DataTypes.StringType)
                .add("KEY_SEQ", DataTypes.IntegerType)
                .add("PK_NAME", DataTypes.StringType);
        return new ResultTable(schema, List.of());
    }

    static ResultTable crossReference() {
        StructType schema = new StructType()
                .add("PKTABLE_CAT", DataTypes.StringType)
                .add("PKTABLE_SCHEM", DataTypes.StringType)
                .add("PKTABLE_NAME", DataTypes.StringType)
                .add("PKCOLUMN_NAME", DataTypes.StringType)
                .add("FKTABLE_CAT", DataTypes.StringType)
                .add("FKTABLE_SCHEM", DataTypes.StringType)
                .add("FKTABLE_NAME", DataTypes.StringType)
                .add("FKCOLUMN_NAME", DataTypes.StringType)
                .add("KEY_SEQ", DataTypes.IntegerType)
                .add("UPDATE_RULE", DataTypes.IntegerType)
                .add("DELETE_RULE", DataTypes.IntegerType)
                .add("FK_NAME", DataTypes.StringType)
                .add("PK_NAME", DataTypes.StringType)
                .add("DEFERRABILITY", DataTypes.IntegerType);
        return new ResultTable(schema, List.of());
    }

    private List<String> databases(JdbcPattern pattern) {
        List<String> names = new ArrayList<>();
        for (Database db : spark.catalog().listDatabases(pattern.catalogPattern()).collectAsList()) {
            if (pattern.matches(db.name())) names.add(db.name());
        }
        names.sort(null);
        return names;
    }

    /**
     * Tables and views of the matching databases, then the session's temporary views. Each database is listed once,
     * filtered by the catalog with the name pattern (so only candidate tables' metadata is read); Spark lists the
     * session's temporary views with every database, and they are taken from the first listing.
     */
    private List<Table> tables(JdbcPattern schemas, JdbcPattern names) {
        List<Table> out = new ArrayList<>();
        List<Table> temporary = new ArrayList<>();
        boolean temporaryListed = !schemas.matchesAll(); // temporary views have no schema: listed for "any" only
        String like = names.catalogPattern();
        for (String db : databases(schemas)) {
            for (Table t : listTables(db, like)) {
                if (!names.matches(t.name())) continue;
                if (!t.isTemporary()) out.add(t);
                else if (!temporaryListed) temporary.add(t);
            }
            temporaryListed = true;
        }
        out.addAll(temporary);
        return out;
    }

    private List<Table> listTables(String db, String pattern) {
        try {
            return spark.catalog().listTables(db, pattern).collectAsList();
        } catch (Exception e) {
            // a database dropped between listing it and reading its tables simply has no tables any more
            if (e instanceof AnalysisException) return List.of();
            throw e instanceof RuntimeException re ? re : new IllegalStateException(e);
        }
    }

    private static String schemaOf(Table t) {
        return t.isTemporary() ? "" : t.database();
    }

    private static String jdbcTableType(Table t) {
        String type = t.tableType() == null ? "" : t.tableType().toUpperCase(Locale.ROOT);
        return type.equals("VIEW") || type.equals("TEMPORARY") || t.isTemporary() ? VIEW : TABLE;
    }

    private static String qualifiedName(Table t) {
        String name = quote(t.name());
        return t.isTemporary() ? name : quote(t.database()) + "." + name;
    }

    private static String quote(String identifier) {
        return "`" + identifier.replace("`", "``") + "`";
    }
}
