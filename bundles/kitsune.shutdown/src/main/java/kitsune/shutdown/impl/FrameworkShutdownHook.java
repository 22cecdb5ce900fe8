package kitsune.shutdown.impl;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import org.osgi.framework.BundleContext;
import org.osgi.framework.BundleException;
import org.osgi.framework.FrameworkEvent;
import org.osgi.framework.launch.Framework;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import kitsune.api.conf.ConfigKeys;
import kitsune.api.conf.KitsuneConf;
import kitsune.api.registry.ServerLifecycle;

/**
 * Graceful stop on SIGTERM/SIGINT: the first signal drains the server through {@link ServerLifecycle} (leave
 * ZooKeeper, refuse new sessions, wait for the open ones at most kitsune.server.stop.timeout, close the rest) and then
 * stops the framework, so that every component deactivates; a second signal ends the drain at once (open sessions are
 * closed by the framework stop); a third halts the JVM.
 *
 * <p>The signals are caught with {@code sun.misc.Signal} (module jdk.unsupported, reached by reflection so that this
 * bundle imports nothing from it). Where that is not possible the JVM shutdown hook does the same drain, but then a
 * second signal cannot shorten it. The shutdown hook also covers every other way the JVM exits.
 */
@Component(immediate = true, configurationPid = ConfigKeys.PID, configurationPolicy = ConfigurationPolicy.OPTIONAL)
public class FrameworkShutdownHook {
    /** Upper bound for the framework to stop (after the drain); the JVM exits anyway after it. */
    static final Duration STOP_TIMEOUT = Duration.ofSeconds(Long.getLong("kitsune.shutdown.timeout.seconds", 60));
    static final String[] SIGNALS = {"TERM", "INT"};

    private static final Logger LOG = LoggerFactory.getLogger(FrameworkShutdownHook.class);

    private volatile ServerLifecycle lifecycle;
    private volatile Duration drainBound = Duration.ofMinutes(1);
    private final AtomicInteger signals = new AtomicInteger();
    private Framework framework;
    private Thread hook;
    private volatile Thread stopper;
    private final Map<String, Object> previousHandlers = new java.util.HashMap<>();

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    void bindLifecycle(ServerLifecycle l) {
        lifecycle = l;
    }

    void unbindLifecycle(ServerLifecycle l) {
        if (lifecycle == l) lifecycle = null;
    }

    @Activate
    void activate(BundleContext context, Map<String, Object> properties) {
        readConf(properties);
        framework = (Framework) context.getBundle(0);
        Thread h = new Thread(this::onJvmExit, "kitsune-shutdown");
        try {
            Runtime.getRuntime().addShutdownHook(h);
            hook = h;
        } catch (IllegalStateException exiting) {
            // the JVM is already exiting (a fatal start error stops the server while bundles still start): there is
            // nothing to drain and no signal to wait for
            LOG.debug("The JVM is exiting; no shutdown hook installed");
            return;
        }
        for (String name : SIGNALS) installSignalHandler(name);
    }

    @Modified
    void modified(Map<String, Object> properties) {
        readConf(properties);
    }

    private void readConf(Map<String, Object> properties) {
        try {
            drainBound = KitsuneConf.fromProperties(properties).get(ConfigKeys.SERVER_STOP_TIMEOUT);
        } catch (RuntimeException e) {
            LOG.warn("Keeping {}={}: {}", ConfigKeys.SERVER_STOP_TIMEOUT.name(), drainBound, e.getMessage());
        }
    }

