package kitsune.engine.spark.impl;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import kitsune.api.batch.Batch;
import kitsune.api.batch.BatchApplication;
import kitsune.api.batch.BatchState;
import kitsune.api.batch.BatchSubmission;
import kitsune.api.conf.ConfigKeys;
import kitsune.api.conf.KitsuneConf;
import kitsune.api.engine.EngineException;

/**
 * Batch applications through Spark's own submission ({@code org.apache.spark.deploy.SparkSubmit} on the engine home's
 * jars, or the home's {@code bin/spark-submit}), from the same engine homes as engines. Each batch has an owner-only
 * directory {@code <work dir>/batches/<batch id>} with its properties file, its log (the submission's output, and in
 * client deploy mode or with a local master the application's own) and, once the submission process ended, its exit
 * code, written by the shell that runs it: so that a server started after the one that submitted it (the process runs
 * in a session of its own and outlives its server) still learns how it ended.
 */
final class SparkBatches {
    private static final Logger LOG = LoggerFactory.getLogger(SparkBatches.class);
    static final Pattern BATCH_ID = Pattern.compile("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}");
    /** Application ids as Spark prints them: local mode, a standalone application or driver, YARN. */
    static final Pattern APP_ID = Pattern.compile(
            "\\b(local-\\d{10,}|app-\\d{14}-\\d{4,}|application_\\d+_\\d+|driver-\\d{14}-\\d{4,})\\b");
    static final Pattern APP_URL = Pattern.compile("started at (https?://\\S+)");
    static final String LOG_FILE = "batch.log";
    static final String EXIT_FILE = "exit-code";
    /** What spark-submit's standalone client logs once the master says its driver ended. */
    static final Pattern DRIVER_END = Pattern.compile(
            "State of driver " + StandaloneDrivers.DRIVER_ID.pattern() + " is (FINISHED|FAILED|ERROR|KILLED), exiting");
    private static final int TAIL_LINES = 30;
    private static final int ID_SCAN_BYTES = 1024 * 1024;

    private final SparkEngineProvider provider;

    SparkBatches(SparkEngineProvider provider) {
        this.provider = provider;
    }

    static Path dirOf(KitsuneConf conf, String batchId) {
        if (!BATCH_ID.matcher(batchId).matches()) {
            throw new IllegalArgumentException("Not a batch id a server gives: " + batchId);
        }
        return EngineWorkDirs.root(conf).resolve("batches").resolve(batchId);
    }

