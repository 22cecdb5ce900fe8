package kitsune.engine.spark.impl;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Modified;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import kitsune.api.batch.Batch;
import kitsune.api.batch.BatchApplication;
import kitsune.api.batch.BatchLauncher;
import kitsune.api.batch.BatchSubmission;
import kitsune.api.conf.ConfigException;
import kitsune.api.conf.ConfigKeys;
import kitsune.api.conf.KitsuneConf;
import kitsune.api.engine.EngineConf;
import kitsune.api.engine.EngineException;
import kitsune.api.engine.EngineLaunch;
import kitsune.api.engine.EngineLaunchRequest;
import kitsune.api.engine.EngineProvider;
import kitsune.api.engine.EngineSpaceVersions;
import kitsune.api.engine.ShareLevel;
import kitsune.api.registry.EngineSpace;
import kitsune.api.registry.EngineZkIdentity;
import kitsune.api.registry.ServiceNode;

/**
 * Launches Kitsune Spark engines and owns them. With a local master an engine is a child JVM started directly (the
 * fastest start, with a class-data archive); with any other master it is submitted through Spark's own submission
 * (client or cluster deploy mode, for the session's user). Everything an engine is made of (home, jars, spark.*
 * defaults, Java) is read from the configuration in force at launch, so a change applies to the next engine without
 * touching running ones. Work directories, the lock that says an engine still runs in one, and ending engines are
 * this provider's business, not the session manager's.
 */
@Component(configurationPid = ConfigKeys.PID, configurationPolicy = ConfigurationPolicy.REQUIRE,
        service = {EngineProvider.class, BatchLauncher.class},
        property = {EngineProvider.ENGINE_TYPE + "=" + SparkEngineProvider.ENGINE_TYPE,
                BatchLauncher.BATCH_TYPE + "=" + SparkEngineProvider.BATCH_TYPE})
public class SparkEngineProvider implements EngineProvider, BatchLauncher {
    static final String ENGINE_TYPE = "SPARK_SQL";
    static final String BATCH_TYPE = "SPARK";
    static final String ENGINE_JAR = "lib/kitsune-spark-engine.jar";
    /** Kyuubi's prefix for environment variables of engine processes. */
    static final String ENGINE_ENV_PREFIX = "kyuubi.engineEnv.";
    static final String MASTER = "spark.master";
    static final String DEPLOY_MODE = "spark.submit.deployMode";
    static final String YARN_TAGS = "spark.yarn.tags";
    /** Keys of the server configuration an engine needs besides spark.*. */
    private static final List<String> ENGINE_KEYS = List.of(ConfigKeys.ENGINE_IDLE_TIMEOUT.name(),
            ConfigKeys.ENGINE_MAX_LIFETIME.name(),
            ConfigKeys.OPERATION_STATUS_POLLING_TIMEOUT.name(), ConfigKeys.ENGINE_BIND_HOST.name(),
            ConfigKeys.HA_ZK_SESSION_TIMEOUT.name(), ConfigKeys.HA_ZK_CONNECTION_TIMEOUT.name(),
            ConfigKeys.SESSION_IDLE_TIMEOUT.name(), ConfigKeys.ENGINE_EXEC_POOL_SIZE.name(),
            ConfigKeys.ENGINE_EXEC_QUEUE_SIZE.name(), ConfigKeys.OPERATION_RESULT_MAX_ROWS.name());
    // Never the servers' ZooKeeper identity (kyuubi.ha.zookeeper.auth.digest, .principal, .keytab, kyuubi.kinit.*):
    // an engine runs users' code, and gets the identity its server derived for its space (request.zkIdentity()).

    private static final Logger LOG = LoggerFactory.getLogger(SparkEngineProvider.class);

    private final JavaModuleFlags moduleFlags = new JavaModuleFlags();
    /** Content-named copies of the engine jar, per work directory. */
    private final java.util.concurrent.ConcurrentHashMap<Path, EngineJarCopies> jarCopies =
            new java.util.concurrent.ConcurrentHashMap<>();
    private volatile KitsuneConf serverConf = KitsuneConf.empty();
    private final SparkBatches batches = new SparkBatches(this);

