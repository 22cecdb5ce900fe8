package kitsune.session.impl;

import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

import kitsune.api.engine.EngineProvider;

class EngineServicesTest {
    private final EngineServices services = new EngineServices();
    private final EngineProvider provider = new FakeProvider(new FakeDiscovery(), 1);

    @Test
    void onceStartedAMissingProviderIsReportedAtOnce() throws Exception {
        services.runtimeStarted();
        long t0 = System.nanoTime();
        assertNull(services.providerOnceStarted("SPARK_SQL", Duration.ofSeconds(30)));
        assertTrue(System.nanoTime() - t0 < TimeUnit.SECONDS.toNanos(5), "no wait when the runtime has started");
    }

    @Test
    void whileTheRuntimeStartsASessionWaitsForTheProviderBundle() throws Exception {
        CompletableFuture<EngineProvider> found = CompletableFuture.supplyAsync(
                () -> services.providerOnceStarted("spark_sql", Duration.ofSeconds(30)));
        Awaitility.await("the session waiting for the provider").during(Duration.ofMillis(200))
                .atMost(Duration.ofSeconds(5)).until(() -> !found.isDone());
        // File Install starts the provider bundle, then the framework reports STARTED
        services.addProvider(provider);
        services.runtimeStarted();
        assertSame(provider, found.get(10, TimeUnit.SECONDS));
    }

    @Test
    void theWaitIsBoundedWhenTheRuntimeNeverFinishesStarting() throws Exception {
        assertNull(services.providerOnceStarted("SPARK_SQL", Duration.ofMillis(200)));
    }
}
