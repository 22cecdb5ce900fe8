package kitsune.session.impl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Map;

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
}