    private final TokenRenewals renewals = new TokenRenewals(Clock.systemUTC());
    /** How a user's keytab is checked before an application is submitted with it: a login at the KDC. */
    final UserKeytab.Login keytabLogin = UserKeytab::kdcLogin;

    @Activate
    @Modified
    void configure(Map<String, Object> properties) {
        serverConf = KitsuneConf.fromProperties(properties);
    }

    @Deactivate
    void deactivate() {
        // running engines keep their last tokens; a new provider does not renew them (they are lost with the process)
        renewals.close();
    }

    @Override
    public String engineType() {
        return ENGINE_TYPE;
    }

    @Override
    public String engineSpaceVersion(KitsuneConf conf) throws EngineException {
        homes(conf).choose(conf); // refuses a home that is not listed
        return EngineSpaceVersions.spark(conf);
    }

    @Override
    public EngineLaunch launch(EngineLaunchRequest request) throws EngineException {
        KitsuneConf conf = request.conf();
        if (conf.get(ConfigKeys.ENGINE_SECURITY_ENABLED) && conf.get(ConfigKeys.ENGINE_SECRET).isEmpty()) {
            throw new EngineException(ConfigKeys.ENGINE_SECURITY_ENABLED.name() + "=true needs an engine secret: set "
                    + ConfigKeys.ENGINE_SECRET.name() + " (the same on every server of the namespace), or let the "
                    + "server generate one (see its log for why the secret file could not be used)");
        }
        EngineHomes.Home home = homes(conf).choose(conf);
        Path jars = EngineHomes.jarsDir(home);
        Path kitsuneHome = kitsuneHome(conf);
        Path engineJar = kitsuneHome.resolve(ENGINE_JAR);
        if (!Files.isRegularFile(engineJar)) {
            throw new EngineException("The engine jar " + engineJar + " does not exist (was the build run?)");
        }
        Path jarCopies = EngineWorkDirs.root(conf).resolve("engine-jars");
        Path runJar;
        try {
            // drivers on this host run from a copy named by its content: replacing lib/ must not pull the jar from
            // under a running engine
            runJar = this.jarCopies.computeIfAbsent(jarCopies, EngineJarCopies::new).copyOf(engineJar);
        } catch (IOException e) {
            throw new EngineException("Cannot copy the engine jar " + engineJar + " to " + jarCopies + ": "
                    + e.getMessage(), e);
        }
        List<String> extraJars = new ArrayList<>();
        for (String jar : conf.get(ConfigKeys.ENGINE_EXTRA_JARS)) {
            Path p = kitsuneHome.resolve(jar).normalize();
            if (!Files.exists(p)) {
                throw new EngineException("Extra engine jar " + p + " (" + ConfigKeys.ENGINE_EXTRA_JARS.name()
                        + ") does not exist");
            }
            extraJars.add(p.toString());
        }
        Path java = java(conf);
        Path workDir = EngineWorkDirs.create(conf, request.space());
        String refId = request.refId();
        Path log = workDir.resolve("kitsune-spark-engine-" + refId + ".log");
        Map<String, String> env = engineEnv(conf, home);
        try {
            EngineWorkDirs.ownerOnlyFile(log);
            Properties props = engineProperties(request, home);
            String master = props.getProperty(MASTER, "local[*]");
            // the user's own Kerberos identity (spark.kerberos.principal/keytab) instead of --proxy-user, as Kyuubi
            // decides it; a direct (local master) engine is not submitted, so it never gets one
            Optional<UserKeytab.Use> keytab = SparkSubmission.isLocal(master) ? Optional.empty()
                    : UserKeytab.decide(asMap(props), operatorSparkSettings(home, request.sessionUser()),
                            runAs(conf, request.space().routingUser(), true), conf,
                            "engine of " + request.space().path(), keytabLogin);
            if (SparkSubmission.isLocal(master) && UserKeytab.KEYS.stream().anyMatch(props::containsKey)) {
                LOG.info("Ignoring {}/{} for the engine of {}: an engine on a local master is not submitted through "
                        + "spark-submit (delegation tokens apply)", UserKeytab.PRINCIPAL, UserKeytab.KEYTAB,
                        request.space().path());
            }
            UserKeytab.apply(props, keytab);
            Map<String, String> settings = asMap(props);
            LogMask mask = LogMask.of(conf.asMap(), settings, UserKeytab.maskable(keytab));
            boolean connection = request.space().shareLevel() == ShareLevel.CONNECTION;
            if (SparkSubmission.isLocal(master)) {
                props.setProperty(EngineConf.WORK_DIR, workDir.toString());
                // on a Kerberized cluster: the user's delegation tokens, renewed while the engine runs
                String tokenUser = proxyUser(conf, request.space());
                List<String> fetchClassPath = new ArrayList<>();
                fetchClassPath.add(runJar.toString());
                fetchClassPath.addAll(EngineCommand.confDirs(env));
                fetchClassPath.add(jars.resolve("*").toString());
                TokenRenewals.Fetch fetch = () -> DelegationTokens.obtain(conf, tokenUser,
                        DelegationTokens.file(workDir, refId), java, fetchClassPath, env);
                Optional<DelegationTokens.Obtained> tokens = DelegationTokens.wanted(conf, tokenUser)
                        ? fetch.obtain() : Optional.empty();
                if (tokens.isPresent()) {
                    env.put(DelegationTokens.ENV, tokens.get().file().toString());
                    env.put("SPARK_USER", tokenUser);
                    LOG.info("Delegation tokens for {} in {}: {}", tokenUser, tokens.get().file(),
                            tokens.get().services());
                }
                Path file = workDir.resolve("engine-" + refId + ".properties");
                writeOwnerOnly(props, file, "Kitsune Spark engine for " + request.space().path() + " (home "
                        + home.name() + ")");
                List<String> cmd = new ArrayList<>(EngineCommand.build(java, moduleFlags.forJars(jars),
                        props.getProperty("spark.driver.memory", "1g"),
                        props.getProperty("spark.driver.extraJavaOptions", ""),
                        props.getProperty("spark.driver.extraClassPath", ""), runJar, extraJars, jars,
                        EngineCommand.confDirs(env), file));
                // a Hadoop client in Kerberos mode needs the realm even when it authenticates by tokens only: the
                // engine sees the server's Kerberos configuration (when the server was given one explicitly)
                String krb5 = System.getProperty("java.security.krb5.conf");
                if (tokens.isPresent() && krb5 != null) cmd.add(1, "-Djava.security.krb5.conf=" + krb5);
                if (conf.get(ConfigKeys.ENGINE_CDS_ENABLED)) {
                    ClassDataSharing cds = new ClassDataSharing(EngineWorkDirs.root(conf).resolve("cds"),
                            Clock.systemUTC());
                    List<String> identity = List.copyOf(cmd.subList(0, cmd.size() - 1));
                    // the JVM reports every class it cannot archive (Spark ships pre-Java-6 classes): keep the log
                    // readable
                    cds.optionFor(identity, refId).ifPresent(o -> cmd.addAll(1, List.of(o, "-Xlog:cds*=off")));
                }
                ProcessLaunch launch = start(cmd, workDir, log, env, request, "home " + home.name() + ", log " + log,
                        true, null, mask, connection);
                if (tokens.isPresent()) {
                    Path tokenFile = tokens.get().file();
                    launch.onExit(() -> TokenRenewals.remove(tokenFile));
                    renewals.follow("engine " + refId + " of " + tokenUser, tokens.get(), launch::alive, fetch,
                            conf.get(ConfigKeys.CREDENTIALS_RENEWAL_INTERVAL),
                            conf.get(ConfigKeys.CREDENTIALS_RENEWAL_RETRY_WAIT));
                }
                return launch;
            }
            String mode = SparkSubmission.deployMode(props.getProperty(DEPLOY_MODE));
            boolean cluster = SparkSubmission.CLUSTER.equals(mode);
            // a client-mode driver runs here and keeps its files (and its lock) in the work dir; a cluster-mode
            // driver works wherever the cluster puts it
            if (!cluster) props.setProperty(EngineConf.WORK_DIR, workDir.toString());
            if (master.equals("yarn")) {
                // found by its tag when the submission log does not name it; in cluster mode spark-submit leaves
                // once YARN accepted the application instead of staying on this host for the engine's lifetime
                String tags = props.getProperty(YARN_TAGS, "");
                props.setProperty(YARN_TAGS, (tags.isBlank() ? "" : tags + ",") + "KITSUNE," + refId);
                if (cluster) props.putIfAbsent("spark.yarn.submit.waitAppCompletion", "false");
            }
            // with the user's keytab spark-submit logs in as the user: no --proxy-user (Spark refuses both)
            String proxyUser = keytab.isPresent() ? null : proxyUser(conf, request.space());
            String sparkUser = keytab.map(UserKeytab.Use::user).orElse(proxyUser);
            // a cluster-mode driver fetches the jar where the cluster runs it: lib/'s path, as documented
            String appJar = conf.get(ConfigKeys.ENGINE_APPLICATION_JAR).isBlank()
                    ? (cluster ? engineJar : runJar).toString()
                    : conf.get(ConfigKeys.ENGINE_APPLICATION_JAR).trim();
            Path file = workDir.resolve("engine-" + refId + ".submit.properties");
            writeOwnerOnly(submittedProperties(props), file, "Kitsune Spark engine submission for "
                    + request.space().path() + " (home " + home.name() + ")");
            SparkSubmission submission = new SparkSubmission(master, mode, props.getProperty("spark.app.name"), file,
                    extraJars, proxyUser, appJar);
            Map<String, String> sparkConf = new LinkedHashMap<>();
            props.stringPropertyNames().forEach(k -> sparkConf.put(k, props.getProperty(k)));
            // the user Spark reports (sparkUser: the application's user on a standalone master) follows the proxy user;
            // a standalone cluster-mode driver gets it through the submission's environment
            if (sparkUser != null) env.put("SPARK_USER", sparkUser);
            List<String> cmd = submission.command(home.dir(), java, moduleFlags.forJars(jars), sparkConf, env);
            return start(cmd, workDir, log, env, request, master + " (" + mode + " mode"
                    + (proxyUser != null ? ", as " + proxyUser : "")
                    + (keytab.isPresent() ? ", as " + sparkUser + " with its own keytab" : "") + "), home "
                    + home.name() + ", log " + log,
                    !cluster, clusterApplications(master, cluster, java, jars, env, refId), mask,
                    connection && !cluster);
        } catch (IOException e) {
            throw new EngineException("Cannot prepare the engine's files in " + workDir + ": " + e.getMessage(), e);
        } catch (IllegalArgumentException e) {
            throw new EngineException(e.getMessage(), e);
        }
    }

