package kitsune.internal.exit;

import java.util.concurrent.TimeUnit;

import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.Constants;
import org.osgi.framework.launch.Framework;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Stopping the whole server from inside a bundle: normally (a drain has finished) or after an error it cannot run with
 * (invalid configuration, port taken).
 *
 * <p>Always on a new thread, never the caller's: callers run on the framework's, SCR's or ZooKeeper's threads, and
 * stopping the framework waits for those (a deadlock if done in place; System.exit likewise runs the launcher's
 * shutdown hook, which waits for the framework). For a fatal error, System.exit is requested right after the framework
 * stop is requested: a launcher exits with its own status once the framework has stopped, and the first exit decides
 * the status; a shutdown hook waits (bounded) for the framework to finish stopping, so components still deactivate.
 */
public final class ServerExit {
    /** sysexits.h EX_CONFIG: the configuration is wrong or asks for something this machine cannot give. */
    public static final int EX_CONFIG = 78;
    private static final Logger LOG = LoggerFactory.getLogger(ServerExit.class);
    private static final long STOP_WAIT_MS = TimeUnit.SECONDS.toMillis(30);

    private ServerExit() {
    }

    /** Normal stop: stops the framework; the launcher then exits with status 0. */
    public static void stop(BundleContext context) {
        Bundle system = systemBundle(context);
        start("kitsune-stop", () -> {
            try {
                if (system != null) system.stop();
            } catch (Exception e) {
                LOG.error("Could not stop the OSGi framework: {}", e.toString());
            }
        });
    }

    /** Logs the message as ONE error line (also on stderr), stops the framework and exits the JVM with the status. */
    public static void fatal(BundleContext context, String message, int status) {
        LOG.error(message);
        System.err.println("ERROR " + message);
        System.err.flush();
        // looked up now: the context is invalid once this bundle stops with the framework
        Bundle system = systemBundle(context);
        start("kitsune-fatal-exit", () -> {
            if (system instanceof Framework fw) {
                try {
                    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                        try {
                            fw.waitForStop(STOP_WAIT_MS);
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
        });
    }

    private static Bundle systemBundle(BundleContext context) {
        try {
            Bundle b = context.getBundle(Constants.SYSTEM_BUNDLE_LOCATION);
            return b != null ? b : context.getBundle(0);
        } catch (IllegalStateException e) {
            return null;
        }
    }

    private static void start(String name, Runnable work) {
        Thread t = new Thread(work, name);
        t.setDaemon(false);
        t.start();
    }
}
