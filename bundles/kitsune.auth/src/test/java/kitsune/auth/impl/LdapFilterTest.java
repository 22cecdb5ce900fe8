package kitsune.auth.impl;

import static kitsune.auth.impl.TestDirectory.AD_GROUPS;
import static kitsune.auth.impl.TestDirectory.AD_SERVICE_DN;
import static kitsune.auth.impl.TestDirectory.GROUPS;
import static kitsune.auth.impl.TestDirectory.PEOPLE;
import static kitsune.auth.impl.TestDirectory.SERVICE_DN;
import static kitsune.auth.impl.TestDirectory.SERVICE_PASSWORD;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import kitsune.api.auth.AuthenticationException;

/**
 * Each LDAP filter (userFilter, groupFilter by group search or by the user's memberOf, customLDAPQuery) through a
 * whole login against a real LDAP server seeded like OpenLDAP and like Active Directory ({@link TestDirectory}).
 */
class LdapFilterTest {
    private static TestDirectory ldap;

    @BeforeAll
    static void startLdap() throws Exception {
        ldap = new TestDirectory();
    }

    @AfterAll
    static void stopLdap() {
        if (ldap != null) ldap.close();
    }

    /** OpenLDAP style, searched through the service account. */
    private static LdapAuthenticator openLdap(String... more) {
        return ldap.authenticator(TestDirectory.openLdapSearch(more));
    }

    /** Active Directory style: users by sAMAccountName or userPrincipalName, groups from memberOf. */
    private static LdapAuthenticator activeDirectory(String... more) {
        List<String> kv = new ArrayList<>(List.of("kyuubi.authentication.ldap.baseDN", "dc=corp,dc=example",
                "kyuubi.authentication.ldap.domain", "corp.example",
                "kyuubi.authentication.ldap.binddn", AD_SERVICE_DN, "kyuubi.authentication.ldap.bindpw",
                SERVICE_PASSWORD, "kyuubi.authentication.ldap.guidKey", "sAMAccountName"));
        kv.addAll(List.of(more));
        return ldap.authenticator(kv.toArray(String[]::new));
    }

    private static String refusal(LdapAuthenticator a, String user, String password) {
        return assertThrows(AuthenticationException.class, () -> a.authenticate(user, password)).getMessage();
    }

    @Test
    void userFilterLetsInOnlyTheUsersListedWhateverTheCase() throws Exception {
        LdapAuthenticator a = openLdap("kyuubi.authentication.ldap.userFilter", "Alice, carl");
        a.authenticate("alice", "wonderland");
        assertEquals("bob is not listed in kyuubi.authentication.ldap.userFilter", refusal(a, "bob", "builder"));
        // without a bind DN the user's own bind searches
        LdapAuthenticator own = ldap.authenticator("kyuubi.authentication.ldap.baseDN", PEOPLE,
                "kyuubi.authentication.ldap.userFilter", "alice");
        own.authenticate("alice", "wonderland");
        assertEquals("bob is not listed in kyuubi.authentication.ldap.userFilter", refusal(own, "bob", "builder"));
        assertEquals("invalid user name or password", refusal(own, "alice", "builder"), "the password comes first");
    }

    @Test
    void groupFilterSearchesGroupOfNamesByMemberDn() throws Exception {
        LdapAuthenticator a = openLdap("kyuubi.authentication.ldap.groupFilter", "analysts,auditors",
                "kyuubi.authentication.ldap.groupDNPattern", "cn=%s," + GROUPS);
        a.authenticate("alice", "wonderland");
        String m = refusal(a, "bob", "builder");
        assertTrue(m.startsWith("bob is not a member of any group of kyuubi.authentication.ldap.groupFilter "
                + "[analysts, auditors] (member of [builders] under [" + GROUPS + "])"), m);
    }

    @Test
    void groupDnPatternConfinesTheSearchToItsParent() throws Exception {
        // eve is in a group named analysts outside ou=groups
        openLdap("kyuubi.authentication.ldap.groupFilter", "analysts").authenticate("eve", "eavesdrop");
        String m = refusal(openLdap("kyuubi.authentication.ldap.groupFilter", "analysts",
                "kyuubi.authentication.ldap.groupDNPattern", "cn=%s," + GROUPS), "eve", "eavesdrop");
        assertTrue(m.startsWith("eve is not a member of any group"), m);
    }

    @Test
    void groupFilterSearchesPosixGroupsByMemberUid() throws Exception {
        LdapAuthenticator a = openLdap("kyuubi.authentication.ldap.groupFilter", "posix-analysts",
                "kyuubi.authentication.ldap.groupClassKey", "posixGroup",
                "kyuubi.authentication.ldap.groupMembershipKey", "memberUid");
        a.authenticate("alice", "wonderland");
        assertTrue(refusal(a, "bob", "builder").startsWith("bob is not a member of any group"));
    }

