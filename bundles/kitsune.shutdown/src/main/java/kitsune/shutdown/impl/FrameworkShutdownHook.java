package kitsune.shutdown.impl;

import java.time.Duration;

import org.osgi.framework.BundleContext;
import org.osgi.framework.BundleException;
import org.osgi.framework.FrameworkEvent;
import org.osgi.framework.launch.Framework;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * On JVM shutdown (SIGTERM/SIGINT) stops the framework and waits, bounded, until every bundle has stopped. Without
 * it the launcher would exit without deactivating components: no drain, no ZooKeeper de-registration, no socket
 * close.
 */
@Component(immediate = true)
public class FrameworkShutdownHook {
    /** Upper bound for the framework to stop; the JVM exits anyway after it. */
    static final Duration STOP_TIMEOUT = Duration.ofSeconds(Long.getLong("kitsune.shutdown.timeout.seconds", 60));

    private static final Logger LOG = LoggerFactory.getLogger(FrameworkShutdownHook.class);

    private Thread hook;

    @Activate
    void activate(BundleContext context) {
        Framework framework = (Framework) context.getBundle(0);
        hook = new Thread(() -> stop(framework), "kitsune-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
    }

    private static void stop(Framework framework) {
        LOG.info("Shutdown requested; stopping the OSGi framework (at most {} s)", STOP_TIMEOUT.toSeconds());
        try {
            framework.stop();
            FrameworkEvent event = framework.waitForStop(STOP_TIMEOUT.toMillis());
            if (event.getType() == FrameworkEvent.WAIT_TIMEDOUT) {
                LOG.warn("The framework did not stop within {} s; exiting anyway", STOP_TIMEOUT.toSeconds());
            } else {
                LOG.info("Kitsune stopped");
            }
        } catch (BundleException e) {
            LOG.error("Stopping the framework failed: {}", e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Deactivate
    void deactivate() {
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException alreadyShuttingDown) {
            // the hook itself is what is stopping us; nothing to remove
        }
    }
}
