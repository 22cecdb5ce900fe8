package kitsune.runtime.impl;

import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.BundleEvent;
import org.osgi.framework.SynchronousBundleListener;
import org.osgi.framework.Constants;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.condition.Condition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import kitsune.api.registry.ServerLifecycle;

/**
 * Logs every bundle installed, updated, uninstalled, started or stopped once the server runs: a hot swap from the Web
 * Console or the bundles directory leaves a line with the bundle's name, new version and location. Start and stop
 * during the server's own start and shutdown are not logged (sixty lines nobody needs). Synchronous, so that whether
 * the server runs is read while the change happens, not when an event queue delivers it.
 */
@Component(immediate = true)
public class BundleChangeLog implements SynchronousBundleListener {
    private static final Logger LOG = LoggerFactory.getLogger(BundleChangeLog.class);

    private BundleContext context;

    @Reference(target = ServerLifecycle.RUNTIME_STARTED, cardinality = ReferenceCardinality.OPTIONAL,
            policy = ReferencePolicy.DYNAMIC)
    private volatile Condition started;

    @Activate
    void activate(BundleContext context) {
        this.context = context;
        context.addBundleListener(this);
    }

    @Deactivate
    void deactivate() {
        context.removeBundleListener(this);
    }

    @Override
    public void bundleChanged(BundleEvent event) {
        String line = describe(event.getType(), serverRunning(),
                event.getBundle().getSymbolicName(), event.getBundle().getVersion().toString(),
                event.getBundle().getBundleId(), event.getBundle().getLocation());
        if (line != null) LOG.info(line);
    }

    /**
     * Whether the runtime has started every bundle and is not stopping: the framework stays ACTIVE while bnd's
     * launcher raises the start level, so its state alone does not tell.
     */
    private boolean serverRunning() {
        Bundle system = context.getBundle(Constants.SYSTEM_BUNDLE_LOCATION);
        return started != null && system != null && system.getState() == Bundle.ACTIVE;
    }

    /** The line for one bundle event, or null when it is not worth a line. */
    static String describe(int type, boolean serverRunning, String name, String version, long id, String location) {
        String what;
        switch (type) {
            case BundleEvent.INSTALLED -> what = "installed";
            case BundleEvent.UPDATED -> what = "updated";
            case BundleEvent.UNINSTALLED -> what = "uninstalled";
            case BundleEvent.STARTED -> what = serverRunning ? "started" : null;
            case BundleEvent.STOPPED -> what = serverRunning ? "stopped" : null;
            default -> what = null;
        }
        if (what == null) return null;
        return "Bundle " + name + " " + version + " " + what + " (id " + id + ", location " + location + ")";
    }
}
