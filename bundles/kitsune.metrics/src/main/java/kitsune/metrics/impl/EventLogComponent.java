package kitsune.metrics.impl;

import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Hashtable;
import java.util.Map;

import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceRegistration;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Modified;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import kitsune.api.conf.ConfigKeys;
import kitsune.api.conf.KitsuneConf;
import kitsune.api.events.ServerEvents;

/**
 * The audit log (logger kitsune.audit, always) and Kyuubi's JSON event log (kyuubi.backend.server.event.loggers=JSON,
 * under kyuubi.backend.server.event.json.log.path, relative to kitsune.log.dir): registers the {@link ServerEvents}
 * service the frontend and the session service tell. This bundle may be absent or stopped: the server then serves
 * without either log.
 */
@Component(configurationPid = ConfigKeys.PID, configurationPolicy = ConfigurationPolicy.REQUIRE, immediate = true,
        service = {})
public class EventLogComponent {
    private static final Logger LOG = LoggerFactory.getLogger(EventLogComponent.class);
    private ServiceRegistration<ServerEvents> registration;
    private EventLog events;
    /** The event keys this component was activated with. */
    private Map<String, String> own = Map.of();

    @Activate
    void activate(BundleContext context, Map<String, Object> properties) {
        KitsuneConf conf = KitsuneConf.fromProperties(properties);
        own = own(conf);
        JsonEventLog json = null;
        String server = serverName();
        for (String logger : conf.get(ConfigKeys.EVENT_LOGGERS)) {
            String l = logger.toUpperCase(java.util.Locale.ROOT);
            if (l.equals("JSON")) {
                json = new JsonEventLog(jsonDir(conf), server);
            } else {
                LOG.warn("{} in {} writes no events on Kitsune (it has JSON only); events are not logged by it", logger,
                        ConfigKeys.EVENT_LOGGERS.name());
            }
        }
        events = new EventLog(new AuditLog(), json, server, serverIp(), Clock.systemDefaultZone(),
                conf.get(ConfigKeys.EVENT_QUEUE_SIZE), conf.get(ConfigKeys.EVENT_FLUSH_INTERVAL));
        events.server("STARTED");
        registration = context.registerService(ServerEvents.class, events, new Hashtable<>());
    }

    /**
     * An applied edit of kyuubi-defaults.conf that leaves the event keys as they were keeps the logs as they are: the
     * server did not stop, so no STOPPED and STARTED events are written for it.
     */
    @Modified
    void modified(BundleContext context, Map<String, Object> properties) {
        if (own(KitsuneConf.fromProperties(properties)).equals(own)) return;
        deactivate();
        activate(context, properties);
    }

    private static Map<String, String> own(KitsuneConf conf) {
        return conf.withPrefixes("kyuubi.backend.server.event.", "kitsune.backend.server.event.");
    }

    @Deactivate
    void deactivate() {
        if (registration != null) {
            try {
                registration.unregister();
            } catch (IllegalStateException alreadyGone) {
                // the framework is stopping
            }
        }
        registration = null;
        if (events != null) {
            events.server("STOPPED");
            events.close();
            events = null;
        }
    }

    /** kyuubi.backend.server.event.json.log.path as a directory: a file: URI or a path, relative to the log dir. */
    static Path jsonDir(KitsuneConf conf) {
        String raw = conf.get(ConfigKeys.EVENT_JSON_LOG_PATH).trim();
        Path dir = raw.startsWith("file:") ? Path.of(URI.create(raw)) : Path.of(raw);
        return dir.isAbsolute() ? dir : Path.of(conf.get(ConfigKeys.LOG_DIR)).resolve(dir);
    }

    private static String serverName() {
        return hostName() + "-" + ProcessHandle.current().pid();
    }

    private static String hostName() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            return "localhost";
        }
    }

    private static String serverIp() {
        try {
            return InetAddress.getLocalHost().getHostAddress();
        } catch (UnknownHostException e) {
            return "127.0.0.1";
        }
    }
}
