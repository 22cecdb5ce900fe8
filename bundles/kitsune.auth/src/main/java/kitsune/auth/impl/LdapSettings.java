package kitsune.auth.impl;

import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

import javax.naming.InvalidNameException;
import javax.naming.ldap.LdapName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocketFactory;
import javax.net.ssl.TrustManagerFactory;

import kitsune.api.conf.ConfigKey;
import kitsune.api.conf.ConfigKeys;
import kitsune.api.conf.KitsuneConf;

/**
 * The kyuubi.authentication.ldap.* settings, parsed and checked once per configuration change. A setting that cannot
 * work (a DN pattern without %s, an attribute name that is not one) is kept as {@link #problem}: every login is then
 * refused with it, naming the key, rather than half-applying the setting.
 *
 * @param urls           the servers, as scheme://host:port (a DN in a URL only feeds {@code baseDn})
 * @param baseDn         where users and groups are searched; empty when not set
 * @param userDnPatterns DN patterns with %s for the user name
 * @param groupDnPatterns DN patterns with %s for a group name
 * @param userFilter     lower-case user names allowed; empty: any
 * @param groupFilter    lower-case group names whose direct members are allowed; empty: no group check
 * @param tls            TLS for ldaps:// and StartTLS from kitsune.authentication.ldap.truststore.path; null: the JVM's
 *                       default
 * @param startTls       kitsune.authentication.ldap.starttls: every ldap:// connection starts TLS before its bind
 * @param problem        why no login can succeed with these settings, or null
 */