    /** sun.misc.Signal.handle(new Signal(name), handler), by reflection. */
    private void installSignalHandler(String name) {
        try {
            ClassLoader cl = ClassLoader.getSystemClassLoader();
            Class<?> signalClass = Class.forName("sun.misc.Signal", true, cl);
            Class<?> handlerClass = Class.forName("sun.misc.SignalHandler", true, cl);
            Object signal = signalClass.getConstructor(String.class).newInstance(name);
            InvocationHandler ih = (proxy, method, args) -> {
                if ("handle".equals(method.getName())) {
                    onSignal(name);
                    return null;
                }
                return switch (method.getName()) {
                    case "hashCode" -> System.identityHashCode(proxy);
                    case "equals" -> proxy == args[0];
                    case "toString" -> "kitsune-signal-handler-" + name;
                    default -> null;
                };
            };
            Object handler = Proxy.newProxyInstance(handlerClass.getClassLoader(), new Class<?>[] {handlerClass}, ih);
            Method handle = signalClass.getMethod("handle", signalClass, handlerClass);
            Object previous = handle.invoke(null, signal, handler);
            synchronized (previousHandlers) {
                previousHandlers.put(name, previous);
            }
        } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
            // e.g. SIGINT ignored by the parent shell (IllegalArgumentException): the shutdown hook covers it
            LOG.debug("SIG{} is not caught by Kitsune ({}); the JVM shutdown hook handles it", name, e.toString());
        }
    }

    private void restoreSignalHandlers() {
        synchronized (previousHandlers) {
            previousHandlers.forEach((name, previous) -> {
                try {
                    ClassLoader cl = ClassLoader.getSystemClassLoader();
                    Class<?> signalClass = Class.forName("sun.misc.Signal", true, cl);
                    Class<?> handlerClass = Class.forName("sun.misc.SignalHandler", true, cl);
                    Object signal = signalClass.getConstructor(String.class).newInstance(name);
                    signalClass.getMethod("handle", signalClass, handlerClass).invoke(null, signal, previous);
                } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
                    LOG.debug("Could not restore the handler of SIG{}: {}", name, e.toString());
                }
            });
            previousHandlers.clear();
        }
    }

    private void onSignal(String name) {
        int n = signals.incrementAndGet();
        if (n == 1) {
            LOG.info("Received SIG{}: stopping gracefully (drain at most {}, {}); send it again to stop at once", name,
                    drainBound, ConfigKeys.SERVER_STOP_TIMEOUT.name());
            Thread t = new Thread(() -> gracefulStop(true), "kitsune-graceful-stop");
            t.setDaemon(false);
            stopper = t;
            t.start();
        } else if (n == 2) {
            LOG.warn("Received SIG{} again: stopping at once; open sessions are closed", name);
            Thread t = stopper;
            if (t != null) t.interrupt();
        } else {
            LOG.warn("Received SIG{} a third time: halting the JVM", name);
            Runtime.getRuntime().halt(128 + ("INT".equals(name) ? 2 : 15));
        }
    }

    /** Drain (bounded; skipped when interrupted), then stop the framework and wait for it, bounded. */
    private void gracefulStop(boolean fromSignal) {
        ServerLifecycle l = lifecycle;
        long started = System.nanoTime();
        if (l != null) {
            try {
                int forced = l.drain(drainBound);
                long s = Duration.ofNanos(System.nanoTime() - started).toSeconds();
                if (forced > 0) {
                    LOG.warn("Drained in {} s: {} session(s) were still open after {} and were closed", s, forced,
                            drainBound);
                } else {
                    LOG.info("Drained in {} s: every session finished", s);
                }
            } catch (InterruptedException e) {
                LOG.warn("Drain cut short: stopping now");
            } catch (RuntimeException e) {
                LOG.error("The drain failed ({}); stopping now", e.toString());
            }
        }
        LOG.info("Stopping the OSGi framework (at most {} s)", STOP_TIMEOUT.toSeconds());
        try {
            framework.stop();
            FrameworkEvent event = framework.waitForStop(STOP_TIMEOUT.toMillis());
            if (event.getType() == FrameworkEvent.WAIT_TIMEDOUT) {
                LOG.warn("The framework did not stop within {} s; exiting anyway", STOP_TIMEOUT.toSeconds());
                if (fromSignal) Runtime.getRuntime().halt(1);
            } else {
                LOG.info("Kitsune stopped");
            }
        } catch (BundleException e) {
            LOG.error("Stopping the framework failed: {}", e.getMessage());
        } catch (InterruptedException e) {
            // a second signal while the framework stops: it is stopping already
            Thread.currentThread().interrupt();
        }
    }

    /** The JVM exits (a signal not caught above, System.exit): drain and stop unless a signal already does. */
    private void onJvmExit() {
        Thread t = stopper;
        if (t != null) {
            try {
                t.join(drainBound.toMillis() + STOP_TIMEOUT.toMillis() + 10_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return;
        }
        LOG.info("Shutdown requested; draining (at most {}) and stopping the OSGi framework", drainBound);
        gracefulStop(false);
    }

    @Deactivate
    void deactivate() {
        restoreSignalHandlers();
        try {
            if (hook != null) Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException alreadyShuttingDown) {
            // the hook itself is what is stopping us; nothing to remove
        }
    }
}
