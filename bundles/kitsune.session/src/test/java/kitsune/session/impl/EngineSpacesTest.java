package kitsune.session.impl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.Test;

import kitsune.api.conf.ConfigException;
import kitsune.api.conf.KitsuneConf;
import kitsune.api.registry.EngineSpace;

class EngineSpacesTest {
    private static final ServerIdentity SERVER = new ServerIdentity("kitsune", "staff");

    private static EngineSpace space(Map<String, String> conf, String user) {
        return EngineSpaces.of(KitsuneConf.of(conf), user, "ref-1", "1-spark-4.0", SERVER);
    }

    @Test
    void userLevelIsTheDefault() {
        EngineSpace s = space(Map.of(), "alice");
        assertEquals("/kyuubi_1-spark-4.0_USER_SPARK_SQL/alice/default", s.path());
        assertEquals("/kyuubi_1-spark-4.0_USER_SPARK_SQL_lock/alice/default", s.lockPath());
    }

    @Test
    void subdomainIsLowerCasedAndNamespaceFromConf() {
        EngineSpace s = space(Map.of("kyuubi.engine.share.level.subdomain", "AdHoc", "kyuubi.ha.namespace", "ns1"),
                "alice");
        assertEquals("/ns1_1-spark-4.0_USER_SPARK_SQL/alice/adhoc", s.path());
    }

    @Test
    void connectionLevelUsesTheSessionsRefId() {
        EngineSpace s = space(Map.of("kyuubi.engine.share.level", "connection",
                "kyuubi.engine.share.level.subdomain", "ignored"), "alice");
        assertEquals("/kyuubi_1-spark-4.0_CONNECTION_SPARK_SQL/alice/ref-1", s.path());
    }

    @Test
    void groupLevelUsesTheServerUsersGroupOrTheUserItself() {
        Map<String, String> group = Map.of("kyuubi.engine.share.level", "GROUP");
        assertEquals("/kyuubi_1-spark-4.0_GROUP_SPARK_SQL/staff/default", space(group, "kitsune").path());
        assertEquals("/kyuubi_1-spark-4.0_GROUP_SPARK_SQL/bob/default", space(group, "bob").path());
    }

    @Test
    void serverLevelUsesTheServersOsUser() {
        EngineSpace s = space(Map.of("kyuubi.engine.share.level", "SERVER"), "alice");
        assertEquals("/kyuubi_1-spark-4.0_SERVER_SPARK_SQL/kitsune/default", s.path());
    }

    @Test
    void badSubdomainIsRefused() {
        assertThrows(ConfigException.class,
                () -> space(Map.of("kyuubi.engine.share.level.subdomain", ".hidden"), "alice"));
    }

    @Test
    void aPoolSpreadsSessionsOverItsEnginesInTurnWithPolling() {
        EngineSpaces spaces = new EngineSpaces();
        KitsuneConf conf = KitsuneConf.of(Map.of("kyuubi.engine.share.level", "SERVER", "kyuubi.engine.pool.size", "2",
                "kyuubi.engine.pool.selectPolicy", "POLLING"));
        List<String> paths = new ArrayList<>();
        for (int i = 0; i < 4; i++) paths.add(spaces.space(conf, "user" + i, "ref", "1-spark-4.0", SERVER).path());
        assertEquals(List.of("/kyuubi_1-spark-4.0_SERVER_SPARK_SQL/kitsune/engine-pool-0",
                "/kyuubi_1-spark-4.0_SERVER_SPARK_SQL/kitsune/engine-pool-1",
                "/kyuubi_1-spark-4.0_SERVER_SPARK_SQL/kitsune/engine-pool-0",
                "/kyuubi_1-spark-4.0_SERVER_SPARK_SQL/kitsune/engine-pool-1"), paths);
    }

    @Test
    void aRandomPoolStaysWithinItsSizeCappedByTheServersThreshold() {
        EngineSpaces spaces = new EngineSpaces();
        KitsuneConf conf = KitsuneConf.of(Map.of("kyuubi.engine.pool.size", "50",
                "kyuubi.engine.pool.size.threshold", "3", "kyuubi.engine.pool.name", "BI"));
        Set<String> subdomains = new HashSet<>();
        for (int i = 0; i < 200; i++) subdomains.add(spaces.space(conf, "alice", "ref", "v", SERVER).subdomain());
        assertEquals(Set.of("bi-0", "bi-1", "bi-2"), subdomains);
    }

    @Test
    void aNamedSubdomainOrConnectionLevelTakesNoPool() {
        Map<String, String> pool = Map.of("kyuubi.engine.pool.size", "3", "kyuubi.engine.share.level.subdomain", "etl");
        assertEquals("etl", space(pool, "alice").subdomain());
        assertEquals("ref-1", space(Map.of("kyuubi.engine.pool.size", "3", "kyuubi.engine.share.level", "CONNECTION"),
                "alice").subdomain());
        assertEquals("default", space(Map.of("kyuubi.engine.pool.size", "0"), "alice").subdomain());
    }

    @Test
    void aPoolNameThatCannotBeASubdomainIsRefusedNamingTheKey() {
        ConfigException e = assertThrows(ConfigException.class,
                () -> space(Map.of("kyuubi.engine.pool.size", "2", "kyuubi.engine.pool.name", "../x"), "alice"));
        assertEquals("Invalid value for kyuubi.engine.pool.name: '../x' (allowed: 1 to 100 printable ASCII "
                + "characters without spaces or '/', not starting with '.')", e.getMessage());
    }
}
