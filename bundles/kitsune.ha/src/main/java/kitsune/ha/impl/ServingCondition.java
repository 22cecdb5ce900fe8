package kitsune.ha.impl;

import java.util.Dictionary;
import java.util.Hashtable;

import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceRegistration;
import org.osgi.service.condition.Condition;

import kitsune.api.registry.ServerLifecycle;

/**
 * The {@link ServerLifecycle#SERVING} condition: registered right after the ready line, withdrawn for good when the
 * server drains or stops (a server never serves again after that; a register() racing with the drain does nothing).
 * Other bundles (the console's announcer) bind it to say something only while the server serves.
 */
final class ServingCondition {
    static final String CONDITION_ID = "kitsune.server.serving";

    private final BundleContext context;
    private ServiceRegistration<Condition> registration;
    private boolean withdrawn;

    ServingCondition(BundleContext context) {
        this.context = context;
    }

    synchronized void register() {
        if (registration != null || withdrawn) return;
        Dictionary<String, Object> properties = new Hashtable<>();
        properties.put(Condition.CONDITION_ID, CONDITION_ID);
        try {
            registration = context.registerService(Condition.class, Condition.INSTANCE, properties);
        } catch (IllegalStateException stopping) {
            // the bundle is stopping: nothing serves any more
        }
    }

    synchronized void withdraw() {
        withdrawn = true;
        if (registration == null) return;
        try {
            registration.unregister();
        } catch (IllegalStateException alreadyGone) {
            // the framework is stopping and unregistered it first
        }
        registration = null;
    }

    synchronized boolean registered() {
        return registration != null;
    }
}
