package kitsune.metrics.impl;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
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

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import kitsune.api.conf.ConfigKeys;
import kitsune.api.conf.KitsuneConf;
import kitsune.api.session.SessionInfo;
import kitsune.api.session.SessionManager;

/**
 * Serves the metrics for Prometheus at kyuubi.metrics.prometheus.port / .path (Kyuubi's keys and defaults: 10019,
 * /metrics), on the JDK's own HTTP server with one thread. A port that cannot be bound is logged as an error naming the
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
        String host = conf.get(ConfigKeys.METRICS_PROMETHEUS_BIND_HOST).trim();
        if (host.isEmpty()) host = conf.get(ConfigKeys.FRONTEND_BIND_HOST).trim();
        int port = conf.get(ConfigKeys.METRICS_PROMETHEUS_PORT);
        String path = "/" + conf.get(ConfigKeys.METRICS_PROMETHEUS_PATH).trim().replaceAll("^/+", "");
        try {
            InetSocketAddress address = host.isEmpty() ? new InetSocketAddress(port)
                    : new InetSocketAddress(InetAddress.getByName(host), port);
            server = HttpServer.create(address, 16);
        } catch (IOException e) {
            LOG.error("No Prometheus metrics: {}:{} is not available ({}); set {} to a free port (0 picks one) or {}="
                    + "false", host.isEmpty() ? "0.0.0.0" : host, port, e.getMessage(),
                    ConfigKeys.METRICS_PROMETHEUS_PORT.name(), ConfigKeys.METRICS_ENABLED.name());
            return;
        }
        server.setExecutor(Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "kitsune-metrics");
            t.setDaemon(true);
            return t;
        }));
        server.createContext(path, this::scrape);
        server.start();
        LOG.info("Prometheus metrics at http://{}:{}{}", host.isEmpty() ? "0.0.0.0" : host,
                server.getAddress().getPort(), path);
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
