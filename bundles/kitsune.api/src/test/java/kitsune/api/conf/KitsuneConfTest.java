package kitsune.api.conf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

class KitsuneConfTest {
    @Test
    void defaultsApplyWhenAKeyIsAbsent() {
        KitsuneConf c = KitsuneConf.empty();
        assertEquals(10009, c.get(ConfigKeys.THRIFT_BIND_PORT));
        assertEquals("kyuubi", c.get(ConfigKeys.HA_NAMESPACE));
        assertEquals(Duration.ofMinutes(30), c.get(ConfigKeys.ENGINE_IDLE_TIMEOUT));
    }

    @Test
    void aComponentsOwnKeysAreTheOnesUnderItsPrefixes() {
        KitsuneConf c = KitsuneConf.of(Map.of("kyuubi.metrics.enabled", "true", "kitsune.metrics.user.labels", "true",
                "kyuubi.session.idle.timeout", "PT1H"));
        assertEquals(List.of("kitsune.metrics.user.labels", "kyuubi.metrics.enabled"),
                List.copyOf(c.withPrefixes("kyuubi.metrics.", "kitsune.metrics.").keySet()));
    }

    @Test
    void durationsAcceptMillisecondsAndIso8601() {
        assertEquals(Duration.ofSeconds(60), ValueType.DURATION.parse("k", "60000"));
        assertEquals(Duration.ofMinutes(30), ValueType.DURATION.parse("k", "PT30M"));
        assertEquals(Duration.ofDays(1), ValueType.DURATION.parse("k", "p1d"));
    }

    @Test
    void invalidValuesNameKeyValueAndWhatIsAllowed() {
        ConfigException port = assertThrows(ConfigException.class,
                () -> KitsuneConf.of(Map.of("kyuubi.frontend.thrift.binary.bind.port", "abc")).validate());
        assertEquals("Invalid value for kyuubi.frontend.thrift.binary.bind.port: 'abc' (allowed: 0 (a free port) or "
                + "1024 to 65535)", port.getMessage());
        assertEquals("kyuubi.frontend.thrift.binary.bind.port", port.key());
        ConfigException level = assertThrows(ConfigException.class,
                () -> KitsuneConf.of(Map.of("kyuubi.engine.share.level", "TEAM")).validate());
        assertEquals("Invalid value for kyuubi.engine.share.level: 'TEAM' (allowed: one of CONNECTION, USER, GROUP, "
                + "SERVER)", level.getMessage());
        ConfigException duration = assertThrows(ConfigException.class,
                () -> KitsuneConf.of(Map.of("kyuubi.session.idle.timeout", "soon")).validate());
        assertEquals("Invalid value for kyuubi.session.idle.timeout: 'soon' (allowed: milliseconds like 60000 or an "
                + "ISO-8601 duration like PT30M)", duration.getMessage());
        // a writer that never waits would spin: the event log's interval has a floor
        ConfigException flush = assertThrows(ConfigException.class,
                () -> KitsuneConf.of(Map.of("kitsune.backend.server.event.flush.interval", "0")).validate());
        assertEquals("Invalid value for kitsune.backend.server.event.flush.interval: '0' (allowed: a duration from "
                + "PT0.001S to PT1M (milliseconds or ISO-8601))", flush.getMessage());
        assertEquals(java.time.Duration.ofMillis(250), KitsuneConf.of(Map.of(
                "kitsune.backend.server.event.flush.interval", "250")).get(ConfigKeys.EVENT_FLUSH_INTERVAL));
    }

    @Test
    void unknownKyuubiKeysAreWarnedByNameAndPassThroughKeysAreNot() {
        List<String> warnings = KitsuneConf.of(Map.of("kyuubi.no.such.key", "1", "spark.executor.memory", "2g",
                "kyuubi.engineEnv.JAVA_HOME", "/j", "other.key", "x")).validate();
        assertEquals(List.of("Unknown configuration key kyuubi.no.such.key is ignored"), warnings);
    }

    @Test
    void shareLevelIsCaseInsensitive() {
        assertEquals("CONNECTION",
                KitsuneConf.of(Map.of("kyuubi.engine.share.level", "connection")).get(ConfigKeys.ENGINE_SHARE_LEVEL));
    }

    @Test
    void ldapStartTlsWithAnLdapsUrlIsRefusedNamingBothKeysAndTheFix() {
        ConfigException e = assertThrows(ConfigException.class, () -> KitsuneConf.of(Map.of(
                "kitsune.authentication.ldap.starttls", "true",
                "kyuubi.authentication.ldap.url", "ldap://a.example.com:389 ldaps://b.example.com:636")).validate());
        assertEquals("kitsune.authentication.ldap.starttls", e.key());
        assertEquals("kitsune.authentication.ldap.starttls=true cannot apply to ldaps://b.example.com:636 in "
                + "kyuubi.authentication.ldap.url (ldaps:// is TLS from its first byte); use ldap:// URLs with StartTLS, "
                + "or set kitsune.authentication.ldap.starttls=false to keep ldaps://", e.getMessage());
        assertEquals(List.of(), KitsuneConf.of(Map.of("kitsune.authentication.ldap.starttls", "true",
                "kyuubi.authentication.ldap.url", "ldap://a.example.com:389")).validate());
        assertEquals(List.of(), KitsuneConf.of(Map.of("kyuubi.authentication.ldap.url", "LDAPS://b.example.com:636"))
                .validate());
    }
}
