package kitsune.auth.impl;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Hashtable;
import java.util.List;

import javax.naming.CommunicationException;
import javax.naming.Context;
import javax.naming.NamingEnumeration;
import javax.naming.NamingException;
import javax.naming.PartialResultException;
import javax.naming.ServiceUnavailableException;
import javax.naming.directory.Attribute;
import javax.naming.directory.Attributes;
import javax.naming.directory.DirContext;
import javax.naming.directory.InitialDirContext;
import javax.naming.directory.SearchControls;
import javax.naming.directory.SearchResult;
import javax.naming.ldap.InitialLdapContext;
import javax.naming.ldap.LdapContext;
import javax.naming.ldap.LdapName;
import javax.naming.ldap.StartTlsRequest;
import javax.naming.ldap.StartTlsResponse;
import javax.net.ssl.SSLSocketFactory;

import kitsune.api.conf.ConfigKeys;

/**
 * One login's connection to the directory, bound as someone (the user, or the search account), through the JDK's own
 * JNDI LDAP provider. Opened on the first URL that answers; closed after the login.
 */
final class LdapDirectory implements AutoCloseable {
    /** None of the URLs could be reached: the login cannot be checked (not a wrong password). */
    static final class UnreachableException extends Exception {
        private static final long serialVersionUID = 1L;

        UnreachableException(String message) {
            super(message);
        }
    }

    /** One entry found: its DN and the attributes asked for. */
    record Entry(String dn, Attributes attributes) {
        /** Every value of an attribute, as text. */
        List<String> values(String attribute) throws NamingException {
            List<String> values = new ArrayList<>();
            Attribute a = attributes == null || attribute.isEmpty() ? null : attributes.get(attribute);
            if (a == null) return values;
            NamingEnumeration<?> all = a.getAll();
            while (all.hasMore()) {
                Object v = all.next();
                if (v != null) values.add(v.toString());
            }
            return values;
        }
    }

    /** The platform's classes (the JDK's LDAP provider), and this bundle's socket factory by its name. */
    private static final ClassLoader JNDI_WITH_FACTORY = new ClassLoader(ClassLoader.getPlatformClassLoader()) {
        @Override
        protected Class<?> findClass(String name) throws ClassNotFoundException {
            if (name.equals(LdapSocketFactory.class.getName())) return LdapSocketFactory.class;
            throw new ClassNotFoundException(name);
        }
    };

    /** StartTLS could not protect a connection to one URL: the reason, as the end of a sentence naming the URL. */
    private static final class StartTlsRefused extends NamingException {
        private static final long serialVersionUID = 1L;

        StartTlsRefused(String message) {
            super(message);
        }
    }

    private final DirContext context;
    private final StartTlsResponse startTls;
    private final String url;
    private final Duration timeout;

    private LdapDirectory(DirContext context, StartTlsResponse startTls, String url, Duration timeout) {
        this.context = context;
        this.startTls = startTls;
        this.url = url;
        this.timeout = timeout;
    }

    String url() {
        return url;
    }

    /**
     * A simple bind as {@code principal}, on the first of {@code urls} that answers (with StartTLS first when the
     * settings ask for it).
     *
     * @throws javax.naming.AuthenticationException when the server refuses the name and password
     * @throws UnreachableException                 when no URL answers, or none could start TLS
     */
    static LdapDirectory bind(List<String> urls, String principal, String password, LdapSettings s)
            throws NamingException, UnreachableException {
        List<String> down = new ArrayList<>();
        String refused = null;
        for (String url : urls) {
            try {
                return s.startTls() ? openWithStartTls(url, principal, password, s)
                        : new LdapDirectory(open(url, principal, password, s.timeout(), s.tls()), null, url,
                                s.timeout());
            } catch (CommunicationException | ServiceUnavailableException e) {
                down.add(url + " (" + LdapAuthenticator.rootMessage(e) + (tlsFailure(e) ? "; TLS: the directory's "
                        + "certificate must be trusted by " + ConfigKeys.LDAP_TRUSTSTORE_PATH.name() + " or the JVM's "
                        + "trust store, and name the host of the URL" : "") + ")");
            } catch (StartTlsRefused e) {
                refused = url + " " + e.getMessage();
                down.add(url + " (" + e.getMessage() + ")");
            }
        }
        if (down.size() == 1 && refused != null) throw new UnreachableException("the LDAP server " + refused);
        throw new UnreachableException((down.size() == 1 ? "the LDAP server " : "no LDAP server is reachable: ")
                + String.join(", ", down) + (down.size() == 1 ? " is not reachable" : ""));
    }

