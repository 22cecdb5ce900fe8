package kitsune.engine.spark;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import org.apache.spark.sql.SparkSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import kitsune.api.engine.EngineConf;
import kitsune.api.conf.ConfigKeys;
import kitsune.api.engine.ShareLevel;
import kitsune.internal.threads.NamedThreads;

/**
 * The engine's life: start (SparkSession, Thrift listener, then the znode once the port serves), run until a
 * reason to stop (idle timeout without sessions, de-registration drained, the CONNECTION session closed,
 * SIGTERM), and stop in the order that keeps clients safe: leave ZooKeeper first, then the listener, the
 * sessions and finally Spark.
 */
final class SparkEngine {
    private static final Logger LOG = LoggerFactory.getLogger(SparkEngine.class);
    private static final Duration STOP_WAIT = Duration.ofSeconds(60);

    private final EngineSettings settings;
    private final CountDownLatch stopRequested = new CountDownLatch(1);
    private final CountDownLatch stopped = new CountDownLatch(1);
    private final AtomicBoolean stopping = new AtomicBoolean();
    private final ScheduledExecutorService scheduler = Executors.newScheduledThreadPool(2, daemon("kitsune-engine"));
    private volatile boolean draining;
    private volatile String stopReason = "requested";
    private SparkSession spark;
    private ThreadPoolExecutor statementPool;
    private EngineSessions sessions;
    private ThriftEndpoint endpoint;
    private EngineRegistration registration;

    private SparkEngine(EngineSettings settings) {
        this.settings = settings;
    }

    /** Runs an engine started directly with its properties file to its end; the process exit code. */
    static int run(Path propertiesFile) {
        EngineSettings settings;
        try {
            settings = EngineSettings.load(propertiesFile);
        } catch (Exception e) {
            LOG.error("Kitsune Spark engine: cannot read {}: {}", propertiesFile, SqlErrors.message(e));
            return 1;
        }
        return run(settings);
    }

    /** Runs an engine submitted through spark-submit (settings in the system properties) to its end. */
    static int runSubmitted() {
        EngineSettings settings;
        try {
            settings = EngineSettings.fromSubmission(System.getProperties());
        } catch (Exception e) {
            LOG.error("Kitsune Spark engine: invalid settings from the submission: {}", SqlErrors.message(e));
            return 1;
        }
        return run(settings);
    }

