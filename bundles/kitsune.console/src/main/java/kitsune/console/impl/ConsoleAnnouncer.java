package kitsune.console.impl;

import java.util.Collection;

import org.osgi.framework.BundleContext;
import org.osgi.framework.InvalidSyntaxException;
import org.osgi.framework.ServiceEvent;
import org.osgi.framework.ServiceListener;
import org.osgi.framework.ServiceReference;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.condition.Condition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import kitsune.api.registry.ServerLifecycle;

/**
 * Logs where the Web Console answers each time the HTTP runtime (re)starts on an endpoint, while the server serves:
 * the component needs the {@link ServerLifecycle#SERVING} condition, which the HA bundle registers right after the
 * ready line (server registered in ZooKeeper, every bundle started) and withdraws at the drain, so the console's line
 * comes after the ready line, as Kyuubi's do. It watches the runtime service by name, so this bundle does not depend
 * on the servlet API.
 */
@Component(immediate = true)
public class ConsoleAnnouncer implements ServiceListener {
    static final String RUNTIME = "org.osgi.service.servlet.runtime.HttpServiceRuntime";
    private static final Logger LOG = LoggerFactory.getLogger(ConsoleAnnouncer.class);

    private BundleContext context;
    private volatile String lastAnnounced;

    /** Static and mandatory: the component (and its line) exists only while the server serves. */
    @Reference(target = ServerLifecycle.SERVING)
    Condition serving;

    @Activate
    void activate(BundleContext ctx) throws InvalidSyntaxException {
        this.context = ctx;
        String filter = "(objectClass=" + RUNTIME + ")";
        ctx.addServiceListener(this, filter);
        ServiceReference<?>[] refs = ctx.getAllServiceReferences(RUNTIME, null);
        if (refs != null) {
            for (ServiceReference<?> ref : refs) announce(ref);
        }
    }

    @Deactivate
    void deactivate() {
        context.removeServiceListener(this);
    }

    @Override
    public void serviceChanged(ServiceEvent event) {
        if (event.getType() != ServiceEvent.UNREGISTERING) announce(event.getServiceReference());
    }

    private void announce(ServiceReference<?> ref) {
        Object endpoints = ref.getProperty("osgi.http.endpoint");
        String first = endpoints instanceof String[] a && a.length > 0 ? a[0]
                : endpoints instanceof Collection<?> c && !c.isEmpty() ? String.valueOf(c.iterator().next())
                : endpoints instanceof String s ? s : null;
        if (first == null) return;
        String url = (first.endsWith("/") ? first.substring(0, first.length() - 1) : first) + "/system/console";
        if (!url.equals(lastAnnounced)) {
            lastAnnounced = url;
            LOG.info("Web Console at {}", url);
        }
    }
}
