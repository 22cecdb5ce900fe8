package kitsune.frontend.rest.impl;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Map;

import org.junit.jupiter.api.Test;

class SessionSettingsTest {
    @Test
    void settingsThatLookSecretAreShownMasked() {
        Map<String, String> shown = RestApi.masked(Map.of("spark.sql.shuffle.partitions", "8",
                "spark.hadoop.fs.s3a.secret.key", "abc", "javax.jdo.option.ConnectionPassword", "pw"));
        assertEquals("8", shown.get("spark.sql.shuffle.partitions"));
        assertEquals("********", shown.get("spark.hadoop.fs.s3a.secret.key"));
        assertEquals("********", shown.get("javax.jdo.option.ConnectionPassword"));
    }

    @Test
    void kyuubiOperationStatesAreNamedAsKyuubiNamesThem() {
        assertEquals("FINISHED", RestApi.state(org.apache.hive.service.rpc.thrift.TOperationState.FINISHED_STATE));
        assertEquals("TIMEOUT", RestApi.state(org.apache.hive.service.rpc.thrift.TOperationState.TIMEDOUT_STATE));
        assertEquals("UNKNOWN", RestApi.state(null));
    }
}
