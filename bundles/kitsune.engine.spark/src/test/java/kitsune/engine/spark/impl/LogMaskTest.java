package kitsune.engine.spark.impl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;

import org.junit.jupiter.api.Test;

class LogMaskTest {
    private final LogMask mask = LogMask.of(Map.of(
            "kyuubi.engine.security.secret.provider.simple.secret", "engine-secret-123",
            "kyuubi.ha.zookeeper.auth.digest", "kitsune:zk-pass-456",
            "spark.master", "local[2]"), Map.of("spark.hadoop.fs.s3a.secret.key", "AKIA/s3"));

    @Test
    void secretValuesAreMaskedWhereverTheyAppear() {
        String out = mask.apply("Exception: cannot log in with engine-secret-123 as kitsune:zk-pass-456 (zk-pass-456)"
                + " reading AKIA/s3\nmaster local[2]");
        assertFalse(out.contains("engine-secret-123") || out.contains("zk-pass-456") || out.contains("AKIA/s3"), out);
        assertTrue(out.contains("master local[2]"), "other settings stay: " + out);
    }

    @Test
    void settingsWhoseKeyLooksSecretAreMaskedAlsoWhenUnknown() {
        assertEquals("spark.ssl.keyPassword=****** and \"db.password\": \"******\", user=bob",
                mask.apply("spark.ssl.keyPassword=hunter2 and \"db.password\": \"pw1\", user=bob"));
        assertEquals("-Daws.accessKey=****** -Xmx1g", mask.apply("-Daws.accessKey=XYZ -Xmx1g"));
    }
}
