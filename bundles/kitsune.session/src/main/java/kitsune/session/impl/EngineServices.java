package kitsune.session.impl;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

import kitsune.api.auth.GroupProvider;
import kitsune.api.engine.EngineProvider;
import kitsune.api.events.ServerEvents;
import kitsune.api.metrics.ServerMetrics;
import kitsune.api.registry.Discovery;
import kitsune.internal.start.StartGate;

/**
 * The services sessions need that come and go at runtime: engine providers by engine type (the newest one bound
 * wins while an updated provider bundle briefly overlaps the old one), ZooKeeper discovery, and the metrics
 * recorder and the audit/event log (each one that records nothing while its bundle is absent).
 */
final class EngineServices {
    private static final ServerMetrics NO_METRICS = new ServerMetrics() {
    };
    private volatile ServerMetrics metrics;
    private static final ServerEvents NO_EVENTS = new ServerEvents() {
    };
    private volatile ServerEvents events;
    private final Map<String, List<EngineProvider>> providers = new ConcurrentHashMap<>();
    private volatile Discovery discovery;
    /** Group providers by the name kyuubi.session.group.provider selects them by; the newest bound one wins. */
    private final Map<String, List<GroupProvider>> groupProviders = new ConcurrentHashMap<>();
    /** Open once the runtime has started every bundle; see {@link #providerOnceStarted}. */
    private final StartGate started = StartGate.closed();

    void addProvider(EngineProvider provider) {
        providers.computeIfAbsent(type(provider), t -> new CopyOnWriteArrayList<>()).add(provider);
    }

    void removeProvider(EngineProvider provider) {
        List<EngineProvider> list = providers.get(type(provider));
        if (list != null) list.remove(provider);
    }

    void addGroupProvider(GroupProvider provider, Map<String, Object> properties) {
        groupProviders.computeIfAbsent(groupProviderName(properties), n -> new CopyOnWriteArrayList<>()).add(provider);
    }

    void removeGroupProvider(GroupProvider provider, Map<String, Object> properties) {
        List<GroupProvider> list = groupProviders.get(groupProviderName(properties));
        if (list != null) list.remove(provider);
    }

    /** The group provider registered under this name (kyuubi.session.group.provider), or null. */
    GroupProvider groupProvider(String name) {
        List<GroupProvider> list = groupProviders.get(name.trim().toLowerCase(Locale.ROOT));
        return list == null || list.isEmpty() ? null : list.get(list.size() - 1);
    }

    private static String groupProviderName(Map<String, Object> properties) {
        return String.valueOf(properties.get(GroupProvider.NAME)).trim().toLowerCase(Locale.ROOT);
    }

    /** The provider serving this engine type, or null. */
    EngineProvider provider(String engineType) {
        List<EngineProvider> list = providers.get(engineType.toUpperCase(Locale.ROOT));
        if (list == null || list.isEmpty()) return null;
        return list.get(list.size() - 1);
    }

    /**
     * The provider serving this engine type; until {@link #runtimeStarted()}, waits (at most the timeout) for it,
     * because File Install starts the provider bundles only just before the runtime has started and a client may
     * already have found the open port.
     */
    EngineProvider providerOnceStarted(String engineType, Duration timeout) {
        EngineProvider provider = provider(engineType);
        if (provider == null && started.await(timeout)) {
            provider = provider(engineType);
        }
        return provider;
    }

    void runtimeStarted() {
        started.open();
    }

    void setDiscovery(Discovery d) {
        discovery = d;
    }

    /** Forgets the discovery only if it is the one going away (a newer one may already be bound). */
    void unsetDiscovery(Discovery d) {
        if (discovery == d) discovery = null;
    }

    Discovery discovery() {
        return discovery;
    }

    void setMetrics(ServerMetrics m) {
        metrics = m;
    }

    /** Forgets the recorder only if it is the one going away (a newer one may already be bound). */
    void unsetMetrics(ServerMetrics m) {
        if (metrics == m) metrics = null;
    }

    ServerMetrics metrics() {
        ServerMetrics m = metrics;
        return m == null ? NO_METRICS : m;
    }

    void setEvents(ServerEvents e) {
        events = e;
    }

    /** Forgets the audit/event log only if it is the one going away (a newer one may already be bound). */
    void unsetEvents(ServerEvents e) {
        if (events == e) events = null;
    }

    /** The audit and event log (one that logs nothing while none is registered). */
    ServerEvents events() {
        ServerEvents e = events;
        return e == null ? NO_EVENTS : e;
    }

    private static String type(EngineProvider provider) {
        return provider.engineType().toUpperCase(Locale.ROOT);
    }
}
