package kitsune.metrics.impl;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;

import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
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

import kitsune.api.conf.ConfigKeys;
import kitsune.api.conf.KitsuneConf;
import kitsune.api.session.SessionInfo;
import kitsune.api.session.SessionManager;

/**
 * Serves the metrics for Prometheus at kyuubi.metrics.prometheus.port / .path (Kyuubi's keys and defaults: 10019,
 * /metrics), on the JDK's own HTTP server with one thread, bound to one address (never every interface by default) and
 * behind HTTP Basic when kitsune.metrics.prometheus.username/.password are set. A port that cannot be bound is logged as an error naming the
 * key and the server keeps serving SQL: metrics are not worth refusing clients for.
 */
@Component(configurationPid = ConfigKeys.PID, configurationPolicy = ConfigurationPolicy.REQUIRE, immediate = true,
        service = {})
public class PrometheusEndpoint {
    private static final Logger LOG = LoggerFactory.getLogger(PrometheusEndpoint.class);

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    private volatile SessionManager sessions;

    private HttpServer server;
    private String version;

    @Activate
    void activate(BundleContext context, Map<String, Object> properties) {
        KitsuneConf conf = KitsuneConf.fromProperties(properties);
        if (!conf.get(ConfigKeys.METRICS_ENABLED) || !conf.get(ConfigKeys.METRICS_REPORTERS).contains("PROMETHEUS")) {
            return;
        }
        version = context.getBundle().getVersion().toString();
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
        server.setExecutor(Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "kitsune-metrics");
            t.setDaemon(true);
            return t;
        }));
        HttpContext scrapes = server.createContext(path, this::scrape);
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
        if (server != null) server.stop(0);
        server = null;
    }

    private void scrape(HttpExchange exchange) throws IOException {
        try (exchange) {
            SessionManager sm = sessions;
            List<SessionInfo> open = sm == null ? null : sm.sessions();
            byte[] body = PrometheusText.render(open, version).getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", "text/plain; version=0.0.4; charset=utf-8");
            exchange.sendResponseHeaders(200, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        }
    }
}