    private static boolean tlsFailure(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof javax.net.ssl.SSLException) return true;
        }
        return false;
    }

    private static Hashtable<String, Object> environment(String url, Duration timeout) {
        Hashtable<String, Object> env = new Hashtable<>();
        env.put(Context.INITIAL_CONTEXT_FACTORY, "com.sun.jndi.ldap.LdapCtxFactory");
        env.put(Context.PROVIDER_URL, url);
        env.put(Context.REFERRAL, "ignore");
        env.put("com.sun.jndi.ldap.connect.timeout", String.valueOf(timeout.toMillis()));
        env.put("com.sun.jndi.ldap.read.timeout", String.valueOf(timeout.toMillis()));
        return env;
    }

    /**
     * The JDK's LDAP provider is loaded by the platform class loader, not this bundle's; with a trust store of our own
     * for ldaps://, JNDI also loads {@link LdapSocketFactory} by name, through the same context class loader.
     */
    private static DirContext open(String url, String principal, String password, Duration timeout,
            SSLSocketFactory tls) throws NamingException {
        Hashtable<String, Object> env = environment(url, timeout);
        env.put(Context.SECURITY_AUTHENTICATION, "simple");
        env.put(Context.SECURITY_PRINCIPAL, principal);
        env.put(Context.SECURITY_CREDENTIALS, password);
        boolean ownTls = tls != null && url.startsWith("ldaps:");
        if (ownTls) env.put("java.naming.ldap.factory.socket", LdapSocketFactory.class.getName());
        Thread thread = Thread.currentThread();
        ClassLoader previous = thread.getContextClassLoader();
        thread.setContextClassLoader(ownTls ? JNDI_WITH_FACTORY : ClassLoader.getPlatformClassLoader());
        try {
            return ownTls ? LdapSocketFactory.using(tls, () -> new InitialDirContext(env)) : new InitialDirContext(env);
        } finally {
            thread.setContextClassLoader(previous);
        }
    }

    /**
     * kitsune.authentication.ldap.starttls: connect without binding (LDAP v3, no anonymous bind either), ask for
     * StartTLS, negotiate TLS with the configured trust store (JNDI checks the URL's host against the certificate),
     * and only then bind, on that same connection ({@link LdapSocketFactory#oneConnection} refuses any other). A
     * directory that refuses StartTLS, or a handshake that fails, ends the attempt before the password was sent.
     */
    private static LdapDirectory openWithStartTls(String url, String principal, String password, LdapSettings s)
            throws NamingException {
        Hashtable<String, Object> env = environment(url, s.timeout());
        env.put(Context.SECURITY_AUTHENTICATION, "none");
        env.put("java.naming.ldap.version", "3");
        env.put("java.naming.ldap.factory.socket", LdapSocketFactory.class.getName());
        Thread thread = Thread.currentThread();
        ClassLoader previous = thread.getContextClassLoader();
        thread.setContextClassLoader(JNDI_WITH_FACTORY);
        try {
            return LdapSocketFactory.using(LdapSocketFactory.oneConnection(), () -> {
                LdapContext context = new InitialLdapContext(env, null);
                StartTlsResponse tls = null;
                boolean done = false;
                try {
                    try {
                        tls = (StartTlsResponse) context.extendedOperation(new StartTlsRequest());
                    } catch (CommunicationException | ServiceUnavailableException down) {
                        throw down;
                    } catch (NamingException e) {
                        throw new StartTlsRefused("does not offer StartTLS (" + LdapAuthenticator.rootMessage(e)
                                + "), which " + ConfigKeys.LDAP_STARTTLS.name() + "=true requires; no bind was sent: "
                                + "enable StartTLS on the directory, or use an ldaps:// URL with "
                                + ConfigKeys.LDAP_STARTTLS.name() + "=false");
                    }
                    try {
                        tls.negotiate(s.tls() != null ? s.tls() : (SSLSocketFactory) SSLSocketFactory.getDefault());
                    } catch (IOException e) {
                        throw new StartTlsRefused("failed the StartTLS handshake (" + LdapAuthenticator.rootMessage(e)
                                + "); no bind was sent: the directory's certificate must be trusted by "
                                + ConfigKeys.LDAP_TRUSTSTORE_PATH.name() + " or the JVM's trust store, and name the "
                                + "host of the URL");
                    }
                    context.addToEnvironment(Context.SECURITY_AUTHENTICATION, "simple");
                    context.addToEnvironment(Context.SECURITY_PRINCIPAL, principal);
                    context.addToEnvironment(Context.SECURITY_CREDENTIALS, password);
                    context.reconnect(null);
                    done = true;
                    return new LdapDirectory(context, tls, url, s.timeout());
                } finally {
                    if (!done) close(context, tls);
                }
            });
        } finally {
            thread.setContextClassLoader(previous);
        }
    }

    /**
     * The entries under {@code base} (whole subtree) that match {@code filter}, whose {@code {0}}, {@code {1}}…
     * are replaced by {@code args} (null: the filter is used as it is), escaped by the JDK as RFC 4515 asks: a name never changes a filter's structure.
     *
     * @param limit at most this many entries (0: all)
     */
    List<Entry> search(String base, String filter, Object[] args, String[] attributes, long limit)
            throws NamingException {
        SearchControls controls = new SearchControls(SearchControls.SUBTREE_SCOPE, limit,
                (int) Math.min(Integer.MAX_VALUE, timeout.toMillis()), attributes, false, false);
        List<Entry> entries = new ArrayList<>();
        NamingEnumeration<SearchResult> results = args == null
                ? context.search(new LdapName(base), filter, controls)
                : context.search(new LdapName(base), filter, args, controls);
        try {
            while (results.hasMore()) {
                SearchResult r = results.next();
                entries.add(new Entry(r.getNameInNamespace(), r.getAttributes()));
            }
        } catch (PartialResultException referral) {
            // Active Directory answers a search at a domain's root with referrals to other partitions: ignored
        } catch (javax.naming.SizeLimitExceededException enough) {
            // the limit asked for was reached: the entries so far are what was asked
        } finally {
            results.close();
        }
        return entries;
    }

    /** The attributes asked for of one entry. */
    Entry read(String dn, String... attributes) throws NamingException {
        return new Entry(dn, context.getAttributes(new LdapName(dn), attributes));
    }

    @Override
    public void close() {
        close(context, startTls);
    }

    /** Ends TLS (StartTLS's close_notify) before the connection; either way the connection is dropped. */
    private static void close(DirContext context, StartTlsResponse tls) {
        if (tls != null) {
            try {
                tls.close();
            } catch (IOException ignored) {
                // the connection is closed next
            }
        }
        try {
            context.close();
        } catch (NamingException ignored) {
            // the connection is dropped either way
        }
    }
}