    private ProcessLaunch start(List<String> command, Path workDir, Path log, Map<String, String> env,
            EngineLaunchRequest request, String description, boolean processIsDriver,
            ProcessLaunch.ClusterApplications cluster, LogMask mask, boolean removeWhenEnded)
            throws EngineException {
        List<String> cmd = new ArrayList<>(command);
        // A new session (setsid) keeps engines alive when the server's terminal sends SIGINT to its process group:
        // engines outlive the server by design.
        if (Files.isExecutable(Path.of("/usr/bin/setsid"))) cmd.add(0, "/usr/bin/setsid");
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(workDir.toFile()).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        pb.environment().putAll(env);
        LOG.info("Launching engine for {} in {}: {}", request.space().path(), workDir, String.join(" ", cmd));
        try {
            ProcessLaunch launch = new ProcessLaunch(pb.start(), log, description, processIsDriver, cluster, mask);
            // a CONNECTION engine's directory serves one session: nothing of it stays once its driver ended (the
            // engine removes it itself after a normal stop; this covers a crash or a failed start while we watch)
            if (removeWhenEnded) launch.removeWhenEnded(workDir);
            return launch;
        } catch (IOException e) {
            throw new EngineException("Cannot start the engine process (" + cmd.get(0) + "): " + e.getMessage(), e);
        }
    }

