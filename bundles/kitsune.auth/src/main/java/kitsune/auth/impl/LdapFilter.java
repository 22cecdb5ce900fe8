package kitsune.auth.impl;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import javax.naming.InvalidNameException;
import javax.naming.NamingException;
import javax.naming.directory.InvalidSearchFilterException;
import javax.naming.ldap.LdapName;

import kitsune.api.auth.AuthenticationException;
import kitsune.api.conf.ConfigKeys;

/**
 * One condition a user whose password is right must also meet, checked against the directory (Kyuubi's and
 * HiveServer2's LDAP filters). {@link #of} builds them from the settings: customLDAPQuery alone when set, else
 * userFilter and groupFilter when set.
 */
interface LdapFilter {
    /**
     * Returns normally when the user may log in.
     *
     * @throws AuthenticationException naming why not (for the server log; the client only learns that it failed)
     */
    void check(LdapDirectory directory, LdapUser user) throws AuthenticationException, NamingException;

    /** The user who proved their password: the name given, without any @domain, and the DN of their entry. */
    record LdapUser(String name, String shortName, String dn) {
        static String shortName(String name) {
            int at = name.indexOf('@');
            return at < 0 ? name : name.substring(0, at);
        }
    }

    static List<LdapFilter> of(LdapSettings s) {
        List<LdapFilter> filters = new ArrayList<>();
        if (!s.customQuery().isEmpty()) {
            filters.add(new CustomQuery(s.customQuery(), s.baseDn(), s.groupMembershipKey()));
            return List.copyOf(filters);
        }
        if (!s.userFilter().isEmpty()) filters.add(new UserList(s.userFilter()));
        if (!s.groupFilter().isEmpty()) {
            if (!s.userMembershipKey().isEmpty()) {
                filters.add(new UserMembership(s.groupFilter(), s.groupDnPatterns(), s.userMembershipKey()));
            } else {
                List<String> bases = s.groupDnPatterns().isEmpty() ? List.of(s.baseDn())
                        : LdapSettings.bases(s.groupDnPatterns());
                filters.add(new GroupMembership(s.groupFilter(), bases, s.groupClassKey(), s.groupMembershipKey()));
            }
        }
        return List.copyOf(filters);
    }

    /** userFilter: the user's short name is one of the names listed (case does not matter). */
    record UserList(List<String> allowed) implements LdapFilter {
        @Override
        public void check(LdapDirectory directory, LdapUser user) throws AuthenticationException {
            if (!allowed.contains(user.shortName().toLowerCase(Locale.ROOT))) {
                throw new AuthenticationException(user.name() + " is not listed in "
                        + ConfigKeys.LDAP_USER_FILTER.name());
            }
        }
    }

    /**
     * groupFilter by searching groups: an entry of class groupClassKey under the group bases whose groupMembershipKey
     * holds the user's DN (member, uniqueMember) or name (memberUid), and whose name (first attribute of its DN) is
     * listed.
     */
    record GroupMembership(List<String> allowed, List<String> bases, String groupClass, String membershipKey)
            implements LdapFilter {
        @Override
        public void check(LdapDirectory directory, LdapUser user) throws AuthenticationException, NamingException {
            String filter = "(&(objectClass={0})(|(" + membershipKey + "={1})(" + membershipKey + "={2})))";
            List<String> found = new ArrayList<>();
            for (String base : bases) {
                for (LdapDirectory.Entry group : directory.search(base, filter,
                        new Object[] {groupClass, user.dn(), user.shortName()}, new String[0], 0)) {
                    String name = firstValue(group.dn());
                    if (allowed.contains(name.toLowerCase(Locale.ROOT))) return;
                    found.add(name);
                }
            }
            throw new AuthenticationException(user.name() + " is not a member of any group of "
                    + ConfigKeys.LDAP_GROUP_FILTER.name() + " " + allowed + " (member of " + found + " under "
                    + bases + ")");
        }
    }

    /**
     * groupFilter by the user's own entry: its userMembershipKey (e.g. memberOf) names a group DN whose name is listed
     * and, with groupDNPattern, which is one of the DNs the patterns give for that name.
     */
    record UserMembership(List<String> allowed, List<String> groupPatterns, String membershipKey)
            implements LdapFilter {
        @Override
        public void check(LdapDirectory directory, LdapUser user) throws AuthenticationException, NamingException {
            List<String> groups = directory.read(user.dn(), membershipKey).values(membershipKey);
            for (String group : groups) {
                LdapName dn;
                try {
                    dn = new LdapName(group);
                } catch (InvalidNameException notADn) {
                    continue;
                }
                if (dn.isEmpty()) continue;
                String name = dn.getRdn(dn.size() - 1).getValue().toString();
                if (!allowed.contains(name.toLowerCase(Locale.ROOT))) continue;
                if (groupPatterns.isEmpty()) return;
                for (String p : groupPatterns) {
                    if (sameDn(p.replace("%s", LdapEscape.dnValue(name)), dn)) return;
                }
            }
            throw new AuthenticationException(user.name() + " is not a member of any group of "
                    + ConfigKeys.LDAP_GROUP_FILTER.name() + " " + allowed + " (its " + membershipKey + ": " + groups
                    + ")");
        }
    }

    /**
     * customLDAPQuery: run under baseDN; the login is allowed when the user's entry is one of the results, or a
     * result's groupMembershipKey names the user's DN or name (a group found by the query).
     */
    record CustomQuery(String query, String baseDn, String membershipKey) implements LdapFilter {
        @Override
        public void check(LdapDirectory directory, LdapUser user) throws AuthenticationException, NamingException {
            List<LdapDirectory.Entry> results;
            try {
                results = directory.search(baseDn, query, null, new String[] {membershipKey}, 0);
            } catch (InvalidSearchFilterException e) {
                throw new AuthenticationException(ConfigKeys.LDAP_CUSTOM_QUERY.name() + " is not a valid LDAP filter ("
                        + LdapAuthenticator.rootMessage(e) + "); fix the setting");
            }
            LdapName userDn = dn(user.dn());
            for (LdapDirectory.Entry e : results) {
                if (userDn.equals(dn(e.dn()))) return;
                for (String member : e.values(membershipKey)) {
                    if (member.equalsIgnoreCase(user.shortName()) || sameDn(member, userDn)) return;
                }
            }
            throw new AuthenticationException(user.name() + " is not among the " + results.size() + " entries "
                    + ConfigKeys.LDAP_CUSTOM_QUERY.name() + " finds, nor a member of one");
        }
    }

    /** The value of a DN's first attribute: alice for uid=alice,ou=people,dc=example,dc=com. */
    static String firstValue(String dn) throws InvalidNameException {
        LdapName name = new LdapName(dn);
        return name.isEmpty() ? "" : name.getRdn(name.size() - 1).getValue().toString();
    }

    private static LdapName dn(String dn) throws InvalidNameException {
        return new LdapName(dn);
    }

    private static boolean sameDn(String text, LdapName dn) {
        try {
            return new LdapName(text).equals(dn);
        } catch (InvalidNameException notADn) {
            return false;
        }
    }
}
