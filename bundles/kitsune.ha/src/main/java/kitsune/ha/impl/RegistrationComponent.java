package kitsune.ha.impl;

import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;

import org.osgi.framework.BundleContext;
import org.osgi.framework.Version;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import kitsune.api.conf.ConfigKeys;
import kitsune.api.registry.ServerEndpoint;
import kitsune.api.session.SessionManager;

/**
 * Registers this server in ZooKeeper while the Thrift frontend's {@link ServerEndpoint} service is there (the
 * frontend registers it once its port accepts), and removes the node when it goes. When someone else deletes
 * the node, the server drains: new sessions are refused, and the framework stops after the last session.
 */
@Component(name = "kitsune.ha.registration", configurationPid = ConfigKeys.PID,
        configurationPolicy = ConfigurationPolicy.REQUIRE, immediate = true, service = {})
public class RegistrationComponent {
    private static final Logger LOG = LoggerFactory.getLogger(RegistrationComponent.class);

    private final HaRuntime ha;
    private final BundleContext context;
    private final ExecutorService worker;
    private final DrainController drain;
    private final ServerRegistration registration;

    private volatile ServerEndpoint endpoint;
    private volatile SessionManager sessionManager;
    private volatile boolean active;
    private ServerEndpoint registered; // only on the worker thread

    @Activate
    public RegistrationComponent(@Reference HaRuntime ha, BundleContext context) {
        this.ha = ha;
        this.context = context;
        this.worker = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "kitsune-ha-registration");
            t.setDaemon(true);
            return t;
        });
        this.drain = new DrainController(() -> sessionManager, DrainController.DEFAULT_TICK,
                () -> ServerExit.stopFramework(context));
        HaSettings s = ha.settings();
        this.registration = ha.curator() == null || s == null ? null
                : new ServerRegistration(ha.curator(), s.namespace(), serverVersion(context.getBundle().getVersion()),
                        s.publishConfigs(), s.nodeCreationTimeout(), ha.connectString(),
                        (hostPort, path) -> drain.start(hostPort));
    }

    /** The version in the znode name: the bundle version without qualifier (0.1.0 for 0.1.0.202611281200). */
    static String serverVersion(Version v) {
        return v.getMajor() + "." + v.getMinor() + "." + v.getMicro();
    }

    @Activate
    void activate() {
        active = true;
        if (registration == null) {
            LOG.debug("ZooKeeper is not running (its error was logged); this server is not registered");
            return;
        }
        submit(this::sync);
    }

    @Modified
    void modified(Map<String, Object> properties) {
        // namespace, publish.configs and node.creation.timeout need a restart: nothing to apply
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
        if (registration == null || drain.draining() || registration.isDeregistered()) return;
        ServerEndpoint want = endpoint;
        if (want == null) {
            if (registered != null) registration.unregister();
            registered = null;
            return;
        }
        if (want.equals(registered) && registration.path() != null) return;
        try {
            registration.register(want);
            registered = want;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            registered = null;
            LOG.error("This server {} is not registered in ZooKeeper {}: {}", want.hostPort(), ha.connectString(),
                    e.getMessage());
        }
    }
}
