package kitsune.session.impl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import kitsune.api.conf.KitsuneConf;

/** The installation's engine secret when none is configured: generated once, owner-only, shared, never weakened. */
class EngineSecretTest {
    private static final String KEY = "kyuubi.engine.security.secret.provider.simple.secret";

    @TempDir
    Path work;

    @Test
    void withoutASecretTheFirstStartGeneratesOneOwnerOnlyAndLaterStartsReuseIt() throws Exception {
        KitsuneConf conf = KitsuneConf.of(Map.of("kitsune.work.dir", work.toString()));
        String secret = new EngineSecret().apply(conf).get(kitsune.api.conf.ConfigKeys.ENGINE_SECRET);
        Path file = work.resolve("engine-secret");
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
        assertTrue(secret.length() >= 43, "32 random bytes: " + secret.length() + " characters");
        assertEquals(secret, Files.readString(file).trim());
        assertEquals(secret, new EngineSecret().apply(conf).get(kitsune.api.conf.ConfigKeys.ENGINE_SECRET),
                "a restart reads the same one");
        try (var files = Files.list(work)) {
            assertEquals(List.of(file), files.toList(), "no temporary file left behind");
        }
    }

    @Test
    void aConfiguredSecretOrSecurityOffLeavesTheConfigurationAsItIsAndWritesNoFile() {
        KitsuneConf configured = KitsuneConf.of(Map.of("kitsune.work.dir", work.toString(), KEY, "set-by-operator"));
        assertSame(configured, new EngineSecret().apply(configured));
        KitsuneConf off = KitsuneConf.of(Map.of("kitsune.work.dir", work.toString(),
                "kyuubi.engine.security.enabled", "false"));
        assertSame(off, new EngineSecret().apply(off));
        assertFalse(Files.exists(work.resolve("engine-secret")));
    }

    @Test
    void serversStartingTogetherOnOneWorkDirEndUpWithOneSecret() throws Exception {
        Path file = work.resolve("engine-secret");
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Callable<String>> starts = new ArrayList<>();
            for (int i = 0; i < 16; i++) starts.add(() -> EngineSecret.loadOrCreate(file));
            Set<String> secrets = new HashSet<>();
            for (Future<String> f : pool.invokeAll(starts)) secrets.add(f.get());
            assertEquals(1, secrets.size(), "one secret: " + secrets.size());
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void aSecretFileOthersMayReadIsRefusedNamingTheFix() throws Exception {
        Path file = work.resolve("engine-secret");
        String secret = EngineSecret.loadOrCreate(file);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));
        IOException e = assertThrows(IOException.class, () -> EngineSecret.loadOrCreate(file));
        assertEquals("others may access it (mode rw-r--r--); chmod 600 it, or remove it to have a new one generated "
                + "and stop the running engines", e.getMessage());
        KitsuneConf conf = KitsuneConf.of(Map.of("kitsune.work.dir", work.toString()));
        assertEquals("", new EngineSecret().apply(conf).get(kitsune.api.conf.ConfigKeys.ENGINE_SECRET),
                "not used: launches then fail naming the key");
        assertNotEquals("", secret);
    }

    @Test
    void aLinkInPlaceOfTheSecretFileIsRefused() throws Exception {
        Path elsewhere = Files.writeString(work.resolve("planted"), "chosen-by-someone-else");
        Files.setPosixFilePermissions(elsewhere, PosixFilePermissions.fromString("rw-------"));
        Path file = work.resolve("engine-secret");
        Files.createSymbolicLink(file, elsewhere);
        IOException e = assertThrows(IOException.class, () -> EngineSecret.loadOrCreate(file));
        assertEquals("it is not a regular file", e.getMessage());
    }
}
