package kitsune.api.registry;

import java.util.HashMap;
import java.util.Map;

import javax.security.auth.login.AppConfigurationEntry;
import javax.security.auth.login.Configuration;

/**
 * The JAAS section of the ZooKeeper client's Kerberos login, built here rather than read from a file named by a
 * JVM-wide system property. ZooKeeper's client looks its section up in the JVM's one JAAS configuration
 * ({@link Configuration#getConfiguration()}), so the section is added in front of whatever configuration was
 * installed before, which keeps answering every other name.
 */
final class ZkJaas extends Configuration {
    private final String section;
    private final AppConfigurationEntry[] entry;
    private final Configuration previous;

    private ZkJaas(String section, Map<String, String> options, Configuration previous) {
        this.section = section;
        this.entry = new AppConfigurationEntry[] {new AppConfigurationEntry(
                "com.sun.security.auth.module.Krb5LoginModule", AppConfigurationEntry.LoginModuleControlFlag.REQUIRED,
                options)};
        this.previous = previous;
    }

    static synchronized void install(String section, String principal, String keytab) {
        Configuration current = current();
        if (current instanceof ZkJaas z && z.section.equals(section)) {
            Map<String, ?> o = z.entry[0].getOptions();
            if (principal.equals(o.get("principal")) && keytab.equals(o.get("keyTab"))) return;
            current = z.previous;
        }
        Map<String, String> options = new HashMap<>();
        options.put("useKeyTab", "true");
        options.put("keyTab", keytab);
        options.put("principal", principal);
        options.put("storeKey", "true");
        options.put("useTicketCache", "false");
        options.put("doNotPrompt", "true");
        options.put("isInitiator", "true");
        options.put("refreshKrb5Config", "true");
        Configuration.setConfiguration(new ZkJaas(section, Map.copyOf(options), current));
    }

    private static Configuration current() {
        try {
            return Configuration.getConfiguration();
        } catch (SecurityException e) {
            return null; // no default configuration (e.g. java.security.auth.login.config names a missing file)
        }
    }

    @Override
    public AppConfigurationEntry[] getAppConfigurationEntry(String name) {
        if (section.equals(name)) return entry.clone();
        return previous == null ? null : previous.getAppConfigurationEntry(name);
    }

    @Override
    public void refresh() {
        if (previous != null) previous.refresh();
    }
}
