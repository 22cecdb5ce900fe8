package kitsune.console.impl;

import java.util.Dictionary;
import java.util.Hashtable;

import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceRegistration;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Registers the "Kitsune" Web Console page: a jakarta.servlet.Servlet service with the Web Console 5 plugin
 * properties (the console wraps it in its page chrome and its authentication). The servlet API is an optional
 * import: without it this component logs one line and registers nothing, and the rest of the bundle works. With it,
 * the component also registers the {@link CsrfGuard} in front of the whole HTTP service.
 */
@Component(immediate = true)
public class ConsolePlugin {
    static final String LABEL = "kitsune";
    static final String TITLE = "Kitsune";
    static final String CATEGORY = "Kitsune";
    private static final Logger LOG = LoggerFactory.getLogger(ConsolePlugin.class);

    @Reference
    private KitsuneOverview overview;

    private ServiceRegistration<?> registration;
    private ServiceRegistration<?> guard;

    @Activate
    void activate(BundleContext context) {
        try {
            registration = Registrar.register(context, overview);
        } catch (NoClassDefFoundError e) {
            LOG.info("No servlet API (jakarta.servlet) available to kitsune.console: the Kitsune Web Console page is "
                    + "not registered");
            return;
        }
        try {
            guard = Registrar.guard(context);
        } catch (NoClassDefFoundError e) {
            // no HTTP whiteboard (org.osgi.service.servlet) in the framework: no HTTP service to guard either
            LOG.info("No HTTP whiteboard available to kitsune.console: the cross-site request guard is not registered");
        }
    }

    @Deactivate
    void deactivate() {
        unregister(registration);
        registration = null;
        unregister(guard);
        guard = null;
    }

    private static void unregister(ServiceRegistration<?> r) {
        if (r == null) return;
        try {
            r.unregister();
        } catch (IllegalStateException alreadyGone) {
            // bundle stopping
        }
    }

    /** Kept apart so that jakarta.servlet is only loaded when this runs. */
    private static final class Registrar {
        static ServiceRegistration<?> register(BundleContext context, KitsuneOverview overview) {
            Dictionary<String, Object> props = new Hashtable<>();
            props.put("felix.webconsole.label", LABEL);
            props.put("felix.webconsole.title", TITLE);
            props.put("felix.webconsole.category", CATEGORY);
            return context.registerService(jakarta.servlet.Servlet.class, new KitsuneServlet(overview), props);
        }

        /** The cross-site request guard in front of every servlet context of the HTTP service. */
        static ServiceRegistration<?> guard(BundleContext context) {
            return context.registerService(org.osgi.service.servlet.whiteboard.Preprocessor.class, new CsrfGuard(),
                    new Hashtable<>());
        }
    }
}