    BatchApplication submit(BatchSubmission s) throws EngineException {
        KitsuneConf conf = s.conf();
        Path dir;
        try {
            dir = dirOf(conf, s.batchId());
        } catch (IllegalArgumentException e) {
            throw new EngineException(e.getMessage(), e);
        }
        EngineHomes.Home home = provider.homes(conf).choose(conf);
        Path jars = EngineHomes.jarsDir(home);
        Path java = SparkEngineProvider.java(conf);
        Map<String, String> env = SparkEngineProvider.engineEnv(conf, home);
        try {
            EngineWorkDirs.ownerOnlyDirectories(EngineWorkDirs.root(conf), dir);
            EngineWorkDirs.ownerOnlyFile(dir.resolve(LOG_FILE));
            Properties props = settings(home, conf, s.batchConf());
            String master = props.getProperty(SparkEngineProvider.MASTER);
            String mode = deployMode(props);
            // the submission's exit code is the batch's end: in cluster mode spark-submit stays until the driver
            // ended (YARN's default; a standalone master's Client leaves at once unless told to wait)
            if (SparkSubmission.CLUSTER.equals(mode) && master.startsWith("spark://")) {
                props.setProperty("spark.standalone.submit.waitAppCompletion", "true");
            }
            if (SparkSubmission.CLUSTER.equals(mode) && master.equals("yarn")) {
                props.setProperty("spark.yarn.submit.waitAppCompletion", "true");
            }
            if (master.equals("yarn")) {
                // found by its tag as Kyuubi tags batches, should its id not appear in the log
                String tags = props.getProperty("spark.yarn.tags", "");
                props.setProperty("spark.yarn.tags", (tags.isBlank() ? "" : tags + ",") + s.batchId());
            }
            // the user's own Kerberos identity instead of --proxy-user, as for engines (spark-submit would otherwise
            // log in from whatever keytab the batch's settings name)
            Optional<UserKeytab.Use> keytab = UserKeytab.decide(SparkEngineProvider.asMap(props),
                    provider.operatorSparkSettings(home, s.user()), SparkEngineProvider.runAs(conf, s.user(), true),
                    conf, "batch " + s.batchId() + " of " + s.user(), provider.keytabLogin);
            UserKeytab.apply(props, keytab);
            String name = s.name() == null || s.name().isBlank() ? "Kitsune batch " + s.batchId() : s.name();
            props.setProperty("spark.app.name", name);
            Path propsFile = dir.resolve("batch.properties");
            Files.deleteIfExists(propsFile);
            Files.createFile(propsFile, PosixFilePermissions.asFileAttribute(EngineWorkDirs.OWNER_ONLY_FILE));
            try (OutputStream out = Files.newOutputStream(propsFile)) {
                props.store(out, "Kitsune batch " + s.batchId() + " of " + s.user() + " (home " + home.name() + ")");
            }
            String proxyUser = keytab.isEmpty() && conf.get(ConfigKeys.ENGINE_DO_AS) && !SparkSubmission.isLocal(master)
                    && !s.user().equals(System.getProperty("user.name")) ? s.user() : null;
            String sparkUser = keytab.map(UserKeytab.Use::user).orElse(proxyUser);
            if (sparkUser != null) env.put("SPARK_USER", sparkUser);
            SparkSubmission submission = new SparkSubmission(master, mode, name, propsFile, List.of(), proxyUser,
                    s.resource(), s.className(), s.args());
            Map<String, String> sparkConf = new LinkedHashMap<>();
            props.stringPropertyNames().forEach(k -> sparkConf.put(k, props.getProperty(k)));
            List<String> cmd = wrapped(dir, submission.command(home.dir(), java, provider.moduleFlags(jars),
                    sparkConf, env));
            LogMask mask = LogMask.of(conf.asMap(), sparkConf, UserKeytab.maskable(keytab));
            LOG.info("Submitting batch {} of {} ({} mode on {}, home {}): {}", s.batchId(), s.user(), mode, master,
                    home.name(), mask.apply(String.join(" ", cmd)));
            return start(dir, cmd, env, mask, driverOnCluster(s.batchId(), master, mode, java, jars, env),
                    yarnOf(master, env));
        } catch (IOException e) {
            throw new EngineException("Cannot submit batch " + s.batchId() + " from " + dir + ": " + e.getMessage(), e);
        } catch (IllegalArgumentException e) {
            throw new EngineException(e.getMessage(), e);
        }
    }

    /**
     * A batch's spark.* settings as spark-submit sees them: the home's spark-defaults.conf, the server's spark.* keys
     * over it, the batch's own over those; spark.master always set (local[*] when nothing names one).
     */
    static Properties settings(EngineHomes.Home home, KitsuneConf conf, Map<String, String> batchConf)
            throws IOException {
        Properties props = EngineHomes.sparkDefaults(home);
        conf.withPrefix("spark.").forEach(props::setProperty);
        batchConf.forEach((k, v) -> {
            if (k.startsWith("spark.")) props.setProperty(k, v);
        });
        props.setProperty(SparkEngineProvider.MASTER, props.getProperty(SparkEngineProvider.MASTER, "local[*]"));
        return props;
    }

