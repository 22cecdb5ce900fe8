package kitsune.engine.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class JdbcPatternTest {
    @Test
    void wildcardsAndEscapes() {
        assertTrue(JdbcPattern.of(null).matches("anything"));
        assertTrue(JdbcPattern.of("").matchesAll());
        assertTrue(JdbcPattern.of("%").matches("x"));
        assertTrue(JdbcPattern.of("t_st%").matches("TEST_table"));
        assertFalse(JdbcPattern.of("t_st").matches("tst"));
        assertTrue(JdbcPattern.of("a\\_b").matches("a_b"));
        assertFalse(JdbcPattern.of("a\\_b").matches("axb"));
        assertTrue(JdbcPattern.of("a.b").matches("a.b"));
        assertFalse(JdbcPattern.of("a.b").matches("axb"));
    }

    @Test
    void theCatalogsPatternKeepsLettersAndDigitsAndWidensEverythingElse() {
        assertEquals("soak*", JdbcPattern.of("soak%").catalogPattern());
        assertEquals("t*st*", JdbcPattern.of("t_st%").catalogPattern());
        assertEquals("*", JdbcPattern.of(null).catalogPattern());
        assertEquals("*", JdbcPattern.of("%").catalogPattern());
        assertEquals("a*b", JdbcPattern.of("a\\_b").catalogPattern());
        assertEquals("a*b", JdbcPattern.of("a.b").catalogPattern());
        assertEquals("*x", JdbcPattern.of("%%x").catalogPattern());
        assertEquals("Ab1", JdbcPattern.of("Ab1").catalogPattern());
        assertEquals("a*", JdbcPattern.of("a|(.*").catalogPattern(), "no character of Spark's or Hive's syntax passes");
    }
}
