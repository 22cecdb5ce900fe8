package kitsune.testkit;

import static org.awaitility.Awaitility.await;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A real Kerberized HDFS on 127.0.0.1: Hadoop's MiniDFSCluster (a NameNode and a DataNode) in its own JVM, built by
 * the kitsune-minidfs module with Hadoop's server jars on its own class path, its principal
 * {@code hdfs/localhost@EXAMPLE.COM} (and {@code HTTP/localhost}) from the given KDC. The gateway's principal's short
 * name may impersonate anyone. Each of the given users has a private home {@code /user/<u>} (0700) with a file
 * {@code x} of three lines. The clients' core-site.xml and hdfs-site.xml are in {@link #confDir} (HADOOP_CONF_DIR).
 */
public final class MiniDfs implements AutoCloseable {
    private static final Path BUILD = KitsuneServer.HOME.resolve("runtime/minidfs/target");

    public final Path dir;
    public final Path confDir;
    /** hdfs://127.0.0.1:port */
    public final String uri;
    private final Process process;

    /**
     * @param proxyUser the short name allowed to impersonate (the gateway principal's)
     * @param tokenRenewMs the NameNode's delegation token renewal interval, or 0 for Hadoop's default
     */
    public MiniDfs(Path dir, TestKdc kdc, String proxyUser, List<String> users, long tokenRenewMs) throws Exception {
        this.dir = Files.createDirectories(dir).toRealPath();
        this.confDir = Files.createDirectories(this.dir.resolve("conf"));
        Path work = Files.createDirectories(this.dir.resolve("work"));
        Path keytab = kdc.keytab("hdfs/localhost");
        Path httpKeytab = kdc.keytab("HTTP/localhost");
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx512m", "-Djava.security.krb5.conf=" + kdc.krb5Conf(),
                "-Dminidfs.principal=" + TestKdc.principal("hdfs/localhost"), "-Dminidfs.keytab=" + keytab,
                "-Dminidfs.http.principal=" + TestKdc.principal("HTTP/localhost"), "-Dminidfs.http.keytab=" + httpKeytab,
                "-Dminidfs.proxyuser=" + proxyUser, "-Dminidfs.users=" + String.join(",", users)));
        if (tokenRenewMs > 0) cmd.add("-Dminidfs.token.renew.ms=" + tokenRenewMs);
        cmd.addAll(List.of("-cp", BUILD.resolve("kitsune-minidfs.jar") + ":" + BUILD.resolve("lib").resolve("*"),
                "kitsune.minidfs.MiniDfsMain", confDir.toString(), work.toString()));
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(work.toFile())
                .redirectError(this.dir.resolve("minidfs.log").toFile());
        pb.environment().remove("HADOOP_CONF_DIR");
        pb.environment().remove("HADOOP_TOKEN_FILE_LOCATION");
        process = pb.start();
        AtomicReference<String> ready = new AtomicReference<>();
        Thread reader = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(),
                    StandardCharsets.UTF_8))) {
                for (String line; (line = r.readLine()) != null;) {
                    if (line.startsWith("MINIDFS READY ")) ready.set(line);
                }
            } catch (IOException e) {
                // the process ended
            }
        }, "minidfs-stdout");
        reader.setDaemon(true);
        reader.start();
        try {
            await("the HDFS cluster's READY line (log: " + this.dir.resolve("minidfs.log") + ")")
                    .atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(200))
                    .until(() -> ready.get() != null || !process.isAlive());
            if (ready.get() == null) {
                throw new IOException("The HDFS cluster did not start (exit " + process.exitValue() + "), see "
                        + this.dir.resolve("minidfs.log"));
            }
        } catch (IOException | RuntimeException e) {
            close();
            throw e;
        }
        uri = ready.get().substring("MINIDFS READY ".length()).trim();
    }

    /** The cluster's log so far. */
    public String log() throws IOException {
        return Files.readString(dir.resolve("minidfs.log"));
    }

    /** Stops the cluster (closing its stdin, as it expects). */
    @Override
    public void close() throws IOException {
        try {
            process.getOutputStream().close();
        } catch (IOException e) {
            // already gone
        }
        try {
            if (!process.waitFor(30, TimeUnit.SECONDS)) process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }
}