    /** client or cluster; always client with a local master. */
    static String deployMode(Properties props) {
        String master = props.getProperty(SparkEngineProvider.MASTER, "local[*]");
        return SparkSubmission.isLocal(master) ? SparkSubmission.CLIENT
                : SparkSubmission.deployMode(props.getProperty(SparkEngineProvider.DEPLOY_MODE));
    }

    /**
     * The command run in a session of its own (setsid: it outlives the server) under a shell that records its exit
     * code where any later server finds it; the shell's arguments name the batch's directory, by which a later server
     * finds the process.
     */
    static List<String> wrapped(Path dir, List<String> command) {
        List<String> cmd = new ArrayList<>();
        if (Files.isExecutable(Path.of("/usr/bin/setsid"))) cmd.add("/usr/bin/setsid");
        cmd.addAll(List.of("/bin/sh", "-c", "\"$@\"; echo $? > \"$0.tmp\" && mv \"$0.tmp\" \"$0\"",
                dir.resolve(EXIT_FILE).toString()));
        cmd.addAll(command);
        return cmd;
    }

    /**
     * In cluster deploy mode, the cluster that runs the batch's driver: a kill must reach it there (ending the local
     * submission does not end a driver on a worker or an application master), and a standalone master's final word
     * on the driver is the batch's end; null where the driver is the process here.
     */
    private DriverOnCluster driverOnCluster(String batchId, String master, String mode, Path java, Path jars,
            Map<String, String> env) {
        if (!SparkSubmission.CLUSTER.equals(mode)) return null;
        if (master.startsWith("spark://")) {
            return new DriverOnCluster(StandaloneDrivers.DRIVER_ID,
                    new StandaloneDrivers(java, provider.moduleFlags(jars), jars, env, master), true);
        }
        if (master.equals("yarn")) {
            return YarnApplications.of(env).map(y -> new DriverOnCluster(YarnApplications.APPLICATION_ID,
                    y.forLaunch(batchId), false)).orElse(null);
        }
        return null;
    }

    /** The ResourceManager of a YARN batch (whichever the deploy mode), or null. */
    private static YarnApplications yarnOf(String master, Map<String, String> env) {
        if (!master.equals("yarn")) return null;
        Optional<YarnApplications> yarn = YarnApplications.of(env);
        if (yarn.isEmpty()) {
            LOG.warn("No yarn-site.xml with a ResourceManager address in YARN_CONF_DIR or HADOOP_CONF_DIR: a YARN "
                    + "batch's state comes from its submission's log only");
        }
        return yarn.orElse(null);
    }

    /**
     * The cluster that runs a cluster-mode batch's driver.
     *
     * @param ids        what the cluster calls the driver in the submission's log
     * @param cluster    how to end it there
     * @param standalone a standalone master: spark-submit leaves with 0 whatever the driver's end, which its last
     *                   "State of driver ... is ..." line tells
     */
    record DriverOnCluster(Pattern ids, ProcessLaunch.ClusterApplications cluster, boolean standalone) {
    }

    /** Starts the wrapped command in the batch's directory, its output appended to the batch's log. */
    static ProcessBatch start(Path dir, List<String> cmd, Map<String, String> env, LogMask mask) throws IOException {
        return start(dir, cmd, env, mask, null, null);
    }

