package kitsune.frontend.thrift.impl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.time.Duration;
import java.util.Map;

import org.junit.jupiter.api.Test;

import kitsune.api.conf.KitsuneConf;

class FrontendSettingsTest {
    private static FrontendSettings of(Map<String, String> conf) {
        return FrontendSettings.from(KitsuneConf.of(conf));
    }

    @Test
    void defaultsAreKyuubis() {
        FrontendSettings s = of(Map.of("kyuubi.frontend.connection.url.use.hostname", "false"));
        assertEquals("", s.bindHost(), "all interfaces");
        assertEquals(10009, s.port());
        assertTrue(s.sasl());
        assertEquals(104857600, s.maxMessageSize());
        assertEquals(9, s.minWorkers());
        assertEquals(999, s.maxWorkers());
        assertEquals(10000, s.maxConnections(), "connections are bounded apart from the threads that run calls");
        assertEquals(Duration.ofSeconds(20), s.loginTimeout());
    }

    @Test
    void bindHostFallsBackToTheFrontendBindHostAndIsAdvertised() {
        FrontendSettings s = of(Map.of("kyuubi.frontend.bind.host", "127.0.0.2"));
        assertEquals("127.0.0.2", s.bindHost());
        assertEquals("127.0.0.2", s.advertisedHost());
        FrontendSettings t = of(Map.of("kyuubi.frontend.bind.host", "127.0.0.2",
                "kyuubi.frontend.thrift.binary.bind.host", "127.0.0.3"));
        assertEquals("127.0.0.3", t.bindHost());
    }

    @Test
    void advertisedHostWins() {
        FrontendSettings s = of(Map.of("kyuubi.frontend.bind.host", "127.0.0.2",
                "kyuubi.frontend.advertised.host", "gw.example.com"));
        assertEquals("gw.example.com", s.advertisedHost());
    }

    @Test
    void withoutBindHostTheMachinesNameOrIpIsAdvertised() throws Exception {
        InetAddress local = InetAddress.getLocalHost();
        assertEquals(local.getCanonicalHostName(), of(Map.of()).advertisedHost());
        assertEquals(local.getHostAddress(),
                of(Map.of("kyuubi.frontend.connection.url.use.hostname", "false")).advertisedHost());
    }

    @Test
    void noSaslAndWorkerBounds() {
        FrontendSettings s = of(Map.of("kyuubi.authentication", "nosasl",
                "kyuubi.frontend.thrift.min.worker.threads", "50", "kyuubi.frontend.thrift.max.worker.threads", "10"));
        assertFalse(s.sasl());
        assertEquals(10, s.minWorkers(), "min is capped at max");
        assertEquals(20000, of(Map.of("kitsune.frontend.connections.max", "20000")).maxConnections());
    }

    @Test
    void noneBesideAnAuthenticatorThatChecksPasswordsIsRefusedInOneLineNamingTheKeyAndTheFix() {
        for (String value : new String[] {"NONE,LDAP", "LDAP,NONE", "NONE,JDBC", "NOSASL,NONE,CUSTOM"}) {
            kitsune.api.conf.ConfigException e = org.junit.jupiter.api.Assertions.assertThrows(
                    kitsune.api.conf.ConfigException.class, () -> of(Map.of("kyuubi.authentication", value)));
            assertTrue(e.getMessage().startsWith("Invalid value for kyuubi.authentication: '" + value + "'"),
                    e.getMessage());
            assertTrue(e.getMessage().contains("remove NONE"), e.getMessage());
            assertFalse(e.getMessage().contains("\n"));
        }
        assertEquals("NONE", of(Map.of("kyuubi.authentication", "NONE")).plainType());
        assertEquals("LDAP", of(Map.of("kyuubi.authentication", "NOSASL,LDAP")).plainType());
        assertEquals("NONE", of(Map.of("kyuubi.authentication", "NONE,NOSASL")).plainType());
    }

    @Test
    void kerberosAloneOffersNoPasswordLoginsAndBesideAPasswordTypeBoth() {
        FrontendSettings alone = of(Map.of("kyuubi.authentication", "KERBEROS"));
        assertTrue(alone.kerberos() && alone.sasl());
        assertFalse(alone.plain());
        assertEquals("KERBEROS", alone.plainType());
        FrontendSettings both = of(Map.of("kyuubi.authentication", "KERBEROS,LDAP"));
        assertTrue(both.kerberos() && both.plain());
        assertEquals("LDAP", both.plainType());
        FrontendSettings ldap = of(Map.of("kyuubi.authentication", "LDAP"));
        assertFalse(ldap.kerberos());
        assertTrue(ldap.plain());
        kitsune.api.conf.ConfigException none = org.junit.jupiter.api.Assertions.assertThrows(
                kitsune.api.conf.ConfigException.class, () -> of(Map.of("kyuubi.authentication", "KERBEROS,NONE")));
        assertTrue(none.getMessage().contains("remove NONE"), none.getMessage());
    }
}