    /** A batch's application, submitted as engines are, from the same homes. */
    @Override
    public BatchApplication submit(BatchSubmission submission) throws EngineException {
        return batches.submit(submission);
    }

    @Override
    public Optional<BatchApplication> recover(Batch batch, KitsuneConf conf) {
        return batches.recover(batch, conf);
    }

    List<String> moduleFlags(Path jars) {
        return moduleFlags.forJars(jars);
    }

    @Override
    public boolean runsUnregistered(EngineSpace space, KitsuneConf conf) {
        // CONNECTION spaces belong to one session; cluster-mode drivers have no directory here and hold no lock
        return space.shareLevel() != ShareLevel.CONNECTION && EngineWorkDirs.locked(EngineWorkDirs.of(conf, space));
    }

    /**
     * GONE only for an engine whose driver ran on this host in the space's work directory and whose lock no process
     * holds any more: it ended while ZooKeeper kept its session (e.g. the machine restarted under a pseudo-mode
     * server, whose embedded ZooKeeper restores sessions and their nodes until they time out). A node of another
     * host, or of a cluster-mode driver, cannot be checked here.
     */
    @Override
    public Liveness liveness(EngineSpace space, ServiceNode node, KitsuneConf conf) {
        if (space.shareLevel() == ShareLevel.CONNECTION || !isThisMachine(node.host())
                || SparkSubmission.CLUSTER.equals(node.attributes().get(EngineConf.NODE_DEPLOY_MODE))) {
            return Liveness.UNKNOWN;
        }
        Path dir = EngineWorkDirs.of(conf, space);
        if (!Files.isDirectory(dir)) return Liveness.UNKNOWN;
        return EngineWorkDirs.locked(dir) ? Liveness.ALIVE : Liveness.GONE;
    }

