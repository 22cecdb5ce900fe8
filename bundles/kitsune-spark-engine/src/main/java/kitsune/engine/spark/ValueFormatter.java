package kitsune.engine.spark;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.Period;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeFormatterBuilder;
import java.time.temporal.ChronoField;

import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.ArrayType;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.MapType;
import org.apache.spark.sql.types.StringType;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/**
 * Renders Spark's external row values as the text HiveServer2 sends for them: timestamps as
 * {@code yyyy-MM-dd HH:mm:ss[.fraction]} (what {@code java.sql.Timestamp.valueOf} in the driver reads), decimals
 * without exponent, and nested values in Hive's JSON-like form ({@code [1,2]}, {@code {"k":"v"}}).
 * Scala collections are walked through scala.collection.Iterable only, which is stable across Scala 2.13 builds.
 */
public final class ValueFormatter {
    private static final DateTimeFormatter TIMESTAMP = new DateTimeFormatterBuilder()
            .appendPattern("yyyy-MM-dd HH:mm:ss")
            .appendFraction(ChronoField.NANO_OF_SECOND, 0, 9, true)
            .toFormatter();

    private final ZoneId zone;

    public ValueFormatter(ZoneId zone) {
        this.zone = zone;
    }

    /** A top-level value as text; null stays null. */
    public String format(Object value, DataType type) {
        return value == null ? null : render(value, type, false);
    }

    private String render(Object v, DataType type, boolean nested) {
        if (v == null) return "null";
        if (v instanceof String s) return nested && type instanceof StringType ? quote(s) : s;
        if (v instanceof byte[] b) return new String(b, StandardCharsets.UTF_8);
        if (v instanceof BigDecimal d) return d.toPlainString();
        if (v instanceof java.sql.Timestamp ts) return TIMESTAMP.format(ts.toLocalDateTime());
        if (v instanceof Instant i) return TIMESTAMP.format(LocalDateTime.ofInstant(i, zone));
        if (v instanceof LocalDateTime ldt) return TIMESTAMP.format(ldt);
        if (v instanceof Duration d) return dayTime(d);
        if (v instanceof Period p) return yearMonth(p);
        if (v instanceof Row r) return struct(r, type);
        if (v instanceof scala.collection.Map<?, ?> m) return map(m, type);
        if (v instanceof scala.collection.Iterable<?> it) return array(it, type);
        return String.valueOf(v);
    }

    private String array(scala.collection.Iterable<?> it, DataType type) {
        DataType element = type instanceof ArrayType a ? a.elementType() : null;
        StringBuilder sb = new StringBuilder("[");
        scala.collection.Iterator<?> i = it.iterator();
        while (i.hasNext()) {
            if (sb.length() > 1) sb.append(',');
            sb.append(render(i.next(), element, true));
        }
        return sb.append(']').toString();
    }

    private String map(scala.collection.Map<?, ?> m, DataType type) {
        DataType keyType = type instanceof MapType mt ? mt.keyType() : null;
        DataType valueType = type instanceof MapType mt ? mt.valueType() : null;
        StringBuilder sb = new StringBuilder("{");
        scala.collection.Iterator<?> i = m.iterator();
        while (i.hasNext()) {
            scala.Tuple2<?, ?> e = (scala.Tuple2<?, ?>) i.next();
            if (sb.length() > 1) sb.append(',');
            sb.append(render(e._1(), keyType, true)).append(':').append(render(e._2(), valueType, true));
        }
        return sb.append('}').toString();
    }

    private String struct(Row r, DataType type) {
        StructField[] fields = type instanceof StructType st ? st.fields() : r.schema().fields();
        StringBuilder sb = new StringBuilder("{");
        for (int i = 0; i < r.length(); i++) {
            if (i > 0) sb.append(',');
            sb.append(quote(fields[i].name())).append(':').append(render(r.get(i), fields[i].dataType(), true));
        }
        return sb.append('}').toString();
    }

    /** Hive's day-time interval text: [-]d hh:mm:ss.nnnnnnnnn. */
    static String dayTime(Duration d) {
        Duration a = d.abs();
        return String.format("%s%d %02d:%02d:%02d.%09d", d.isNegative() ? "-" : "", a.toDays(), a.toHoursPart(),
                a.toMinutesPart(), a.toSecondsPart(), a.toNanosPart());
    }

    /** Hive's year-month interval text: [-]y-m. */
    static String yearMonth(Period p) {
        long months = p.toTotalMonths();
        long a = Math.abs(months);
        return (months < 0 ? "-" : "") + (a / 12) + "-" + (a % 12);
    }

    static String quote(String s) {
        StringBuilder sb = new StringBuilder(s.length() + 2).append('"');
        for (char c : s.toCharArray()) {
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '\t' -> sb.append("\\t");
                default -> sb.append(c);
            }
        }
        return sb.append('"').toString();
    }
}
