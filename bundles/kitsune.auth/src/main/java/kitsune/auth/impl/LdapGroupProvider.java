package kitsune.auth.impl;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;

import javax.naming.InvalidNameException;
import javax.naming.NamingException;
import javax.naming.ldap.LdapName;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Modified;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import kitsune.api.auth.AuthenticationException;
import kitsune.api.auth.GroupLookupException;
import kitsune.api.auth.GroupProvider;
import kitsune.api.conf.ConfigKeys;
import kitsune.api.conf.KitsuneConf;

/**
 * {@code kyuubi.session.group.provider=ldap}: a user's groups from the directory of the LDAP login settings, found
 * through the bind DN (a GROUP-level session may come from any login, so the user's password is not at hand): the
 * group DNs in the user entry's userMembershipKey (e.g. memberOf) when that is set, else the entries of class
 * groupClassKey under the group bases (groupDNPattern's parents, else baseDN) whose groupMembershipKey holds the
 * user's DN or name. A group's name is the first attribute of its DN. The primary group is the first name in
 * alphabetical order, so that every server picks the same one; answers are remembered for five minutes.
 */
@Component(configurationPid = ConfigKeys.PID, configurationPolicy = ConfigurationPolicy.REQUIRE,
        property = GroupProvider.NAME + "=ldap")
public class LdapGroupProvider implements GroupProvider {
    private static final Logger LOG = LoggerFactory.getLogger(LdapGroupProvider.class);
    static final Duration REMEMBERED = Duration.ofMinutes(5);
    private static final int MAX_REMEMBERED = 10_000;

    private record Answer(Optional<String> group, long at) {
    }

    private volatile LdapSettings settings;
    private final Map<String, Answer> answers = new ConcurrentHashMap<>();

    @Activate
    @Modified
    void configure(Map<String, Object> properties) {
        settings = LdapSettings.from(KitsuneConf.fromProperties(properties));
        answers.clear();
    }

    @Override
    public Optional<String> primaryGroup(String user) throws GroupLookupException {
        long now = System.nanoTime();
        Answer known = answers.get(user);
        if (known != null && now - known.at() < REMEMBERED.toNanos()) return known.group();
        Optional<String> group = groups(user).stream().findFirst();
        if (answers.size() >= MAX_REMEMBERED) answers.clear();
        answers.put(user, new Answer(group, now));
        return group;
    }

    /** The names of the user's groups, sorted; empty when the directory has no entry for the user. */
    List<String> groups(String user) throws GroupLookupException {
        LdapSettings s = settings;
        if (s.urls().isEmpty()) throw new GroupLookupException(ConfigKeys.LDAP_URL.name() + " is not set");
        if (s.bindDn().isEmpty()) {
            throw new GroupLookupException("looking groups up needs " + ConfigKeys.LDAP_BIND_DN.name() + " and "
                    + ConfigKeys.LDAP_BIND_PASSWORD.name() + " (a session's password is not at hand)");
        }
        if (s.problem() != null) throw new GroupLookupException(s.problem());
        try (LdapDirectory d = LdapDirectory.bind(s.urls(), s.bindDn(), s.bindPassword(), s)) {
            LdapFilter.LdapUser found;
            try {
                found = LdapAuthenticator.findUser(d, s, user);
            } catch (AuthenticationException noEntry) {
                LOG.debug("No LDAP entry for {}: it is its own group ({})", user, noEntry.getMessage());
                return List.of();
            }
            TreeSet<String> names = new TreeSet<>();
            if (!s.userMembershipKey().isEmpty()) {
                for (String dn : d.read(found.dn(), s.userMembershipKey()).values(s.userMembershipKey())) {
                    String name = firstValue(dn);
                    if (!name.isEmpty()) names.add(name);
                }
            } else {
                List<String> bases = s.groupDnPatterns().isEmpty() ? List.of(s.baseDn())
                        : LdapSettings.bases(s.groupDnPatterns());
                String filter = "(&(objectClass={0})(|(" + s.groupMembershipKey() + "={1})(" + s.groupMembershipKey()
                        + "={2})))";
                for (String base : bases) {
                    for (LdapDirectory.Entry group : d.search(base, filter,
                            new Object[] {s.groupClassKey(), found.dn(), found.shortName()}, new String[0], 0)) {
                        String name = firstValue(group.dn());
                        if (!name.isEmpty()) names.add(name);
                    }
                }
            }
            return new ArrayList<>(names);
        } catch (javax.naming.AuthenticationException e) {
            throw new GroupLookupException("the LDAP server refused the bind as " + s.bindDn() + " ("
                    + ConfigKeys.LDAP_BIND_DN.name() + "): " + LdapAuthenticator.rootMessage(e));
        } catch (LdapDirectory.UnreachableException e) {
            throw new GroupLookupException(e.getMessage());
        } catch (NamingException e) {
            LOG.warn("Looking up the LDAP groups of {} failed unexpectedly", user, e);
            throw new GroupLookupException("the LDAP server refused a request: " + LdapAuthenticator.rootMessage(e),
                    e);
        }
    }

    private static String firstValue(String dn) {
        try {
            LdapName name = new LdapName(dn);
            return name.isEmpty() ? "" : name.getRdn(name.size() - 1).getValue().toString();
        } catch (InvalidNameException notADn) {
            return "";
        }
    }
}
