package kitsune.metrics.impl;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.Hashtable;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceRegistration;
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

import com.sun.net.httpserver.BasicAuthenticator;
import com.sun.net.httpserver.HttpContext;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.core.instrument.composite.CompositeMeterRegistry;
import io.micrometer.core.instrument.logging.LoggingMeterRegistry;
import io.micrometer.core.instrument.logging.LoggingRegistryConfig;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import kitsune.api.conf.ConfigKeys;
import kitsune.api.conf.KitsuneConf;
import kitsune.api.metrics.ServerMetrics;
import kitsune.api.session.SessionManager;
import kitsune.internal.threads.NamedThreads;

/**
 * The server's metrics on Micrometer (kyuubi.metrics.enabled): registers the {@link ServerMetrics} service the other
 * bundles record into, and hands the registry to the reporters of kyuubi.metrics.reporters. PROMETHEUS serves it at
 * kyuubi.metrics.prometheus.port / .path (Kyuubi's keys and defaults: 10019, /metrics), on the JDK's own HTTP server
 * with one thread, bound to one address (never every interface by default) and behind HTTP Basic when
 * kitsune.metrics.prometheus.username/.password are set; JSON writes report.json every kyuubi.metrics.json.interval;
 * SLF4J logs every meter every kyuubi.metrics.slf4j.interval. A port that cannot be bound is logged as an error naming
 * the key and the server keeps serving SQL: metrics are not worth refusing clients for. Micrometer and the Prometheus
 * client are private to this bundle, which can be updated or stopped while the server serves.
 */
@Component(configurationPid = ConfigKeys.PID, configurationPolicy = ConfigurationPolicy.REQUIRE, immediate = true,
        service = {})
public class MetricsComponent {
    private static final Logger LOG = LoggerFactory.getLogger(MetricsComponent.class);
    /** The logger of the SLF4J reporter, for operators to route. */
    static final String REPORT_LOGGER = "kitsune.metrics";

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    private volatile SessionManager sessions;

    private HttpServer server;
    private ExecutorService httpThread;
    private ScheduledExecutorService jsonThread;
    private CompositeMeterRegistry registry;
    private MicrometerMetrics metrics;
    private ServiceRegistration<ServerMetrics> registration;
    /** The metrics keys this component was activated with. */
    private Map<String, String> own = Map.of();

    @Activate
    void activate(BundleContext context, Map<String, Object> properties) {
        KitsuneConf conf = KitsuneConf.fromProperties(properties);
        own = own(conf);
        if (!conf.get(ConfigKeys.METRICS_ENABLED)) return;
        List<String> reporters = conf.get(ConfigKeys.METRICS_REPORTERS);
        registry = new CompositeMeterRegistry();
        metrics = new MicrometerMetrics(registry, conf.get(ConfigKeys.METRICS_USER_LABELS),
                context.getBundle().getVersion().toString(), () -> sessions);
        PrometheusMeterRegistry prometheus = null;
        if (reporters.contains("PROMETHEUS")) {
            prometheus = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
            registry.add(prometheus);
        }
        if (reporters.contains("SLF4J")) registry.add(slf4jReporter(conf.get(ConfigKeys.METRICS_SLF4J_INTERVAL)));
        if (registry.getRegistries().isEmpty()) registry.add(new SimpleMeterRegistry()); // JSON alone
        bindJvmMetrics(registry);
        for (String r : reporters) {
            if (!List.of("PROMETHEUS", "JSON", "SLF4J").contains(r)) {
                LOG.warn("{} in {} is accepted for Kyuubi's sake and reports nothing; Kitsune has PROMETHEUS, JSON "
                        + "and SLF4J", r, ConfigKeys.METRICS_REPORTERS.name());
            }
        }
        if (reporters.contains("JSON")) startJsonReport(conf);
        if (prometheus != null) serve(conf, prometheus);
        registration = context.registerService(ServerMetrics.class, metrics, new Hashtable<>());
    }

