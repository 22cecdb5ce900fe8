package kitsune.engine.spark;

import java.util.List;

import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.StructType;

/** A small result held in memory: metadata results and the operation log. */
record ResultTable(StructType schema, List<Row> rows) {
}
