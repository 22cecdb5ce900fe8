package kitsune.auth.impl;

import static kitsune.auth.impl.TestDirectory.AD_SERVICE_DN;
import static kitsune.auth.impl.TestDirectory.GROUPS;
import static kitsune.auth.impl.TestDirectory.SERVICE_DN;
import static kitsune.auth.impl.TestDirectory.SERVICE_PASSWORD;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Optional;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import kitsune.api.auth.GroupLookupException;

/**
 * kyuubi.session.group.provider=ldap against a real LDAP server seeded like OpenLDAP and like Active Directory
 * ({@link TestDirectory}): groups by search of group entries and by the user's memberOf, the primary group, users
 * without an entry or a group, and the errors an operator sees.
 */
class LdapGroupProviderTest {
    private static TestDirectory ldap;

    @BeforeAll
    static void startLdap() throws Exception {
        ldap = new TestDirectory();
    }

    @AfterAll
    static void stopLdap() {
        if (ldap != null) ldap.close();
    }

    private static LdapGroupProvider openLdap(String... more) {
        return ldap.groupProvider(TestDirectory.openLdapSearch(more));
    }

    @Test
    void groupEntriesNamingTheUserByDnOrByNameAreItsGroupsAndTheFirstByNameIsPrimary() throws Exception {
        // alice: cn=analysts (member: her DN) and cn=posix-analysts (memberUid: alice)
        LdapGroupProvider groups = openLdap("kyuubi.authentication.ldap.groupMembershipKey", "member");
        assertEquals(List.of("analysts"), groups.groups("alice").subList(0, 1));
        assertEquals(Optional.of("analysts"), groups.primaryGroup("alice"));
        assertEquals(List.of("posix-analysts"), openLdap("kyuubi.authentication.ldap.groupMembershipKey",
                "memberUid", "kyuubi.authentication.ldap.groupClassKey", "posixGroup").groups("alice"));
        assertEquals(Optional.of("builders"), groups.primaryGroup("bob"));
    }

    @Test
    void groupDnPatternsLimitWhereGroupsAreSearched() throws Exception {
        // eve is a member of a group "analysts" outside ou=groups only
        assertEquals(List.of("analysts"), openLdap().groups("eve"));
        assertEquals(List.of(), openLdap("kyuubi.authentication.ldap.groupDNPattern", "cn=%s," + GROUPS)
                .groups("eve"));
    }

    @Test
    void activeDirectoryGroupsComeFromTheUsersMemberOf() throws Exception {
        LdapGroupProvider ad = ldap.groupProvider("kyuubi.authentication.ldap.baseDN", "dc=corp,dc=example",
                "kyuubi.authentication.ldap.domain", "corp.example", "kyuubi.authentication.ldap.binddn",
                AD_SERVICE_DN, "kyuubi.authentication.ldap.bindpw", SERVICE_PASSWORD,
                "kyuubi.authentication.ldap.guidKey", "sAMAccountName",
                "kyuubi.authentication.ldap.userMembershipKey", "memberOf");
        assertEquals(Optional.of("Analysts"), ad.primaryGroup("carol"));
        assertEquals(Optional.of("Sales"), ad.primaryGroup("dave@corp.example"));
    }

    @Test
    void aUserWithoutAnEntryOrWithoutGroupsHasNoPrimaryGroup() throws Exception {
        assertEquals(Optional.empty(), openLdap().primaryGroup("nobody"));
        // the service account has an entry and no group
        assertEquals(Optional.empty(), openLdap().primaryGroup("kyuubi"));
    }

    @Test
    void aUserNameCannotWidenTheSearch() throws Exception {
        assertEquals(Optional.empty(), openLdap().primaryGroup("*"));
        assertEquals(Optional.empty(), openLdap().primaryGroup("alice)(uid=*"));
    }

    @Test
    void withoutABindDnOrWithAWrongBindPasswordTheLookupFailsNamingTheKey() {
        String noBind = assertThrows(GroupLookupException.class, () -> ldap.groupProvider(
                "kyuubi.authentication.ldap.baseDN", "dc=example,dc=com").primaryGroup("alice")).getMessage();
        assertTrue(noBind.contains("kyuubi.authentication.ldap.binddn"), noBind);
        String wrong = assertThrows(GroupLookupException.class, () -> ldap.groupProvider(
                "kyuubi.authentication.ldap.baseDN", "dc=example,dc=com", "kyuubi.authentication.ldap.binddn",
                SERVICE_DN, "kyuubi.authentication.ldap.bindpw", "wrong").primaryGroup("alice")).getMessage();
        assertTrue(wrong.contains("refused the bind as " + SERVICE_DN), wrong);
        assertTrue(!wrong.contains("wrong"), "the password is not in the message: " + wrong);
    }
}
