package kitsune.frontend.thrift.impl;

import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.Constants;
import org.osgi.framework.launch.Framework;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Ends the server when it cannot do its job at all (e.g. its port is taken): stops the OSGi framework so that every
 * bundle shuts down cleanly, then exits the JVM with a non-zero code so that scripts and service managers see the
 * failure. Runs on its own thread because a component must not stop the framework from inside its own activation.
 */
final class FatalStop {
    /** sysexits.h EX_CONFIG: the configuration asks for something this machine cannot give. */
    static final int EX_CONFIG = 78;
    private static final Logger LOG = LoggerFactory.getLogger(FatalStop.class);
    private static final long STOP_WAIT_MS = 30_000;

    private FatalStop() {
    }

    static void stopServer(BundleContext context, int exitCode) {
        // Looked up now: the context is invalid once this bundle stops with the framework.
        Bundle systemBundle = context.getBundle(Constants.SYSTEM_BUNDLE_LOCATION);
        Thread t = new Thread(() -> {
            try {
                systemBundle.stop();
                if (systemBundle instanceof Framework f) f.waitForStop(STOP_WAIT_MS);
            } catch (Exception | Error e) {
                LOG.warn("Stopping the framework failed ({}); exiting anyway", e.toString());
            } finally {
                System.exit(exitCode);
            }
        }, "kitsune-fatal-stop");
        t.start();
    }
}
