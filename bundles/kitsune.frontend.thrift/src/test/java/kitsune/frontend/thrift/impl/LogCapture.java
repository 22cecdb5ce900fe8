package kitsune.frontend.thrift.impl;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

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
    static String awaitLine(int from, Duration timeout, String... parts) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        do {
            String all = text();
            for (String line : all.substring(Math.min(from, all.length())).split("\n")) {
                boolean match = true;
                for (String p : parts) match &= line.contains(p);
                if (match) return line;
            }
            Thread.sleep(50);
        } while (System.nanoTime() < deadline);
        return null;
    }

    static int mark() {
        return text().length();
    }
}
