package kitsune.ha.impl;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.osgi.service.condition.Condition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import kitsune.api.conf.ConfigKeys;
import kitsune.api.conf.KitsuneConf;
import kitsune.api.registry.ServerEndpoint;
import kitsune.api.registry.ServerLifecycle;
import kitsune.api.session.SessionManager;
import kitsune.internal.exit.ServerExit;
import kitsune.internal.start.StartGate;
import kitsune.internal.threads.NamedThreads;
import kitsune.internal.version.Release;

/**
 * Registers this server in ZooKeeper while the Thrift frontend's {@link ServerEndpoint} service is there (the
 * frontend registers it once its port accepts), and removes the node when it goes. When someone else deletes
 * the node, the server drains: new sessions are refused, and the framework stops after the last session, or when
 * kitsune.server.drain.timeout has passed (then the sessions still open are closed). As {@link ServerLifecycle} it
 * drains on request (SIGTERM): it refuses new sessions, removes its own node and drains with the caller's bound.
 *
 * <p>The ready line ({@value #READY_LINE} jdbc:hive2://host:port/, as Kyuubi prints it, which bin/kitsune start waits
 * for) is logged here, once the server is registered in ZooKeeper and every bundle of the runtime has started: a
 * client that waits for the line finds the server through ZooKeeper. The lifecycle state (starting, serving,
 * draining, stopped) goes to {@link ServerStateFile} for bin/kitsune status; right after the ready line the
 * {@link ServerLifecycle#SERVING} condition is registered ({@link ServingCondition}), until the drain or the stop.
 */
@Component(name = "kitsune.ha.registration", configurationPid = ConfigKeys.PID,
        configurationPolicy = ConfigurationPolicy.REQUIRE, immediate = true, service = ServerLifecycle.class)
public class RegistrationComponent implements ServerLifecycle {
    private static final Logger LOG = LoggerFactory.getLogger(RegistrationComponent.class);

    private final HaRuntime ha;
    private final BundleContext context;
    private final ExecutorService worker;
    private final DrainController drain;
    private final ServerRegistration registration;

    private volatile ServerEndpoint endpoint;
    private final StartGate runtimeStarted = StartGate.closed();
    private volatile SessionManager sessionManager;
    private volatile boolean active;
    private volatile boolean leaving;
    private volatile Duration drainTimeout = Duration.ofMinutes(30);
    private ServerEndpoint registered; // only on the worker thread
    private volatile ServerStateFile stateFile;
    private final AtomicBoolean announced = new AtomicBoolean();
    private final ServingCondition serving;

    /** Kyuubi's ready line; bin/kitsune start and the test kit wait for it. */
    static final String READY_LINE = "Starting and exposing JDBC connection at:";

    @Activate
    public RegistrationComponent(@Reference HaRuntime ha, BundleContext context) {
        this.ha = ha;
        this.context = context;
        this.worker = Executors.newSingleThreadExecutor(NamedThreads.daemon("kitsune-ha-registration"));
        this.serving = new ServingCondition(context);
        this.drain = new DrainController(() -> sessionManager, DrainController.DEFAULT_TICK,
                () -> ServerExit.stop(context));
        HaSettings s = ha.settings();
        this.registration = ha.curator() == null || s == null ? null
                : new ServerRegistration(ha.curator(), s.namespace(), Release.of(context.getBundle().getVersion()),
                        s.publishConfigs(), s.nodeCreationTimeout(), ha.connectString(),
                        (hostPort, path) -> {
                            state(ServerStateFile.State.DRAINING);
                            drain.start(hostPort, bound(drainTimeout),
                                    ConfigKeys.SERVER_DRAIN_TIMEOUT.name() + "=" + drainTimeout, true);
                        });
    }

    /** The version in the znode name: the bundle version without qualifier (0.1.0 for 0.1.0.202611281200). */

    /** Zero = without bound. */
    private static Duration bound(Duration d) {
        return d == null || d.isZero() || d.isNegative() ? null : d;
    }

    private void readConf(Map<String, Object> properties) {
        try {
            drainTimeout = KitsuneConf.fromProperties(properties).get(ConfigKeys.SERVER_DRAIN_TIMEOUT);
        } catch (RuntimeException e) {
            LOG.warn("Keeping {}={}: {}", ConfigKeys.SERVER_DRAIN_TIMEOUT.name(), drainTimeout, e.getMessage());
        }
    }

    @Activate
    void activate(Map<String, Object> properties) {
        readConf(properties);
        stateFile = new ServerStateFile(HaSettings.workDir(KitsuneConf.fromProperties(properties),
                context.getProperty(HaSettings.WORK_DIR_KEY), context.getProperty(HaSettings.HOME_KEY)));
        state(ServerStateFile.State.STARTING);
        active = true;
        if (registration == null) {
            LOG.debug("ZooKeeper is not running (its error was logged); this server is not registered");
            return;
        }
        submit(this::sync);
    }

    @Modified
    void modified(Map<String, Object> properties) {
        // namespace, publish.configs and node.creation.timeout need a restart; the drain bound is live
        readConf(properties);
    }

