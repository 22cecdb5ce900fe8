package kitsune.bench;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

import kitsune.testkit.ProcStats;

/** RSS, threads and file descriptors of the server and the engine at one moment (from /proc). */
record Figures(String label, long serverRssKib, int serverThreads, int serverFds, long engineRssKib,
        int engineThreads, int engineFds) {

    static Figures of(String label, ProcessHandle server, ProcessHandle engine) throws Exception {
        return new Figures(label, ProcStats.rssKib(server), ProcStats.threads(server),
                ProcStats.fileDescriptors(server), ProcStats.rssKib(engine), ProcStats.threads(engine),
                ProcStats.fileDescriptors(engine));
    }

    void print() {
        System.out.printf(Locale.ROOT, "%-14s %s%n", label, brief());
    }

    /** server RSS MiB, threads, fds | the same for the engine, on one line. */
    String brief() {
        return String.format(Locale.ROOT, "server RSS %5d MiB threads %5d fds %5d | engine RSS %5d MiB threads %5d"
                + " fds %5d", serverRssKib / 1024, serverThreads, serverFds, engineRssKib / 1024, engineThreads,
                engineFds);
    }

    /** The process's threads counted by name with digits folded (jcmd Thread.print), largest groups first. */
    static String threadNames(ProcessHandle p) {
        try {
            Process jcmd = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "jcmd").toString(),
                    String.valueOf(p.pid()), "Thread.print").redirectErrorStream(true).start();
            Map<String, Integer> byName = new TreeMap<>();
            try (var lines = new BufferedReader(new InputStreamReader(jcmd.getInputStream()))) {
                for (String line; (line = lines.readLine()) != null;) {
                    if (!line.startsWith("\"")) continue;
                    String name = line.substring(1, Math.max(1, line.indexOf('"', 1))).replaceAll("\\d+", "N");
                    byName.merge(name, 1, Integer::sum);
                }
            }
            jcmd.waitFor(30, TimeUnit.SECONDS);
            return byName.entrySet().stream().sorted((a, b) -> b.getValue() - a.getValue()).limit(8)
                    .map(e -> e.getValue() + " x " + e.getKey()).toList().toString();
        } catch (Exception e) {
            return "(jcmd failed: " + e + ")";
        }
    }

    /** One goal line: what was measured, the value, the goal and whether it was met. */
    static void result(String what, double value, String goal, boolean met) {
        System.out.printf(Locale.ROOT, "RESULT %-45s %9.1f    goal %-9s %s%n", what, value, goal,
                met ? "met" : "NOT met");
    }
}
