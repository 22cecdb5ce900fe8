package kitsune.auth.impl;

import static kitsune.auth.impl.TestDirectory.GROUPS;
import static kitsune.auth.impl.TestDirectory.PEOPLE;
import static kitsune.auth.impl.TestDirectory.SERVICE_DN;
import static kitsune.auth.impl.TestDirectory.SERVICE_PASSWORD;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import javax.net.ssl.SSLSocketFactory;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.unboundid.ldap.listener.InMemoryDirectoryServer;
import com.unboundid.ldap.listener.InMemoryDirectoryServerConfig;
import com.unboundid.ldap.listener.InMemoryListenerConfig;
import com.unboundid.util.ssl.KeyStoreKeyManager;
import com.unboundid.util.ssl.SSLUtil;

import kitsune.api.auth.AuthenticationException;
import kitsune.api.auth.GroupLookupException;
import kitsune.internal.testing.KeyStores;

/**
 * kitsune.authentication.ldap.starttls against real LDAP servers (UnboundID's in-memory directory on 127.0.0.1), one
 * offering StartTLS with a certificate made for the test, one not. Each server's access log, with a line added where
 * the server turns a connection into TLS, shows whether a bind came on a connection already in TLS: the proof that no
 * password went out in clear.
 */
class LdapStartTlsTest {
    private static final String STARTTLS_OID = "1.3.6.1.4.1.1466.20037";
    private static final Pattern CONN = Pattern.compile("\\bconn=(-?\\d+)");
    private static final Pattern FROM = Pattern.compile("\\bfrom=\"([^\"]*)\"");

    @TempDir
    static Path dir;
    private static KeyStores stores;
    private static Directory withStartTls;
    private static Directory withoutStartTls;

    /** An in-memory directory whose access log is kept, with or without StartTLS. */
    private static final class Directory extends Handler {
        final InMemoryDirectoryServer server;
        final String url;
        final List<String> log = new CopyOnWriteArrayList<>();

        Directory(boolean startTls) throws Exception {
            InMemoryDirectoryServerConfig config = new InMemoryDirectoryServerConfig("dc=example,dc=com");
            config.setSchema(null);
            SSLUtil serverTls = new SSLUtil(new KeyStoreKeyManager(stores.keystore.toFile(), "changeit".toCharArray(),
                    "PKCS12", "kitsune"), null);
            config.setListenerConfigs(InMemoryListenerConfig.createLDAPConfig("ldap", InetAddress.getLoopbackAddress(),
                    0, startTls ? new Witness(serverTls.createSSLSocketFactory(), log) : null));
            config.setAccessLogHandler(this);
            server = new InMemoryDirectoryServer(config);
            server.add("dn: dc=example,dc=com", "objectClass: top", "objectClass: domain", "dc: example");
            server.add("dn: " + PEOPLE, "objectClass: organizationalUnit", "ou: people");
            server.add("dn: uid=alice," + PEOPLE, "objectClass: inetOrgPerson", "uid: alice", "cn: alice", "sn: a",
                    "userPassword: wonderland");
            server.add("dn: ou=services,dc=example,dc=com", "objectClass: organizationalUnit", "ou: services");
            server.add("dn: " + SERVICE_DN, "objectClass: inetOrgPerson", "cn: kyuubi", "sn: K",
                    "userPassword: " + SERVICE_PASSWORD);
            server.add("dn: " + GROUPS, "objectClass: organizationalUnit", "ou: groups");
            server.add("dn: cn=analysts," + GROUPS, "objectClass: groupOfNames", "cn: analysts",
                    "member: uid=alice," + PEOPLE);
            server.startListening();
            url = "ldap://127.0.0.1:" + server.getListenPort();
        }

        @Override
        public void publish(LogRecord record) {
            log.add(record.getMessage().replaceFirst("^\\[[^]]*\\] ", ""));
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }

        /**
         * The DNs of the bind requests, each checked to come on a connection whose socket the server had turned into
         * TLS before (the log is in the order things happened).
         */
        List<String> bindsAfterStartTls() {
            Map<String, String> clientOf = new HashMap<>();
            Set<String> tlsClients = new HashSet<>();
            List<String> binds = new ArrayList<>();
            for (String line : log) {
                Matcher from = FROM.matcher(line);
                Matcher conn = CONN.matcher(line);
                if (line.startsWith("STARTTLS ") && from.find()) tlsClients.add(from.group(1));
                if (line.startsWith("CONNECT ") && conn.find() && from.find()) clientOf.put(conn.group(1), from.group(1));
                if (line.startsWith("BIND REQUEST") && conn.find()) {
                    assertTrue(tlsClients.contains(clientOf.get(conn.group(1))), "a bind on a connection that had not "
                            + "started TLS: " + line + " in " + log);
                    Matcher dn = Pattern.compile("dn=\"([^\"]*)\"").matcher(line);
                    binds.add(dn.find() ? dn.group(1) : line);
                }
            }
            return binds;
        }

