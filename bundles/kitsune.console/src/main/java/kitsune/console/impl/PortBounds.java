package kitsune.console.impl;

import java.util.Map;

import org.apache.felix.http.jetty.ConnectorFactory;
import org.eclipse.jetty.server.Connector;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Modified;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import kitsune.api.conf.ConfigKeys;
import kitsune.api.conf.KitsuneConf;

/**
 * Bounds the port of Felix HTTP (REST API and Web Console) as the Thrift HTTP port is bounded: a first request's
 * header within kyuubi.frontend.thrift.login.timeout, at most kitsune.frontend.rest.connections.max connections
 * ({@link BoundedConnector}); the idle timeout is Felix HTTP's own (set by {@link ConsoleSetup}).
 * <p>
 * Felix HTTP offers no setting for either, nor a way to turn its own connector off while the HTTP service runs;
 * what it offers is this whiteboard service, which it calls with its Jetty server once that server has started with
 * the connector built from ConsoleSetup's configuration. The factory stops that connector (its port is free again)
 * and returns a {@link BoundedConnector} on the same host and port with the same connection factories (TLS, HTTP
 * settings), which Felix HTTP adds and starts. Felix's stopped connector stays in the server: it is what a later call
 * copies from (after this bundle was updated, or this component restarted), and Felix stops the server as a whole.
 * When this service goes away Felix HTTP stops the bounded connector, and the port is closed until it returns.
 */
@Component(configurationPid = ConfigKeys.PID, configurationPolicy = ConfigurationPolicy.REQUIRE,
        service = ConnectorFactory.class)
public class PortBounds implements ConnectorFactory {
    private static final Logger LOG = LoggerFactory.getLogger(PortBounds.class);

    private volatile KitsuneConf conf;
    private volatile BoundedConnector current;

    @Activate
    void activate(Map<String, Object> properties) {
        conf = KitsuneConf.fromProperties(properties);
    }

    @Modified
    void modified(Map<String, Object> properties) {
        conf = KitsuneConf.fromProperties(properties);
        BoundedConnector c = current;
        if (c != null) c.update(conf.get(ConfigKeys.REST_MAX_CONNECTIONS), conf.get(ConfigKeys.THRIFT_LOGIN_TIMEOUT));
    }

    @Override
    public Connector createConnector(Server server) {
        ServerConnector felix = felixConnector(server);
        try {
            // the port must be free for the bounded connector
            if (felix.isRunning()) felix.stop();
        } catch (Exception e) {
            throw new IllegalStateException("Cannot stop Felix HTTP's connector on port " + felix.getPort(), e);
        }
        KitsuneConf c = conf;
        BoundedConnector bounded = BoundedConnector.replacing(felix, c.get(ConfigKeys.REST_MAX_CONNECTIONS),
                c.get(ConfigKeys.THRIFT_LOGIN_TIMEOUT));
        current = bounded;
        LOG.info("HTTP service on {}:{}: at most {} connections ({}), first request header within {} ({}), idle "
                + "connections closed after {} ms", bounded.getHost(), bounded.getPort(), bounded.maxConnections(),
                ConfigKeys.REST_MAX_CONNECTIONS.name(), c.get(ConfigKeys.THRIFT_LOGIN_TIMEOUT),
                ConfigKeys.THRIFT_LOGIN_TIMEOUT.name(), bounded.getIdleTimeout());
        return bounded;
    }

    /** The connector Felix HTTP built from its configuration: the server's one that is not a bounded one. */
    private static ServerConnector felixConnector(Server server) {
        for (Connector c : server.getConnectors()) {
            // by name: a bounded connector of an earlier copy of this bundle is of another class of that name
            if (c instanceof ServerConnector s && !s.getClass().getName().equals(BoundedConnector.class.getName())) {
                return s;
            }
        }
        throw new IllegalStateException("Felix HTTP's server has no connector of its own to bound");
    }
}
