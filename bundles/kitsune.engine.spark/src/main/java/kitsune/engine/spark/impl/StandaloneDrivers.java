package kitsune.engine.spark.impl;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Ends drivers that a Spark standalone cluster runs for cluster-mode engines, with Spark's own client of the master
 * ({@code org.apache.spark.deploy.Client kill <master> <driver-id>}) run on the engine home's jars: it speaks the
 * master's RPC protocol, which needs no REST gateway on the master.
 */
final class StandaloneDrivers implements ProcessLaunch.ClusterApplications {
    static final String CLIENT_CLASS = "org.apache.spark.deploy.Client";
    /** What a standalone master calls a submitted driver. */
    static final Pattern DRIVER_ID = Pattern.compile("\\b(driver-\\d{14}-\\d{4,})\\b");
    private static final long KILL_TIMEOUT_SECONDS = 60;

    private final Path java;
    private final List<String> moduleFlags;
    private final Path homeJars;
    private final Map<String, String> env;
    private final String master;

    StandaloneDrivers(Path java, List<String> moduleFlags, Path homeJars, Map<String, String> env, String master) {
        this.java = java;
        this.moduleFlags = List.copyOf(moduleFlags);
        this.homeJars = homeJars;
        this.env = Map.copyOf(env);
        this.master = master;
    }

    @Override
    public Optional<String> idOf(String submissionLog) {
        Matcher m = DRIVER_ID.matcher(submissionLog);
        return m.find() ? Optional.of(m.group(1)) : Optional.empty();
    }

    /** The master's driver states are not asked for (that needs its web UI); the initialize timeout bounds the wait. */
    @Override
    public Optional<String> failure(String driverId) {
        return Optional.empty();
    }

    @Override
    public Optional<String> describe(String driverId) {
        return Optional.of("standalone driver " + driverId + " on " + master);
    }

    /** The reason the driver could not be ended, or empty once the master took the kill request. */
    @Override
    public Optional<String> kill(String driverId) {
        List<String> cmd = new ArrayList<>();
        cmd.add(java.toString());
        cmd.addAll(moduleFlags);
        cmd.add("-cp");
        cmd.add(homeJars.resolve("*").toString());
        cmd.add(CLIENT_CLASS);
        cmd.add("kill");
        cmd.add(master);
        cmd.add(driverId);
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().putAll(env);
        try {
            File out = Files.createTempFile("kitsune-kill-", ".log").toFile(); // owner-only
            try {
                pb.redirectOutput(out);
                Process p = pb.start();
                if (!p.waitFor(KILL_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                    return Optional.of("the master " + master + " did not answer the kill of " + driverId + " within "
                            + KILL_TIMEOUT_SECONDS + " s");
                }
                if (p.exitValue() != 0) {
                    return Optional.of("killing " + driverId + " on " + master + " failed (exit code " + p.exitValue()
                            + "): " + ProcessLaunch.tail(out.toPath(), 5));
                }
                return Optional.empty();
            } finally {
                Files.deleteIfExists(out.toPath());
            }
        } catch (IOException e) {
            return Optional.of("cannot run " + CLIENT_CLASS + ": " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.of("interrupted while killing " + driverId);
        }
    }
}