    @Override
    public void terminate(ServiceNode node, KitsuneConf conf) throws EngineException {
        Map<String, String> attrs = node.attributes();
        String master = attrs.getOrDefault(EngineConf.NODE_MASTER, "");
        String appId = attrs.getOrDefault(EngineConf.NODE_APP_ID, "");
        String driverId = attrs.get(EngineConf.NODE_DRIVER_ID);
        boolean clusterMode = SparkSubmission.CLUSTER.equals(attrs.get(EngineConf.NODE_DEPLOY_MODE));
        EngineHomes.Home home = homes(conf).choose(conf);
        Map<String, String> env = engineEnv(conf, home);
        ProcessLaunch.ClusterApplications cluster = null;
        String id = null;
        if (master.equals("yarn") && YarnApplications.APPLICATION_ID.matcher(appId).matches()) {
            cluster = clusterApplications(master, clusterMode, java(conf), EngineHomes.jarsDir(home), env, "");
            id = appId;
        } else if (master.startsWith("spark://") && clusterMode && driverId != null
                && StandaloneDrivers.DRIVER_ID.matcher(driverId).matches()) {
            cluster = clusterApplications(master, true, java(conf), EngineHomes.jarsDir(home), env, "");
            id = driverId;
        }
        if (cluster != null) {
            Optional<String> failed = cluster.kill(id);
            if (failed.isPresent()) throw new EngineException("Cannot end engine " + node.hostPort() + ": "
                    + failed.get());
            LOG.info("Asked {} to end {} of engine {}", master, id, node.path());
            return;
        }
        String refId = node.refId();
        if (refId != null && !refId.matches("[0-9a-fA-F-]{8,64}")) {
            throw new EngineException("Cannot end engine " + node.path() + ": its refId '" + refId
                    + "' is not one a server gives");
        }
        if (refId == null || !isThisMachine(node.host())) {
            throw new EngineException("Cannot end engine " + node.hostPort() + " (" + node.path() + "): it runs on "
                    + "another host and its cluster application cannot be ended from here; its node was removed, so "
                    + "it stops after its last session");
        }
        // the engine's driver JVM on this host names its refId on its command line (properties file)
        List<ProcessHandle> drivers = ProcessHandle.allProcesses()
                .filter(p -> p.info().commandLine().map(c -> c.contains(EngineCommand.MAIN_CLASS)
                        && c.contains("engine-" + refId + ".")).orElse(false))
                .toList();
        if (drivers.isEmpty()) {
            throw new EngineException("No engine process of " + node.path() + " runs on this host");
        }
        drivers.forEach(ProcessHandle::destroy);
        LOG.info("Ended engine {} (pid {})", node.path(), drivers.stream().map(p -> String.valueOf(p.pid())).toList());
    }

