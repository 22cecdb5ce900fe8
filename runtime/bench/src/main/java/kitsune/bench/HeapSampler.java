package kitsune.bench;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Samples a JVM's used heap (young + old, from jstat -gc) every 100 ms, so that the peak during a run can be set
 * against the level before it.
 */
final class HeapSampler implements AutoCloseable {
    private final Process jstat;
    private final Thread reader;
    private final AtomicLong lastKb = new AtomicLong(-1);
    private final AtomicLong peakKb = new AtomicLong(-1);

    HeapSampler(long pid) throws Exception {
        String java = ProcessHandle.current().info().command().orElse("java");
        String jstatCmd = java.replaceAll("java$", "jstat");
        jstat = new ProcessBuilder(jstatCmd, "-gc", Long.toString(pid), "100").redirectErrorStream(true).start();
        reader = new Thread(this::read, "jstat-reader");
        reader.setDaemon(true);
        reader.start();
    }

    private void read() {
        try (BufferedReader r = new BufferedReader(new InputStreamReader(jstat.getInputStream(), StandardCharsets.UTF_8))) {
            String header = r.readLine();
            if (header == null) return;
            String[] cols = header.trim().split("\\s+");
            String line;
            while ((line = r.readLine()) != null) {
                String[] v = line.trim().split("\\s+");
                if (v.length != cols.length) continue;
                double kb = 0;
                for (int i = 0; i < cols.length; i++) {
                    if (cols[i].equals("S0U") || cols[i].equals("S1U") || cols[i].equals("EU") || cols[i].equals("OU")) {
                        kb += Double.parseDouble(v[i]);
                    }
                }
                long k = (long) kb;
                lastKb.set(k);
                peakKb.accumulateAndGet(k, Math::max);
            }
        } catch (Exception ignored) {
            // jstat ended
        }
    }

    /** Starts a new measurement window; returns the used heap now (KiB). */
    long reset() throws InterruptedException {
        Thread.sleep(250);
        long now = lastKb.get();
        peakKb.set(now);
        return now;
    }

    long peakKb() {
        return peakKb.get();
    }

    @Override
    public void close() {
        jstat.destroy();
    }
}
