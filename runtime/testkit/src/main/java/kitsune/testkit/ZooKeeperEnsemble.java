package kitsune.testkit;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.StringJoiner;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import org.apache.zookeeper.Watcher;
import org.apache.zookeeper.ZooKeeper;
import org.awaitility.core.ConditionTimeoutException;

/**
 * A ZooKeeper ensemble of separate JVMs on 127.0.0.1 ({@code org.apache.zookeeper.server.quorum.QuorumPeerMain} from
 * the zookeeper 3.9.3 jar on this test's classpath): free client, peer and election ports, data directories under
 * {@code dir}, admin server and four-letter words off. Members can be killed and started again one by one or all at
 * once; close() destroys every member.
 */
public final class ZooKeeperEnsemble implements AutoCloseable {
    private final Path dir;
    private final int tickTime;
    private final int minSessionTimeout;
    private final int maxSessionTimeout;
    private final int[] clientPorts;
    private final String servers;
    private final Process[] members;
    private String extraConfig = "";
    private final List<String> jvmOptions = new ArrayList<>();

    /**
     * @param tickTime          ms; ZooKeeper expires sessions with a granularity of one tick
     * @param minSessionTimeout smallest session timeout granted, ms (at least 2 ticks)
     */
    public ZooKeeperEnsemble(Path dir, int size, int tickTime, int minSessionTimeout, int maxSessionTimeout)
            throws IOException {
        this.dir = Files.createDirectories(dir);
        this.tickTime = tickTime;
        this.minSessionTimeout = minSessionTimeout;
        this.maxSessionTimeout = maxSessionTimeout;
        this.clientPorts = new int[size];
        this.members = new Process[size];
        // FreePorts may hand out a port twice in a row; ZooKeeper refuses such a config ("Invalid config")
        java.util.Set<Integer> used = new java.util.HashSet<>();
        java.util.function.IntSupplier distinct = () -> {
            for (;;) {
                int p = FreePorts.next();
                if (used.add(p)) return p;
            }
        };
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < size; i++) {
            clientPorts[i] = distinct.getAsInt();
            sb.append("server.").append(i + 1).append("=127.0.0.1:").append(distinct.getAsInt()).append(':')
                    .append(distinct.getAsInt()).append('\n');
        }
        this.servers = sb.toString();
        for (int i = 0; i < size; i++) writeConfig(i);
    }

    private Path memberDir(int i) {
        return dir.resolve("zk" + (i + 1));
    }

    private void writeConfig(int i) throws IOException {
        Path d = Files.createDirectories(memberDir(i));
        Path data = Files.createDirectories(d.resolve("data"));
        Files.writeString(data.resolve("myid"), String.valueOf(i + 1));
        String cfg = "tickTime=" + tickTime + "\n"
                + "initLimit=20\n"
                + "syncLimit=10\n"
                + "dataDir=" + data + "\n"
                + "clientPort=" + clientPorts[i] + "\n"
                + "clientPortAddress=127.0.0.1\n"
                + "minSessionTimeout=" + minSessionTimeout + "\n"
                + "maxSessionTimeout=" + maxSessionTimeout + "\n"
                + "admin.enableServer=false\n"
                + "4lw.commands.whitelist=\n"
                + "autopurge.purgeInterval=0\n"
                + "preAllocSize=1024\n"
                + "snapCount=100000\n"
                + servers
                + extraConfig;
        Files.writeString(d.resolve("zoo.cfg"), cfg);
    }

    /**
     * Before start(): adds lines to every member's zoo.cfg (e.g. authProvider.1=...SASLAuthenticationProvider) and
     * options to every member's JVM (e.g. -Djava.security.auth.login.config=..., -Djava.security.krb5.conf=...).
     */
    public ZooKeeperEnsemble configure(String zooCfgLines, List<String> javaOptions) throws IOException {
        this.extraConfig = zooCfgLines.endsWith("\n") || zooCfgLines.isEmpty() ? zooCfgLines : zooCfgLines + "\n";
        this.jvmOptions.addAll(javaOptions);
        for (int i = 0; i < members.length; i++) writeConfig(i);
        return this;
    }

    public int size() {
        return members.length;
    }

    /** host:port,host:port,... of every member, as kyuubi.ha.addresses and the JDBC URL take it. */
    public String connectString() {
        StringJoiner j = new StringJoiner(",");
        for (int p : clientPorts) j.add("127.0.0.1:" + p);
        return j.toString();
    }

    public String connectString(int member) {
        return "127.0.0.1:" + clientPorts[member];
    }

    /** Starts every member and waits until each one serves clients. */
    public ZooKeeperEnsemble start() throws Exception {
        for (int i = 0; i < members.length; i++) launch(i);
        for (int i = 0; i < members.length; i++) awaitServing(i, Duration.ofSeconds(60));
        return this;
    }

    /** Starts one member (again) and waits until it serves. */
    public void start(int member) throws Exception {
        launch(member);
        awaitServing(member, Duration.ofSeconds(60));
    }

    private void launch(int i) throws IOException {
        if (members[i] != null && members[i].isAlive()) return;
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> cmd = new ArrayList<>(List.of(java, "-Xmx96m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
                "-Xss512k", "-Dzookeeper.admin.enableServer=false", "-Dzookeeper.4lw.commands.whitelist=",
                "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn"));
        cmd.addAll(jvmOptions);
        cmd.addAll(List.of("-cp", serverClassPath(),
                "org.apache.zookeeper.server.quorum.QuorumPeerMain", memberDir(i).resolve("zoo.cfg").toString()));
        members[i] = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(memberDir(i).resolve("zk.out").toFile())).start();
    }

    /**
     * The jars of ZooKeeper's server and what it needs, from this JVM's class path (expanding a surefire manifest-only
     * jar). Only those: the Hive JDBC standalone jar carries an older, unrelocated org.apache.jute.
     */
    static String serverClassPath() throws IOException {
        List<String> entries = new ArrayList<>();
        for (String e : System.getProperty("java.class.path").split(java.io.File.pathSeparator)) {
            Path p = Path.of(e);
            if (p.getFileName() != null && p.getFileName().toString().startsWith("surefirebooter")
                    && Files.isRegularFile(p)) {
                try (java.util.jar.JarFile jar = new java.util.jar.JarFile(p.toFile())) {
                    String cp = jar.getManifest().getMainAttributes().getValue("Class-Path");
                    if (cp != null) {
                        for (String u : cp.trim().split("\\s+")) {
                            try {
                                entries.add(Path.of(java.net.URI.create(u)).toString());
                            } catch (IllegalArgumentException notAbsolute) {
                                entries.add(p.resolveSibling(u).toString());
                            }
                        }
                    }
                }
            } else {
                entries.add(e);
            }
        }
        java.util.regex.Pattern keep = java.util.regex.Pattern.compile(
                "(zookeeper|jute|netty|metrics-core|snappy|slf4j|commons-io|audience-annotations)[^/]*\\.jar$");
        StringJoiner j = new StringJoiner(java.io.File.pathSeparator);
        for (String e : entries) {
            String name = Path.of(e).getFileName().toString();
            if (keep.matcher(name).find() && !name.contains("hive")) j.add(e);
        }
        return j.toString();
    }

    /** Waits until the member answers a read (a follower does only once it has joined a quorum). */
    public void awaitServing(int i, Duration timeout) throws Exception {
        AtomicReference<Exception> last = new AtomicReference<>();
        try {
            await("ZooKeeper member " + (i + 1) + " serves").atMost(timeout).pollDelay(Duration.ZERO)
                    .pollInterval(Duration.ofMillis(200)).until(() -> {
                        if (!members[i].isAlive()) {
                            throw new AssertionError("ZooKeeper member " + (i + 1) + " exited with "
                                    + members[i].exitValue() + ":\n" + tail(i));
                        }
                        try {
                            return answersRead(i);
                        } catch (Exception e) {
                            last.set(e);
                            return false;
                        }
                    });
        } catch (ConditionTimeoutException e) {
            throw new AssertionError("ZooKeeper member " + (i + 1) + " does not serve on " + connectString(i)
                    + " after " + timeout + " (" + last.get() + "):\n" + tail(i));
        }
    }

    /** Whether the member takes a new client within a second and answers its read. */
    private boolean answersRead(int i) throws Exception {
        CountDownLatch connected = new CountDownLatch(1);
        ZooKeeper zk = new ZooKeeper(connectString(i), 5000, e -> {
            if (e.getState() == Watcher.Event.KeeperState.SyncConnected) connected.countDown();
        });
        try {
            if (!connected.await(1, TimeUnit.SECONDS)) return false;
            zk.exists("/", false);
            return true;
        } finally {
            zk.close();
        }
    }

    /** Kills one member at once (SIGKILL), as a crash. */
    public void kill(int member) throws InterruptedException {
        Process p = members[member];
        if (p == null) return;
        p.destroyForcibly();
        p.waitFor(20, TimeUnit.SECONDS);
    }

    /** Kills every member. */
    public void killAll() throws InterruptedException {
        for (int i = 0; i < members.length; i++) kill(i);
    }

    /** Starts every member that is not running and waits until all serve. */
    public void startAll() throws Exception {
        for (int i = 0; i < members.length; i++) launch(i);
        for (int i = 0; i < members.length; i++) awaitServing(i, Duration.ofSeconds(60));
    }

    public boolean isAlive(int member) {
        return members[member] != null && members[member].isAlive();
    }

    public String tail(int i) {
        try {
            Path out = memberDir(i).resolve("zk.out");
            if (!Files.exists(out)) return "";
            List<String> lines = Files.readAllLines(out);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 20), lines.size()));
        } catch (IOException e) {
            return e.toString();
        }
    }

    @Override
    public void close() throws InterruptedException {
        killAll();
    }
}
