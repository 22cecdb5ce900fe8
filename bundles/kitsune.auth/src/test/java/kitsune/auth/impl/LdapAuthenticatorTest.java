package kitsune.auth.impl;

import static kitsune.auth.impl.TestDirectory.PEOPLE;
import static kitsune.auth.impl.TestDirectory.SERVICE_DN;
import static kitsune.auth.impl.TestDirectory.SERVICE_PASSWORD;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.unboundid.ldap.listener.InMemoryDirectoryServer;
import com.unboundid.ldap.listener.InMemoryDirectoryServerConfig;
import com.unboundid.ldap.listener.InMemoryListenerConfig;
import com.unboundid.util.ssl.KeyStoreKeyManager;
import com.unboundid.util.ssl.SSLUtil;

import kitsune.api.auth.AuthenticationException;
import kitsune.api.conf.KitsuneConf;
import kitsune.internal.testing.KeyStores;

/** Binds, search binds and the user search, against a real LDAP server ({@link TestDirectory}). */
class LdapAuthenticatorTest {
    private static TestDirectory ldap;

    @BeforeAll
    static void startLdap() throws Exception {
        ldap = new TestDirectory();
    }

    @AfterAll
    static void stopLdap() {
        if (ldap != null) ldap.close();
    }

    private static AuthenticationException refused(LdapAuthenticator a, String user, String password) {
        return assertThrows(AuthenticationException.class, () -> a.authenticate(user, password));
    }

    @Test
    void theRightPasswordBindsAsGuidKeyUnderTheBaseDn() throws Exception {
        ldap.authenticator("kyuubi.authentication.ldap.baseDN", PEOPLE).authenticate("alice", "wonderland");
        ldap.authenticator("kyuubi.authentication.ldap.baseDN", "ou=staff,dc=example,dc=com",
                "kyuubi.authentication.ldap.guidKey", "cn").authenticate("carl", "carpenter");
    }

    @Test
    void aWrongPasswordOrUnknownUserIsRefusedWithoutSayingWhich() {
        LdapAuthenticator a = ldap.authenticator("kyuubi.authentication.ldap.baseDN", PEOPLE);
        assertEquals("invalid user name or password", refused(a, "alice", "looking-glass").getMessage());
        assertEquals("invalid user name or password", refused(a, "mallory", "wonderland").getMessage());
    }

    @Test
    void userDnPatternsAreTriedInTurn() throws Exception {
        LdapAuthenticator a = ldap.authenticator("kyuubi.authentication.ldap.userDNPattern",
                "uid=%s," + PEOPLE + ":cn=%s,ou=staff,dc=example,dc=com");
        a.authenticate("alice", "wonderland");
        a.authenticate("carl", "carpenter");
    }

    @Test
    void aBindDnSearchFindsTheUsersEntryThenChecksTheirOwnPassword() throws Exception {
        LdapAuthenticator a = ldap.authenticator("kyuubi.authentication.ldap.baseDN", "dc=example,dc=com",
                "kyuubi.authentication.ldap.binddn", SERVICE_DN, "kyuubi.authentication.ldap.bindpw", SERVICE_PASSWORD);
        a.authenticate("alice", "wonderland");
        assertEquals("invalid user name or password", refused(a, "alice", SERVICE_PASSWORD).getMessage());
        assertTrue(refused(a, "mallory", "x").getMessage().startsWith("no LDAP entry for mallory under "
                + "[dc=example,dc=com]"));
    }

    @Test
    void aWrongBindPasswordNamesTheKeysButNeverThePassword() {
        LdapAuthenticator a = ldap.authenticator("kyuubi.authentication.ldap.baseDN", "dc=example,dc=com",
                "kyuubi.authentication.ldap.binddn", SERVICE_DN, "kyuubi.authentication.ldap.bindpw", "not-it-123");
        String m = refused(a, "alice", "wonderland").getMessage();
        assertTrue(m.startsWith("the LDAP server refused the bind as " + SERVICE_DN
                + " (kyuubi.authentication.ldap.binddn)"), m);
        assertTrue(m.contains("kyuubi.authentication.ldap.bindpw"), m);
        assertFalse(m.contains("not-it-123") || m.contains("wonderland"), m);
        LdapAuthenticator noPassword = ldap.authenticator("kyuubi.authentication.ldap.baseDN", "dc=example,dc=com",
                "kyuubi.authentication.ldap.binddn", SERVICE_DN);
        assertTrue(refused(noPassword, "alice", "wonderland").getMessage()
                .contains("kyuubi.authentication.ldap.bindpw is empty"));
    }

