package kitsune.engine.spark.impl;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import kitsune.api.engine.EngineLaunch;

/**
 * A launch followed through the child process that makes it, its output going to a log file: the engine JVM itself
 * (local master, or client deploy mode, where spark-submit's JVM is the driver), or spark-submit handing the driver to
 * a cluster (cluster deploy mode), which ends once the cluster has taken it. Where a cluster runs part of it, the
 * cluster's own view (state, diagnostics) joins the log's, and cancelling ends the application there too.
 */
final class ProcessLaunch implements EngineLaunch {
    private static final Logger LOG = LoggerFactory.getLogger(ProcessLaunch.class);
    /** Enough of a log's end to hold the last lines of a Spark stack trace. */
    private static final int TAIL_BYTES = 64 * 1024;
    static final int TAIL_LINES = 30;

    private final Process process;
    private final Path logFile;
    private final String description;
    /** False in cluster deploy mode: the process only submits, and its normal end is no failure. */
    private final boolean processIsDriver;
    private final ClusterApplications cluster;
    private final LogMask mask;
    private volatile CompletableFuture<Void> ended;
    private volatile String lastWords;

    /** What a cluster knows of the applications (or drivers) a submission creates, and how to end them. */
    interface ClusterApplications {
        /** The cluster's id of what this launch created: from the submission's log, else asked of the cluster. */
        Optional<String> idOf(String submissionLog);

        /** Empty while the application may still come up; the cluster's own reason once it ended or failed. */
        Optional<String> failure(String id);

        /** What the cluster says of it now (state, queue, diagnostics), or empty. */
        Optional<String> describe(String id);

        /** Ends it; the reason it could not, or empty. */
        Optional<String> kill(String id);
    }

    /**
     * @param cluster null for an engine that runs entirely on this host
     */
    ProcessLaunch(Process process, Path logFile, String description, boolean processIsDriver,
            ClusterApplications cluster, LogMask mask) {
        this.process = process;
        this.logFile = logFile;
        this.description = description;
        this.processIsDriver = processIsDriver;
        this.cluster = cluster;
        this.mask = mask;
    }

    /**
     * Once the process ended: keeps the end of its log (what {@link #failure()} reports) and removes its work
     * directory.
     */
    void removeWhenEnded(Path workDir) {
        ended = process.onExit().thenRun(() -> {
            lastWords = tail(logFile, TAIL_LINES);
            try {
                EngineWorkDirs.remove(workDir);
                LOG.info("Removed the work directory {} of an ended CONNECTION engine", workDir);
            } catch (IOException | RuntimeException e) {
                LOG.warn("Cannot remove the work directory {} of an ended CONNECTION engine: {}", workDir, e.toString());
            }
        });
    }

    /** True while the process runs. */
    boolean alive() {
        return process.isAlive();
    }

    /** Runs {@code action} once the process ended. */
    void onExit(Runnable action) {
        process.onExit().thenRun(action);
    }

    /** The log's last lines, secrets masked: kept from the end of the process when its directory is removed. */
    private String logTail() {
        CompletableFuture<Void> cleanup = ended;
        if (cleanup != null && !process.isAlive()) {
            try {
                cleanup.get(10, TimeUnit.SECONDS);
            } catch (ExecutionException | TimeoutException e) {
                // fall through to what is left
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            String kept = lastWords;
            if (kept != null) return mask.apply(kept);
        }
        return mask.apply(tail(logFile, TAIL_LINES));
    }

    @Override
    public String describe() {
        return "pid " + process.pid() + ", " + description;
    }

    @Override
    public Optional<String> failure() {
        if (process.isAlive()) return Optional.empty();
        int code = process.exitValue();
        if (!processIsDriver && code == 0) {
            // submitted: the driver now runs in the cluster, which knows whether it failed
            return clusterId().flatMap(id -> cluster.failure(id))
                    .map(reason -> mask.apply(reason) + "\nLast lines of the submission log "
                    + logFile + ":\n" + logTail());
        }
        String what = processIsDriver ? "Engine failed to start (exit code "
                : "The submission of the engine to the cluster failed (spark-submit exit code ";
        return Optional.of(what + code + "). " + diagnostics());
    }

    @Override
    public String diagnostics() {
        String clusterSays = clusterId().flatMap(id -> cluster.describe(id)).map(s -> mask.apply(s) + "\n").orElse("");
        return clusterSays + "Last lines of its log " + logFile + " (secrets masked):\n" + logTail();
    }

    /**
     * The cluster's id of this launch, once known. (Lambdas, not bound method references, follow it: {@code cluster}
     * is null for a local engine, and {@code cluster::describe} would throw at once.)
     */
    Optional<String> clusterId() {
        return cluster == null ? Optional.empty() : cluster.idOf(tail(logFile, 400));
    }

    @Override
    public void cancel() {
        process.destroyForcibly();
        clusterId().ifPresent(id -> cluster.kill(id));
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