    /**
     * An applied edit of kyuubi-defaults.conf that leaves the metrics keys as they were keeps the registry, its
     * counters and the Prometheus port (a scrape sees no reset); one that changes them starts the reporters again.
     */
    @Modified
    void modified(BundleContext context, Map<String, Object> properties) {
        if (own(KitsuneConf.fromProperties(properties)).equals(own)) return;
        deactivate();
        activate(context, properties);
    }

    private static Map<String, String> own(KitsuneConf conf) {
        return conf.withPrefixes("kyuubi.metrics.", "kitsune.metrics.");
    }

    /** The JVM's memory, threads, GC, classes, CPU and uptime, by Micrometer's binders. */
    private static void bindJvmMetrics(MeterRegistry registry) {
        new JvmMemoryMetrics().bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ClassLoaderMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        new UptimeMetrics().bindTo(registry);
        try {
            new JvmGcMetrics().bindTo(registry);
        } catch (LinkageError noGcNotifications) {
            LOG.debug("No GC pause metrics: {}", noGcNotifications.toString());
        }
    }

    private LoggingMeterRegistry slf4jReporter(Duration interval) {
        Logger out = LoggerFactory.getLogger(REPORT_LOGGER);
        LoggingRegistryConfig config = new LoggingRegistryConfig() {
            @Override
            public String get(String key) {
                return null;
            }

            @Override
            public Duration step() {
                return interval;
            }
        };
        return new LoggingMeterRegistry(config, io.micrometer.core.instrument.Clock.SYSTEM, out::info) {
            @Override
            protected void publish() {
                metrics.refresh();
                super.publish();
            }
        };
    }

    private void startJsonReport(KitsuneConf conf) {
        Path location = Path.of(conf.get(ConfigKeys.METRICS_JSON_LOCATION));
        if (!location.isAbsolute()) location = Path.of(conf.get(ConfigKeys.LOG_DIR)).resolve(location);
        JsonReport report = new JsonReport(location);
        long every = Math.max(1, conf.get(ConfigKeys.METRICS_JSON_INTERVAL).toMillis());
        jsonThread = Executors.newSingleThreadScheduledExecutor(NamedThreads.daemon("kitsune-metrics-json"));
        jsonThread.scheduleWithFixedDelay(() -> {
            try {
                metrics.refresh();
                report.write(registry);
            } catch (java.io.IOException e) {
                LOG.warn("Cannot write the JSON metrics to {} ({}); set {} to a writable directory", report.file(),
                        e.toString(), ConfigKeys.METRICS_JSON_LOCATION.name());
            } catch (RuntimeException e) {
                LOG.warn("Writing the JSON metrics failed", e);
            }
        }, 0, every, TimeUnit.MILLISECONDS);
        LOG.info("JSON metrics in {} every {} ms", report.file(), every);
    }

    private void serve(KitsuneConf conf, PrometheusMeterRegistry prometheus) {
        String host = bindHost(conf);
        int port = conf.get(ConfigKeys.METRICS_PROMETHEUS_PORT);
        String path = "/" + conf.get(ConfigKeys.METRICS_PROMETHEUS_PATH).trim().replaceAll("^/+", "");
        String user = conf.get(ConfigKeys.METRICS_PROMETHEUS_USERNAME);
        String password = conf.get(ConfigKeys.METRICS_PROMETHEUS_PASSWORD);
        if (user.isEmpty() != password.isEmpty()) {
            // half a login is a mistake, not a choice to go without one: serve nothing rather than serve openly
            LOG.error("No Prometheus metrics: {} is set but {} is not; set both for HTTP Basic logins, or neither",
                    (user.isEmpty() ? ConfigKeys.METRICS_PROMETHEUS_PASSWORD : ConfigKeys.METRICS_PROMETHEUS_USERNAME)
                            .name(),
                    (user.isEmpty() ? ConfigKeys.METRICS_PROMETHEUS_USERNAME : ConfigKeys.METRICS_PROMETHEUS_PASSWORD)
                            .name());
            return;
        }
        try {
            server = HttpServer.create(new InetSocketAddress(InetAddress.getByName(host), port), 16);
        } catch (IOException e) {
            LOG.error("No Prometheus metrics: {}:{} is not available ({}); set {} to a free port (0 picks one), {} to "
                    + "an address of this machine, or {}=false", host, port, e.getMessage(),
                    ConfigKeys.METRICS_PROMETHEUS_PORT.name(), ConfigKeys.METRICS_PROMETHEUS_BIND_HOST.name(),
                    ConfigKeys.METRICS_ENABLED.name());
            return;
        }
        httpThread = Executors.newSingleThreadExecutor(NamedThreads.daemon("kitsune-metrics"));
        server.setExecutor(httpThread);
        HttpContext scrapes = server.createContext(path, exchange -> scrape(exchange, prometheus));
        if (!user.isEmpty()) scrapes.setAuthenticator(new ScrapeLogin(user, password));
        server.start();
        LOG.info("Prometheus metrics at http://{}:{}{}{}", host, server.getAddress().getPort(), path,
                user.isEmpty() ? "" : " (HTTP Basic login as " + user + ")");
    }

