package kitsune.frontend.thrift.impl;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Objects;

import org.awaitility.Awaitility;
import org.awaitility.core.ConditionTimeoutException;

/** Copies System.err (where slf4j-simple writes) into a buffer so that tests can look for log lines. */
final class LogCapture {
    private static final ByteArrayOutputStream BUFFER = new ByteArrayOutputStream();

    static {
        PrintStream original = System.err;
        System.setErr(new PrintStream(new OutputStream() {
            @Override
            public void write(int b) {
                synchronized (BUFFER) {
                    BUFFER.write(b);
                }
                original.write(b);
            }

            @Override
            public void write(byte[] b, int off, int len) {
                synchronized (BUFFER) {
                    BUFFER.write(b, off, len);
                }
                original.write(b, off, len);
            }
        }, true, StandardCharsets.UTF_8));
    }

    private LogCapture() {
    }

    static String text() {
        synchronized (BUFFER) {
            return BUFFER.toString(StandardCharsets.UTF_8);
        }
    }

    /** The first log line after {@code from} that contains every part, waiting up to the timeout; null if none. */
    static String awaitLine(int from, Duration timeout, String... parts) {
        try {
            return Awaitility.await("a log line with " + String.join(" … ", parts)).atMost(timeout)
                    .pollInterval(Duration.ofMillis(50)).until(() -> line(from, parts), Objects::nonNull);
        } catch (ConditionTimeoutException e) {
            return null;
        }
    }

    private static String line(int from, String... parts) {
        String all = text();
        for (String line : all.substring(Math.min(from, all.length())).split("\n")) {
            boolean match = true;
            for (String p : parts) match &= line.contains(p);
            if (match) return line;
        }
        return null;
    }

    static int mark() {
        return text().length();
    }
}
