package kitsune.testkit;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.awaitility.core.ConditionTimeoutException;

/**
 * One real Kitsune server started with bin/kitsune in its own conf/log/pid/work directories, with free ports on
 * 127.0.0.1. close() stops it and every engine process it launched (engines outlive servers by design, so the test
 * must end them itself).
 */
public final class KitsuneServer implements AutoCloseable {
    private static final Pattern METRICS_ENDPOINT = Pattern.compile("Prometheus metrics at (http://\\S+)");
    private static final java.net.http.HttpClient METRICS_HTTP = java.net.http.HttpClient.newHttpClient();
    public static final Path HOME = Path.of(System.getProperty("kitsune.home", "../..")).toAbsolutePath().normalize();
    private static final Pattern READY = Pattern.compile(
            "Starting and exposing JDBC connection at: jdbc:hive2://([^:/]+):(\\d+)/");

    public final Path dir;
    public final Path confDir;
    public final Path logDir;
    public final Path workDir;
    /** This server's own copy of lib/bundles, watched by File Install: a test may replace files in it. */
    public final Path bundlesDir;
    public final Map<String, String> conf = new LinkedHashMap<>();
    private final boolean writeConfFile;
    private boolean permissiveUmask;
    private String javaOptions = "-Xmx512m";
    private Process process;
    private String host;
    private int port;

    /** A server in pseudo mode (embedded ZooKeeper on a free port) unless conf sets kyuubi.ha.addresses. */
    public KitsuneServer(Path dir) throws IOException {
        this(dir, true);
    }

    /** @param writeConfFile false to start without a kyuubi-defaults.conf (to test that case) */
    public KitsuneServer(Path dir, boolean writeConfFile) throws IOException {
        this.writeConfFile = writeConfFile;
        this.dir = dir;
        this.confDir = Files.createDirectories(dir.resolve("conf"));
        this.logDir = dir.resolve("logs");
        this.workDir = dir.resolve("work");
        this.bundlesDir = dir.resolve("bundles");
        conf.put("kyuubi.zookeeper.embedded.client.port", String.valueOf(FreePorts.next()));
        conf.put("kyuubi.frontend.thrift.binary.bind.host", "127.0.0.1");
        conf.put("kyuubi.frontend.thrift.binary.bind.port", "0");
        conf.put("kyuubi.frontend.rest.bind.port", "0");
        conf.put("kyuubi.metrics.prometheus.port", "0");
        conf.put("kitsune.metrics.prometheus.bind.host", "127.0.0.1");
        conf.put("kitsune.engine.spark.homes", "spark-4.0=engines/spark-4.0,spark-3.5=engines/spark-3.5");
        conf.put("kyuubi.session.engine.idle.timeout", "PT2M");
        conf.put("spark.driver.memory", "768m");
        // every test engine is the first of its work dir: recording a class-data archive would only slow it down
        conf.put("kitsune.engine.cds.enabled", "false");
        conf.put("spark.master", "local[2]");
        conf.put("spark.sql.shuffle.partitions", "2");
        // close() sends SIGTERM, which drains: a session a test left open must not hold the server for a minute
        conf.put("kitsune.server.stop.timeout", "PT10S");
    }

    public KitsuneServer set(String key, String value) {
        conf.put(key, value);
        return this;
    }

    /** Adds a JVM option for the server's JVM (KITSUNE_JAVA_OPTS), e.g. -Djava.security.krb5.conf=…. */
    public KitsuneServer javaOption(String option) {
        javaOptions = javaOptions + " " + option;
        return this;
    }

    /**
     * Starts the server under umask 000 (a copy of bin/kitsune whose only change is its umask line), to show that
     * Kitsune makes its files and directories owner-only itself rather than through the script's umask 077.
     */
    public KitsuneServer permissiveUmask() {
        this.permissiveUmask = true;
        return this;
    }

    public String zkPort() {
        return conf.get("kyuubi.zookeeper.embedded.client.port");
    }