    /**
     * What a cluster knows of a launch's application and how to end it: YARN through its ResourceManager (any deploy
     * mode), a standalone master's drivers (cluster mode); null where the process here is all there is to follow.
     */
    private ProcessLaunch.ClusterApplications clusterApplications(String master, boolean clusterMode, Path java,
            Path jars, Map<String, String> env, String refId) {
        if (master.equals("yarn")) {
            return YarnApplications.of(env).map(y -> y.forLaunch(refId)).orElse(null);
        }
        if (master.startsWith("spark://") && clusterMode) {
            return new StandaloneDrivers(java, moduleFlags.forJars(jars), jars, env, master);
        }
        return null;
    }

    /**
     * With kyuubi.engine.doAs.enabled, the user an engine on a cluster is submitted for: the space's routing user
     * (the session user, the group at GROUP level); none when that is the server's own user.
     */
    static String proxyUser(KitsuneConf conf, EngineSpace space) {
        if (!conf.get(ConfigKeys.ENGINE_DO_AS)) return null;
        String user = space.routingUser();
        return user.equals(System.getProperty("user.name")) ? null : user;
    }

    /**
     * The user an application runs as when no keytab of its own is used: the proxy user with doAs (for an engine the
     * space's routing user, even when that is the server's user), else the server's own user.
     */
    static String runAs(KitsuneConf conf, String user, boolean doAsApplies) {
        return conf.get(ConfigKeys.ENGINE_DO_AS) && doAsApplies ? user : System.getProperty("user.name");
    }

    /**
     * The spark.* settings as the operator gave them for this user (the home's spark-defaults.conf, the server's keys,
     * the user's ___user___ defaults): a session's own values are those that differ.
     */
    Map<String, String> operatorSparkSettings(EngineHomes.Home home, String user) throws IOException {
        Properties p = EngineHomes.sparkDefaults(home);
        serverConf.forUser(user).withPrefix("spark.").forEach(p::setProperty);
        return asMap(p);
    }

    static Map<String, String> asMap(Properties props) {
        Map<String, String> m = new LinkedHashMap<>();
        props.stringPropertyNames().forEach(k -> m.put(k, props.getProperty(k)));
        return m;
    }

