package kitsune.engine.spark.impl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EngineWorkDirsTest {

    /** Two users' engines launched at the same instant both make the shared parent directories. */
    @Test
    void launchesRacingForTheSameParentsAllGetTheirDirectory(@TempDir Path base) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            for (int round = 0; round < 50; round++) {
                Path root = Files.createDirectory(base.resolve("work-" + round));
                CountDownLatch go = new CountDownLatch(1);
                List<Future<Path>> made = new ArrayList<>();
                for (int i = 0; i < 8; i++) {
                    Path dir = root.resolve("engines").resolve("user" + i).resolve("USER-1-spark-4.0-default");
                    made.add(pool.submit(() -> {
                        go.await();
                        return EngineWorkDirs.ownerOnlyDirectories(root, dir);
                    }));
                }
                go.countDown();
                for (Future<Path> f : made) assertTrue(Files.isDirectory(f.get(30, TimeUnit.SECONDS)));
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void aLinkOrFileWhereADirectoryBelongsIsRefusedAndDirectoriesAreOwnerOnly(@TempDir Path base) throws Exception {
        Path elsewhere = Files.createDirectory(base.resolve("elsewhere"));
        Path root = Files.createDirectory(base.resolve("work"));
        Files.createSymbolicLink(root.resolve("engines"), elsewhere);
        IOException e = assertThrows(IOException.class, () -> EngineWorkDirs.ownerOnlyDirectories(root,
                root.resolve("engines").resolve("alice")));
        assertTrue(e.getMessage().endsWith("exists and is not a directory (a link?)"), e.getMessage());

        Path other = Files.createDirectory(base.resolve("work2"));
        Path made = EngineWorkDirs.ownerOnlyDirectories(other, other.resolve("engines").resolve("bob"));
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(made)));
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(made.getParent())));
    }
}
