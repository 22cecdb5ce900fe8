package kitsune.internal.kerberos;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;

import javax.security.auth.Subject;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import kitsune.api.conf.ConfigException;
import kitsune.testkit.TestKdc;

/**
 * The one SPNEGO acceptor of both HTTP frontends against a real KDC (Apache Kerby on 127.0.0.1, {@link TestKdc}):
 * real tickets of real principals, accepted with the server's keytab, mapped by hadoop.security.auth_to_local.
 */
class SpnegoTest {
    private static final String REALM = TestKdc.REALM;
    private static final String SERVICE = "HTTP/localhost@" + REALM;
    private static final String KEYTAB_KEY = "kyuubi.spnego.keytab";
    private static TestKdc kdc;
    private static Path httpKeytab;
    private static Subject alice;
    private static Subject admin;
    private static KerberosIdentity identity;

    @BeforeAll
    static void startKdc() throws Exception {
        kdc = TestKdc.start(Files.createTempDirectory("kitsune-kdc-"));
        httpKeytab = kdc.keytab("HTTP/localhost");
        kdc.keytab("HTTP/otherhost");
        alice = TestKdc.login("alice@" + REALM, kdc.keytab("alice"));
        admin = TestKdc.login("bob/admin@" + REALM, kdc.keytab("bob/admin"));
        identity = KerberosIdentity.login("HTTP/_HOST@" + REALM, httpKeytab.toString(), "LocalHost",
                "kyuubi.spnego.principal", KEYTAB_KEY, "HTTP/_HOST@EXAMPLE.COM");
    }

    @AfterAll
    static void stopKdc() throws Exception {
        if (kdc != null) kdc.close();
    }

    private static String negotiate(Subject client, String service) throws Exception {
        return "Negotiate " + TestKdc.spnegoToken(client, service);
    }

    @Test
    void aRealTicketLogsInAsThePrincipalsShortName() throws Exception {
        assertEquals(SERVICE, identity.principal(), "_HOST is the host name, lower-case");
        Spnego.Outcome a = Spnego.accept(identity, negotiate(alice, SERVICE), KEYTAB_KEY);
        assertTrue(a.accepted(), a.refusal());
        assertEquals("alice", a.user());
        assertEquals("alice@" + REALM, a.principal());
        Spnego.Outcome b = Spnego.accept(identity, negotiate(admin, SERVICE), KEYTAB_KEY);
        assertEquals("bob", b.user(), "DEFAULT: the first component of a principal of the server's realm");
        // the Hive JDBC driver's form of the header
        String hive = "Negotiate : " + TestKdc.spnegoToken(alice, SERVICE);
        assertTrue(Spnego.isNegotiate(hive));
        assertEquals("alice", Spnego.accept(identity, hive, KEYTAB_KEY).user());
    }

    @Test
    void authToLocalRulesMapOrRefuseThePrincipal() throws Exception {
        KerberosIdentity mapped = identity.withAuthToLocal("RULE:[2:$1_$2@$0](.*@EXAMPLE\\.COM)s/@.*//");
        assertEquals("bob_admin", Spnego.accept(mapped, negotiate(admin, SERVICE), KEYTAB_KEY).user());
        Spnego.Outcome unmapped = Spnego.accept(mapped, negotiate(alice, SERVICE), KEYTAB_KEY);
        assertFalse(unmapped.accepted());
        assertNull(unmapped.user());
        assertTrue(unmapped.checked(), "a refused principal is a login for the audit log");
        assertEquals("alice@" + REALM, unmapped.principal());
        assertTrue(unmapped.refusal().contains("alice@" + REALM + " has no user name"), unmapped.refusal());
        assertThrows(ConfigException.class, () -> identity.withAuthToLocal("RULE:[1:$1"));
    }

    @Test
    void aForgedReplayedOrMisaddressedTokenIsRefusedNamingTheCause() throws Exception {
        Spnego.Outcome garbage = Spnego.accept(identity, "Negotiate " + java.util.Base64.getEncoder()
                .encodeToString("not a token at all".getBytes()), KEYTAB_KEY);
        assertFalse(garbage.accepted());
        assertTrue(garbage.checked());
        assertTrue(garbage.refusal().startsWith("Kerberos (SPNEGO) authentication failed"), garbage.refusal());

        Spnego.Outcome notBase64 = Spnego.accept(identity, "Negotiate !!!", KEYTAB_KEY);
        assertFalse(notBase64.accepted());
        assertFalse(notBase64.checked(), "nothing reached Kerberos");
        assertEquals("its Negotiate header holds no base64 token", notBase64.refusal());

        String once = negotiate(alice, SERVICE);
        assertTrue(Spnego.accept(identity, once, KEYTAB_KEY).accepted());
        Spnego.Outcome replayed = Spnego.accept(identity, once, KEYTAB_KEY);
        assertFalse(replayed.accepted(), "the same authenticator twice is a replay");
        assertTrue(replayed.refusal().contains("replay"), replayed.refusal());

        Spnego.Outcome other = Spnego.accept(identity, negotiate(alice, "HTTP/otherhost@" + REALM), KEYTAB_KEY);
        assertFalse(other.accepted());
        assertTrue(other.refusal().contains("not for this server's key") && other.refusal().contains(KEYTAB_KEY),
                other.refusal());
    }

    @Test
    void onlyANegotiateHeaderIsTakenForOne() {
        assertTrue(Spnego.isNegotiate("Negotiate abc"));
        assertTrue(Spnego.isNegotiate("negotiate abc"));
        assertFalse(Spnego.isNegotiate("Negotiate"));
        assertFalse(Spnego.isNegotiate("NegotiateX abc"));
        assertFalse(Spnego.isNegotiate("Basic YTpi"));
        assertFalse(Spnego.isNegotiate(null));
    }

    @Test
    void aKeytabWithoutThePrincipalsKeysStopsTheStartNamingTheKey() throws Exception {
        Path aliceOnly = kdc.keytab("carol");
        ConfigException e = assertThrows(ConfigException.class, () -> KerberosIdentity.login(SERVICE,
                aliceOnly.toString(), "localhost", "kyuubi.spnego.principal", KEYTAB_KEY, "HTTP/_HOST@EXAMPLE.COM"));
        assertTrue(e.getMessage().contains(KEYTAB_KEY) && e.getMessage().contains("holds no key of that principal"),
                e.getMessage());
    }
}
