package kitsune.session.impl;

import java.io.IOException;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import kitsune.api.conf.ConfigKeys;
import kitsune.api.conf.KitsuneConf;
import kitsune.api.engine.EngineException;
import kitsune.api.engine.EngineLaunchRequest;
import kitsune.api.engine.EngineProcess;
import kitsune.api.engine.EngineProvider;
import kitsune.api.engine.ShareLevel;
import kitsune.api.registry.Discovery;
import kitsune.api.registry.DiscoveryException;
import kitsune.api.registry.EngineSpace;
import kitsune.api.registry.ServiceNode;
import kitsune.internal.start.StartGate;

/**
 * Finds the engine that serves a session, launching one when its engine space is empty (Kyuubi's
 * EngineRef.getOrCreate): look up the space; if empty, take the space's launch lock (so that no two servers launch
 * for one space), look again, launch, and wait for the new engine to register with the session's reference id.
 */
final class EngineLocator {
    private static final Logger LOG = LoggerFactory.getLogger(EngineLocator.class);
    static final int LOG_TAIL_LINES = 30;

    private final EngineServices services;
    private final ServerIdentity identity;
    private final Duration pollInterval;

    EngineLocator(EngineServices services, ServerIdentity identity, Duration pollInterval) {
        this.services = services;
        this.identity = identity;
        this.pollInterval = pollInterval;
    }

    /** The provider for the session's engine type, or the message every client gets while none is installed. */
    EngineProvider provider(KitsuneConf conf) throws EngineException {
        String type = conf.get(ConfigKeys.ENGINE_TYPE);
        EngineProvider provider = services.providerOnceStarted(type, StartGate.WAIT);
        if (provider == null) {
            throw new EngineException("No engine provider for " + type + " is installed; new sessions cannot start "
                    + "until one is (the server keeps serving open sessions)");
        }
        return provider;
    }

    /** The engine space of a session (see {@link EngineSpaces}); the provider names its version. */
    EngineSpace space(EngineProvider provider, KitsuneConf conf, String user, String refId) throws EngineException {
        return EngineSpaces.of(conf, user, refId, provider.engineSpaceVersion(conf), identity);
    }

    /** The engine to connect to: a registered one, or one launched now. */
    ServiceNode locate(EngineProvider provider, EngineSpace space, KitsuneConf conf, String user, String refId)
            throws EngineException, DiscoveryException {
        Discovery discovery = services.discovery();
        if (discovery == null) {
            throw new EngineException("ZooKeeper discovery is not available on this server; new sessions cannot "
                    + "find engines until it is");
        }
        Optional<ServiceNode> found = discovery.findEngine(space);
        if (found.isPresent()) return found.get();
        if (space.shareLevel() == ShareLevel.CONNECTION) {
            // A CONNECTION space belongs to this one session: nobody else can launch into it (Kyuubi takes no lock).
            return launch(discovery, provider, space, conf, user, refId);
        }
        Duration initTimeout = conf.get(ConfigKeys.ENGINE_INIT_TIMEOUT);
        Duration lockTimeout = Duration.ofMillis(initTimeout.toMillis() + initTimeout.toMillis() / 10);
        try {
            return discovery.withLock(space.lockPath(), lockTimeout, () -> {
                Optional<ServiceNode> again = discovery.findEngine(space);
                return again.isPresent() ? again.get() : launch(discovery, provider, space, conf, user, refId);
            });
        } catch (EngineException | DiscoveryException e) {
            throw e; // lock trouble arrives as a DiscoveryException naming the lock path
        } catch (Exception e) {
            throw new EngineException("Launching a " + space.engineType() + " engine in " + space.path()
                    + " failed: " + e, e);
        }
    }

