package kitsune.session.impl;

import java.time.Clock;
import java.time.Duration;
import java.util.Map;

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

import kitsune.api.auth.GroupProvider;
import kitsune.api.conf.ConfigKeys;
import kitsune.api.conf.KitsuneConf;
import kitsune.api.engine.EngineProvider;
import kitsune.api.events.ServerEvents;
import kitsune.api.metrics.ServerMetrics;
import kitsune.api.registry.Discovery;
import kitsune.api.registry.ServerLifecycle;
import kitsune.api.session.SessionManager;
import kitsune.thrift.CliBackend;

/**
 * The session service in OSGi: a thin shell that feeds {@link SessionManagerImpl} its configuration and the
 * dynamic services. Engine providers and discovery may come and go while sessions run; a configuration change
 * applies to sessions opened afterwards. The configuration it hands on carries the engine secret in force
 * ({@link EngineSecret}: the configured one, else the installation's generated one).
 */
@Component(service = {CliBackend.class, SessionManager.class}, configurationPid = ConfigKeys.PID,
        configurationPolicy = ConfigurationPolicy.REQUIRE)
public class SessionComponent extends SessionManagerImpl {
    private static final Duration ENGINE_POLL_INTERVAL = Duration.ofMillis(200);
    private final EngineServices services;
    private final EngineSecret engineSecret = new EngineSecret();

    public SessionComponent() {
        this(new EngineServices());
    }

    private SessionComponent(EngineServices services) {
        super(new EngineLocator(services, ServerIdentity.current(), ENGINE_POLL_INTERVAL), Clock.systemUTC());
        this.services = services;
    }

    @Activate
    void activate(Map<String, Object> properties) {
        configure(engineSecret.apply(KitsuneConf.fromProperties(properties)));
        start();
    }

    /**
     * Until the runtime has started every bundle (File Install starts the engine providers last), a session that finds
     * no provider waits for them instead of failing: a client may reach the port before they run.
     */
    @Reference(target = ServerLifecycle.RUNTIME_STARTED, cardinality = ReferenceCardinality.OPTIONAL,
            policy = ReferencePolicy.DYNAMIC, policyOption = ReferencePolicyOption.GREEDY,
            unbind = "unsetRuntimeStarted")
    void setRuntimeStarted(Condition started) {
        services.runtimeStarted();
    }

    void unsetRuntimeStarted(Condition started) {
        // the runtime is stopping: nothing to wait for any more
    }

    @Modified
    void modified(Map<String, Object> properties) {
        configure(engineSecret.apply(KitsuneConf.fromProperties(properties)));
    }

    @Deactivate
    void deactivate() {
        shutdown();
    }

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    void addEngineProvider(EngineProvider provider) {
        services.addProvider(provider);
    }

    void removeEngineProvider(EngineProvider provider) {
        services.removeProvider(provider);
    }

    /** Group providers for the GROUP share level (kyuubi.session.group.provider), e.g. the LDAP one. */
    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    void addGroupProvider(GroupProvider provider, Map<String, Object> properties) {
        services.addGroupProvider(provider, properties);
    }

    void removeGroupProvider(GroupProvider provider, Map<String, Object> properties) {
        services.removeGroupProvider(provider, properties);
    }

    /** The metrics bundle's recorder; a newly bound one is told the drain state at once. */
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY, unbind = "unsetMetrics")
    void setMetrics(ServerMetrics metrics) {
        services.setMetrics(metrics);
        metrics.draining(refusing());
    }

    void unsetMetrics(ServerMetrics metrics) {
        services.unsetMetrics(metrics);
    }

    /** The audit and event log, while one is registered. */
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY, unbind = "unsetEvents")
    void setEvents(ServerEvents events) {
        services.setEvents(events);
    }

    void unsetEvents(ServerEvents events) {
        services.unsetEvents(events);
    }

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    void setDiscovery(Discovery discovery) {
        services.setDiscovery(discovery);
    }

    void unsetDiscovery(Discovery discovery) {
        services.unsetDiscovery(discovery);
    }
}
