package kitsune.internal.text;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class LogTextTest {

    @Test
    void controlCharactersAndLineBreaksAreEscapedSoThatAClientCannotForgeALogLine() {
        String forged = LogText.of("eve\n2025-01-01 00:00:00.000 [main] INFO Opened session\r\u2028\u0000\u001b[31m\\");
        assertFalse(forged.contains("\n") || forged.contains("\r") || forged.contains("\u2028")
                || forged.contains("\u0000") || forged.contains("\u001b"), forged);
        assertEquals("eve\\n2025-01-01 00:00:00.000 [main] INFO Opened session\\r\\u2028\\u0000\\u001b[31m\\\\",
                forged);
    }

    @Test
    void longTextIsCutSayingHowMuchWasLeftOut() {
        String cut = LogText.of("x".repeat(10_000));
        assertTrue(cut.startsWith("x".repeat(LogText.MAX_CHARS) + "...(9700 more chars)"), cut);
        assertEquals(LogText.MAX_CHARS + "...(9700 more chars)".length(), cut.length());
    }

    @Test
    void ordinaryTextAndWellFormedNonAsciiStayAsTheyAre() {
        assertEquals("alice@EXAMPLE.COM 日本 \uD83E\uDD8A", LogText.of("alice@EXAMPLE.COM 日本 \uD83E\uDD8A"));
        assertEquals("\\ud83e", LogText.of("\uD83E"), "a lone surrogate");
        assertEquals("null", LogText.of(null));
    }
}
