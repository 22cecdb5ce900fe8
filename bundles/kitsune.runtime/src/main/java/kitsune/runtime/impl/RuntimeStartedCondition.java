package kitsune.runtime.impl;

import java.util.Dictionary;
import java.util.Hashtable;

import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.Constants;
import org.osgi.framework.FrameworkEvent;
import org.osgi.framework.FrameworkListener;
import org.osgi.framework.ServiceRegistration;
import org.osgi.framework.startlevel.BundleStartLevel;
import org.osgi.framework.startlevel.FrameworkStartLevel;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.condition.Condition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import kitsune.api.registry.ServerLifecycle;

/**
 * Registers the {@link ServerLifecycle#RUNTIME_STARTED} condition once the framework's start level has reached the
 * start level of every installed bundle, so that every bundle, the engine providers File Install deploys included,
 * has been started. Neither the framework's ACTIVE state nor its STARTED event says that under bnd's launcher
 * (bin/kitsune): the launcher raises the start level only after the framework has started, and marks its own service
 * {@code launcher.ready} as soon as it has asked for the final level, not when the framework got there.
 */
@Component(immediate = true)
public class RuntimeStartedCondition implements FrameworkListener {
    private static final Logger LOG = LoggerFactory.getLogger(RuntimeStartedCondition.class);
    static final String CONDITION_ID = "kitsune.runtime.started";

    private BundleContext context;
    private ServiceRegistration<Condition> registration;

    @Activate
    synchronized void activate(BundleContext context) {
        this.context = context;
        context.addFrameworkListener(this);
        if (everyBundleLevelReached()) started();
    }

    @Deactivate
    synchronized void deactivate() {
        context.removeFrameworkListener(this);
        if (registration != null) {
            try {
                registration.unregister();
            } catch (IllegalStateException alreadyGone) {
                // the framework is stopping and unregistered it first
            }
        }
        registration = null;
    }

    @Override
    public void frameworkEvent(FrameworkEvent event) {
        if ((event.getType() == FrameworkEvent.STARTLEVEL_CHANGED || event.getType() == FrameworkEvent.STARTED)
                && everyBundleLevelReached()) {
            started();
        }
    }

    private boolean everyBundleLevelReached() {
        Bundle system = context.getBundle(Constants.SYSTEM_BUNDLE_LOCATION);
        if (system.getState() != Bundle.ACTIVE) return false;
        int framework = system.adapt(FrameworkStartLevel.class).getStartLevel();
        for (Bundle b : context.getBundles()) {
            BundleStartLevel level = b.adapt(BundleStartLevel.class);
            if (b.getBundleId() != 0 && level != null && !reached(framework, level.getStartLevel())) return false;
        }
        return true;
    }

    static boolean reached(int frameworkLevel, int bundleLevel) {
        return bundleLevel <= frameworkLevel;
    }

    private synchronized void started() {
        if (registration != null || context == null) return;
        Dictionary<String, Object> properties = new Hashtable<>();
        properties.put(Condition.CONDITION_ID, CONDITION_ID);
        registration = context.registerService(Condition.class, Condition.INSTANCE, properties);
        long active = 0;
        for (Bundle b : context.getBundles()) {
            if (b.getState() == Bundle.ACTIVE) active++;
        }
        LOG.info("Runtime started: {} of {} bundles active", active, context.getBundles().length);
    }
}
