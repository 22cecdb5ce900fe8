package kitsune.engine.spark.impl;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Modified;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import kitsune.api.conf.ConfigException;
import kitsune.api.conf.ConfigKeys;
import kitsune.api.conf.KitsuneConf;
import kitsune.api.engine.EngineConf;
import kitsune.api.engine.EngineException;
import kitsune.api.engine.EngineLaunchRequest;
import kitsune.api.engine.EngineProcess;
import kitsune.api.engine.EngineProvider;

/**
 * Launches Kitsune Spark engines as child JVMs. Everything an engine is made of (home, jars, spark.* defaults, Java)
 * is read from the configuration in force at launch, so a configuration change applies to the next engine without
 * touching running ones.
 */
@Component(configurationPid = ConfigKeys.PID, configurationPolicy = ConfigurationPolicy.REQUIRE,
        property = EngineProvider.ENGINE_TYPE + "=" + SparkEngineProvider.ENGINE_TYPE)
public class SparkEngineProvider implements EngineProvider {
    static final String ENGINE_TYPE = "SPARK_SQL";
    /** Version of the server-engine protocol; bumped only when an old engine could not serve a new server. */
    static final String ENGINE_PROTOCOL = "1";
    static final String ENGINE_JAR = "lib/kitsune-spark-engine.jar";
    /** Kyuubi's prefix for environment variables of engine processes. */
    static final String ENGINE_ENV_PREFIX = "kyuubi.engineEnv.";
    /** Keys of the server configuration an engine needs besides spark.*. */
    private static final List<String> ENGINE_KEYS = List.of(ConfigKeys.ENGINE_IDLE_TIMEOUT.name(),
            ConfigKeys.OPERATION_STATUS_POLLING_TIMEOUT.name(), ConfigKeys.ENGINE_BIND_HOST.name(),
            ConfigKeys.HA_ZK_SESSION_TIMEOUT.name(), ConfigKeys.HA_ZK_CONNECTION_TIMEOUT.name(),
            ConfigKeys.ENGINE_SECURITY_ENABLED.name(), ConfigKeys.ENGINE_SECRET.name());

    private static final Logger LOG = LoggerFactory.getLogger(SparkEngineProvider.class);

    private final JavaModuleFlags moduleFlags = new JavaModuleFlags();
    private volatile KitsuneConf serverConf = KitsuneConf.empty();

    @Activate
    @Modified
    void configure(Map<String, Object> properties) {
        serverConf = KitsuneConf.fromProperties(properties);
    }

    @Override
    public String engineType() {
        return ENGINE_TYPE;
    }

    @Override
    public String engineSpaceVersion(KitsuneConf conf) throws EngineException {
        return ENGINE_PROTOCOL + "-" + homes(conf).choose(conf).name();
    }