        long binds() {
            return log.stream().filter(l -> l.startsWith("BIND REQUEST")).count();
        }

        boolean startTlsAsked() {
            return log.stream().anyMatch(l -> l.startsWith("STARTTLS ") || l.contains(STARTTLS_OID));
        }

        Map<String, Object> settings(String... keysAndValues) {
            Map<String, Object> props = new HashMap<>();
            props.put("kyuubi.authentication.ldap.url", url);
            props.put("kitsune.authentication.ldap.starttls", "true");
            props.put("kitsune.authentication.ldap.truststore.path", stores.truststore.toString());
            props.put("kitsune.authentication.ldap.truststore.password", "changeit");
            for (int i = 0; i < keysAndValues.length; i += 2) props.put(keysAndValues[i], keysAndValues[i + 1]);
            props.values().removeIf(v -> v == null);
            return props;
        }

        LdapAuthenticator authenticator(String... keysAndValues) {
            LdapAuthenticator a = new LdapAuthenticator();
            a.configure(settings(keysAndValues));
            return a;
        }

        void stop() {
            server.shutDown(true);
        }
    }

    /**
     * The server side of StartTLS: UnboundID wraps a client's plain socket with this factory when it accepts StartTLS;
     * the client's address goes into the access log at that moment.
     */
    private static final class Witness extends SSLSocketFactory {
        private final SSLSocketFactory tls;
        private final List<String> log;

        Witness(SSLSocketFactory tls, List<String> log) {
            this.tls = tls;
            this.log = log;
        }

        @Override
        public Socket createSocket(Socket plain, String host, int port, boolean autoClose) throws IOException {
            log.add("STARTTLS from=\"" + plain.getInetAddress().getHostAddress() + ":" + plain.getPort() + "\"");
            return tls.createSocket(plain, host, port, autoClose);
        }

        @Override
        public String[] getDefaultCipherSuites() {
            return tls.getDefaultCipherSuites();
        }

        @Override
        public String[] getSupportedCipherSuites() {
            return tls.getSupportedCipherSuites();
        }

        @Override
        public Socket createSocket(String host, int port) throws IOException {
            return tls.createSocket(host, port);
        }

        @Override
        public Socket createSocket(String host, int port, InetAddress localHost, int localPort) throws IOException {
            return tls.createSocket(host, port, localHost, localPort);
        }

        @Override
        public Socket createSocket(InetAddress host, int port) throws IOException {
            return tls.createSocket(host, port);
        }

        @Override
        public Socket createSocket(InetAddress address, int port, InetAddress localAddress, int localPort)
                throws IOException {
            return tls.createSocket(address, port, localAddress, localPort);
        }
    }

    @BeforeAll
    static void startDirectories() throws Exception {
        stores = KeyStores.create(dir, "changeit");
        withStartTls = new Directory(true);
        withoutStartTls = new Directory(false);
    }

    @AfterAll
    static void stopDirectories() {
        if (withStartTls != null) withStartTls.stop();
        if (withoutStartTls != null) withoutStartTls.stop();
    }

    @BeforeEach
    void forgetTheLogs() {
        withStartTls.log.clear();
        withoutStartTls.log.clear();
    }

    private static AuthenticationException refused(LdapAuthenticator a, String user, String password) {
        return assertThrows(AuthenticationException.class, () -> a.authenticate(user, password));
    }

    @Test
    void aUserBindsOverStartTlsWithTheConfiguredTrustStore() throws Exception {
        LdapAuthenticator a = withStartTls.authenticator("kyuubi.authentication.ldap.baseDN", PEOPLE);
        a.authenticate("alice", "wonderland");
        assertEquals(List.of("uid=alice," + PEOPLE), withStartTls.bindsAfterStartTls());
        assertEquals("invalid user name or password", refused(a, "alice", "looking-glass").getMessage());
        assertEquals(List.of("uid=alice," + PEOPLE, "uid=alice," + PEOPLE), withStartTls.bindsAfterStartTls());
    }

    @Test
    void theBindDnSearchFlowAndItsUserFilterGoOverStartTlsToo() throws Exception {
        LdapAuthenticator a = withStartTls.authenticator("kyuubi.authentication.ldap.baseDN", "dc=example,dc=com",
                "kyuubi.authentication.ldap.binddn", SERVICE_DN, "kyuubi.authentication.ldap.bindpw", SERVICE_PASSWORD,
                "kyuubi.authentication.ldap.groupFilter", "analysts");
        a.authenticate("alice", "wonderland");
        // the search account's bind, then the user's own on a second connection: each after StartTLS
        assertEquals(List.of(SERVICE_DN, "uid=alice," + PEOPLE), withStartTls.bindsAfterStartTls());
        assertTrue(withStartTls.log.stream().anyMatch(l -> l.startsWith("SEARCH REQUEST")), withStartTls.log.toString());
    }