    public String zkConnect() {
        String addresses = conf.get("kyuubi.ha.addresses");
        return addresses != null ? addresses : "127.0.0.1:" + zkPort();
    }

    public String namespace() {
        return conf.getOrDefault("kyuubi.ha.namespace", "kyuubi");
    }

    /** jdbc:hive2:// URL through ZooKeeper service discovery, as clients of Kyuubi write it. */
    public String zkUrl() {
        return "jdbc:hive2://" + zkConnect() + "/;serviceDiscoveryMode=zooKeeper;zooKeeperNamespace=" + namespace();
    }

    public String directUrl() {
        return "jdbc:hive2://" + host + ":" + port + "/";
    }

    public int port() {
        return port;
    }

    public Path logFile() {
        return logDir.resolve("kitsune.log");
    }

    public void writeConf() throws IOException {
        if (!writeConfFile) return;
        StringBuilder sb = new StringBuilder();
        conf.forEach((k, v) -> sb.append(k).append('=').append(v).append('\n'));
        Files.writeString(confDir.resolve("kyuubi-defaults.conf"), sb.toString());
    }

    /** Starts `bin/kitsune run` and waits until the JDBC port is announced. */
    public KitsuneServer start() throws Exception {
        launch();
        Matcher m = awaitLog(READY, Duration.ofSeconds(90));
        host = m.group(1);
        port = Integer.parseInt(m.group(2));
        // clients through ZooKeeper find the server only once it registered, just after the port accepts
        awaitLog(Pattern.compile("on ZooKeeper for Kitsune server uri: " + Pattern.quote(host + ":" + port)),
                Duration.ofSeconds(60));
        return this;
    }

