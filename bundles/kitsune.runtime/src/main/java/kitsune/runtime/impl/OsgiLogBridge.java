package kitsune.runtime.impl;

import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.log.LogEntry;
import org.osgi.service.log.LogLevel;
import org.osgi.service.log.LogListener;
import org.osgi.service.log.LogReaderService;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Copies warnings and errors of the OSGi Log Service into kitsune.log. Service Component Runtime, File Install and the
 * Web Console report there (a component that fails to activate, a bundle that does not resolve); without this they
 * would sit in the Log Service's memory where an operator never looks.
 */
@Component(immediate = true)
public class OsgiLogBridge implements LogListener {

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            unbind = "removeReader")
    void addReader(LogReaderService reader) {
        reader.addLogListener(this);
    }

    void removeReader(LogReaderService reader) {
        reader.removeLogListener(this);
    }

    private Bundle system;

    @Activate
    void activate(BundleContext context) {
        system = context.getBundle(0);
    }

    @Override
    public void logged(LogEntry entry) {
        if (!forwarded(entry.getLogLevel())) return;
        Logger log = LoggerFactory.getLogger(loggerName(entry.getBundle()));
        String message = entry.getMessage();
        if (frameworkStopping()) {
            // the framework stops while bundles still start (a fatal start error stops it at once): File Install
            // and SCR then report installs and activations the stop cut short. That is the stop, not a fault; the
            // error that caused it was logged as one line.
            log.debug("While the framework stops: {} ({})", message, entry.getException());
            return;
        }
        if (entry.getLogLevel() == LogLevel.ERROR || entry.getLogLevel() == LogLevel.AUDIT) {
            log.error(message, entry.getException());
        } else {
            log.warn(message, entry.getException());
        }
    }

    private boolean frameworkStopping() {
        Bundle s = system;
        return s != null && (s.getState() & (Bundle.STOPPING | Bundle.RESOLVED)) != 0;
    }

    /** Info and debug entries are the framework's own chatter (every service registered): left out. */
    static boolean forwarded(LogLevel level) {
        return level == LogLevel.WARN || level == LogLevel.ERROR || level == LogLevel.AUDIT;
    }

    static String loggerName(Bundle bundle) {
        String name = bundle == null ? null : bundle.getSymbolicName();
        return name == null ? "osgi" : name;
    }
}