    @Test
    void aNameThatMatchesSeveralEntriesIsRefusedNamingThem() {
        // with guidKey objectClass, the name inetOrgPerson matches every person
        LdapAuthenticator a = ldap.authenticator("kyuubi.authentication.ldap.baseDN", "dc=example,dc=com",
                "kyuubi.authentication.ldap.guidKey", "objectClass",
                "kyuubi.authentication.ldap.binddn", SERVICE_DN, "kyuubi.authentication.ldap.bindpw", SERVICE_PASSWORD);
        String m = refused(a, "inetOrgPerson", "wonderland").getMessage();
        assertTrue(m.startsWith("inetOrgPerson matches more than one LDAP entry"), m);
        assertTrue(m.contains("kyuubi.authentication.ldap.guidKey"), m);
    }

    @Test
    void wildcardsAndFilterSyntaxInAUserNameMatchNothing() throws Exception {
        // under ou=solo, '(uid=*)' would find exactly admin: spliced into the filter, '*' would log in as admin
        LdapAuthenticator search = ldap.authenticator("kyuubi.authentication.ldap.baseDN", "ou=solo,dc=example,dc=com",
                "kyuubi.authentication.ldap.binddn", SERVICE_DN, "kyuubi.authentication.ldap.bindpw", SERVICE_PASSWORD);
        search.authenticate("admin", "shared-secret");
        for (String attack : List.of("*", "adm*", "admin)(|(uid=*", "*)(uid=*))(|(uid=*", "admin\\", "admin\u0000")) {
            AuthenticationException e = refused(search, attack, "shared-secret");
            assertTrue(e.getMessage().startsWith("no LDAP entry for "), attack + ": " + e.getMessage());
        }
        LdapAuthenticator patterns = ldap.authenticator("kyuubi.authentication.ldap.userDNPattern",
                "uid=%s,ou=solo,dc=example,dc=com", "kyuubi.authentication.ldap.userFilter", "admin");
        patterns.authenticate("admin", "shared-secret");
        for (String attack : List.of("*", "admin)(|(uid=*", "admin,ou=solo", "admin\u0000")) {
            assertEquals("invalid user name or password", refused(patterns, attack, "shared-secret").getMessage(),
                    attack);
        }
    }

    @Test
    void aUserNameIsEscapedWhereItGoesIntoADn() {
        LdapSettings s = settings(Map.of("kyuubi.authentication.ldap.baseDN", PEOPLE));
        assertEquals("uid=alice\\,ou\\=people," + PEOPLE, s.bindNames("alice,ou=people").get(0));
        assertEquals("uid=a\\+b\\\\c\\00," + PEOPLE, s.bindNames("a+b\\c\u0000").get(0));
    }

    @Test
    void anEmptyPasswordIsNeverTakenForAnAnonymousBind() {
        LdapAuthenticator a = ldap.authenticator("kyuubi.authentication.ldap.baseDN", PEOPLE);
        assertTrue(refused(a, "alice", "").getMessage().contains("empty password"));
        assertTrue(refused(a, "alice", "\u0000x").getMessage().contains("empty password"));
        assertTrue(refused(a, "", "wonderland").getMessage().contains("empty user name"));
    }

