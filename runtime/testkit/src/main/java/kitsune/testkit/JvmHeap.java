package kitsune.testkit;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The heap of another JVM on this machine, read with the JDK's own tools: {@link #liveKib} (after a full GC, what the
 * process really holds, from {@code jcmd GC.run} and {@code GC.heap_info}) and a {@link Sampler} of the used heap
 * (young and old generations, from {@code jstat -gc}) for the peak during a run.
 */
public final class JvmHeap {
    private static final Pattern USED = Pattern.compile("total \\d+K, used (\\d+)K");

    private JvmHeap() {
    }

    /** The heap in use after a full collection, in KiB. */
    public static long liveKib(ProcessHandle jvm) throws IOException, InterruptedException {
        jcmd(jvm, "GC.run");
        return usedKib(jvm);
    }

    /** The heap in use now (garbage included), in KiB. */
    public static long usedKib(ProcessHandle jvm) throws IOException, InterruptedException {
        String out = jcmd(jvm, "GC.heap_info");
        Matcher m = USED.matcher(out);
        if (!m.find()) throw new IOException("No heap figure in jcmd GC.heap_info of " + jvm.pid() + ": " + out);
        return Long.parseLong(m.group(1));
    }

    private static String jcmd(ProcessHandle jvm, String command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(tool("jcmd"), String.valueOf(jvm.pid()), command).redirectErrorStream(true)
                .start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IOException("jcmd " + command + " did not answer within 60 s");
        }
        if (p.exitValue() != 0) throw new IOException("jcmd " + command + " failed: " + out);
        return out;
    }

    /** A tool of the JDK that runs this test (jcmd, jstat). */
    private static String tool(String name) {
        Path java = Path.of(ProcessHandle.current().info().command().orElse("java"));
        Path beside = java.resolveSibling(name);
        return beside.toFile().canExecute() ? beside.toString() : name;
    }

    /** Samples the used heap every {@code periodMillis} with one jstat process; close() ends it. */
    public static Sampler sampler(ProcessHandle jvm, int periodMillis) throws IOException {
        return new Sampler(jvm, periodMillis);
    }

    public static final class Sampler implements AutoCloseable {
        private final Process jstat;
        private final AtomicLong peakKib = new AtomicLong(-1);
        private final AtomicLong samples = new AtomicLong();

        private Sampler(ProcessHandle jvm, int periodMillis) throws IOException {
            jstat = new ProcessBuilder(tool("jstat"), "-gc", String.valueOf(jvm.pid()), String.valueOf(periodMillis))
                    .redirectErrorStream(true).start();
            Thread reader = new Thread(this::read, "jstat-" + jvm.pid());
            reader.setDaemon(true);
            reader.start();
        }

        private void read() {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(jstat.getInputStream(),
                    StandardCharsets.UTF_8))) {
                String header = r.readLine();
                if (header == null) return;
                String[] columns = header.trim().split("\\s+");
                String line;
                while ((line = r.readLine()) != null) {
                    String[] values = line.trim().split("\\s+");
                    if (values.length != columns.length) continue;
                    double kib = 0;
                    for (int i = 0; i < columns.length; i++) {
                        if (columns[i].equals("S0U") || columns[i].equals("S1U") || columns[i].equals("EU")
                                || columns[i].equals("OU")) {
                            kib += Double.parseDouble(values[i]);
                        }
                    }
                    peakKib.accumulateAndGet((long) kib, Math::max);
                    samples.incrementAndGet();
                }
            } catch (IOException | NumberFormatException ended) {
                // jstat ended or printed something else
            }
        }

        /** The largest used heap seen so far (KiB), -1 before the first sample. */
        public long peakKib() {
            return peakKib.get();
        }

        public long samples() {
            return samples.get();
        }

        @Override
        public void close() {
            jstat.destroy();
        }
    }
}
