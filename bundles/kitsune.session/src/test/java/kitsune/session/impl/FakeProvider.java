package kitsune.session.impl;

import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import kitsune.api.conf.KitsuneConf;
import kitsune.api.engine.EngineException;
import kitsune.api.engine.EngineLaunch;
import kitsune.api.engine.EngineLaunchRequest;
import kitsune.api.engine.EngineProvider;
import kitsune.api.registry.EngineSpace;
import kitsune.api.registry.ServiceNode;

/**
 * An engine provider whose "launch" registers the fake engine, dies, or hangs, as a test asks, and whose engines are
 * alive or gone as the test says: what the session manager must do with each answer is the subject of its tests.
 */
final class FakeProvider implements EngineProvider {
    enum Behaviour { REGISTER, DIE, HANG }

    final List<EngineLaunchRequest> launches = new CopyOnWriteArrayList<>();
    final AtomicBoolean destroyed = new AtomicBoolean();
    private final FakeDiscovery discovery;
    private final int enginePort;
    volatile Behaviour behaviour = Behaviour.REGISTER;
    /** How long after its launch a REGISTER engine registers. */
    volatile long registerDelayMillis = 100;
    volatile Liveness liveness = Liveness.UNKNOWN;
    volatile boolean runsUnregistered;

    /** Engines of spaces other than {@link FakeEngine#SPACE}, each knowing its own space's secret only. */
    private final java.util.Map<String, FakeEngine> others = new java.util.concurrent.ConcurrentHashMap<>();

    FakeProvider(FakeDiscovery discovery, int enginePort) {
        this.discovery = discovery;
        this.enginePort = enginePort;
    }

    /** The port of the engine of that space: the tests' engine for its own space, else one started for the space. */
    int enginePortFor(String space) {
        if (space.equals(FakeEngine.SPACE)) return enginePort;
        return others.computeIfAbsent(space, s -> {
            try {
                return new FakeEngine(s);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }).port();
    }

    /** Stops the engines started for other spaces. */
    void close() throws Exception {
        for (FakeEngine e : others.values()) e.close();
        others.clear();
    }

    @Override
    public String engineType() {
        return "SPARK_SQL";
    }

    @Override
    public String engineSpaceVersion(KitsuneConf conf) throws EngineException {
        String home = conf.raw("kitsune.engine.spark.home");
        if ("nope".equals(home)) {
            throw new EngineException("kitsune.engine.spark.home=nope is not a listed engine home; allowed: spark-4.0");
        }
        return "1-spark-4.0";
    }

    @Override
    public boolean runsUnregistered(EngineSpace space, KitsuneConf conf) {
        return runsUnregistered;
    }

    @Override
    public Liveness liveness(EngineSpace space, ServiceNode node, KitsuneConf conf) {
        return liveness;
    }

    @Override
    public void terminate(ServiceNode node, KitsuneConf conf) {
        destroyed.set(true);
    }

    @Override
    public EngineLaunch launch(EngineLaunchRequest request) {
        launches.add(request);
        Behaviour b = behaviour;
        if (b == Behaviour.REGISTER) {
            // the engine registers a while after its launch, as a started process would
            CompletableFuture.runAsync(() -> discovery.register(request.space().path(),
                    enginePortFor(request.space().path()), request.refId()),
                    CompletableFuture.delayedExecutor(registerDelayMillis, TimeUnit.MILLISECONDS));
        }
        return new EngineLaunch() {
            @Override
            public String describe() {
                return "fake engine process";
            }

            @Override
            public Optional<String> failure() {
                return b == Behaviour.DIE ? Optional.of("Engine failed to start (exit code 1). Last lines of its log "
                        + "engine.log:\n" + diagnostics()) : Optional.empty();
            }

            @Override
            public String diagnostics() {
                return "Exception in thread \"main\" boom";
            }

            @Override
            public void cancel() {
                destroyed.set(true);
            }
        };
    }
}
