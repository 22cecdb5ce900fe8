package kitsune.engine.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.Period;
import java.time.ZoneId;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;

import scala.jdk.javaapi.CollectionConverters;

class ValueFormatterTest {
    private final ValueFormatter f = new ValueFormatter(ZoneId.of("Europe/Paris"));

    @Test
    void topLevelValues() {
        assertNull(f.format(null, DataTypes.StringType));
        assertEquals("a\"b", f.format("a\"b", DataTypes.StringType));
        assertEquals("0.000001", f.format(new java.math.BigDecimal("1E-6"), DataTypes.createDecimalType(7, 6)));
        assertEquals("2024-01-01 13:00:00", f.format(Instant.parse("2024-01-01T12:00:00Z"), DataTypes.TimestampType));
        assertEquals("2024-01-01 12:00:00.5",
                f.format(LocalDateTime.parse("2024-01-01T12:00:00.5"), DataTypes.TimestampNTZType));
        assertEquals("1 02:03:04.000000000", f.format(Duration.parse("P1DT2H3M4S"), DataTypes.StringType));
        assertEquals("-1 00:00:00.500000000", f.format(Duration.ofMillis(-86_400_500), DataTypes.StringType));
        assertEquals("1-2", f.format(Period.of(1, 2, 0), DataTypes.StringType));
        assertEquals("-0-3", f.format(Period.ofMonths(-3), DataTypes.StringType));
    }

    @Test
    void nestedValuesInHiveForm() {
        Object array = CollectionConverters.asScala(Arrays.asList(1, null, 3));
        assertEquals("[1,null,3]", f.format(array, DataTypes.createArrayType(DataTypes.IntegerType)));
        Object strings = CollectionConverters.asScala(Arrays.asList("a", "b\"c"));
        assertEquals("[\"a\",\"b\\\"c\"]", f.format(strings, DataTypes.createArrayType(DataTypes.StringType)));
        Map<String, Integer> m = new LinkedHashMap<>();
        m.put("k", 1);
        assertEquals("{\"k\":1}", f.format(CollectionConverters.asScala(m),
                DataTypes.createMapType(DataTypes.StringType, DataTypes.IntegerType)));
        StructType st = new StructType().add("a", DataTypes.IntegerType).add("b", DataTypes.StringType);
        assertEquals("{\"a\":1,\"b\":\"x\"}", f.format(RowFactory.create(1, "x"), st));
    }
}