    @Test
    void anUnreachableServerIsNamedAndTheNextUrlIsTried() throws Exception {
        int closed;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closed = s.getLocalPort();
        }
        String down = "ldap://127.0.0.1:" + closed;
        LdapAuthenticator a = ldap.authenticator("kyuubi.authentication.ldap.url", down,
                "kyuubi.authentication.ldap.baseDN", PEOPLE);
        String m = refused(a, "alice", "wonderland").getMessage();
        assertTrue(m.startsWith("the LDAP server " + down + " (") && m.endsWith("is not reachable"), m);
        ldap.authenticator("kyuubi.authentication.ldap.url", down + " " + ldap.url,
                "kyuubi.authentication.ldap.baseDN", PEOPLE).authenticate("alice", "wonderland");
        // a search bind fails over the same way
        ldap.authenticator("kyuubi.authentication.ldap.url", down + " " + ldap.url,
                "kyuubi.authentication.ldap.baseDN", PEOPLE, "kyuubi.authentication.ldap.binddn", SERVICE_DN,
                "kyuubi.authentication.ldap.bindpw", SERVICE_PASSWORD).authenticate("alice", "wonderland");
    }

    @Test
    void aDnInTheUrlIsTheBaseDnWhenNoneIsSet() throws Exception {
        ldap.authenticator("kyuubi.authentication.ldap.url", ldap.url + "/" + PEOPLE).authenticate("alice",
                "wonderland");
    }

    @Test
    void settingsThatCannotWorkRefuseEveryLoginNamingTheKey() {
        assertTrue(refused(ldap.authenticator("kyuubi.authentication.ldap.url", ""), "alice", "wonderland")
                .getMessage().contains("kyuubi.authentication.ldap.url is not set"));
        Map<String, String> bad = Map.of(
                "kyuubi.authentication.ldap.userDNPattern", "uid=alice," + PEOPLE,
                "kyuubi.authentication.ldap.groupDNPattern", "not a dn %s",
                "kyuubi.authentication.ldap.guidKey", "uid)(x",
                "kyuubi.authentication.ldap.url", "http://ldap.example.com");
        String problem = settings(bad).problem();
        for (String key : bad.keySet()) assertTrue(problem.contains(key), key + " in " + problem);
        assertTrue(settings(Map.of("kyuubi.authentication.ldap.url", ldap.url,
                "kyuubi.authentication.ldap.groupFilter", "analysts")).problem()
                .contains("need kyuubi.authentication.ldap.baseDN or kyuubi.authentication.ldap.userDNPattern"));
    }

    @Test
    void bindNamesFollowKyuubisOrder() {
        assertEquals(List.of("alice@corp.example"),
                settings(Map.of("kyuubi.authentication.ldap.domain", "corp.example",
                        "kyuubi.authentication.ldap.baseDN", PEOPLE)).bindNames("alice"));
        assertEquals(List.of("alice@other.example"),
                settings(Map.of("kyuubi.authentication.ldap.domain", "corp.example")).bindNames("alice@other.example"));
        assertEquals(List.of("uid=alice," + PEOPLE), settings(Map.of("kyuubi.authentication.ldap.baseDN", PEOPLE))
                .bindNames("alice"));
        assertEquals(List.of("alice"), settings(Map.of()).bindNames("alice"));
    }

    @Test
    void theBindPasswordIsNotInTheSettingsText() {
        LdapSettings s = settings(Map.of("kyuubi.authentication.ldap.binddn", SERVICE_DN,
                "kyuubi.authentication.ldap.bindpw", SERVICE_PASSWORD));
        assertFalse(s.toString().contains(SERVICE_PASSWORD), s.toString());
        assertTrue(kitsune.api.conf.ConfigKeys.looksSecret("kyuubi.authentication.ldap.bindpw"));
    }

    @Test
    void ldapsTrustsTheConfiguredTrustStoreAndNamesAnUntrustedCertificate(@TempDir Path dir) throws Exception {
        KeyStores stores = KeyStores.create(dir, "changeit");
        SSLUtil serverTls = new SSLUtil(new KeyStoreKeyManager(stores.keystore.toFile(), "changeit".toCharArray(),
                "PKCS12", "kitsune"), null);
        InMemoryDirectoryServerConfig config = new InMemoryDirectoryServerConfig("dc=example,dc=com");
        config.setListenerConfigs(InMemoryListenerConfig.createLDAPSConfig("ldaps", InetAddress.getLoopbackAddress(),
                0, serverTls.createSSLServerSocketFactory(), null));
        InMemoryDirectoryServer tls = new InMemoryDirectoryServer(config);
        tls.add("dn: dc=example,dc=com", "objectClass: top", "objectClass: domain", "dc: example");
        tls.add("dn: " + PEOPLE, "objectClass: organizationalUnit", "ou: people");
        tls.add("dn: uid=alice," + PEOPLE, "objectClass: inetOrgPerson", "uid: alice", "cn: alice", "sn: a",
                "userPassword: wonderland");
        tls.startListening();
        try {
            String url = "ldaps://127.0.0.1:" + tls.getListenPort();
            ldap.authenticator("kyuubi.authentication.ldap.url", url, "kyuubi.authentication.ldap.baseDN", PEOPLE,
                    "kitsune.authentication.ldap.truststore.path", stores.truststore.toString(),
                    "kitsune.authentication.ldap.truststore.password", "changeit").authenticate("alice", "wonderland");
            String untrusted = refused(ldap.authenticator("kyuubi.authentication.ldap.url", url,
                    "kyuubi.authentication.ldap.baseDN", PEOPLE), "alice", "wonderland").getMessage();
            assertTrue(untrusted.startsWith("the LDAP server " + url + " (") && untrusted.contains("TLS: the "
                    + "directory's certificate must be trusted by kitsune.authentication.ldap.truststore.path"),
                    untrusted);
            String wrongPassword = refused(ldap.authenticator("kyuubi.authentication.ldap.url", url,
                    "kitsune.authentication.ldap.truststore.path", stores.truststore.toString(),
                    "kitsune.authentication.ldap.truststore.password", "not-it"), "alice", "wonderland").getMessage();
            assertTrue(wrongPassword.startsWith("kitsune.authentication.ldap.truststore.path=" + stores.truststore
                    + " cannot be read as a trust store"), wrongPassword);
            assertFalse(wrongPassword.contains("not-it"), wrongPassword);
        } finally {
            tls.shutDown(true);
        }
    }

    private static LdapSettings settings(Map<String, String> conf) {
        return LdapSettings.from(KitsuneConf.of(conf));
    }
}