    /**
     * kitsune.metrics.prometheus.bind.host, else kyuubi.frontend.bind.host, else this machine's address (as the
     * Thrift HTTP frontend and the console): never every interface unless 0.0.0.0 is configured.
     */
    static String bindHost(KitsuneConf conf) {
        String host = conf.get(ConfigKeys.METRICS_PROMETHEUS_BIND_HOST).trim();
        if (host.isEmpty()) host = conf.get(ConfigKeys.FRONTEND_BIND_HOST).trim();
        if (!host.isEmpty()) return host;
        try {
            return InetAddress.getLocalHost().getHostAddress();
        } catch (UnknownHostException e) {
            LOG.warn("This machine's host name does not resolve ({}); the Prometheus endpoint binds 127.0.0.1. Set {} "
                    + "to the address Prometheus scrapes.", e.getMessage(),
                    ConfigKeys.METRICS_PROMETHEUS_BIND_HOST.name());
            return "127.0.0.1";
        }
    }

    /** HTTP Basic with the configured user and password, compared in constant time. */
    static final class ScrapeLogin extends BasicAuthenticator {
        private final byte[] user;
        private final byte[] password;

        ScrapeLogin(String user, String password) {
            super("Kitsune metrics", StandardCharsets.UTF_8);
            this.user = user.getBytes(StandardCharsets.UTF_8);
            this.password = password.getBytes(StandardCharsets.UTF_8);
        }

        @Override
        public boolean checkCredentials(String username, String pw) {
            boolean userOk = MessageDigest.isEqual(user, String.valueOf(username).getBytes(StandardCharsets.UTF_8));
            boolean passwordOk = MessageDigest.isEqual(password, String.valueOf(pw).getBytes(StandardCharsets.UTF_8));
            return userOk & passwordOk;
        }
    }

    @Deactivate
    void deactivate() {
        if (registration != null) {
            try {
                registration.unregister();
            } catch (IllegalStateException alreadyGone) {
                // the framework unregisters it itself when the bundle stops
            }
            registration = null;
        }
        if (server != null) server.stop(0);
        server = null;
        if (httpThread != null) httpThread.shutdownNow();
        if (jsonThread != null) jsonThread.shutdownNow();
        if (registry != null) {
            registry.getRegistries().forEach(MeterRegistry::close);
            registry.close();
            registry = null;
        }
        httpThread = null;
        jsonThread = null;
    }

    private void scrape(HttpExchange exchange, PrometheusMeterRegistry prometheus) throws IOException {
        try (exchange) {
            if (!"GET".equals(exchange.getRequestMethod()) && !"HEAD".equals(exchange.getRequestMethod())) {
                exchange.sendResponseHeaders(405, -1);
                return;
            }
            metrics.refresh();
            byte[] body = prometheus.scrape().getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", "text/plain; version=0.0.4; charset=utf-8");
            exchange.sendResponseHeaders(200, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        } catch (RuntimeException e) {
            LOG.warn("A Prometheus scrape failed", e);
        }
    }
}
