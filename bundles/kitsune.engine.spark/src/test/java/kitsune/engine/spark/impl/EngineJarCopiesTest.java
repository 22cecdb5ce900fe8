package kitsune.engine.spark.impl;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EngineJarCopiesTest {
    @TempDir
    Path work;

    @Test
    void anEngineKeepsItsJarWhenTheInstallationsJarIsOverwrittenInPlace() throws Exception {
        Path lib = Files.createDirectories(work.resolve("lib"));
        Path jar = Files.write(lib.resolve("kitsune-spark-engine.jar"), new byte[] {1, 2, 3});
        EngineJarCopies copies = new EngineJarCopies(work.resolve("work/engine-jars"));

        Path first = copies.copyOf(jar);
        assertTrue(first.getFileName().toString().matches("kitsune-spark-engine-[0-9a-f]{16}\\.jar"), first.toString());
        assertEquals(first, copies.copyOf(jar), "the same content gives the same copy");

        Files.write(jar, new byte[] {4, 5, 6, 7}); // an upgrade overwrites lib/ in place
        Path second = copies.copyOf(jar);
        assertNotEquals(first, second);
        assertArrayEquals(new byte[] {1, 2, 3}, Files.readAllBytes(first), "the running engine's jar is untouched");
        assertArrayEquals(new byte[] {4, 5, 6, 7}, Files.readAllBytes(second));
    }

    @Test
    void copiesUnusedForAWeekAreRemovedAndTheCurrentOneIsKept() throws Exception {
        Path jar = Files.write(work.resolve("e.jar"), new byte[] {1});
        EngineJarCopies copies = new EngineJarCopies(work.resolve("work/engine-jars"));
        Path old = copies.copyOf(jar);
        Files.setLastModifiedTime(old, FileTime.from(Instant.now().minus(EngineJarCopies.KEEP_UNUSED).minusSeconds(60)));
        Files.write(jar, new byte[] {2});
        Path current = copies.copyOf(jar);
        assertFalse(Files.exists(old));
        assertTrue(Files.exists(current));
    }
}