    private static int run(EngineSettings settings) {
        SparkEngine engine = new SparkEngine(settings);
        if (settings.ownWorkDir() && !holdWorkDirLock(settings.workDir())) return 3;
        Runtime.getRuntime().addShutdownHook(new Thread(() -> engine.stop("JVM shutdown (signal)"),
                "kitsune-engine-shutdown"));
        try {
            engine.start();
        } catch (Exception e) {
            LOG.error("Kitsune Spark engine: start failed: {}", SqlErrors.message(e), e);
            engine.stop("start failed");
            return 1;
        }
        try {
            engine.stopRequested.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        engine.stop(engine.stopReason);
        return 0;
    }

    /** Held until the JVM ends: the OS releases the lock with the process, however it ends. */
    private static FileChannel workDirLock;

    /**
     * Takes the work directory's lock ({@link EngineLaunchRequest#WORK_DIR_LOCK}) so that no second engine starts on
     * this engine's metastore while it runs, even while it is not registered in ZooKeeper. Retries briefly: a server
     * may be checking the lock at this very moment.
     */
    static boolean holdWorkDirLock(Path workDir) {
        Path file = workDir.resolve(EngineConf.WORK_DIR_LOCK);
        try {
            Files.createDirectories(workDir);
            FileChannel channel = FileChannel.open(file, java.util.Set.of(StandardOpenOption.CREATE,
                    StandardOpenOption.WRITE), java.nio.file.attribute.PosixFilePermissions.asFileAttribute(
                    java.nio.file.attribute.PosixFilePermissions.fromString("rw-------")));
            for (int attempt = 0; attempt < 20; attempt++) {
                if (channel.tryLock() != null) {
                    workDirLock = channel;
                    return true;
                }
                Thread.sleep(100);
            }
            channel.close();
            LOG.error("Kitsune Spark engine: another engine runs in {} (it holds {}); not starting a second one on "
                    + "the same metastore", workDir, EngineConf.WORK_DIR_LOCK);
            return false;
        } catch (IOException e) {
            LOG.error("Kitsune Spark engine: cannot lock {}: {}", file, e.toString());
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private void start() throws Exception {
        spark = SparkSessionFactory.create(settings);
        statementPool = StatementPool.create(settings.execPoolSize(), settings.execQueueSize(),
                daemon("kitsune-statement"));
        sessions = new EngineSessions(spark, this::sessionClosed, scheduler);
        JobProgress progress = new JobProgress();
        spark.sparkContext().addSparkListener(progress);
        EngineCliService service = new EngineCliService(sessions, statementPool, scheduler,
                settings.pollingTimeout(), spark.version(), () -> endpoint.currentConnection(),
                settings.resultMaxRows(), progress);
        String host = settings.advertisedHost();
        endpoint = new ThriftEndpoint(settings.bindHost(), host, settings.maxWorkerThreads(),
                settings.maxMessageSize(), settings.secret(), service,
                client -> sessions.connectionClosed(client.connectionId()));
        endpoint.start(10_000);
        int port = endpoint.port();
        LOG.info("Kitsune Spark engine: serving TCLIService (binary, {}) on {}:{} for user {}",
                settings.secret() != null ? "logins proving the engine secret" : "NOSASL, no login", host, port,
                settings.user());

        registration = new EngineRegistration(settings, scheduler, this::deregistered);
        String path = registration.register(host, port, spark.sparkContext().applicationId(), driverId());
        long sinceJvmStart = System.currentTimeMillis() - ManagementFactory.getRuntimeMXBean().getStartTime();
        LOG.info("Kitsune Spark engine: registered {} in ZooKeeper {} ({} ms after JVM start)", path,
                settings.zkAddresses(), sinceJvmStart);
        SparkSessionFactory.warmUp(spark, sessions::prepareAhead);

        DelegationTokenRefresh tokens = DelegationTokenRefresh.forEnvironment();
        if (tokens != null) scheduler.scheduleWithFixedDelay(tokens, 0, 5, TimeUnit.SECONDS);
        long period = Math.max(1_000, Math.min(10_000, settings.idleTimeout().toMillis() / 5));
        scheduler.scheduleWithFixedDelay(this::checkIdle, period, period, TimeUnit.MILLISECONDS);
        Duration sessionIdle = settings.sessionIdleTimeout();
        if (!sessionIdle.isZero()) {
            long every = Math.max(1_000, Math.min(60_000, sessionIdle.toMillis() / 5));
            scheduler.scheduleWithFixedDelay(() -> {
                try {
                    sessions.closeIdle(sessionIdle);
                } catch (RuntimeException e) {
                    LOG.warn("Closing idle sessions failed", e);
                }
            }, every, every, TimeUnit.MILLISECONDS);
        }
    }

    /**
     * The standalone cluster's id of this driver in cluster deploy mode: a worker runs each driver in a directory
     * named after it (work/driver-...), its working directory. Null elsewhere.
     */
    private String driverId() {
        if (!settings.master().startsWith("spark://") || !"cluster".equals(settings.deployMode())) return null;
        String dir = Path.of(System.getProperty("user.dir")).getFileName().toString();
        return dir.matches("driver-\\d{14}-\\d{4,}") ? dir : null;
    }

    /**
     * Past kyuubi.session.engine.spark.max.lifetime (counted from the JVM's start) and without a session: the engine
     * retires, de-registering and stopping, so the next session gets a new engine with the current settings. It does
     * not turn sessions away before: with its work directory locked while it runs, a successor could not start
     * beside it.
     */
    private void retireIfOld() {
        Duration max = settings.maxLifetime();
        if (max.isZero() || max.isNegative() || sessions.count() > 0 || draining) return;
        long age = System.currentTimeMillis() - ManagementFactory.getRuntimeMXBean().getStartTime();
        if (age < max.toMillis()) return;
        registration.deregister("it is older than " + ConfigKeys.ENGINE_MAX_LIFETIME.name() + "=" + max
                + " and has no session");
    }

    private void checkIdle() {
        retireIfOld();
        if (sessions.count() > 0) return;
        long idle = System.currentTimeMillis() - sessions.idleSinceMillis();
        if (idle >= settings.idleTimeout().toMillis()) {
            requestStop("idle for " + idle + " ms without sessions (kyuubi.session.engine.idle.timeout="
                    + settings.idleTimeout() + ")");
        }
    }

    private void sessionClosed(int remaining) {
        if (settings.shareLevel() == ShareLevel.CONNECTION) {
            requestStop("the session of this CONNECTION engine closed");
        } else if (!draining && remaining == 0) {
            retireIfOld();
        } else if (draining && remaining == 0) {
            requestStop("de-registered and the last session closed");
        } else if (draining) {
            LOG.info("Kitsune Spark engine: draining, {} session(s) still open", remaining);
        }
    }

    private void deregistered() {
        draining = true;
        sessions.stopAccepting();
        int open = sessions.count();
        if (open == 0) {
            requestStop("de-registered with no open session");
        } else {
            LOG.info("Kitsune Spark engine: draining, {} session(s) still open", open);
        }
    }

    private void requestStop(String reason) {
        if (stopRequested.getCount() == 0) return;
        stopReason = reason;
        stopRequested.countDown();
    }

    /** Idempotent; a second caller (e.g. the shutdown hook during a normal stop) waits for the first to finish. */
    private void stop(String reason) {
        if (!stopping.compareAndSet(false, true)) {
            try {
                stopped.await(STOP_WAIT.toMillis(), TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return;
        }
        LOG.info("Kitsune Spark engine: stopping: {}", reason);
        try {
            if (registration != null) registration.close();
            if (endpoint != null) endpoint.stop();
            if (sessions != null) sessions.closeAll();
            if (statementPool != null) statementPool.shutdownNow();
            scheduler.shutdownNow();
            if (spark != null) spark.stop();
            LOG.info("Kitsune Spark engine: stopped");
            if (registration != null && settings.shareLevel() == ShareLevel.CONNECTION && settings.ownWorkDir()) {
                // it served its one session: its metastore, warehouse, settings and log go with it (a failed start
                // keeps them, for the server to show the log)
                removeWorkDir(settings.workDir());
            }
        } catch (RuntimeException e) {
            LOG.warn("Kitsune Spark engine: error while stopping: {}", e.toString());
        } finally {
            stopped.countDown();
        }
    }

    /** Deletes the directory's tree; links are removed, never followed. */
    static void removeWorkDir(Path dir) {
        try (java.util.stream.Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.sorted(java.util.Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
        } catch (IOException | RuntimeException e) {
            LOG.warn("Kitsune Spark engine: cannot remove its work directory {}: {}", dir, e.toString());
        }
    }

    private static ThreadFactory daemon(String prefix) {
        return NamedThreads.daemon(prefix);
    }
}
