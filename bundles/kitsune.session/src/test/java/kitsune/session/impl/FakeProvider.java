package kitsune.session.impl;

import java.nio.file.Path;
import java.util.List;
import java.util.OptionalInt;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;

import kitsune.api.conf.KitsuneConf;
import kitsune.api.engine.EngineException;
import kitsune.api.engine.EngineLaunchRequest;
import kitsune.api.engine.EngineProcess;
import kitsune.api.engine.EngineProvider;

/** An engine provider whose "process" registers the fake engine, dies, or hangs, as a test asks. */
final class FakeProvider implements EngineProvider {
    enum Behaviour { REGISTER, DIE, HANG }

    final List<EngineLaunchRequest> launches = new CopyOnWriteArrayList<>();
    final AtomicBoolean destroyed = new AtomicBoolean();
    private final FakeDiscovery discovery;
    private final int enginePort;
    volatile Behaviour behaviour = Behaviour.REGISTER;

    FakeProvider(FakeDiscovery discovery, int enginePort) {
        this.discovery = discovery;
        this.enginePort = enginePort;
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
    public EngineProcess launch(EngineLaunchRequest request) {
        launches.add(request);
        Behaviour b = behaviour;
        if (b == Behaviour.REGISTER) {
            new Thread(() -> {
                try {
                    Thread.sleep(100);
                } catch (InterruptedException e) {
                    return;
                }
                discovery.register(request.space().path(), enginePort, request.refId());
            }).start();
        }
        return new EngineProcess() {
            @Override
            public String describe() {
                return "fake engine process";
            }

            @Override
            public boolean isAlive() {
                return b != Behaviour.DIE && !destroyed.get();
            }

            @Override
            public OptionalInt exitCode() {
                return b == Behaviour.DIE ? OptionalInt.of(1) : OptionalInt.empty();
            }

            @Override
            public Path logFile() {
                return request.workDir().resolve("engine.log");
            }

            @Override
            public String logTail(int maxLines) {
                return "Exception in thread \"main\" boom";
            }

            @Override
            public void destroy() {
                destroyed.set(true);
            }
        };
    }
}
