package kitsune.session.impl;

import java.time.Duration;
import java.util.Map;
import java.util.Optional;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import kitsune.api.conf.ConfigKeys;
import kitsune.api.conf.KitsuneConf;
import kitsune.api.engine.EngineException;
import kitsune.api.engine.EngineLaunchRequest;
import kitsune.api.engine.EngineLaunch;
import kitsune.api.engine.EngineProvider;
import kitsune.api.engine.ShareLevel;
import kitsune.api.metrics.ServerMetrics;
import kitsune.api.registry.Discovery;
import kitsune.api.registry.DiscoveryException;
import kitsune.api.registry.EngineSpace;
import kitsune.api.registry.EngineZkIdentity;
import kitsune.api.registry.ServiceNode;
import kitsune.internal.start.StartGate;
import kitsune.thrift.EngineChallenge;
import kitsune.api.auth.GroupLookupException;
import kitsune.api.auth.GroupProvider;

/**
 * Finds the engine that serves a session, launching one when its engine space is empty (Kyuubi's
 * EngineRef.getOrCreate): look up the space; if empty, take the space's launch lock (so that no two servers launch
 * for one space), look again, launch, and wait for the new engine to register with the session's reference id.
 */
final class EngineLocator {
    private static final Logger LOG = LoggerFactory.getLogger(EngineLocator.class);
    private final EngineSpaces spaces = new EngineSpaces();

