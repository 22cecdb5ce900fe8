package kitsune.session.impl;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import kitsune.api.engine.EngineLaunchRequest;

class WorkDirLockTest {

    @Test
    void aDirectoryWithoutARunningEngineIsFree(@TempDir Path dir) {
        assertFalse(WorkDirLock.held(dir));
        assertFalse(WorkDirLock.held(dir), "checking does not leave the lock taken");
    }

    @Test
    void whileAnEngineHoldsTheLockTheDirectoryIsInUse(@TempDir Path dir) throws Exception {
        try (FileChannel channel = FileChannel.open(dir.resolve(EngineLaunchRequest.WORK_DIR_LOCK),
                StandardOpenOption.CREATE, StandardOpenOption.WRITE);
                FileLock lock = channel.lock()) {
            assertTrue(WorkDirLock.held(dir));
        }
        assertFalse(WorkDirLock.held(dir), "free again once the engine's lock is released");
    }
}
