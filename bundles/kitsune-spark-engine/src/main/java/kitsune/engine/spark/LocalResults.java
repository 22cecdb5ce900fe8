package kitsune.engine.spark;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import java.util.Set;

import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.catalyst.CatalystTypeConverters;
import org.apache.spark.sql.catalyst.expressions.Alias;
import org.apache.spark.sql.catalyst.expressions.Literal;
import org.apache.spark.sql.catalyst.expressions.NamedExpression;
import org.apache.spark.sql.catalyst.plans.logical.OneRowRelation;
import org.apache.spark.sql.catalyst.plans.logical.Project;
import org.apache.spark.sql.types.DataType;

/**
 * Where a statement's rows come from, so that rows the driver already has are not fetched through Spark jobs:
 * <ul>
 * <li>a constant query ({@code SELECT 1}, {@code SELECT 'x', 40 + 2}: after optimization, literals over one row)
 * is answered from the literals: Spark would run a one-task job for it, most of the time a {@code SELECT 1}
 * takes, and connection pools and BI tools send such validation queries all the time;</li>
 * <li>a plan that is a local scan or a command's result (SET, SHOW, CREATE ...) holds its rows in the driver: they
 * are collected directly;</li>
 * <li>every other plan streams partition by partition with {@code toLocalIterator()}.</li>
 * </ul>
 */
final class LocalResults {
    /** Physical plans whose rows are in the driver's memory already (same names in Spark 3.5 and 4.0). */
    private static final Set<String> IN_DRIVER = Set.of("LocalTableScanExec", "CommandResultExec");

    private LocalResults() {
    }

    /** A statement's rows, and whether all of them are in the driver's memory (reading them runs no job). */
    record Source(Iterator<Row> rows, boolean inDriver) {
    }

    static Iterator<Row> rows(Dataset<Row> df) {
        return source(df).rows();
    }

    static Source source(Dataset<Row> df) {
        Optional<Row> constant = constantRow(df);
        if (constant.isPresent()) return new Source(List.of(constant.get()).iterator(), true);
        return inDriver(df) ? new Source(df.collectAsList().iterator(), true)
                : new Source(df.toLocalIterator(), false);
    }

    /** The one row of a query whose optimized plan is a projection of literals over a single row, if it is one. */
    static Optional<Row> constantRow(Dataset<Row> df) {
        Object plan = plan(df, "optimizedPlan");
        if (!(plan instanceof Project project) || !(project.child() instanceof OneRowRelation)) return Optional.empty();
        List<Object> values = new ArrayList<>();
        scala.collection.Iterator<NamedExpression> columns = project.projectList().iterator();
        while (columns.hasNext()) {
            NamedExpression column = columns.next();
            // a NamedExpression is a Scala trait the Java compiler does not see as an Expression
            Object value = column instanceof Alias alias ? alias.child() : (Object) column;
            if (!(value instanceof Literal literal) || sessionDependent(literal.dataType())) return Optional.empty();
            // Catalyst's internal value (UTF8String, Decimal, days since epoch...) to what Row.get returns
            values.add(CatalystTypeConverters.convertToScala(literal.value(), literal.dataType()));
        }
        return Optional.of(RowFactory.create(values.toArray()));
    }

    /**
     * Dates, timestamps and intervals come out as java.time or java.sql values depending on the session's
     * spark.sql.datetime.java8API.enabled: those are left to Spark, which reads the setting where it applies.
     */
    static boolean sessionDependent(DataType type) {
        String sql = type.sql();
        return sql.contains("DATE") || sql.contains("TIMESTAMP") || sql.contains("INTERVAL");
    }

    static boolean inDriver(Dataset<Row> df) {
        Object plan = plan(df, "executedPlan");
        return plan != null && IN_DRIVER.contains(plan.getClass().getSimpleName());
    }

    /**
     * A plan of the query, read through reflection: in Spark 4.0 queryExecution() belongs to the classic Dataset, not
     * to the API class this engine is compiled against, and the same engine jar runs on Spark 3.5 homes. Null when it
     * cannot be read: streaming is always correct, only slower.
     */
    private static Object plan(Dataset<Row> df, String which) {
        try {
            Object execution = df.getClass().getMethod("queryExecution").invoke(df);
            return execution.getClass().getMethod(which).invoke(execution);
        } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
            return null;
        }
    }
}
