package kitsune.auth.impl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import com.unboundid.ldap.listener.InMemoryDirectoryServer;
import com.unboundid.ldap.listener.InMemoryDirectoryServerConfig;
import com.unboundid.ldap.listener.InMemoryListenerConfig;

import kitsune.api.auth.AuthenticationException;
import kitsune.api.conf.KitsuneConf;

/** Against a real LDAP server (UnboundID's in-memory directory, LDAP protocol on 127.0.0.1). */
class LdapAuthenticatorTest {
    private static InMemoryDirectoryServer ldap;
    private static String url;

    @BeforeAll
    static void startLdap() throws Exception {
        InMemoryDirectoryServerConfig config = new InMemoryDirectoryServerConfig("dc=example,dc=com");
        config.setListenerConfigs(InMemoryListenerConfig.createLDAPConfig("ldap", InetAddress.getLoopbackAddress(),
                0, null));
        ldap = new InMemoryDirectoryServer(config);
        ldap.add("dn: dc=example,dc=com", "objectClass: top", "objectClass: domain", "dc: example");
        ldap.add("dn: ou=people,dc=example,dc=com", "objectClass: top", "objectClass: organizationalUnit",
                "ou: people");
        ldap.add("dn: uid=alice,ou=people,dc=example,dc=com", "objectClass: inetOrgPerson", "uid: alice",
                "cn: Alice", "sn: A", "userPassword: wonderland");
        ldap.add("dn: ou=staff,dc=example,dc=com", "objectClass: top", "objectClass: organizationalUnit", "ou: staff");
        ldap.add("dn: cn=bob,ou=staff,dc=example,dc=com", "objectClass: inetOrgPerson", "cn: bob", "sn: B",
                "userPassword: builder");
        ldap.startListening();
        url = "ldap://127.0.0.1:" + ldap.getListenPort();
    }

    @AfterAll
    static void stopLdap() {
        if (ldap != null) ldap.shutDown(true);
    }

    private static LdapAuthenticator authenticator(Map<String, String> conf) {
        Map<String, Object> props = new HashMap<>(conf);
        LdapAuthenticator a = new LdapAuthenticator();
        a.configure(props);
        return a;
    }

    @Test
    void theRightPasswordBindsAsUidUnderTheBaseDn() throws Exception {
        authenticator(Map.of("kyuubi.authentication.ldap.url", url,
                "kyuubi.authentication.ldap.baseDN", "ou=people,dc=example,dc=com")).authenticate("alice", "wonderland");
    }

    @Test
    void aWrongPasswordOrUnknownUserIsRefusedWithoutSayingWhich() {
        LdapAuthenticator a = authenticator(Map.of("kyuubi.authentication.ldap.url", url,
                "kyuubi.authentication.ldap.baseDN", "ou=people,dc=example,dc=com"));
        AuthenticationException wrong = assertThrows(AuthenticationException.class,
                () -> a.authenticate("alice", "looking-glass"));
        assertEquals("invalid user name or password", wrong.getMessage());
        AuthenticationException unknown = assertThrows(AuthenticationException.class,
                () -> a.authenticate("mallory", "wonderland"));
        assertEquals("invalid user name or password", unknown.getMessage());
    }

    @Test
    void userDnPatternsAreTriedInTurn() throws Exception {
        LdapAuthenticator a = authenticator(Map.of("kyuubi.authentication.ldap.url", url,
                "kyuubi.authentication.ldap.userDNPattern",
                "uid=%s,ou=people,dc=example,dc=com:cn=%s,ou=staff,dc=example,dc=com"));
        a.authenticate("alice", "wonderland");
        a.authenticate("bob", "builder");
    }

    @Test
    void anEmptyPasswordIsNeverTakenForAnAnonymousBind() {
        LdapAuthenticator a = authenticator(Map.of("kyuubi.authentication.ldap.url", url,
                "kyuubi.authentication.ldap.baseDN", "ou=people,dc=example,dc=com"));
        AuthenticationException e = assertThrows(AuthenticationException.class, () -> a.authenticate("alice", ""));
        assertTrue(e.getMessage().contains("empty password"), e.getMessage());
    }

    @Test
    void aUserNameCannotInjectIntoTheDn() {
        LdapSettingsCheck.assertCandidates("uid=alice\\,ou\\=people,ou=people,dc=example,dc=com",
                authenticatorSettings(Map.of("kyuubi.authentication.ldap.baseDN", "ou=people,dc=example,dc=com"))
                        .candidates("alice,ou=people").get(0));
    }

    @Test
    void anUnreachableServerIsNamed() throws Exception {
        int closed;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closed = s.getLocalPort();
        }
        String down = "ldap://127.0.0.1:" + closed;
        LdapAuthenticator a = authenticator(Map.of("kyuubi.authentication.ldap.url", down,
                "kyuubi.authentication.ldap.baseDN", "ou=people,dc=example,dc=com"));
        AuthenticationException e = assertThrows(AuthenticationException.class,
                () -> a.authenticate("alice", "wonderland"));
        assertTrue(e.getMessage().startsWith("the LDAP server " + down + " is not reachable"), e.getMessage());
        // with a second URL that answers, the login goes through
        authenticator(Map.of("kyuubi.authentication.ldap.url", down + " " + url,
                "kyuubi.authentication.ldap.baseDN", "ou=people,dc=example,dc=com")).authenticate("alice", "wonderland");
    }

    @Test
    void withoutAUrlNoLoginSucceedsAndTheKeyIsNamed() {
        AuthenticationException e = assertThrows(AuthenticationException.class,
                () -> authenticator(Map.of()).authenticate("alice", "wonderland"));
        assertTrue(e.getMessage().contains("kyuubi.authentication.ldap.url is not set"), e.getMessage());
    }

    @Test
    void activeDirectoryStyleDomainAndThePlainNameAsLastResort() {
        assertEquals(List.of("alice@corp.example"),
                authenticatorSettings(Map.of("kyuubi.authentication.ldap.domain", "corp.example")).candidates("alice"));
        assertEquals(List.of("alice"), authenticatorSettings(Map.of()).candidates("alice"));
    }

    private static LdapAuthenticator.Settings authenticatorSettings(Map<String, String> conf) {
        return LdapAuthenticator.Settings.from(KitsuneConf.of(conf));
    }

    private static final class LdapSettingsCheck {
        static void assertCandidates(String expected, String actual) {
            assertEquals(expected, actual);
        }
    }
}
