package kitsune.engine.spark.impl;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import kitsune.api.engine.EngineLaunch;

/**
 * A launch followed through the child process that makes it, its output going to a log file: the engine JVM itself
 * (local master, or client deploy mode, where spark-submit's JVM is the driver), or spark-submit handing the driver to
 * a cluster (cluster deploy mode), which ends once the cluster has taken it.
 */
final class ProcessLaunch implements EngineLaunch {
    /** Enough of a log's end to hold the last lines of a Spark stack trace. */
    private static final int TAIL_BYTES = 64 * 1024;
    static final int TAIL_LINES = 30;
    /** What a standalone master calls a submitted driver. */
    static final Pattern STANDALONE_DRIVER = Pattern.compile("\\b(driver-\\d{14}-\\d{4,})\\b");

    private final Process process;
    private final Path logFile;
    private final String description;
    /** Cluster deploy mode: the process only submits, and its normal end is no failure. */
    private final Submission submission;

    /** What it takes to end a driver the cluster runs, once its id is known. */
    interface Submission {
        /** Ends the driver or application this submission created; the reason it could not, or empty. */
        Optional<String> kill(String driverId);
    }

    ProcessLaunch(Process process, Path logFile, String description, Submission submission) {
        this.process = process;
        this.logFile = logFile;
        this.description = description;
        this.submission = submission;
    }

    @Override
    public String describe() {
        return "pid " + process.pid() + ", " + description;
    }

    @Override
    public Optional<String> failure() {
        if (process.isAlive()) return Optional.empty();
        int code = process.exitValue();
        if (submission != null && code == 0) return Optional.empty(); // submitted: the driver now runs in the cluster
        String what = submission != null ? "The submission of the engine to the cluster failed (spark-submit exit code "
                : "Engine failed to start (exit code ";
        return Optional.of(what + code + "). Last lines of its log " + logFile + ":\n" + diagnostics());
    }

    @Override
    public String diagnostics() {
        return tail(logFile, TAIL_LINES);
    }

    /** The standalone driver id the submission printed, if any. */
    Optional<String> driverId() {
        Matcher m = STANDALONE_DRIVER.matcher(tail(logFile, 200));
        return m.find() ? Optional.of(m.group(1)) : Optional.empty();
    }

    @Override
    public void cancel() {
        process.destroyForcibly();
        if (submission != null) driverId().ifPresent(submission::kill);
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
}
