package kitsune.console.impl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;

class TextTest {
    @Test
    void escapesHtml() {
        assertEquals("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &quot;",
                Text.html("<script>alert('x')</script> & \""));
    }

    @Test
    void tablesAreAlignedAndCounted() {
        String t = Text.table(List.of("ID", "USER"), List.of(List.of("1", "alice"), List.of("22", "b")));
        assertEquals("ID  USER\n--  -----\n1   alice\n22  b\n2 rows\n", t);
        assertEquals("ID\n--\n0 rows\n", Text.table(List.of("ID"), List.of()));
    }

    @Test
    void parsesEngineSpaceNames() {
        EngineTree.Space s = EngineTree.Space.parse("kyuubi", "kyuubi_1-spark-4.0_USER_SPARK_SQL");
        assertEquals(new EngineTree.Space("1-spark-4.0", "USER", "SPARK_SQL"), s);
        assertEquals(new EngineTree.Space("1_x", "CONNECTION", "SPARK_SQL"),
                EngineTree.Space.parse("kyuubi", "kyuubi_1_x_CONNECTION_SPARK_SQL"));
        assertNull(EngineTree.Space.parse("kyuubi", "kyuubi_1-spark-4.0_USER_SPARK_SQL_lock"));
        assertNull(EngineTree.Space.parse("kyuubi", "kyuubi"));
        assertNull(EngineTree.Space.parse("kyuubi", "other_1_USER_SPARK_SQL"));
        assertNull(EngineTree.Space.parse("kyuubi", "kyuubi_1_NOPE_SPARK_SQL"));
    }

    @Test
    void humanDurations() {
        assertEquals("12s", KitsuneOverview.human(Duration.ofSeconds(12)));
        assertEquals("3m05s", KitsuneOverview.human(Duration.ofSeconds(185)));
        assertEquals("1h02m", KitsuneOverview.human(Duration.ofMinutes(62)));
    }
}
