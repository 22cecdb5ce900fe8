package kitsune.engine.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Against a real in-process SparkSession: which statements start Spark jobs. */
class LocalResultsTest {
    private static SparkSession spark;

    @BeforeAll
    static void startSpark() {
        spark = SparkSession.builder().master("local[1]").appName("LocalResultsTest")
                .config("spark.ui.enabled", "false").config("spark.sql.shuffle.partitions", "1").getOrCreate();
    }

    @AfterAll
    static void stopSpark() {
        if (spark != null) spark.stop();
    }

    @Test
    void aConstantQueryIsAnsweredWithoutASparkJob() {
        RowsAndJobs r = rowsAndJobs(spark.sql("SELECT 1 AS one, 'x' AS s, 40 + 2, CAST(NULL AS INT), 1.5BD, "
                + "array(1, 2)"), "constant");
        assertEquals(0, r.jobs, "no job for a constant query");
        assertEquals(List.of("[1,x,42,null,1.5,ArraySeq(1, 2)]"), r.rows);
    }

    @Test
    void theConstantRowHasTheSameValuesAsSparksOwnResult() {
        String sql = "SELECT 1, 'x', 2.5D, TRUE, CAST(7 AS BIGINT), CAST(3 AS TINYINT), 1.25BD, "
                + "map('k', 1), named_struct('a', 1, 'b', array('y')), X'CAFE', CAST(NULL AS STRING)";
        Row viaSpark = spark.sql(sql).collectAsList().get(0);
        Row constant = LocalResults.constantRow(spark.sql(sql)).orElseThrow();
        assertEquals(viaSpark.length(), constant.length());
        for (int i = 0; i < viaSpark.length(); i++) {
            Object expected = viaSpark.get(i);
            Object actual = constant.get(i);
            if (expected instanceof byte[] b) {
                assertTrue(java.util.Arrays.equals(b, (byte[]) actual), "column " + i);
            } else {
                assertEquals(expected, actual, "column " + i);
            }
        }
    }

    @Test
    void queriesThatAreNotConstantAreNotTakenForOne() {
        assertTrue(LocalResults.constantRow(spark.sql("SELECT rand()")).isEmpty(), "not deterministic");
        assertTrue(LocalResults.constantRow(spark.sql("SELECT id FROM range(3)")).isEmpty(), "reads data");
        assertTrue(LocalResults.constantRow(spark.sql("SELECT 1 WHERE rand() > 2")).isEmpty(), "may have no row");
        assertTrue(LocalResults.constantRow(spark.sql("SELECT DATE'2026-11-28'")).isEmpty(),
                "dates depend on the session's java8API setting: left to Spark");
        assertTrue(LocalResults.constantRow(spark.sql("SELECT array(current_timestamp())")).isEmpty());
    }

    @Test
    void aCommandsResultIsReadDirectly() {
        Dataset<Row> df = spark.sql("SET spark.sql.shuffle.partitions");
        assertTrue(LocalResults.inDriver(df));
        assertEquals(0, rowsAndJobs(df, "command").jobs);
    }

    @Test
    void aQueryOverDataStreamsThroughJobs() {
        Dataset<Row> df = spark.range(0, 1000, 1, 4).selectExpr("id * 2 AS v");
        assertFalse(LocalResults.inDriver(df));
        RowsAndJobs r = rowsAndJobs(df, "range");
        assertEquals(1000, r.rows.size());
        assertTrue(r.jobs > 0, "partitions are fetched by jobs");
    }

    private record RowsAndJobs(List<String> rows, int jobs) {
    }

    private static RowsAndJobs rowsAndJobs(Dataset<Row> df, String group) {
        spark.sparkContext().setJobGroup(group, group, false);
        try {
            List<String> rows = new ArrayList<>();
            for (Iterator<Row> it = LocalResults.rows(df); it.hasNext();) rows.add(it.next().toString());
            return new RowsAndJobs(rows, spark.sparkContext().statusTracker().getJobIdsForGroup(group).length);
        } finally {
            spark.sparkContext().clearJobGroup();
        }
    }
}