    private final EngineServices services;
    private final ServerIdentity identity;
    private final Duration pollInterval;
    private final EngineQuota quota = new EngineQuota();
    /** The built-in group provider: the operating system's groups, as Hadoop's default group mapping. */
    static final String HADOOP_GROUPS = "hadoop";

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
        try {
            return spaces.space(conf, user, refId, provider.engineSpaceVersion(conf), identity,
                    u -> primaryGroup(conf, u));
        } catch (GroupUnknown e) {
            throw new EngineException(e.getMessage());
        }
    }

    /** Carries a failed group lookup out of the space computation. */
    private static final class GroupUnknown extends RuntimeException {
        private static final long serialVersionUID = 1L;

        GroupUnknown(String message) {
            super(message, null, false, false);
        }
    }

    /**
     * The user's primary group from the provider kyuubi.session.group.provider names: the operating system's
     * ({@value #HADOOP_GROUPS}, built in) or a {@link GroupProvider} service; a user without a group is its own.
     */
    private String primaryGroup(KitsuneConf conf, String user) {
        String name = conf.get(ConfigKeys.SESSION_GROUP_PROVIDER).trim();
        if (name.equalsIgnoreCase(HADOOP_GROUPS)) return identity.primaryGroupOf(user);
        GroupProvider provider = services.groupProvider(name);
        String key = ConfigKeys.SESSION_GROUP_PROVIDER.name();
        if (provider == null) {
            throw new GroupUnknown("No group provider '" + name + "' is running, so GROUP-level sessions cannot start "
                    + "(" + key + "=" + name + "; the ldap one comes with the kitsune.auth bundle; or set " + key
                    + "=" + HADOOP_GROUPS + ")");
        }
        try {
            return provider.primaryGroup(user).filter(g -> !g.isBlank()).orElse(user);
        } catch (GroupLookupException e) {
            throw new GroupUnknown("Cannot look up the groups of " + user + " for the GROUP share level (" + key + "="
                    + name + "): " + e.getMessage());
        }
    }

    /** The engine to connect to: a registered one, or one launched now. */
    ServiceNode locate(EngineProvider provider, EngineSpace space, KitsuneConf conf, String user, String refId)
            throws EngineException, DiscoveryException {
        return locate(provider, space, conf, user, refId, note -> { });
    }

    /**
     * As {@link #locate(EngineProvider, EngineSpace, KitsuneConf, String, String)}, saying what it does (found, launched,
     * registered) in lines for the session's user.
     */
    ServiceNode locate(EngineProvider provider, EngineSpace space, KitsuneConf conf, String user, String refId,
            java.util.function.Consumer<String> notes) throws EngineException, DiscoveryException {
        Discovery discovery = services.discovery();
        if (discovery == null) {
            throw new EngineException("ZooKeeper discovery is not available on this server; new sessions cannot "
                    + "find engines until it is");
        }
        Optional<ServiceNode> found = discovery.findEngine(space);
        if (found.isPresent()) {
            notes.accept("Found the " + space.engineType() + " engine at " + found.get().hostPort() + " in "
                    + space.path());
            return found.get();
        }
        if (space.shareLevel() == ShareLevel.CONNECTION) {
            // A CONNECTION space belongs to this one session: nobody else can launch into it (Kyuubi takes no lock).
            return launch(discovery, provider, space, conf, user, refId, notes);
        }
        Duration initTimeout = conf.get(ConfigKeys.ENGINE_INIT_TIMEOUT);
        Duration lockTimeout = Duration.ofMillis(initTimeout.toMillis() + initTimeout.toMillis() / 10);
        try {
            return discovery.withLock(space.lockPath(), lockTimeout, () -> {
                Optional<ServiceNode> again = discovery.findEngine(space);
                return again.isPresent() ? again.get() : launch(discovery, provider, space, conf, user, refId, notes);
            });
        } catch (EngineException | DiscoveryException e) {
            throw e; // lock trouble arrives as a DiscoveryException naming the lock path
        } catch (Exception e) {
            throw new EngineException("Launching a " + space.engineType() + " engine in " + space.path()
                    + " failed: " + e, e);
        }
    }

    /**
     * Before a session whose engine is found or launched in the background is admitted: refuses it when its space has
     * no engine and its owner may not have one more (kitsune.engine.max.per.user; see {@link EngineQuota#precheck}).
     * Without discovery it admits (the binding reports that).
     */
    void refuseOverQuota(EngineSpace space, KitsuneConf conf) throws EngineException, DiscoveryException {
        Discovery discovery = services.discovery();
        if (discovery == null || conf.get(ConfigKeys.ENGINE_MAX_PER_USER) <= 0) return;
        if (discovery.findEngine(space).isPresent()) return;
        quota.precheck(discovery, space, conf);
    }

    private ServiceNode launch(Discovery discovery, EngineProvider provider, EngineSpace space, KitsuneConf conf,
            String user, String refId, java.util.function.Consumer<String> notes)
            throws EngineException, DiscoveryException {
        if (provider.runsUnregistered(space, conf)) {
            Optional<ServiceNode> running = awaitRunningEngine(discovery, provider, space, conf);
            if (running.isPresent()) return running.get();
        }
        try (EngineQuota.Admission admitted = quota.admit(discovery, space, refId, conf)) {
            return launchAdmitted(discovery, provider, space, conf, user, refId, notes);
        }
    }

    /** Launches, and records the launch's outcome and duration in the metrics. */
    private ServiceNode launchAdmitted(Discovery discovery, EngineProvider provider, EngineSpace space,
            KitsuneConf conf, String user, String refId, java.util.function.Consumer<String> notes)
            throws EngineException, DiscoveryException {
        long start = System.nanoTime();
        String outcome = ServerMetrics.ENGINE_FAILED;
        try {
            ServiceNode node = launchAndAwait(discovery, provider, space, conf, user, refId, notes);
            outcome = ServerMetrics.ENGINE_STARTED;
            return node;
        } catch (LaunchTimeout e) {
            outcome = ServerMetrics.ENGINE_TIMEOUT;
            throw e;
        } finally {
            services.metrics().engineLaunched(space.engineType(), outcome,
                    Duration.ofNanos(System.nanoTime() - start));
        }
    }

    /** A launch whose engine did not register within kyuubi.session.engine.initialize.timeout. */
    static final class LaunchTimeout extends EngineException {
        private static final long serialVersionUID = 1L;

        LaunchTimeout(String message) {
            super(message);
        }
    }

    private ServiceNode launchAndAwait(Discovery discovery, EngineProvider provider, EngineSpace space,
            KitsuneConf conf, String user, String refId, java.util.function.Consumer<String> notes)
            throws EngineException, DiscoveryException {
        // the space's nodes with the ACL that lets the engine's own identity (never the servers') register in it
        EngineZkIdentity zkIdentity = discovery.prepareEngineSpace(space);
        EngineLaunch launch = provider.launch(new EngineLaunchRequest(space, refId, user, engineConf(conf, space),
                discovery.connectString(), zkIdentity));
        LOG.info("Launched {} engine for {} ({}), waiting for it to register", space.engineType(), space.path(),
                launch.describe());
        Duration timeout = conf.get(ConfigKeys.ENGINE_INIT_TIMEOUT);
        long launched = System.nanoTime();
        // the launch's description (command, application) stays in the server's log: it may name server settings
        notes.accept("Launched a " + space.engineType() + " engine in " + space.path() + " (engine ref id " + refId
                + "); waiting up to " + timeout + " for it to register (" + ConfigKeys.ENGINE_INIT_TIMEOUT.name() + ")");
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            Optional<ServiceNode> node = discovery.findEngine(space, refId);
            if (node.isPresent()) {
                LOG.info("{} engine {} registered in {}", space.engineType(), node.get().hostPort(), space.path());
                notes.accept("The engine registered at " + node.get().hostPort() + " after "
                        + Duration.ofNanos(System.nanoTime() - launched).toMillis() + " ms");
                return node.get();
            }
            Optional<String> failure = launch.failure();
            if (failure.isPresent()) {
                node = discovery.findEngine(space, refId); // it may have registered just before it ended
                if (node.isPresent()) return node.get();
                throw new EngineException(failure.get());
            }
            if (System.nanoTime() - deadline >= 0) {
                launch.cancel();
                throw new LaunchTimeout("Timeout(" + timeout.toMillis() + " ms, you can modify "
                        + ConfigKeys.ENGINE_INIT_TIMEOUT.name() + " to change it) to launch " + space.engineType()
                        + " engine with " + launch.describe() + "; the launch was cancelled. What it said last:\n"
                        + launch.diagnostics());
            }
            sleep();
        }
    }

    /**
     * An engine of the space still runs but is not in ZooKeeper: it lost its ZooKeeper session (the embedded
     * ZooKeeper restarted with the server, an outage) and is about to register again. Waits for it rather than start
     * a second engine on the same state; empty if it ends meanwhile (then a new one may start).
     */
    private Optional<ServiceNode> awaitRunningEngine(Discovery discovery, EngineProvider provider, EngineSpace space,
            KitsuneConf conf) throws EngineException, DiscoveryException {
        Duration timeout = conf.get(ConfigKeys.ENGINE_INIT_TIMEOUT);
        LOG.info("An engine of {} still runs but is not registered; waiting up to {} for it to register",
                space.path(), timeout);
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() - deadline < 0) {
            Optional<ServiceNode> node = discovery.findEngine(space);
            if (node.isPresent()) {
                LOG.info("{} engine {} registered again in {}", space.engineType(), node.get().hostPort(),
                        space.path());
                return node;
            }
            if (!provider.runsUnregistered(space, conf)) return Optional.empty();
            sleep();
        }
        throw new EngineException("An engine of " + space.path() + " still runs but has not registered within "
                + timeout.toMillis() + " ms (" + ConfigKeys.ENGINE_INIT_TIMEOUT.name() + "); a second engine would "
                + "share its state. Stop that engine or try again later.");
    }

    /**
     * What the provider launches an engine with: the session's configuration, with the servers' engine secret
     * replaced by the one of the engine's space ({@link EngineChallenge#spaceSecret}), the only one it is given.
     */
    static KitsuneConf engineConf(KitsuneConf conf, EngineSpace space) {
        String secret = conf.get(ConfigKeys.ENGINE_SECRET);
        if (secret.isEmpty()) return conf;
        return conf.with(Map.of(ConfigKeys.ENGINE_SECRET.name(), EngineChallenge.spaceSecret(secret, space.path())));
    }

    /** The audit and event log (one that logs nothing while none is registered). */
    kitsune.api.events.ServerEvents events() {
        return services.events();
    }

    /** The metrics recorder (one that records nothing while no metrics bundle runs). */
    ServerMetrics metrics() {
        return services.metrics();
    }

    /** The namespace's discovery, or null while there is none. */
    Discovery discovery() {
        return services.discovery();
    }

    /**
     * After a connection to a registered engine was refused: whether its node is stale, and if so deletes it. Only
     * the provider can tell (it knows where its engines run); a refused connection alone never removes a node, so a
     * live engine's node is never taken for a stale one.
     */
    boolean removeIfStale(EngineProvider provider, EngineSpace space, ServiceNode node, KitsuneConf conf)
            throws DiscoveryException {
        Discovery discovery = services.discovery();
        if (discovery == null || provider.liveness(space, node, conf) != EngineProvider.Liveness.GONE) return false;
        LOG.warn("Engine {} in {} refuses connections and its provider reports that it ended: its node is stale (its "
                + "ZooKeeper session lived on); removing {}", node.hostPort(), space.path(), node.path());
        discovery.delete(node.path());
        return true;
    }

    private void sleep() throws EngineException {
        try {
            Thread.sleep(pollInterval.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new EngineException("Interrupted while waiting for the engine to register", e);
        }
    }
}
