package kitsune.auth.impl;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import javax.naming.NamingException;
import javax.naming.ldap.LdapName;
import javax.naming.ldap.Rdn;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Modified;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import kitsune.api.auth.AuthenticationException;
import kitsune.api.auth.Authenticator;
import kitsune.api.conf.ConfigKeys;
import kitsune.api.conf.KitsuneConf;
import kitsune.auth.impl.LdapFilter.LdapUser;

/**
 * kyuubi.authentication=LDAP, as Kyuubi and HiveServer2 do it, through the JDK's own JNDI LDAP provider (no library):
 * <ul>
 * <li>with kyuubi.authentication.ldap.binddn: bind as it, search the user's entry (exactly one), then check the
 * user's password by a bind as that entry;</li>
 * <li>without: bind as the user ({@link LdapSettings#bindNames}), and with a filter set search the user's entry on
 * that connection;</li>
 * <li>then the filters ({@link LdapFilter}): customLDAPQuery, or userFilter and groupFilter.</li>
 * </ul>
 * A user name never changes a DN or a filter's structure: it is escaped in DNs (RFC 4514) and passed to searches as a
 * filter argument (RFC 4515). An empty password is refused (LDAP would take it for an anonymous bind). A refusal's
 * message names the reason for the server log; the client learns only that the login failed. Settings are read live:
 * a change applies to the next login.
 */
@Component(configurationPid = ConfigKeys.PID, configurationPolicy = ConfigurationPolicy.REQUIRE,
        property = Authenticator.AUTH_TYPE + "=LDAP")
public class LdapAuthenticator implements Authenticator {
    private static final Logger LOG = LoggerFactory.getLogger(LdapAuthenticator.class);
    static final String WRONG_PASSWORD = "invalid user name or password";

    private volatile LdapSettings settings;

    @Activate
    @Modified
    void configure(Map<String, Object> properties) {
        settings = LdapSettings.from(KitsuneConf.fromProperties(properties));
    }

    @Override
    public void authenticate(String user, String password) throws AuthenticationException {
        LdapSettings s = settings;
        if (s.urls().isEmpty()) {
            throw new AuthenticationException(ConfigKeys.LDAP_URL.name() + " is not set, so no LDAP login can succeed");
        }
        if (s.problem() != null) throw new AuthenticationException(s.problem());
        if (user == null || user.isBlank()) {
            throw new AuthenticationException("an empty user name is not accepted for an LDAP login");
        }
        if (password == null || password.isEmpty() || password.charAt(0) == '\u0000') {
            throw new AuthenticationException("an empty password is not accepted for an LDAP login");
        }
        try {
            if (s.bindDn().isEmpty()) {
                loginAsUser(s, user, password);
            } else {
                loginThroughSearch(s, user, password);
            }
        } catch (LdapDirectory.UnreachableException e) {
            throw new AuthenticationException(e.getMessage());
        } catch (NamingException e) {
            LOG.warn("The LDAP login of {} failed unexpectedly", user, e);
            throw new AuthenticationException("the LDAP server refused a request: " + rootMessage(e), e);
        }
    }

    private void loginAsUser(LdapSettings s, String user, String password)
            throws AuthenticationException, NamingException, LdapDirectory.UnreachableException {
        LdapDirectory directory = null;
        for (String name : s.bindNames(user)) {
            try {
                directory = LdapDirectory.bind(s.urls(), name, password, s);
                break;
            } catch (javax.naming.AuthenticationException wrong) {
                // wrong password for this name, or no such entry: the next name may match
            }
        }
        if (directory == null) throw new AuthenticationException(WRONG_PASSWORD);
        try (LdapDirectory d = directory) {
            if (!s.searchesUser()) return;
            LdapUser found = findUser(d, s, user);
            for (LdapFilter f : LdapFilter.of(s)) f.check(d, found);
        }
    }

    private void loginThroughSearch(LdapSettings s, String user, String password)
            throws AuthenticationException, NamingException, LdapDirectory.UnreachableException {
        LdapDirectory directory;
        try {
            directory = LdapDirectory.bind(s.urls(), s.bindDn(), s.bindPassword(), s);
        } catch (javax.naming.AuthenticationException e) {
            throw new AuthenticationException("the LDAP server refused the bind as " + s.bindDn() + " ("
                    + ConfigKeys.LDAP_BIND_DN.name() + "): " + rootMessage(e) + "; check it and "
                    + ConfigKeys.LDAP_BIND_PASSWORD.name());
        }
        try (LdapDirectory d = directory) {
            LdapUser found = findUser(d, s, user);
            List<String> urls = new ArrayList<>(s.urls());
            urls.remove(d.url());
            urls.add(0, d.url());
            try (LdapDirectory asUser = LdapDirectory.bind(urls, found.dn(), password, s)) {
                // the password is right
            } catch (javax.naming.AuthenticationException wrong) {
                throw new AuthenticationException(WRONG_PASSWORD);
            }
            for (LdapFilter f : LdapFilter.of(s)) f.check(d, found);
        }
    }

    /**
     * The user's entry, which must be exactly one: under each userDNPattern's parent, by the pattern's first attribute
     * (the first pattern that finds any wins); else under baseDN, a person, user or inetOrgPerson entry whose guidKey,
     * uid or sAMAccountName is the name (without @domain) or whose userPrincipalName is the name with its domain.
     */
    static LdapUser findUser(LdapDirectory d, LdapSettings s, String user)
            throws AuthenticationException, NamingException {
        String shortName = LdapUser.shortName(user);
        List<LdapDirectory.Entry> found = List.of();
        List<String> bases = new ArrayList<>();
        for (String pattern : s.userDnPatterns()) {
            LdapName p = new LdapName(pattern);
            Rdn first = p.getRdn(p.size() - 1);
            String base = p.getPrefix(p.size() - 1).toString();
            bases.add(base);
            String value = first.getValue().toString().replace("%s", user);
            found = d.search(base, "(" + first.getType() + "={0})", new Object[] {value}, new String[0], 2);
            if (!found.isEmpty()) break;
        }
        if (s.userDnPatterns().isEmpty()) {
            bases.add(s.baseDn());
            String upn = user.contains("@") || s.domain().isEmpty() ? user : user + "@" + s.domain();
            found = d.search(s.baseDn(), "(&(|(objectClass=person)(objectClass=user)(objectClass=inetOrgPerson)"
                    + "(objectClass=posixAccount))(|(" + s.guidKey() + "={0})(uid={0})(sAMAccountName={1})"
                    + "(userPrincipalName={2})))", new Object[] {user, shortName, upn}, new String[0], 2);
        }
        if (found.isEmpty()) {
            throw new AuthenticationException("no LDAP entry for " + user + " under " + bases);
        }
        if (found.size() > 1) {
            throw new AuthenticationException(user + " matches more than one LDAP entry under " + bases + " ("
                    + found.get(0).dn() + ", " + found.get(1).dn() + "); make " + ConfigKeys.LDAP_GUID_KEY.name()
                    + " or " + ConfigKeys.LDAP_USER_DN_PATTERN.name() + " name a single entry");
        }
        return new LdapUser(user, shortName, found.get(0).dn());
    }

    static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) t = t.getCause();
        String m = t.getMessage();
        return m == null ? t.getClass().getSimpleName() : m;
    }
}
