package kitsune.internal.kerberos;

import java.nio.file.Path;
import java.util.Map;

import javax.security.auth.Subject;
import javax.security.auth.callback.UnsupportedCallbackException;
import javax.security.auth.login.AppConfigurationEntry;
import javax.security.auth.login.Configuration;
import javax.security.auth.login.LoginContext;
import javax.security.auth.login.LoginException;

/**
 * A login from a keytab with the JDK's Krb5LoginModule, never prompting: the one place that builds its JAAS
 * configuration and lets the module be found (by the platform class loader, not a bundle's).
 */
public final class KeytabLogin {
    private static final String MODULE = "com.sun.security.auth.module.Krb5LoginModule";

    private KeytabLogin() {
    }

    /**
     * Logs in as the principal with the keys of the keytab.
     *
     * @param section the JAAS section name (shows in the JDK's messages)
     * @param initiator true for a client (asks the KDC now), false for an acceptor (reads the keytab when used)
     * @param storeKey whether the subject keeps the keys (an acceptor needs them)
     * @return the logged-in subject; the caller logs it out when it is done with it
     */
    public static LoginContext login(String section, String principal, Path keytab, boolean initiator,
            boolean storeKey) throws LoginException {
        Map<String, String> options = Map.of("useKeyTab", "true", "keyTab", keytab.toAbsolutePath().toString(),
                "principal", principal, "storeKey", String.valueOf(storeKey), "doNotPrompt", "true",
                "isInitiator", String.valueOf(initiator), "refreshKrb5Config", "true");
        Configuration jaas = new Configuration() {
            @Override
            public AppConfigurationEntry[] getAppConfigurationEntry(String name) {
                return new AppConfigurationEntry[] {new AppConfigurationEntry(MODULE,
                        AppConfigurationEntry.LoginModuleControlFlag.REQUIRED, options)};
            }
        };
        Thread thread = Thread.currentThread();
        ClassLoader previous = thread.getContextClassLoader();
        thread.setContextClassLoader(ClassLoader.getPlatformClassLoader());
        try {
            LoginContext context = new LoginContext(section, new Subject(), callbacks -> {
                throw new UnsupportedCallbackException(callbacks[0], "no prompt: the keys come from the keytab");
            }, jaas);
            context.login();
            return context;
        } finally {
            thread.setContextClassLoader(previous);
        }
    }
}
