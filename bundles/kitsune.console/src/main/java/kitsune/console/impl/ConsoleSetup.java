package kitsune.console.impl;

import java.io.IOException;
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
 * Maps Kitsune's (Kyuubi's) HTTP and console keys onto the configurations of Felix HTTP and the Felix Web Console.
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
        http.put("org.apache.felix.http.enable", Boolean.TRUE);
        http.put("org.apache.felix.http.host", conf.get(ConfigKeys.REST_BIND_HOST));
        http.put("org.osgi.service.http.port", conf.get(ConfigKeys.REST_BIND_PORT));
        http.put("org.apache.felix.http.jetty.sendServerHeader", Boolean.FALSE);
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