    /** The engine's settings: the home's spark-defaults.conf, the server's spark.* keys over it, the engine keys. */
    private Properties engineProperties(EngineLaunchRequest request, EngineHomes.Home home) throws IOException {
        KitsuneConf conf = request.conf();
        // as spark-submit does: the home's conf/spark-defaults.conf first, Kitsune's spark.* keys over it
        Properties p = EngineHomes.sparkDefaults(home);
        conf.withPrefix("spark.").forEach(p::setProperty);
        for (String k : ENGINE_KEYS) {
            String v = conf.raw(k);
            if (v != null) p.setProperty(k, v);
        }
        // always explicit, so that an engine never falls back to a default of its own; the secret only to an engine
        // that will use it (this owner-only file is the one place it is written for the engine)
        boolean secured = conf.get(ConfigKeys.ENGINE_SECURITY_ENABLED);
        p.setProperty(ConfigKeys.ENGINE_SECURITY_ENABLED.name(), Boolean.toString(secured));
        if (secured) p.setProperty(ConfigKeys.ENGINE_SECRET.name(), conf.get(ConfigKeys.ENGINE_SECRET));
        p.setProperty(EngineConf.ZK_ADDRESSES, request.zkConnectString());
        // the engine's own ZooKeeper identity, only in this owner-only file: a digest derived for its space, the
        // engines' principal and the path of their keytab, the ACL of its node
        EngineZkIdentity zk = request.zkIdentity();
        if (zk.digest() != null) p.setProperty(EngineConf.ZK_ENGINE_DIGEST, zk.digest());
        if (zk.principal() != null) {
            p.setProperty(ConfigKeys.HA_ZK_ENGINE_AUTH_PRINCIPAL.name(), zk.principal());
            p.setProperty(ConfigKeys.HA_ZK_ENGINE_AUTH_KEYTAB.name(), zk.keytab());
        }
        if (!zk.nodeAcl().isEmpty()) p.setProperty(EngineConf.ZK_ENGINE_NODE_ACL, String.join(",", zk.nodeAcl()));
        p.setProperty(EngineConf.ENGINE_SPACE, request.space().path());
        p.setProperty(EngineConf.REF_ID, request.refId());
        p.setProperty(EngineConf.SPACE_VERSION, request.space().version());
        p.setProperty(EngineConf.SHARE_LEVEL, request.space().shareLevel().name());
        p.setProperty(EngineConf.USER, request.sessionUser());
        p.putIfAbsent("spark.app.name", request.space().defaultAppName(request.refId()));
        return p;
    }

    /**
     * spark-submit passes on spark.* keys only: the engine's own settings travel as
     * {@code spark.kitsune.engine.setting.<key>} and the engine reads them back from its Spark configuration.
     */
    static Properties submittedProperties(Properties engine) {
        Properties p = new Properties();
        for (String k : engine.stringPropertyNames()) {
            p.setProperty(k.startsWith("spark.") ? k : EngineConf.SUBMITTED_SETTING_PREFIX + k, engine.getProperty(k));
        }
        return p;
    }

    /**
     * Written readable by the server's user only: spark.* and the engine secret and ZooKeeper digest may hold
     * credentials.
     */
    private static void writeOwnerOnly(Properties p, Path file, String comment) throws IOException {
        Files.deleteIfExists(file);
        Files.createFile(file, PosixFilePermissions.asFileAttribute(EngineWorkDirs.OWNER_ONLY_FILE));
        try (OutputStream out = Files.newOutputStream(file)) {
            p.store(out, comment);
        }
    }

    /** kyuubi.engineEnv.* as environment variables of the engine (and submission) process, and SPARK_HOME. */
    static Map<String, String> engineEnv(KitsuneConf conf, EngineHomes.Home home) {
        Map<String, String> env = new LinkedHashMap<>();
        conf.withPrefix(ENGINE_ENV_PREFIX).forEach((k, v) -> env.put(k.substring(ENGINE_ENV_PREFIX.length()), v));
        env.put("SPARK_HOME", home.dir().toString());
        return env;
    }

    static Path java(KitsuneConf conf) {
        String javaHome = conf.get(ConfigKeys.ENGINE_JAVA_HOME);
        return Path.of(javaHome.isBlank() ? System.getProperty("java.home") : javaHome, "bin", "java");
    }

    static boolean isThisMachine(String host) {
        try {
            java.net.InetAddress address = java.net.InetAddress.getByName(host);
            return address.isLoopbackAddress() || address.isAnyLocalAddress()
                    || java.net.NetworkInterface.getByInetAddress(address) != null;
        } catch (IOException e) {
            return false;
        }
    }

    EngineHomes homes(KitsuneConf conf) throws EngineException {
        try {
            return EngineHomes.parse(conf.get(ConfigKeys.SPARK_HOMES), kitsuneHome(conf));
        } catch (ConfigException e) {
            throw new EngineException(e.getMessage(), e);
        }
    }

    private Path kitsuneHome(KitsuneConf conf) {
        String home = conf.raw(ConfigKeys.KITSUNE_HOME.name());
        if (home == null) home = serverConf.raw(ConfigKeys.KITSUNE_HOME.name());
        return Path.of(home == null ? "." : home).toAbsolutePath().normalize();
    }
}
