package kitsune.testkit;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** What Linux reports of a process in /proc: its thread count, resident memory and open file descriptors. */
public final class ProcStats {
    private ProcStats() {
    }

    public static int threads(ProcessHandle p) throws IOException {
        return (int) status(p, "Threads:");
    }

    /** Resident set size in KiB. */
    public static long rssKib(ProcessHandle p) throws IOException {
        return status(p, "VmRSS:");
    }

    public static int fileDescriptors(ProcessHandle p) throws IOException {
        try (var fds = Files.list(Path.of("/proc", String.valueOf(p.pid()), "fd"))) {
            return (int) fds.count();
        }
    }

    private static long status(ProcessHandle p, String field) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc", String.valueOf(p.pid()), "status"))) {
            if (line.startsWith(field)) return Long.parseLong(line.substring(field.length()).trim().split("\\s+")[0]);
        }
        throw new IOException("No " + field + " in /proc/" + p.pid() + "/status");
    }

    /** The CPU time a process uses over the next second, in milliseconds per second of wall time. */
    public static long cpuMillisPerSecond(ProcessHandle p) throws InterruptedException {
        java.time.Duration before = p.info().totalCpuDuration().orElseThrow();
        long t0 = System.nanoTime();
        java.util.concurrent.TimeUnit.SECONDS.sleep(1); // the measuring period, not a wait for a condition
        java.time.Duration used = p.info().totalCpuDuration().orElseThrow().minus(before);
        return used.toMillis() * 1_000_000_000L / (System.nanoTime() - t0);
    }
}