    static ProcessBatch start(Path dir, List<String> cmd, Map<String, String> env, LogMask mask,
            DriverOnCluster driver, YarnApplications yarn) throws IOException {
        Files.deleteIfExists(dir.resolve(EXIT_FILE));
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve(LOG_FILE).toFile()));
        pb.environment().putAll(env);
        return new ProcessBatch(dir, pb.start().toHandle(), mask, driver, yarn);
    }

    /**
     * The application of a batch submitted from this host's work directory: its submission process, found by the
     * batch directory on its command line, or the exit code it left (neither: it reads ERROR, with its log's end).
     */
    Optional<BatchApplication> recover(Batch batch, KitsuneConf conf) {
        Path dir;
        try {
            dir = dirOf(conf, batch.id());
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
        if (!Files.isDirectory(dir)) return onAnotherHost(batch, conf, dir);
        Properties props = new Properties();
        DriverOnCluster driver = null;
        YarnApplications yarn = null;
        try {
            Path propsFile = dir.resolve("batch.properties");
            if (Files.isRegularFile(propsFile)) props = read(propsFile);
            String master = props.getProperty(SparkEngineProvider.MASTER, "local[*]");
            if (!SparkSubmission.isLocal(master)) {
                EngineHomes.Home home = provider.homes(conf).choose(conf);
                Map<String, String> env = SparkEngineProvider.engineEnv(conf, home);
                driver = driverOnCluster(batch.id(), master, deployMode(props), SparkEngineProvider.java(conf),
                        EngineHomes.jarsDir(home), env);
                yarn = yarnOf(master, env);
            }
        } catch (EngineException | IOException e) {
            LOG.warn("Cannot tell which cluster runs the driver of batch {} (a delete ends only its submission "
                    + "here): {}", batch.id(), e.getMessage());
        }
        String marker = dir.resolve(EXIT_FILE).toString();
        Optional<ProcessHandle> process = ProcessHandle.allProcesses()
                .filter(p -> p.info().commandLine().map(c -> c.contains(marker)).orElse(false))
                .filter(p -> p.parent().map(parent -> !parent.info().commandLine()
                        .map(c -> c.contains(marker)).orElse(false)).orElse(true))
                .findFirst();
        LogMask mask = LogMask.of(conf.asMap(), SparkEngineProvider.asMap(props));
        return Optional.of(new ProcessBatch(dir, process.orElse(null), mask, driver, yarn));
    }

    /**
     * A batch submitted on another host: only its cluster can say how it goes. YARN is asked whichever the deploy
     * mode (the ResourceManager knows the application's final status); a standalone master for a cluster-mode driver
     * (its web UI, on the server's own spark.master); empty otherwise (a client-mode driver died with its host).
     */
    private Optional<BatchApplication> onAnotherHost(Batch batch, KitsuneConf conf, Path dir) {
        if (batch.appId() != null && StandaloneDrivers.DRIVER_ID.matcher(batch.appId()).matches()) {
            return standaloneDriver(batch, conf, dir);
        }
        if (batch.appId() == null || !YarnApplications.APPLICATION_ID.matcher(batch.appId()).matches()) {
            return Optional.empty();
        }
        try {
            EngineHomes.Home home = provider.homes(conf).choose(conf);
            if (!settings(home, conf, batch.conf()).getProperty(SparkEngineProvider.MASTER).equals("yarn")) {
                return Optional.empty();
            }
            return YarnApplications.of(SparkEngineProvider.engineEnv(conf, home))
                    .map(y -> new YarnBatch(y, batch.appId(), dir));
        } catch (EngineException | IOException e) {
            LOG.warn("Cannot follow batch {} on its cluster: {}", batch.id(), e.getMessage());
            return Optional.empty();
        }
    }

    /**
     * A cluster-mode driver on the server's own standalone cluster, followed through its masters' web UIs and ended
     * through the master's RPC as a local one would be. The masters asked are the operator's (the server's spark.master
     * or kitsune.batch.standalone.master.webui.urls), never a URL a batch's own settings name.
     */
    private Optional<BatchApplication> standaloneDriver(Batch batch, KitsuneConf conf, Path dir) {
        try {
            EngineHomes.Home home = provider.homes(conf).choose(conf);
            String master = settings(home, conf, Map.of()).getProperty(SparkEngineProvider.MASTER);
            String batchMaster = settings(home, conf, batch.conf()).getProperty(SparkEngineProvider.MASTER);
            if (!master.startsWith("spark://") || !master.equals(batchMaster)) return Optional.empty();
            Map<String, String> env = SparkEngineProvider.engineEnv(conf, home);
            Path jars = EngineHomes.jarsDir(home);
            StandaloneDrivers drivers = new StandaloneDrivers(SparkEngineProvider.java(conf), provider.moduleFlags(jars),
                    jars, env, master);
            StandaloneMasters masters = StandaloneMasters.of(master, conf.get(ConfigKeys.STANDALONE_MASTER_WEBUI_URLS));
            return Optional.of(new StandaloneBatch(masters, drivers, batch.appId(), dir));
        } catch (EngineException | IOException e) {
            LOG.warn("Cannot follow batch {} on its cluster: {}", batch.id(), e.getMessage());
            return Optional.empty();
        }
    }

    /**
     * A standalone cluster-mode batch submitted from another host, followed through the master: the driver's state
     * there is the batch's; its local log stayed on that host.
     */
    static final class StandaloneBatch implements BatchApplication {
        private final StandaloneMasters masters;
        private final StandaloneDrivers drivers;
        private final String driverId;
        private final Path dir;

        StandaloneBatch(StandaloneMasters masters, StandaloneDrivers drivers, String driverId, Path dir) {
            this.masters = masters;
            this.drivers = drivers;
            this.driverId = driverId;
            this.dir = dir;
        }

        @Override
        public Status status() {
            Optional<StandaloneMasters.Driver> driver;
            try {
                driver = masters.driver(driverId);
            } catch (IOException e) {
                return new Status(BatchState.RUNNING, driverId, null, "UNKNOWN", "The standalone master does not "
                        + "answer now: " + e.getMessage());
            }
            if (driver.isEmpty()) {
                return new Status(BatchState.ERROR, driverId, null, "NOT_FOUND", "The standalone master does not "
                        + "know the driver " + driverId + " (any more)");
            }
            return statusOf(driver.get());
        }

        static Status statusOf(StandaloneMasters.Driver d) {
            return switch (d.state()) {
                case "SUBMITTED", "RELAUNCHING" -> new Status(BatchState.PENDING, d.id(), null, d.state(), null);
                case "RUNNING" -> new Status(BatchState.RUNNING, d.id(), null, d.state(), null);
                case "FINISHED" -> new Status(BatchState.FINISHED, d.id(), null, d.state(), null);
                default -> new Status(BatchState.ERROR, d.id(), null, d.state(), "The standalone driver " + d.id()
                        + " ended " + d.state() + (d.worker().isEmpty() ? "" : " (worker " + d.worker() + ")"));
            };
        }

        @Override
        public void kill() {
            drivers.kill(driverId).ifPresent(why -> LOG.warn("Cannot end standalone driver {}: {}", driverId, why));
        }

        @Override
        public Path localLog() {
            return dir.resolve(LOG_FILE);
        }
    }

    private static Properties read(Path file) throws IOException {
        Properties p = new Properties();
        try (InputStream in = Files.newInputStream(file)) {
            p.load(in);
        }
        return p;
    }

    /**
     * A YARN batch submitted from another host, followed through the ResourceManager: its state, final status and
     * diagnostics are the batch's; its local log stayed on that host.
     */
    static final class YarnBatch implements BatchApplication {
        private final YarnApplications yarn;
        private final String appId;
        private final Path dir;

        YarnBatch(YarnApplications yarn, String appId, Path dir) {
            this.yarn = yarn;
            this.appId = appId;
            this.dir = dir;
        }

        @Override
        public Status status() {
            Optional<YarnApplications.App> app;
            try {
                app = yarn.app(appId);
            } catch (IOException e) {
                return new Status(BatchState.RUNNING, appId, null, "UNKNOWN", "The ResourceManager does not answer "
                        + "now: " + e.getMessage());
            }
            if (app.isEmpty()) {
                return new Status(BatchState.ERROR, appId, null, "NOT_FOUND", "The ResourceManager does not know the "
                        + "application " + appId + " (any more)");
            }
            return statusOf(app.get());
        }

        static Status statusOf(YarnApplications.App a) {
            String appState = a.state() + " (" + a.finalStatus() + ")";
            if (!a.ended()) {
                BatchState state = a.state().equals("RUNNING") ? BatchState.RUNNING : BatchState.PENDING;
                return new Status(state, a.id(), null, appState, null);
            }
            if (a.state().equals("FINISHED") && a.finalStatus().equals("SUCCEEDED")) {
                return new Status(BatchState.FINISHED, a.id(), null, appState, null);
            }
            return new Status(BatchState.ERROR, a.id(), null, appState, "The YARN application " + a.id() + " ended "
                    + appState + (a.diagnostics().isBlank() ? "" : ": " + a.diagnostics()));
        }

        @Override
        public void kill() {
            yarn.kill(appId).ifPresent(why -> LOG.warn("Cannot kill YARN application {}: {}", appId, why));
        }

        @Override
        public Path localLog() {
            return dir.resolve(LOG_FILE);
        }
    }

    /** A batch followed through its submission process (or, once it ended, the exit code it left). */
    static final class ProcessBatch implements BatchApplication {
        private final Path dir;
        private final ProcessHandle process;
        private final LogMask mask;
        private final DriverOnCluster driver;
        private final YarnApplications yarn;
        private boolean yarnSaidRunning;
        private volatile String appId;
        private volatile String appUrl;
        private volatile boolean killed;
        private int scansAfterId;
        private boolean headScanned;

        /**
         * @param process null when the process had ended before this server looked
         * @param driver  the cluster that runs the driver (cluster deploy mode), or null
         * @param yarn    the ResourceManager of a YARN batch, asked whether its application runs yet, or null
         */
        ProcessBatch(Path dir, ProcessHandle process, LogMask mask, DriverOnCluster driver, YarnApplications yarn) {
            this.dir = dir;
            this.process = process;
            this.mask = mask;
            this.driver = driver;
            this.yarn = yarn;
        }

        @Override
        public Status status() {
            scanLog();
            Optional<Integer> code = exitCode();
            if (code.isPresent()) return ended(code.get());
            if (process != null && process.isAlive()) {
                if (appId != null && yarn != null && !yarnSaidRunning
                        && YarnApplications.APPLICATION_ID.matcher(appId).matches()) {
                    // YARN names the application when it accepts it: it runs once the ResourceManager says so. Asked
                    // only until then (or until it fails to answer once): status() stays cheap for running batches
                    try {
                        Optional<YarnApplications.App> app = yarn.app(appId);
                        if (app.isEmpty()) {
                            // the id is in the log before the submission reaches the ResourceManager
                            return new Status(BatchState.PENDING, appId, appUrl, "SUBMITTING", null);
                        }
                        if (!app.get().ended()) {
                            Status yarnSays = YarnBatch.statusOf(app.get());
                            yarnSaidRunning = yarnSays.state() == BatchState.RUNNING;
                            return new Status(yarnSays.state(), appId, appUrl, yarnSays.appState(), null);
                        }
                    } catch (IOException e) {
                        // the ResourceManager does not answer: the submission's word stands from now on
                        LOG.warn("Cannot ask the ResourceManager about {} of batch {}: {}", appId, dir.getFileName(),
                                e.getMessage());
                        yarnSaidRunning = true;
                    }
                }
                return new Status(appId == null ? BatchState.PENDING : BatchState.RUNNING, appId, appUrl,
                        appId == null ? "SUBMITTED" : "RUNNING", null);
            }
            // the shell moves the exit code into place before it ends, perhaps just after the first look: a look
            // now that the process is gone is the last word
            code = exitCode();
            if (code.isPresent()) return ended(code.get());
            return new Status(BatchState.ERROR, appId, appUrl, killed ? "KILLED" : "LOST",
                    "The application's process ended without leaving its exit code in " + dir.resolve(EXIT_FILE)
                            + " (killed, or its machine restarted). Last lines of its log:\n"
                            + mask.apply(ProcessLaunch.tail(localLog(), TAIL_LINES)));
        }

        private Status ended(int c) {
            if (c == 0 && driver != null && driver.standalone()) {
                // spark-submit leaves a standalone master with 0 however the driver ended: its last report says
                Matcher m = DRIVER_END.matcher(ProcessLaunch.tail(localLog(), TAIL_LINES));
                String state = null;
                String driverId = null;
                while (m.find()) {
                    driverId = m.group(1);
                    state = m.group(2);
                }
                if (state != null && !state.equals("FINISHED")) {
                    return new Status(BatchState.ERROR, appId, appUrl, state, "The driver " + driverId
                            + " ended " + state + " on the cluster (its own log is on the worker that ran it). Last "
                            + "lines of the submission's log:\n"
                            + mask.apply(ProcessLaunch.tail(localLog(), TAIL_LINES)));
                }
                if (state != null) return new Status(BatchState.FINISHED, appId, appUrl, state, null);
            }
            if (c == 0) return new Status(BatchState.FINISHED, appId, appUrl, "FINISHED (exit code 0)", null);
            return new Status(BatchState.ERROR, appId, appUrl, "FAILED (exit code " + c + ")",
                    "The application failed (spark-submit exit code " + c + "). Last lines of its log:\n"
                            + mask.apply(ProcessLaunch.tail(localLog(), TAIL_LINES)));
        }

        private Optional<Integer> exitCode() {
            Path file = dir.resolve(EXIT_FILE);
            try {
                if (!Files.isRegularFile(file)) return Optional.empty();
                return Optional.of(Integer.parseInt(Files.readString(file, StandardCharsets.US_ASCII).trim()));
            } catch (IOException | NumberFormatException e) {
                return Optional.empty();
            }
        }

        /**
         * The application id and UI address, from the first MiB of the log, until both are found, or for a few more
         * checks once the id is (an application without a UI has no address), or until the log outgrew the MiB.
         */
        private void scanLog() {
            if (appId != null && (appUrl != null || ++scansAfterId > 20)) return;
            if (headScanned) return;
            try (InputStream in = Files.newInputStream(localLog())) {
                byte[] bytes = in.readNBytes(ID_SCAN_BYTES);
                headScanned = bytes.length >= ID_SCAN_BYTES;
                String head = new String(bytes, StandardCharsets.UTF_8);
                if (appId == null) {
                    Matcher m = APP_ID.matcher(head);
                    if (m.find()) appId = m.group(1);
                }
                if (appUrl == null) {
                    Matcher m = APP_URL.matcher(head);
                    if (m.find()) appUrl = m.group(1);
                }
            } catch (IOException e) {
                // not written yet
            }
        }

        @Override
        public void kill() {
            killed = true;
            scanLog();
            String id = appId;
            if (driver != null && id != null && driver.ids().matcher(id).matches()) {
                // the driver runs on the cluster: ending the submission here would leave it running
                driver.cluster().kill(id).ifPresentOrElse(
                        why -> LOG.warn("Cannot end the driver {} of batch {} on its cluster: {}", id,
                                dir.getFileName(), why),
                        () -> LOG.info("Ended the driver {} of batch {} on its cluster", id, dir.getFileName()));
            }
            if (process == null) return;
            List<ProcessHandle> all = new ArrayList<>();
            all.add(process);
            process.descendants().forEach(all::add);
            // the shell first, so that it records no exit code of its own
            all.forEach(ProcessHandle::destroyForcibly);
            for (ProcessHandle p : all) {
                try {
                    p.onExit().get(10, TimeUnit.SECONDS);
                } catch (Exception e) {
                    LOG.warn("Process {} of batch {} did not end within 10 s of a kill", p.pid(), dir.getFileName());
                }
            }
        }

        @Override
        public Path localLog() {
            return dir.resolve(LOG_FILE);
        }
    }
}