record LdapSettings(List<String> urls, String baseDn, String domain, String bindDn, String bindPassword,
        List<String> userDnPatterns, List<String> groupDnPatterns, List<String> userFilter, List<String> groupFilter,
        String guidKey, String groupMembershipKey, String userMembershipKey, String groupClassKey, String customQuery,
        Duration timeout, SSLSocketFactory tls, boolean startTls, String problem) {

    /** An attribute description: a name (letters, digits, hyphens) or an OID. */
    private static final String PLACEHOLDER = "kitsuneNamePlaceholder";
    private static final Pattern ATTRIBUTE = Pattern.compile("[A-Za-z][A-Za-z0-9-]*|[0-9]+(\\.[0-9]+)+");

    @Override
    public String toString() {
        // the bind password never appears in a log line or a message
        return "LdapSettings[urls=" + urls + ", baseDn=" + baseDn + ", bindDn=" + bindDn + "]";
    }

    static LdapSettings from(KitsuneConf conf) {
        List<String> problems = new ArrayList<>();
        List<String> urls = new ArrayList<>();
        String urlDn = "";
        for (String u : conf.get(ConfigKeys.LDAP_URL).trim().split("\\s+")) {
            if (u.isBlank()) continue;
            try {
                URI uri = new URI(u);
                String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
                if (!scheme.equals("ldap") && !scheme.equals("ldaps") || uri.getHost() == null) {
                    problems.add(ConfigKeys.LDAP_URL.name() + " has '" + u + "', expected ldap://host:port or "
                            + "ldaps://host:port");
                    continue;
                }
                urls.add(scheme + "://" + hostPort(uri));
                String path = uri.getPath() == null ? "" : uri.getPath().replaceFirst("^/", "");
                if (urlDn.isEmpty() && !path.isBlank()) urlDn = path;
            } catch (URISyntaxException e) {
                problems.add(ConfigKeys.LDAP_URL.name() + " has '" + u + "', which is not a URL (" + e.getReason()
                        + ")");
            }
        }
        String baseDn = conf.get(ConfigKeys.LDAP_BASE_DN).trim();
        if (baseDn.isEmpty()) baseDn = urlDn;
        if (!baseDn.isEmpty()) checkDn(ConfigKeys.LDAP_BASE_DN, baseDn, problems);
        String bindDn = conf.get(ConfigKeys.LDAP_BIND_DN).trim();
        String bindPassword = conf.get(ConfigKeys.LDAP_BIND_PASSWORD);
        if (!bindDn.isEmpty()) {
            checkDn(ConfigKeys.LDAP_BIND_DN, bindDn, problems);
            if (bindPassword.isEmpty()) {
                problems.add(ConfigKeys.LDAP_BIND_DN.name() + " is set but " + ConfigKeys.LDAP_BIND_PASSWORD.name()
                        + " is empty; set the bind password (an empty one would be an anonymous bind)");
            }
        }
        List<String> userPatterns = patterns(conf, ConfigKeys.LDAP_USER_DN_PATTERN, problems);
        List<String> groupPatterns = patterns(conf, ConfigKeys.LDAP_GROUP_DN_PATTERN, problems);
        String guidKey = attribute(conf, ConfigKeys.LDAP_GUID_KEY, false, problems);
        String groupMembershipKey = attribute(conf, ConfigKeys.LDAP_GROUP_MEMBERSHIP_KEY, false, problems);
        String userMembershipKey = attribute(conf, ConfigKeys.LDAP_USER_MEMBERSHIP_KEY, true, problems);
        String groupClassKey = attribute(conf, ConfigKeys.LDAP_GROUP_CLASS_KEY, false, problems);
        String customQuery = conf.get(ConfigKeys.LDAP_CUSTOM_QUERY).trim();
        List<String> userFilter = lowerCase(conf.get(ConfigKeys.LDAP_USER_FILTER));
        List<String> groupFilter = lowerCase(conf.get(ConfigKeys.LDAP_GROUP_FILTER));
        boolean searches = !customQuery.isEmpty() || !userFilter.isEmpty() || !groupFilter.isEmpty()
                || !bindDn.isEmpty();
        if (searches && baseDn.isEmpty() && userPatterns.isEmpty()) {
            problems.add("user searches (for " + (bindDn.isEmpty() ? "the user or group filter" : "the bind DN")
                    + ") need " + ConfigKeys.LDAP_BASE_DN.name() + " or " + ConfigKeys.LDAP_USER_DN_PATTERN.name());
        }
        if (!customQuery.isEmpty() && baseDn.isEmpty()) {
            problems.add(ConfigKeys.LDAP_CUSTOM_QUERY.name() + " is run under " + ConfigKeys.LDAP_BASE_DN.name()
                    + ", which is not set");
        }
        SSLSocketFactory tls = trustStore(conf, problems);
        boolean startTls = conf.get(ConfigKeys.LDAP_STARTTLS);
        if (startTls) {
            for (String u : urls) {
                // also refused when the configuration is read (KitsuneConf.validate); kept for settings given directly
                if (u.startsWith("ldaps:")) {
                    problems.add(ConfigKeys.LDAP_STARTTLS.name() + "=true cannot apply to " + u + " in "
                            + ConfigKeys.LDAP_URL.name() + "; use ldap:// URLs with StartTLS, or set "
                            + ConfigKeys.LDAP_STARTTLS.name() + "=false to keep ldaps://");
                }
            }
        }
        return new LdapSettings(List.copyOf(urls), baseDn, conf.get(ConfigKeys.LDAP_DOMAIN).trim(), bindDn,
                bindPassword, userPatterns, groupPatterns, userFilter, groupFilter, guidKey, groupMembershipKey,
                userMembershipKey, groupClassKey, customQuery, conf.get(ConfigKeys.LDAP_TIMEOUT), tls,
                startTls, problems.isEmpty() ? null : String.join("; ", problems));
    }

    /** TLS trusting kitsune.authentication.ldap.truststore.path, or null for the JVM's default trust store. */
    private static SSLSocketFactory trustStore(KitsuneConf conf, List<String> problems) {
        String path = conf.get(ConfigKeys.LDAP_TRUSTSTORE_PATH).trim();
        if (path.isEmpty()) return null;
        String home = conf.raw(ConfigKeys.KITSUNE_HOME.name());
        Path file = Path.of(home == null ? "." : home).resolve(path);
        String password = conf.get(ConfigKeys.LDAP_TRUSTSTORE_PASSWORD);
        try {
            KeyStore store = KeyStore.getInstance(file.toFile(), password.isEmpty() ? null : password.toCharArray());
            TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            trust.init(store);
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, trust.getTrustManagers(), null);
            return context.getSocketFactory();
        } catch (IOException | GeneralSecurityException e) {
            problems.add(ConfigKeys.LDAP_TRUSTSTORE_PATH.name() + "=" + path + " cannot be read as a trust store ("
                    + e.getMessage() + "); check the file and " + ConfigKeys.LDAP_TRUSTSTORE_PASSWORD.name());
            return null;
        }
    }

    /** Whether a login must find the user's entry: for a filter, or to check the password after a search bind. */
    boolean searchesUser() {
        return !bindDn.isEmpty() || !customQuery.isEmpty() || !userFilter.isEmpty() || !groupFilter.isEmpty();
    }

    /**
     * Without a bind DN, the names a login binds as, in turn, as Kyuubi tries them: a name with @ as given (a
     * userPrincipalName); else USER@domain; else each userDNPattern; else GUIDKEY=USER,baseDN; else the name as given.
     * The user name is escaped as a DN attribute value wherever it goes into a DN.
     */
    List<String> bindNames(String user) {
        if (user.contains("@")) return List.of(user);
        if (!domain.isEmpty()) return List.of(user + "@" + domain);
        String value = LdapEscape.dnValue(user);
        List<String> names = new ArrayList<>();
        for (String p : userDnPatterns) names.add(p.replace("%s", value));
        if (names.isEmpty() && !baseDn.isEmpty()) names.add(guidKey + "=" + value + "," + baseDn);
        if (names.isEmpty()) names.add(user);
        return names;
    }

    /** The parents of DN patterns: where the entries they name are searched. */
    static List<String> bases(List<String> patterns) {
        List<String> bases = new ArrayList<>();
        for (String p : patterns) {
            try {
                LdapName name = new LdapName(p);
                String base = name.getPrefix(name.size() - 1).toString();
                if (!bases.contains(base)) bases.add(base);
            } catch (InvalidNameException e) {
                throw new IllegalStateException("checked when parsed: " + p, e);
            }
        }
        return bases;
    }

    private static String hostPort(URI uri) {
        String host = uri.getHost().contains(":") && !uri.getHost().startsWith("[") ? "[" + uri.getHost() + "]"
                : uri.getHost();
        return uri.getPort() < 0 ? host : host + ":" + uri.getPort();
    }

    private static void checkDn(ConfigKey<String> key, String dn, List<String> problems) {
        try {
            new LdapName(dn);
        } catch (InvalidNameException e) {
            problems.add(key.name() + " is not a valid DN: '" + dn + "' (" + e.getMessage() + ")");
        }
    }

    private static List<String> patterns(KitsuneConf conf, ConfigKey<String> key, List<String> problems) {
        List<String> patterns = new ArrayList<>();
        for (String p : conf.get(key).split(":")) {
            if (p.isBlank()) continue;
            String pattern = p.trim();
            if (!pattern.contains("%s")) {
                problems.add(key.name() + " has '" + pattern + "' without %s for the name");
                continue;
            }
            try {
                LdapName name = new LdapName(pattern.replace("%s", PLACEHOLDER));
                if (name.size() < 2 || !name.getRdn(name.size() - 1).getValue().toString().contains(PLACEHOLDER)
                        || name.getPrefix(name.size() - 1).toString().contains(PLACEHOLDER)) {
                    problems.add(key.name() + " has '" + pattern + "': %s must be in the first attribute of a DN "
                            + "with a parent, e.g. uid=%s,ou=people,dc=example,dc=com");
                    continue;
                }
            } catch (InvalidNameException e) {
                problems.add(key.name() + " has '" + pattern + "', which is not a valid DN (" + e.getMessage() + ")");
                continue;
            }
            patterns.add(pattern);
        }
        return List.copyOf(patterns);
    }

    private static String attribute(KitsuneConf conf, ConfigKey<String> key, boolean optional, List<String> problems) {
        String value = conf.get(key).trim();
        if (value.isEmpty() && optional) return "";
        if (!ATTRIBUTE.matcher(value).matches()) {
            problems.add(key.name() + " is '" + value + "', which is not an LDAP attribute name (letters, digits and "
                    + "hyphens, or an OID)");
        }
        return value;
    }

    private static List<String> lowerCase(List<String> names) {
        List<String> result = new ArrayList<>();
        for (String n : names) {
            if (!n.isBlank()) result.add(n.trim().toLowerCase(Locale.ROOT));
        }
        return List.copyOf(result);
    }
}