    @Override
    public EngineProcess launch(EngineLaunchRequest request) throws EngineException {
        KitsuneConf conf = request.conf();
        if (conf.get(ConfigKeys.ENGINE_SECURITY_ENABLED) && conf.get(ConfigKeys.ENGINE_SECRET).isEmpty()) {
            throw new EngineException(ConfigKeys.ENGINE_SECURITY_ENABLED.name() + "=true needs "
                    + ConfigKeys.ENGINE_SECRET.name() + " (the same on every server of the namespace)");
        }
        EngineHomes.Home home = homes(conf).choose(conf);
        Path jars = EngineHomes.jarsDir(home);
        Path kitsuneHome = kitsuneHome(conf);
        Path engineJar = kitsuneHome.resolve(ENGINE_JAR);
        if (!Files.isRegularFile(engineJar)) {
            throw new EngineException("The engine jar " + engineJar + " does not exist (was the build run?)");
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
        String javaHome = conf.get(ConfigKeys.ENGINE_JAVA_HOME);
        Path java = Path.of(javaHome.isBlank() ? System.getProperty("java.home") : javaHome, "bin", "java");

        Path workDir = request.workDir();
        String refId = request.refId();
        Path props = workDir.resolve("engine-" + refId + ".properties");
        Path log = workDir.resolve("kitsune-spark-engine-" + refId + ".log");
        List<String> cmd;
        try {
            Files.createDirectories(workDir);
            writeEngineProperties(request, home, props);
            cmd = new ArrayList<>(EngineCommand.build(java, moduleFlags.forJars(jars),
                    conf.asMap().getOrDefault("spark.driver.memory", "1g"), engineJar, extraJars, jars, props));
            if (conf.get(ConfigKeys.ENGINE_CDS_ENABLED)) {
                ClassDataSharing cds = new ClassDataSharing(workRoot(conf).resolve("cds"), Clock.systemUTC());
                List<String> identity = List.copyOf(cmd.subList(0, cmd.size() - 1));
                // the JVM reports every class it cannot archive (Spark ships pre-Java-6 classes): keep the log readable
                cds.optionFor(identity, refId).ifPresent(option -> cmd.addAll(1, List.of(option, "-Xlog:cds*=off")));
            }
        } catch (IOException e) {
            throw new EngineException("Cannot prepare the engine's files in " + workDir + ": " + e.getMessage(), e);
        } catch (IllegalArgumentException e) {
            throw new EngineException(e.getMessage(), e);
        }
        // A new session (setsid) keeps engines alive when the server's terminal sends SIGINT to its process group:
        // engines outlive the server by design.
        if (Files.isExecutable(Path.of("/usr/bin/setsid"))) cmd.add(0, "/usr/bin/setsid");
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(workDir.toFile()).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        conf.withPrefix(ENGINE_ENV_PREFIX).forEach((k, v) -> pb.environment().put(k.substring(ENGINE_ENV_PREFIX.length()), v));
        pb.environment().put("SPARK_HOME", home.dir().toString());
        LOG.info("Launching engine for {} in {} (home {}): {}", request.space().path(), workDir, home.name(),
                String.join(" ", cmd));
        try {
            Process p = pb.start();
            return new LocalEngineProcess(p, log, "home " + home.name() + ", log " + log);
        } catch (IOException e) {
            throw new EngineException("Cannot start the engine process (" + java + "): " + e.getMessage(), e);
        }
    }

    private void writeEngineProperties(EngineLaunchRequest request, EngineHomes.Home home, Path file)
            throws IOException {
        KitsuneConf conf = request.conf();
        // as spark-submit does: the home's conf/spark-defaults.conf first, Kitsune's spark.* keys over it
        Properties p = EngineHomes.sparkDefaults(home);
        conf.withPrefix("spark.").forEach(p::setProperty);
        for (String k : ENGINE_KEYS) {
            String v = conf.raw(k);
            if (v != null) p.setProperty(k, v);
        }
        p.setProperty(EngineConf.ZK_ADDRESSES, request.zkConnectString());
        p.setProperty(EngineConf.ENGINE_SPACE, request.space().path());
        p.setProperty(EngineConf.REF_ID, request.refId());
        p.setProperty(EngineConf.SPACE_VERSION, request.space().version());
        p.setProperty(EngineConf.SHARE_LEVEL, request.space().shareLevel().name());
        p.setProperty(EngineConf.USER, request.sessionUser());
        p.setProperty(EngineConf.WORK_DIR, request.workDir().toString());
        p.putIfAbsent("spark.app.name", request.space().defaultAppName(request.refId()));
        Files.deleteIfExists(file);
        // spark.* may hold credentials: readable by the server's user only.
        Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        try (OutputStream out = Files.newOutputStream(file)) {
            p.store(out, "Kitsune Spark engine for " + request.space().path() + " (home " + home.name() + ")");
        }
    }

    private EngineHomes homes(KitsuneConf conf) throws EngineException {
        try {
            return EngineHomes.parse(conf.get(ConfigKeys.SPARK_HOMES), kitsuneHome(conf));
        } catch (ConfigException e) {
            throw new EngineException(e.getMessage(), e);
        }
    }

    private Path workRoot(KitsuneConf conf) {
        String work = conf.raw(ConfigKeys.WORK_DIR.name());
        return work == null ? kitsuneHome(conf).resolve("work") : Path.of(work).toAbsolutePath().normalize();
    }

    private Path kitsuneHome(KitsuneConf conf) {
        String home = conf.raw(ConfigKeys.KITSUNE_HOME.name());
        if (home == null) home = serverConf.raw(ConfigKeys.KITSUNE_HOME.name());
        return Path.of(home == null ? "." : home).toAbsolutePath().normalize();
    }
}
