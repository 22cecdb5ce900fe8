package kitsune.testkit;

import static org.awaitility.Awaitility.await;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A cluster of Hadoop's in a JVM of its own (the kitsune-minidfs and kitsune-miniyarn modules, each with Hadoop's
 * server jars on its own class path): started with its main class, its standard error in a log file, ready once it
 * prints {@code <NAME> READY ...} on standard output; stopped by closing its standard input, as its main expects.
 */
final class HelperJvm {
    private static final Duration START = Duration.ofSeconds(120);

    private final Process process;
    private final String readyLine;

    /**
     * Starts it and waits for its READY line; a JVM that ends first or does not say it within two minutes is stopped
     * and reported with its log.
     *
     * @param name        the READY line's first word and the cluster's name in messages (e.g. MINIDFS)
     * @param build       the module's target directory: {@code kitsune-<module>.jar} and {@code lib/}
     * @param jvmOptions  options before the class path
     * @param main        main class and its arguments
     * @param unsetEnv    environment variables the cluster must not inherit (the clients' Hadoop configuration)
     */
    HelperJvm(String name, Path build, String jar, List<String> jvmOptions, List<String> main, Path workDir, Path log,
            String... unsetEnv) throws IOException {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(jvmOptions);
        cmd.addAll(List.of("-cp", build.resolve(jar) + ":" + build.resolve("lib").resolve("*")));
        cmd.addAll(main);
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(workDir.toFile()).redirectError(log.toFile());
        for (String v : unsetEnv) pb.environment().remove(v);
        process = pb.start();
        String prefix = name + " READY ";
        AtomicReference<String> ready = new AtomicReference<>();
        Thread reader = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(),
                    StandardCharsets.UTF_8))) {
                for (String line; (line = r.readLine()) != null;) {
                    if (line.startsWith(prefix)) ready.set(line.substring(prefix.length()).trim());
                }
            } catch (IOException e) {
                // the process ended
            }
        }, name.toLowerCase(java.util.Locale.ROOT) + "-stdout");
        reader.setDaemon(true);
        reader.start();
        try {
            await("the " + name + " cluster's READY line (log: " + log + ")").atMost(START)
                    .pollInterval(Duration.ofMillis(200)).until(() -> ready.get() != null || !process.isAlive());
            if (ready.get() == null) {
                throw new IOException("The " + name + " cluster did not start (exit " + process.exitValue() + "), see "
                        + log);
            }
        } catch (IOException | RuntimeException e) {
            stop(Duration.ofSeconds(10));
            throw e;
        }
        readyLine = ready.get();
    }

    /** What the READY line said after its first two words (addresses). */
    String ready() {
        return readyLine;
    }

    /** Closes its standard input and waits that long for it to end, then ends it at once. */
    void stop(Duration grace) {
        try {
            process.getOutputStream().close();
        } catch (IOException e) {
            // already gone
        }
        try {
            if (!process.waitFor(grace.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }
}