    /** Starts the server expecting it to refuse to run; returns its exit code (the output is in {@link #tail()}). */
    public int startExpectingExit(Duration timeout) throws Exception {
        launch();
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            throw new AssertionError("Kitsune still runs after " + timeout + ":\n" + tail());
        }
        return process.exitValue();
    }

    /** The process's own output (console): what a user sees when it refuses to start. */
    public String console() throws IOException {
        Path console = dir.resolve("console.out");
        return Files.exists(console) ? Files.readString(console, StandardCharsets.UTF_8) : "";
    }

    /** Writes the conf file and the bundles directory, for a start through {@link #script} ("start"). */
    public void prepare() throws IOException {
        writeConf();
        copyShippedBundles();
    }

    /**
     * Starts `bin/kitsune run` and returns at once, without waiting for the ready line (a test that watches the start
     * itself, e.g. polls `bin/kitsune status` meanwhile).
     */
    public void launch() throws IOException {
        prepare();
        // a restart must not find the previous run's ready line
        Files.deleteIfExists(logFile());
        ProcessBuilder pb = new ProcessBuilder(script().toString(), "run")
                .redirectErrorStream(true).redirectOutput(dir.resolve("console.out").toFile());
        pb.environment().put("KITSUNE_HOME", HOME.toString());
        pb.environment().put("KITSUNE_CONF_DIR", confDir.toString());
        pb.environment().put("KITSUNE_LOG_DIR", logDir.toString());
        pb.environment().put("KITSUNE_PID_DIR", dir.resolve("pid").toString());
        pb.environment().put("KITSUNE_WORK_DIR", workDir.toString());
        pb.environment().put("KITSUNE_BUNDLES_DIR", bundlesDir.toString());
        pb.environment().put("KITSUNE_JAVA_OPTS", javaOptions);
        process = pb.start();
    }

    /** bin/kitsune, or its copy with umask 000 (see {@link #permissiveUmask()}). */
    private Path script() throws IOException {
        Path shipped = HOME.resolve("bin/kitsune");
        if (!permissiveUmask) return shipped;
        String text = Files.readString(shipped, StandardCharsets.UTF_8);
        if (!text.contains("\numask 077\n")) throw new IllegalStateException("bin/kitsune has no 'umask 077' line");
        Path copy = dir.resolve("kitsune-umask-000");
        Files.writeString(copy, text.replace("\numask 077\n", "\numask 000\n"), StandardCharsets.UTF_8);
        copy.toFile().setExecutable(true, true);
        return copy;
    }

    /** On the first start only: a restart must find the bundles directory as the test left it. */
    private void copyShippedBundles() throws IOException {
        if (Files.isDirectory(bundlesDir)) return;
        Files.createDirectories(bundlesDir);
        try (var jars = Files.list(HOME.resolve("lib/bundles"))) {
            for (Path jar : jars.filter(p -> p.toString().endsWith(".jar")).toList()) {
                Files.copy(jar, bundlesDir.resolve(jar.getFileName()));
            }
        }
    }

    /** Waits for a log line matching the pattern; fails with the log's tail if the server dies or time runs out. */
    public Matcher awaitLog(Pattern pattern, Duration timeout) throws Exception {
        AtomicReference<Matcher> found = new AtomicReference<>();
        try {
            await("log line /" + pattern + "/").atMost(timeout).pollDelay(Duration.ZERO)
                    .pollInterval(Duration.ofMillis(100)).until(() -> {
                        if (Files.exists(logFile())) {
                            Matcher m = pattern.matcher(Files.readString(logFile(), StandardCharsets.UTF_8));
                            if (m.find()) {
                                found.set(m);
                                return true;
                            }
                        }
                        if (process != null && !process.isAlive()) {
                            throw new AssertionError("Kitsune exited with " + process.exitValue()
                                    + " while waiting for /" + pattern + "/:\n" + tail());
                        }
                        return false;
                    });
        } catch (ConditionTimeoutException e) {
            throw new AssertionError("No log line /" + pattern + "/ within " + timeout + ":\n" + tail());
        }
        return found.get();
    }

    /** The Prometheus endpoint this server's metrics bundle announced last (a replaced bundle binds a new port). */
    public java.net.URI metricsEndpoint() throws Exception {
        awaitLog(METRICS_ENDPOINT, Duration.ofSeconds(30));
        Matcher m = METRICS_ENDPOINT.matcher(log());
        String last = null;
        while (m.find()) last = m.group(1);
        return java.net.URI.create(last);
    }

    /** One scrape of {@link #metricsEndpoint()}: the page, which must be a 200 in Prometheus' text format. */
    public String scrapeMetrics() throws Exception {
        java.net.http.HttpResponse<String> page = METRICS_HTTP.send(java.net.http.HttpRequest.newBuilder(
                metricsEndpoint()).timeout(Duration.ofSeconds(10)).build(),
                java.net.http.HttpResponse.BodyHandlers.ofString());
        if (page.statusCode() != 200
                || !page.headers().firstValue("Content-Type").orElse("").startsWith("text/plain; version=0.0.4")) {
            throw new AssertionError("The metrics endpoint answered " + page.statusCode() + " "
                    + page.headers().firstValue("Content-Type").orElse("") + ":\n" + page.body());
        }
        return page.body();
    }

    /** The value of one series (name and labels as written) on a Prometheus page; 0 when the page lacks it. */
    public static double metric(String page, String series) {
        Matcher m = Pattern.compile("(?m)^" + Pattern.quote(series) + " (\\S+)$").matcher(page);
        return m.find() ? Double.parseDouble(m.group(1)) : 0;
    }

    public String log() throws IOException {
        return Files.exists(logFile()) ? Files.readString(logFile(), StandardCharsets.UTF_8) : "";
    }

    public String tail() throws IOException {
        List<String> lines = new ArrayList<>();
        if (Files.exists(logFile())) lines.addAll(Files.readAllLines(logFile(), StandardCharsets.UTF_8));
        Path console = dir.resolve("console.out");
        if (Files.exists(console)) lines.addAll(Files.readAllLines(console, StandardCharsets.UTF_8));
        return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
    }

    public boolean isAlive() {
        return process != null && process.isAlive();
    }

    public Process process() {
        return process;
    }

    /** The server JVM (child of the bin/kitsune script), from its pid file. */
    public ProcessHandle jvm() throws IOException {
        Path pidFile = dir.resolve("pid").resolve("kitsune.pid");
        if (!Files.exists(pidFile)) throw new IllegalStateException("no pid file " + pidFile);
        long pid = Long.parseLong(Files.readString(pidFile).trim());
        return ProcessHandle.of(pid).orElseThrow(() -> new IllegalStateException("pid " + pid + " is gone"));
    }

    /** kill -9 of the server JVM, as a crash (its engines keep running). */
    public void kill9() throws Exception {
        ProcessHandle jvm = jvm();
        jvm.destroyForcibly();
        jvm.onExit().get(20, TimeUnit.SECONDS);
        if (process != null) process.waitFor(20, TimeUnit.SECONDS);
    }

    /** Sends SIGTERM to the server JVM (what bin/kitsune stop does) without waiting. */
    public void sigterm() throws IOException {
        jvm().destroy();
    }

    /** Runs bin/kitsune with this server's directories (e.g. "stop", "--now"); returns its exit code. */
    public int script(Duration timeout, String... args) throws Exception {
        List<String> cmd = new ArrayList<>();
        cmd.add(HOME.resolve("bin/kitsune").toString());
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("script.out").toFile()));
        pb.environment().put("KITSUNE_CONF_DIR", confDir.toString());
        pb.environment().put("KITSUNE_LOG_DIR", logDir.toString());
        pb.environment().put("KITSUNE_PID_DIR", dir.resolve("pid").toString());
        pb.environment().put("KITSUNE_WORK_DIR", workDir.toString());
        pb.environment().put("KITSUNE_BUNDLES_DIR", bundlesDir.toString());
        Process p = pb.start();
        if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("bin/kitsune " + String.join(" ", args) + " still runs after " + timeout);
        }
        return p.exitValue();
    }

    /** Waits until the server process has ended by itself; false if it still runs after the timeout. */
    public boolean awaitExit(Duration timeout) throws InterruptedException {
        return process == null || process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    /**
     * Waits until the log has not grown for {@code quiet} (so that what comes next is what the next step logged, not
     * the tail of an earlier one); fails after {@code timeout}.
     */
    public void awaitQuietLog(Duration quiet, Duration timeout) throws IOException {
        long[] last = {Files.exists(logFile()) ? Files.size(logFile()) : 0, System.nanoTime()};
        try {
            await().pollInterval(Duration.ofMillis(100)).atMost(timeout).until(() -> {
                long size = Files.exists(logFile()) ? Files.size(logFile()) : 0;
                if (size != last[0]) {
                    last[0] = size;
                    last[1] = System.nanoTime();
                    return false;
                }
                return System.nanoTime() - last[1] >= quiet.toNanos();
            });
        } catch (ConditionTimeoutException e) {
            throw new AssertionError("The log still grew after " + timeout + ":\n" + tail());
        }
    }

    /** How many lines of the log contain the text. */
    public long countLog(String text) throws IOException {
        if (!Files.exists(logFile())) return 0;
        return Files.readAllLines(logFile(), StandardCharsets.UTF_8).stream().filter(l -> l.contains(text)).count();
    }

    /** Stops the server (SIGTERM through its script, bounded) and kills every engine it launched. */
    @Override
    public void close() throws Exception {
        if (process != null && process.isAlive()) {
            process.destroy();
            if (!process.waitFor(60, TimeUnit.SECONDS)) {
                process.descendants().forEach(ProcessHandle::destroyForcibly);
                process.destroyForcibly();
            }
        }
        killEngines();
    }

    /** Engine processes run in their own session (setsid); find them by their work directory. */
    public void killEngines() throws Exception {
        String marker = workDir.toString();
        Processes.endAll(c -> c.contains(marker) && c.contains("SparkEngineMain"));
    }
}
