package kitsune.config.impl;

import java.util.concurrent.TimeUnit;

import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.Constants;
import org.osgi.framework.launch.Framework;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Stops the server with a non-zero exit status after an error it cannot run with (invalid configuration).
 *
 * <p>The work happens on a new thread, never on the caller's, because the caller is a component's activate
 * method running on the framework's (or SCR's) thread:
 * <ul>
 * <li>System.exit runs the JVM shutdown hooks and waits for them; the launcher's hook stops the framework and waits
 * for it, and the framework waits for this very activate call to return: calling System.exit here deadlocks.</li>
 * <li>System.exit is requested right after asking the framework to stop (which returns at once and stops on the
 * framework's own thread), and before the framework has finished: a launcher typically calls System.exit with its
 * own status once the framework has stopped, and whichever exit comes first decides the status. Asking first makes
 * the status 78; a shutdown hook added here waits (at most 30 s) for the framework to finish stopping, so that
 * components still deactivate cleanly.</li>
 * </ul>
 */
final class FatalExit {
    /** sysexits.h EX_CONFIG: the configuration is wrong. */
    static final int EX_CONFIG = 78;
    private static final Logger LOG = LoggerFactory.getLogger(FatalExit.class);

    private FatalExit() {
    }

    /** Logs the message as ONE error line (also on stderr) and stops the server with the status. */
    static void exit(BundleContext context, String message, int status) {
        LOG.error(message);
        System.err.println("ERROR " + message);
        System.err.flush();
        Bundle system;
        try {
            system = context.getBundle(Constants.SYSTEM_BUNDLE_LOCATION);
            if (system == null) system = context.getBundle(0);
        } catch (IllegalStateException e) {
            system = null;
        }
        Bundle systemBundle = system;
        Thread t = new Thread(() -> {
            if (systemBundle instanceof Framework fw) {
                Thread waiter = new Thread(() -> {
                    try {
                        fw.waitForStop(TimeUnit.SECONDS.toMillis(30));
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }, "kitsune-wait-framework-stop");
                try {
                    Runtime.getRuntime().addShutdownHook(waiter);
                } catch (IllegalStateException alreadyExiting) {
                    // the JVM is already exiting
                }
            }
            try {
                if (systemBundle != null) systemBundle.stop();
            } catch (Exception e) {
                System.err.println("Could not stop the OSGi framework: " + e);
            }
            System.exit(status);
        }, "kitsune-fatal-exit");
        t.setDaemon(false);
        t.start();
    }
}
