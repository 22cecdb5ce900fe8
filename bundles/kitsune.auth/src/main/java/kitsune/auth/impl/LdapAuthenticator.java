package kitsune.auth.impl;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Hashtable;
import java.util.List;
import java.util.Map;

import javax.naming.CommunicationException;
import javax.naming.Context;
import javax.naming.NamingException;
import javax.naming.ServiceUnavailableException;
import javax.naming.directory.InitialDirContext;
import javax.naming.ldap.Rdn;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Modified;

import kitsune.api.auth.AuthenticationException;
import kitsune.api.auth.Authenticator;
import kitsune.api.conf.ConfigKeys;
import kitsune.api.conf.KitsuneConf;

/**
 * kyuubi.authentication=LDAP: a login is accepted when a simple bind as the user succeeds, through the JDK's own JNDI
 * LDAP provider (no library). The DNs tried, in order: each kyuubi.authentication.ldap.userDNPattern with %s replaced,
 * else uid=&lt;user&gt;,&lt;baseDN&gt;; else &lt;user&gt;@&lt;domain&gt; (Active Directory), else the user name as given. The
 * user name is escaped for the DN, and an empty password is refused (LDAP would take it for an anonymous bind, which
 * succeeds without proving anything). Reads its settings live: a change applies to the next login.
 */
@Component(configurationPid = ConfigKeys.PID, configurationPolicy = ConfigurationPolicy.REQUIRE,
        property = Authenticator.AUTH_TYPE + "=LDAP")
public class LdapAuthenticator implements Authenticator {
    private volatile Settings settings;

    record Settings(List<String> urls, String baseDn, String domain, List<String> userDnPatterns, Duration timeout) {
        static Settings from(KitsuneConf conf) {
            List<String> patterns = new ArrayList<>();
            for (String p : conf.get(ConfigKeys.LDAP_USER_DN_PATTERN).split(":")) {
                if (!p.isBlank()) patterns.add(p.trim());
            }
            List<String> urls = new ArrayList<>();
            for (String u : conf.get(ConfigKeys.LDAP_URL).trim().split("\\s+")) {
                if (!u.isBlank()) urls.add(u);
            }
            return new Settings(urls, conf.get(ConfigKeys.LDAP_BASE_DN).trim(), conf.get(ConfigKeys.LDAP_DOMAIN).trim(),
                    patterns, conf.get(ConfigKeys.LDAP_TIMEOUT));
        }

        /** The DNs to bind as, in order. */
        List<String> candidates(String user) {
            String escaped = Rdn.escapeValue(user);
            List<String> dns = new ArrayList<>();
            for (String p : userDnPatterns) dns.add(p.replace("%s", escaped));
            if (dns.isEmpty() && !baseDn.isEmpty()) dns.add("uid=" + escaped + "," + baseDn);
            if (dns.isEmpty() && !domain.isEmpty() && !user.contains("@")) dns.add(user + "@" + domain);
            if (dns.isEmpty()) dns.add(user);
            return dns;
        }
    }

    @Activate
    @Modified
    void configure(Map<String, Object> properties) {
        settings = Settings.from(KitsuneConf.fromProperties(properties));
    }

    @Override
    public void authenticate(String user, String password) throws AuthenticationException {
        Settings s = settings;
        if (s.urls().isEmpty()) {
            throw new AuthenticationException(ConfigKeys.LDAP_URL.name() + " is not set, so no LDAP login can succeed");
        }
        if (password == null || password.isEmpty()) {
            throw new AuthenticationException("an empty password is not accepted for an LDAP login");
        }
        String unreachable = null;
        for (String url : s.urls()) {
            for (String dn : s.candidates(user)) {
                try {
                    bind(url, dn, password, s.timeout());
                    return;
                } catch (javax.naming.AuthenticationException wrong) {
                    // wrong password for this DN, or no such DN: the next candidate may match
                } catch (CommunicationException | ServiceUnavailableException down) {
                    unreachable = "the LDAP server " + url + " is not reachable (" + rootMessage(down) + ")";
                    break; // the next URL, if any
                } catch (NamingException e) {
                    throw new AuthenticationException("the LDAP server " + url + " refused the bind: " + rootMessage(e));
                }
            }
        }
        throw new AuthenticationException(unreachable != null ? unreachable : "invalid user name or password");
    }

    /** One simple bind; the JDK's LDAP provider is loaded by the platform class loader, not this bundle's. */
    private static void bind(String url, String dn, String password, Duration timeout) throws NamingException {
        Hashtable<String, Object> env = new Hashtable<>();
        env.put(Context.INITIAL_CONTEXT_FACTORY, "com.sun.jndi.ldap.LdapCtxFactory");
        env.put(Context.PROVIDER_URL, url);
        env.put(Context.SECURITY_AUTHENTICATION, "simple");
        env.put(Context.SECURITY_PRINCIPAL, dn);
        env.put(Context.SECURITY_CREDENTIALS, password);
        env.put("com.sun.jndi.ldap.connect.timeout", String.valueOf(timeout.toMillis()));
        env.put("com.sun.jndi.ldap.read.timeout", String.valueOf(timeout.toMillis()));
        Thread thread = Thread.currentThread();
        ClassLoader previous = thread.getContextClassLoader();
        thread.setContextClassLoader(ClassLoader.getPlatformClassLoader());
        try {
            new InitialDirContext(env).close();
        } finally {
            thread.setContextClassLoader(previous);
        }
    }

    static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) t = t.getCause();
        String m = t.getMessage();
        return m == null ? t.getClass().getSimpleName() : m;
    }
}