    @Test
    void userFilterAndGroupFilterMustBothHold() throws Exception {
        LdapAuthenticator a = openLdap("kyuubi.authentication.ldap.groupFilter", "analysts,builders",
                "kyuubi.authentication.ldap.groupDNPattern", "cn=%s," + GROUPS,
                "kyuubi.authentication.ldap.userFilter", "alice,eve");
        a.authenticate("alice", "wonderland");
        assertTrue(refusal(a, "bob", "builder").contains("userFilter"));
        assertTrue(refusal(a, "eve", "eavesdrop").contains("groupFilter"));
    }

    @Test
    void activeDirectoryLoginsBySamAccountNameOrUserPrincipalNameWithGroupsFromMemberOf() throws Exception {
        LdapAuthenticator a = activeDirectory("kyuubi.authentication.ldap.groupFilter", "analysts",
                "kyuubi.authentication.ldap.userMembershipKey", "memberOf",
                "kyuubi.authentication.ldap.groupDNPattern", "CN=%s," + AD_GROUPS);
        a.authenticate("carol", "Pa55-carol");
        a.authenticate("carol@corp.example", "Pa55-carol");
        assertEquals("invalid user name or password", refusal(a, "carol", "Pa55-dave"));
        String m = refusal(a, "dave", "Pa55-dave");
        assertTrue(m.startsWith("dave is not a member of any group of kyuubi.authentication.ldap.groupFilter "
                + "[analysts] (its memberOf: [CN=Sales,"), m);
        // the same groups found by searching groups of class group for the member's DN
        LdapAuthenticator search = activeDirectory("kyuubi.authentication.ldap.groupFilter", "Analysts",
                "kyuubi.authentication.ldap.groupClassKey", "group");
        search.authenticate("carol", "Pa55-carol");
        assertTrue(refusal(search, "dave", "Pa55-dave").startsWith("dave is not a member of any group"));
    }

    @Test
    void memberOfOutsideTheGroupDnPatternDoesNotCount() {
        String m = refusal(activeDirectory("kyuubi.authentication.ldap.groupFilter", "analysts",
                "kyuubi.authentication.ldap.userMembershipKey", "memberOf",
                "kyuubi.authentication.ldap.groupDNPattern", "CN=%s,OU=Other,DC=corp,DC=example"), "carol",
                "Pa55-carol");
        assertTrue(m.startsWith("carol is not a member of any group"), m);
    }

    @Test
    void customQueryAllowsTheEntriesItFindsAndTheMembersOfGroupsItFinds() throws Exception {
        LdapAuthenticator users = openLdap("kyuubi.authentication.ldap.customLDAPQuery",
                "(&(objectClass=inetOrgPerson)(|(uid=alice)(cn=carl)))",
                "kyuubi.authentication.ldap.userFilter", "bob");
        users.authenticate("alice", "wonderland");
        String m = refusal(users, "bob", "builder");
        assertEquals("bob is not among the 2 entries kyuubi.authentication.ldap.customLDAPQuery finds, nor a member "
                + "of one", m, "the custom query replaces userFilter and groupFilter");
        LdapAuthenticator groups = openLdap("kyuubi.authentication.ldap.customLDAPQuery",
                "(&(objectClass=groupOfNames)(cn=builders))");
        groups.authenticate("bob", "builder");
        assertTrue(refusal(groups, "alice", "wonderland").startsWith("alice is not among"));
        LdapAuthenticator posix = openLdap("kyuubi.authentication.ldap.customLDAPQuery", "(objectClass=posixGroup)",
                "kyuubi.authentication.ldap.groupMembershipKey", "memberUid");
        posix.authenticate("alice", "wonderland");
        assertTrue(refusal(posix, "bob", "builder").startsWith("bob is not among"));
    }

    @Test
    void anInvalidCustomQueryIsNamed() {
        String m = refusal(openLdap("kyuubi.authentication.ldap.customLDAPQuery", "(&(uid=alice"), "alice",
                "wonderland");
        assertTrue(m.startsWith("kyuubi.authentication.ldap.customLDAPQuery is not a valid LDAP filter"), m);
    }

    @Test
    void aWildcardUserCannotSlipThroughAGroupSearch() {
        // '*' as memberUid would match every posix group; the name is a filter argument, escaped
        LdapAuthenticator a = ldap.authenticator("kyuubi.authentication.ldap.userDNPattern", "uid=%s," + PEOPLE,
                "kyuubi.authentication.ldap.groupFilter", "posix-analysts",
                "kyuubi.authentication.ldap.groupClassKey", "posixGroup",
                "kyuubi.authentication.ldap.groupMembershipKey", "memberUid");
        for (String attack : List.of("*", "bob)(memberUid=*")) {
            assertThrows(AuthenticationException.class, () -> a.authenticate(attack, "builder"), attack);
        }
    }
}
