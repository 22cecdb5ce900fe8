package kitsune.ha.impl;

import java.util.concurrent.TimeUnit;

import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.Constants;
import org.osgi.framework.launch.Framework;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Stopping the whole server from inside a bundle. Always on a new thread: the callers run on the framework's,
 * SCR's or ZooKeeper's threads, and the framework stop waits for those (deadlock if done in place).
 */
final class ServerExit {
    /** sysexits.h EX_CONFIG: fixable by configuration (e.g. another port). */
    static final int EX_CONFIG = 78;
    private static final Logger LOG = LoggerFactory.getLogger(ServerExit.class);

    private ServerExit() {
    }

    private static Bundle systemBundle(BundleContext context) {
        try {
            Bundle b = context.getBundle(Constants.SYSTEM_BUNDLE_LOCATION);
            return b != null ? b : context.getBundle(0);
        } catch (IllegalStateException e) {
            return null;
        }
    }

    /** Normal stop (drain finished): stops the framework; the launcher then exits with status 0. */
    static void stopFramework(BundleContext context) {
        Bundle system = systemBundle(context);
        Thread t = new Thread(() -> {
            try {
                if (system != null) system.stop();
            } catch (Exception e) {
                LOG.error("Could not stop the OSGi framework: {}", e.toString());
            }
        }, "kitsune-stop");
        t.setDaemon(false);
        t.start();
    }

    /**
     * Fatal error: logs ONE error line (also on stderr), stops the framework and exits the JVM with the status.
     * System.exit is requested right after the framework stop is requested (a launcher exits with its own status
     * once the framework has stopped; the first exit decides the status), and a shutdown hook waits up to 30 s for
     * the framework to finish stopping, so components still deactivate.
     */
    static void fatal(BundleContext context, String message, int status) {
        LOG.error(message);
        System.err.println("ERROR " + message);
        System.err.flush();
        Bundle system = systemBundle(context);
        Thread t = new Thread(() -> {
            if (system instanceof Framework fw) {
                try {
                    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                        try {
                            fw.waitForStop(TimeUnit.SECONDS.toMillis(30));
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                        }
                    }, "kitsune-wait-framework-stop"));
                } catch (IllegalStateException alreadyExiting) {
                    // the JVM is already exiting
                }
            }
            try {
                if (system != null) system.stop();
            } catch (Exception e) {
                System.err.println("Could not stop the OSGi framework: " + e);
            }
            System.exit(status);
        }, "kitsune-fatal-exit");
        t.setDaemon(false);
        t.start();
    }
}