    @Override
    public int drain(Duration bound) throws InterruptedException {
        Duration b = bound == null || bound.isNegative() ? Duration.ZERO : bound;
        ServerEndpoint ep = endpoint;
        String hostPort = ep == null ? "this server" : ep.hostPort();
        leaving = true;
        state(ServerStateFile.State.DRAINING);
        boolean first = !drain.draining();
        if (first) {
            LOG.info("Stopping {}: refusing new sessions, leaving ZooKeeper and waiting at most {} ({}) for the open "
                    + "sessions", hostPort, b, ConfigKeys.SERVER_STOP_TIMEOUT.name());
        }
        // refuse first: a client that found this server in ZooKeeper a moment ago is refused and its driver tries
        // another server; then leave ZooKeeper, so that clients using service discovery no longer come here
        drain.start(hostPort, b, ConfigKeys.SERVER_STOP_TIMEOUT.name() + "=" + b, false);
        if (first && registration != null) {
            Thread t = NamedThreads.daemon("kitsune-ha-leave").newThread(registration::unregister);
            t.start();
            t.join(Math.max(1_000, Math.min(5_000, b.toMillis() / 4)));
        }
        if (!drain.await(b.plus(Duration.ofSeconds(10)))) {
            LOG.warn("The drain did not end within {}; stopping anyway", b);
        }
        return drain.forced();
    }

    @Override
    public boolean startDrain(String requestedBy) {
        if (leaving || drain.draining()) return false;
        ServerEndpoint ep = endpoint;
        String hostPort = ep == null ? "this server" : ep.hostPort();
        LOG.info("Drain of {} requested by {}: refusing new sessions, leaving ZooKeeper, stopping after the last "
                + "session or after {}={}", hostPort, requestedBy, ConfigKeys.SERVER_DRAIN_TIMEOUT.name(),
                drainTimeout);
        state(ServerStateFile.State.DRAINING);
        // refuse first, then leave ZooKeeper (as when the node is deleted from outside: the drain ends by stopping)
        drain.start(hostPort, bound(drainTimeout), ConfigKeys.SERVER_DRAIN_TIMEOUT.name() + "=" + drainTimeout, true);
        if (registration != null) submit(registration::unregister);
        return true;
    }

    @Deactivate
    void deactivate() {
        active = false;
        worker.shutdownNow();
        try {
            worker.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (registration != null) registration.close();
        drain.close();
        state(ServerStateFile.State.STOPPED);
    }

    private void state(ServerStateFile.State state) {
        // the console and others announce themselves only to a serving server: draining or stopping withdraws that
        if (state == ServerStateFile.State.DRAINING || state == ServerStateFile.State.STOPPED) serving.withdraw();
        ServerStateFile f = stateFile;
        if (f != null) f.write(state);
    }

    /**
     * Logs the ready line and marks the server serving, once: when it is registered in ZooKeeper and the runtime has
     * started every bundle (either may come last). Runs on the worker thread only.
     */
    private void announce() {
        ServerEndpoint ep = registered;
        if (ep == null || registration == null || registration.path() == null || leaving || drain.draining()) return;
        if (!runtimeStarted.await(Duration.ZERO)) return; // setRuntimeStarted announces
        if (!announced.compareAndSet(false, true)) return;
        state(ServerStateFile.State.SERVING);
        LOG.info("{} jdbc:hive2://{}/", READY_LINE, ep.hostPort());
        // after the line: what waits for this condition (the console's line) is logged after the ready line
        serving.register();
    }

    /**
     * Open once every bundle of the runtime has started: the server is announced in ZooKeeper only then, so that
     * clients routed by ZooKeeper never meet a server whose engine providers or authenticators are still coming up.
     */
    @Reference(target = ServerLifecycle.RUNTIME_STARTED, cardinality = ReferenceCardinality.OPTIONAL,
            policy = ReferencePolicy.DYNAMIC, policyOption = ReferencePolicyOption.GREEDY,
            unbind = "unsetRuntimeStarted")
    void setRuntimeStarted(Condition started) {
        runtimeStarted.open();
        if (active) submit(this::announce);
    }

    void unsetRuntimeStarted(Condition started) {
        // the runtime is stopping; a registration made stays until the drain or stop removes it
    }

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    void bindEndpoint(ServerEndpoint ep) {
        endpoint = ep;
        if (active) submit(this::sync);
    }

    void unbindEndpoint(ServerEndpoint ep) {
        if (endpoint == ep) {
            endpoint = null;
            if (active) submit(this::sync);
        }
    }

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    void bindSessionManager(SessionManager sm) {
        sessionManager = sm;
        drain.sessionManagerBound(sm);
    }

    void unbindSessionManager(SessionManager sm) {
        if (sessionManager == sm) sessionManager = null;
    }

    private void submit(Runnable r) {
        try {
            worker.execute(r);
        } catch (RejectedExecutionException stopping) {
            // deactivating
        }
    }

    /** Makes ZooKeeper match the endpoint now bound; runs on the worker thread only. */
    private void sync() {
        if (registration == null || leaving || drain.draining() || registration.isDeregistered()) return;
        ServerEndpoint want = endpoint;
        if (want == null) {
            if (registered != null) registration.unregister();
            registered = null;
            return;
        }
        if (want.equals(registered) && registration.path() != null) return;
        try {
            if (!runtimeStarted.await()) {
                LOG.warn("The runtime has not finished starting its bundles within {}; registering anyway",
                        StartGate.WAIT);
            }
            registration.register(want);
            registered = want;
            announce();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            registered = null;
            LOG.error("This server {} is not registered in ZooKeeper {}: {}", want.hostPort(), ha.connectString(),
                    e.getMessage());
        }
    }
}
