package kitsune.testkit;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

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
    private final HelperJvm jvm;

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
        List<String> options = new ArrayList<>(List.of("-Xmx512m", "-Djava.security.krb5.conf=" + kdc.krb5Conf(),
                "-Dminidfs.principal=" + TestKdc.principal("hdfs/localhost"), "-Dminidfs.keytab=" + keytab,
                "-Dminidfs.http.principal=" + TestKdc.principal("HTTP/localhost"), "-Dminidfs.http.keytab=" + httpKeytab,
                "-Dminidfs.proxyuser=" + proxyUser, "-Dminidfs.users=" + String.join(",", users)));
        if (tokenRenewMs > 0) options.add("-Dminidfs.token.renew.ms=" + tokenRenewMs);
        jvm = new HelperJvm("MINIDFS", BUILD, "kitsune-minidfs.jar", options,
                List.of("kitsune.minidfs.MiniDfsMain", confDir.toString(), work.toString()), work,
                this.dir.resolve("minidfs.log"), "HADOOP_CONF_DIR", "HADOOP_TOKEN_FILE_LOCATION");
        uri = jvm.ready();
    }

    /** The cluster's log so far. */
    public String log() throws IOException {
        return Files.readString(dir.resolve("minidfs.log"));
    }

    /** Stops the cluster (closing its stdin, as it expects). */
    @Override
    public void close() {
        jvm.stop(Duration.ofSeconds(30));
    }
}
