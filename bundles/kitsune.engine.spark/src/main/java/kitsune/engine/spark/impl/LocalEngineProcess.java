package kitsune.engine.spark.impl;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.OptionalInt;

import kitsune.api.engine.EngineProcess;

/** An engine running as a child process of this server, its output going to a log file. */
final class LocalEngineProcess implements EngineProcess {
    /** Enough of a log's end to hold the last lines of a Spark stack trace. */
    private static final int TAIL_BYTES = 64 * 1024;

    private final Process process;
    private final Path logFile;
    private final String description;

    LocalEngineProcess(Process process, Path logFile, String description) {
        this.process = process;
        this.logFile = logFile;
        this.description = description;
    }

    @Override
    public String describe() {
        return "pid " + process.pid() + ", " + description;
    }

    @Override
    public boolean isAlive() {
        return process.isAlive();
    }

    @Override
    public OptionalInt exitCode() {
        return process.isAlive() ? OptionalInt.empty() : OptionalInt.of(process.exitValue());
    }

    @Override
    public Path logFile() {
        return logFile;
    }

    @Override
    public String logTail(int maxLines) {
        return tail(logFile, maxLines);
    }

    static String tail(Path file, int maxLines) {
        try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "r")) {
            long start = Math.max(0, f.length() - TAIL_BYTES);
            byte[] buf = new byte[(int) (f.length() - start)];
            f.seek(start);
            f.readFully(buf);
            Deque<String> lines = new ArrayDeque<>();
            for (String line : new String(buf, StandardCharsets.UTF_8).split("\n")) {
                lines.addLast(line);
                if (lines.size() > maxLines) lines.removeFirst();
            }
            return String.join("\n", lines);
        } catch (IOException e) {
            return "(log " + file + " unreadable: " + e.getMessage() + ")";
        }
    }

    @Override
    public void destroy() {
        process.destroyForcibly();
    }
}