    @Test
    void theGroupProviderSearchesOverStartTls() throws GroupLookupException {
        LdapGroupProvider groups = new LdapGroupProvider();
        groups.configure(withStartTls.settings("kyuubi.authentication.ldap.baseDN", "dc=example,dc=com",
                "kyuubi.authentication.ldap.binddn", SERVICE_DN, "kyuubi.authentication.ldap.bindpw",
                SERVICE_PASSWORD));
        assertEquals(List.of("analysts"), groups.groups("alice"));
        assertEquals(List.of(SERVICE_DN), withStartTls.bindsAfterStartTls());
    }

    @Test
    void anUntrustedCertificateIsRefusedBeforeAnyBindNamingTheTrustStoreKey() {
        LdapAuthenticator a = withStartTls.authenticator("kyuubi.authentication.ldap.baseDN", PEOPLE,
                "kitsune.authentication.ldap.truststore.path", null,
                "kitsune.authentication.ldap.truststore.password", null);
        String m = refused(a, "alice", "wonderland").getMessage();
        assertTrue(m.startsWith("the LDAP server " + withStartTls.url + " failed the StartTLS handshake ("), m);
        assertTrue(m.endsWith("no bind was sent: the directory's certificate must be trusted by "
                + "kitsune.authentication.ldap.truststore.path or the JVM's trust store, and name the host of the URL"),
                m);
        assertFalse(m.contains("\n") || m.contains("wonderland"), m);
        assertTrue(withStartTls.startTlsAsked(), withStartTls.log.toString());
        assertEquals(0, withStartTls.binds(), withStartTls.log.toString());
    }

    @Test
    void aDirectoryWithoutStartTlsIsRefusedAndNeverSeesTheBind() throws Exception {
        for (LdapAuthenticator a : List.of(
                withoutStartTls.authenticator("kyuubi.authentication.ldap.baseDN", PEOPLE),
                withoutStartTls.authenticator("kyuubi.authentication.ldap.baseDN", "dc=example,dc=com",
                        "kyuubi.authentication.ldap.binddn", SERVICE_DN,
                        "kyuubi.authentication.ldap.bindpw", SERVICE_PASSWORD))) {
            String m = refused(a, "alice", "wonderland").getMessage();
            assertTrue(m.startsWith("the LDAP server " + withoutStartTls.url + " does not offer StartTLS ("), m);
            assertTrue(m.endsWith("which kitsune.authentication.ldap.starttls=true requires; no bind was sent: enable "
                    + "StartTLS on the directory, or use an ldaps:// URL with kitsune.authentication.ldap.starttls=false"),
                    m);
        }
        assertTrue(withoutStartTls.startTlsAsked(), withoutStartTls.log.toString());
        assertEquals(0, withoutStartTls.binds(), withoutStartTls.log.toString());
        // the same directory without StartTLS asked: the bind goes out, in clear (what StartTLS prevents)
        LdapAuthenticator clear = withoutStartTls.authenticator("kyuubi.authentication.ldap.baseDN", PEOPLE,
                "kitsune.authentication.ldap.starttls", "false");
        clear.authenticate("alice", "wonderland");
        assertEquals(1, withoutStartTls.binds(), withoutStartTls.log.toString());
    }

    @Test
    void aDirectoryThatFailsStartTlsIsSkippedForTheNextUrl() throws Exception {
        LdapAuthenticator a = withStartTls.authenticator("kyuubi.authentication.ldap.url",
                withoutStartTls.url + " " + withStartTls.url, "kyuubi.authentication.ldap.baseDN", PEOPLE);
        a.authenticate("alice", "wonderland");
        assertEquals(0, withoutStartTls.binds(), withoutStartTls.log.toString());
        assertEquals(List.of("uid=alice," + PEOPLE), withStartTls.bindsAfterStartTls());
    }

    @Test
    void startTlsWithAnLdapsUrlRefusesEveryLoginNamingBothKeys() {
        LdapAuthenticator a = withStartTls.authenticator("kyuubi.authentication.ldap.url", "ldaps://127.0.0.1:636",
                "kyuubi.authentication.ldap.baseDN", PEOPLE);
        String m = refused(a, "alice", "wonderland").getMessage();
        assertTrue(m.startsWith("kitsune.authentication.ldap.starttls=true cannot apply to ldaps://127.0.0.1:636 in "
                + "kyuubi.authentication.ldap.url"), m);
    }
}
