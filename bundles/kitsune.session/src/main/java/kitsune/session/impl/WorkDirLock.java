package kitsune.session.impl;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

import kitsune.api.engine.EngineLaunchRequest;

/** Whether an engine process still runs in a work directory: it holds {@link EngineLaunchRequest#WORK_DIR_LOCK}. */
final class WorkDirLock {
    private WorkDirLock() {
    }

    /** True while another process (or this JVM) holds the lock; false when no engine runs there. */
    static boolean held(Path workDir) {
        Path file = workDir.resolve(EngineLaunchRequest.WORK_DIR_LOCK);
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
            FileLock lock = channel.tryLock();
            if (lock == null) return true;
            lock.release();
            return false;
        } catch (OverlappingFileLockException e) {
            return true;
        } catch (IOException e) {
            // cannot tell: launching is what happened before engines took the lock
            return false;
        }
    }
}
