package kitsune.api.conf;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

class KeyListsTest {
    @Test
    void anEntryNamesAKeyOrWithATrailingStarEveryKeyStartingWithIt() {
        List<String> list = List.of("spark.sql.warehouse.dir", "spark.hadoop.javax.jdo.*");
        assertTrue(KeyLists.matches(list, "spark.sql.warehouse.dir"));
        assertFalse(KeyLists.matches(list, "spark.sql.warehouse.dir.extra"));
        assertTrue(KeyLists.matches(list, "spark.hadoop.javax.jdo.option.ConnectionURL"));
        assertFalse(KeyLists.matches(list, "spark.hadoop.javax.jd"));
        assertFalse(KeyLists.matches(List.of(), "anything"));
    }

    @Test
    void theServersRestrictAndIgnoreListsDecide() {
        KitsuneConf server = KitsuneConf.of(Map.of("kyuubi.session.conf.restrict.list", "spark.driver.*",
                "kyuubi.session.conf.ignore.list", "spark.ui.port"));
        assertTrue(KeyLists.restricted(server, "spark.driver.host"));
        assertFalse(KeyLists.restricted(server, "spark.executor.memory"));
        assertTrue(KeyLists.ignored(server, "spark.ui.port"));
        assertFalse(KeyLists.ignored(server, "spark.ui.enabled"));
    }
}
