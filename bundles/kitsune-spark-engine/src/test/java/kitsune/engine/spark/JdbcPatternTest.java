package kitsune.engine.spark;

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
}
