package kitsune.console.impl;

import java.io.IOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Dictionary;
import java.util.Hashtable;
import java.util.Map;

import org.osgi.service.cm.Configuration;
import org.osgi.service.cm.ConfigurationAdmin;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.component.annotations.Reference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import kitsune.api.conf.ConfigKeys;
import kitsune.api.conf.KitsuneConf;

/**
 * Maps Kitsune's (Kyuubi's) HTTP and console keys onto the configurations of Felix HTTP and the Felix Web Console:
 * the bind address (never every interface by default), HTTPS with the frontend's TLS policy, the login.
 * The console ships with admin/admin; Kitsune never runs with that: without kitsune.console.password every login is
 * refused (the console gets a random password nobody knows).
 */
@Component(configurationPid = ConfigKeys.PID, configurationPolicy = ConfigurationPolicy.REQUIRE, immediate = true)
public class ConsoleSetup {
    static final String HTTP_PID = "org.apache.felix.http";
    static final String CONSOLE_PID = "org.apache.felix.webconsole.internal.servlet.OsgiManager";

    private static final Logger LOG = LoggerFactory.getLogger(ConsoleSetup.class);

    @Reference
    private ConfigurationAdmin configAdmin;

    @Activate
    @Modified
    void configure(Map<String, Object> properties) throws IOException {
        KitsuneConf conf = KitsuneConf.fromProperties(properties);
        Dictionary<String, Object> http = new Hashtable<>();
        String host = bindHost(conf);
        int port = conf.get(ConfigKeys.REST_BIND_PORT);
        http.put("org.apache.felix.http.host", host);
        http.put("org.apache.felix.http.jetty.sendServerHeader", Boolean.FALSE);
        // idle connections closed (Felix's default is a minute); PortBounds adds the header deadline and the limit
        http.put("org.apache.felix.http.timeout",
                (int) Math.min(Integer.MAX_VALUE, Math.max(1000, conf.get(ConfigKeys.REST_MAX_IDLE_TIME).toMillis())));
        if (conf.get(ConfigKeys.AUTHENTICATION).stream().anyMatch(a -> "KERBEROS".equalsIgnoreCase(a.trim()))) {
            // the REST API takes SPNEGO then: a Kerberos ticket with an Active Directory PAC of many groups can be
            // 48 KB (Windows' MaxTokenSize), as on the Thrift HTTP port
            http.put("org.apache.felix.http.jetty.headerBufferSize", 64 * 1024);
        }
        if (conf.get(ConfigKeys.CONSOLE_SSL_ENABLED)) {
            // HTTPS only: the port never answers in plain text, and a key store that cannot be used serves nothing
            http.put("org.apache.felix.http.enable", Boolean.FALSE);
            try {
                ConsoleTls tls = ConsoleTls.from(conf);
                http.put("org.apache.felix.https.enable", Boolean.TRUE);
                http.put("org.osgi.service.http.port.secure", port);
                tls.putInto(http);
                LOG.info("Web Console over HTTPS only on {}:{} ({})", host, port, tls);
            } catch (ConsoleTls.Unusable e) {
                LOG.error("No Web Console: {}", e.getMessage());
                http.put("org.apache.felix.https.enable", Boolean.FALSE);
            }
        } else {
            http.put("org.apache.felix.http.enable", Boolean.TRUE);
            http.put("org.apache.felix.https.enable", Boolean.FALSE);
            http.put("org.osgi.service.http.port", port);
        }
        update(HTTP_PID, http);

        Dictionary<String, Object> console = new Hashtable<>();
        console.put("username", conf.get(ConfigKeys.CONSOLE_USERNAME));
        String password = conf.get(ConfigKeys.CONSOLE_PASSWORD);
        if (password == null || password.isEmpty()) {
            LOG.warn("Web Console logins are refused until {} is set in kyuubi-defaults.conf",
                    ConfigKeys.CONSOLE_PASSWORD.name());
            password = unguessable();
        }
        console.put("password", password);
        console.put("manager.root", "/system/console");
        console.put("realm", "Kitsune");
        update(CONSOLE_PID, console);
    }

    /**
     * kyuubi.frontend.rest.bind.host, else kyuubi.frontend.bind.host, else this machine's address (as Kyuubi and the
     * Thrift HTTP frontend): never every interface unless 0.0.0.0 is configured.
     */
    static String bindHost(KitsuneConf conf) {
        String host = conf.get(ConfigKeys.REST_BIND_HOST).trim();
        if (host.isEmpty()) host = conf.get(ConfigKeys.FRONTEND_BIND_HOST).trim();
        if (!host.isEmpty()) return host;
        try {
            return InetAddress.getLocalHost().getHostAddress();
        } catch (UnknownHostException e) {
            LOG.warn("This machine's host name does not resolve ({}); the Web Console binds 127.0.0.1. Set {} to the "
                    + "address it should answer on.", e.getMessage(), ConfigKeys.REST_BIND_HOST.name());
            return "127.0.0.1";
        }
    }

    private void update(String pid, Dictionary<String, Object> props) throws IOException {
        Configuration c = configAdmin.getConfiguration(pid, "?");
        c.updateIfDifferent(props);
    }

    private static String unguessable() {
        byte[] b = new byte[32];
        new SecureRandom().nextBytes(b);
        return Base64.getEncoder().encodeToString(b);
    }
}