    private ServiceNode launch(Discovery discovery, EngineProvider provider, EngineSpace space, KitsuneConf conf,
            String user, String refId) throws EngineException, DiscoveryException {
        Path workDir = workDir(conf, space, user, refId);
        if (WorkDirLock.held(workDir)) {
            Optional<ServiceNode> running = awaitRunningEngine(discovery, space, conf, workDir);
            if (running.isPresent()) return running.get();
        }
        EngineProcess process = provider.launch(new EngineLaunchRequest(space, refId, user, conf,
                discovery.connectString(), workDir));
        LOG.info("Launched {} engine for {} ({}), waiting for it to register", space.engineType(), space.path(),
                process.describe());
        Duration timeout = conf.get(ConfigKeys.ENGINE_INIT_TIMEOUT);
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            Optional<ServiceNode> node = discovery.findEngine(space, refId);
            if (node.isPresent()) {
                LOG.info("{} engine {} registered in {}", space.engineType(), node.get().hostPort(), space.path());
                return node.get();
            }
            if (!process.isAlive()) {
                node = discovery.findEngine(space, refId); // it may have registered just before it ended
                if (node.isPresent()) return node.get();
                String code = process.exitCode().isPresent() ? String.valueOf(process.exitCode().getAsInt())
                        : "unknown";
                throw new EngineException("Engine failed to start (exit code " + code + "). Last lines of its log "
                        + process.logFile() + ":\n" + process.logTail(LOG_TAIL_LINES));
            }
            if (System.nanoTime() - deadline >= 0) {
                process.destroy();
                throw new EngineException("Timeout(" + timeout.toMillis() + " ms, you can modify "
                        + ConfigKeys.ENGINE_INIT_TIMEOUT.name() + " to change it) to launch " + space.engineType()
                        + " engine with " + process.describe() + ". Last lines of its log " + process.logFile()
                        + ":\n" + process.logTail(LOG_TAIL_LINES));
            }
            sleep();
        }
    }

    /**
     * An engine still runs in the space's work directory but is not in ZooKeeper: it lost its ZooKeeper session (the
     * embedded ZooKeeper restarted with the server, an outage) and is about to register again. Waits for it rather
     * than start a second engine on the same metastore; empty if it ends meanwhile (then a new one may start).
     */
    private Optional<ServiceNode> awaitRunningEngine(Discovery discovery, EngineSpace space, KitsuneConf conf,
            Path workDir) throws EngineException, DiscoveryException {
        Duration timeout = conf.get(ConfigKeys.ENGINE_INIT_TIMEOUT);
        LOG.info("An engine still runs in {} but is not registered in {}; waiting up to {} for it to register",
                workDir, space.path(), timeout);
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() - deadline < 0) {
            Optional<ServiceNode> node = discovery.findEngine(space);
            if (node.isPresent()) {
                LOG.info("{} engine {} registered again in {}", space.engineType(), node.get().hostPort(),
                        space.path());
                return node;
            }
            if (!WorkDirLock.held(workDir)) return Optional.empty();
            sleep();
        }
        throw new EngineException("An engine still runs in " + workDir + " (it holds "
                + EngineLaunchRequest.WORK_DIR_LOCK + ") but has not registered in " + space.path()
                + " within " + timeout.toMillis() + " ms (" + ConfigKeys.ENGINE_INIT_TIMEOUT.name()
                + "); a second engine would share its metastore. Stop that engine process or try again later.");
    }

    /**
     * After a connection to a registered engine was refused: whether its node is stale, and if so deletes it. Stale
     * means the engine ran on this machine (in this space's work directory) and no process holds its work directory
     * lock any more, so it ended while ZooKeeper kept its session: e.g. the machine restarted under a pseudo-mode
     * server, whose embedded ZooKeeper restores sessions and their nodes until they time out. A refused connection
     * means nothing listens on the port (a busy engine would let the connection wait instead), and only a node of this
     * machine can be checked against the lock, so a live engine's node is never taken for a stale one.
     */
    boolean removeIfStale(EngineSpace space, ServiceNode node, KitsuneConf conf, String user, String refId)
            throws EngineException, DiscoveryException {
        Discovery discovery = services.discovery();
        if (discovery == null || space.shareLevel() == ShareLevel.CONNECTION || !isThisMachine(node.host())) {
            return false;
        }
        Path dir = workDir(conf, space, user, refId);
        if (WorkDirLock.held(dir)) return false;
        LOG.warn("Engine {} in {} refuses connections and no engine process holds {}: its node is stale (the engine "
                + "ended while its ZooKeeper session lived on); removing {}", node.hostPort(), space.path(),
                dir.resolve(EngineLaunchRequest.WORK_DIR_LOCK), node.path());
        discovery.delete(node.path());
        return true;
    }

    static boolean isThisMachine(String host) {
        try {
            InetAddress address = InetAddress.getByName(host);
            return address.isLoopbackAddress() || address.isAnyLocalAddress()
                    || NetworkInterface.getByInetAddress(address) != null;
        } catch (IOException e) {
            return false;
        }
    }

    private void sleep() throws EngineException {
        try {
            Thread.sleep(pollInterval.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new EngineException("Interrupted while waiting for the engine to register", e);
        }
    }

    /**
     * Shared engines keep one directory per engine space (routing user, share level, engine home, subdomain), so
     * that their tables survive engine restarts and two live engines never open the same Derby metastore; a
     * CONNECTION engine gets a directory of its own.
     */
    static Path workDir(KitsuneConf conf, EngineSpace space, String user, String refId) throws EngineException {
        Path engines = workRoot(conf).resolve("engines");
        Path dir = space.shareLevel() == ShareLevel.CONNECTION ? engines.resolve(user).resolve("conn-" + refId)
                : engines.resolve(space.routingUser())
                        .resolve(space.shareLevel() + "-" + space.version() + "-" + space.subdomain());
        try {
            return Files.createDirectories(dir);
        } catch (IOException e) {
            throw new EngineException("Cannot create the engine work directory " + dir + ": " + e, e);
        }
    }

    /** kitsune.work.dir (set by the config bundle from KITSUNE_WORK_DIR), else ./work. */
    static Path workRoot(KitsuneConf conf) {
        String dir = conf.raw("kitsune.work.dir");
        return Path.of(dir == null || dir.isBlank() ? "work" : dir).toAbsolutePath();
    }
}
