package kitsune.engine.spark.impl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ClassDataSharingTest {
    private static final List<String> CP = List.of("/j/bin/java", "-Xmx1g", "-cp", "/h/jars/*", "Main");
    private static final Instant NOW = Instant.parse("2026-11-28T12:00:00Z");

    @Test
    void theFirstLaunchRecordsNothingTheSecondDumpsAtExitAndLaterOnesMapTheSettledArchive(@TempDir Path dir)
            throws Exception {
        ClassDataSharing cds = new ClassDataSharing(dir, Clock.fixed(NOW, ZoneOffset.UTC));
        String key = ClassDataSharing.key(CP);
        assertEquals(Optional.empty(), cds.optionFor(CP, "r0"), "the very first engine starts as fast as it can");
        assertEquals(Optional.of("-XX:ArchiveClassesAtExit=" + dir.resolve(key + ".jsa.r1")), cds.optionFor(CP, "r1"));

        // the engine exits and writes its dump; while it may still be writing, nobody maps it
        Path dump = Files.writeString(dir.resolve(key + ".jsa.r1"), "archive");
        Files.setLastModifiedTime(dump, FileTime.from(NOW.minusSeconds(2)));
        assertEquals(Optional.of("-XX:ArchiveClassesAtExit=" + dir.resolve(key + ".jsa.r2")), cds.optionFor(CP, "r2"));

        Files.setLastModifiedTime(dump, FileTime.from(NOW.minusSeconds(60)));
        assertEquals(Optional.of("-XX:SharedArchiveFile=" + dir.resolve(key + ".jsa")), cds.optionFor(CP, "r3"));
        assertFalse(Files.exists(dump));
    }

    @Test
    void anotherClassPathHasAnotherArchive() {
        assertNotEquals(ClassDataSharing.key(CP), ClassDataSharing.key(List.of("/j/bin/java", "-cp", "/other/*")));
    }
}
