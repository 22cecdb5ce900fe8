package kitsune.engine.spark.impl;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

import kitsune.api.conf.ConfigKeys;
import kitsune.api.conf.KitsuneConf;
import kitsune.api.engine.EngineConf;
import kitsune.api.engine.EngineException;
import kitsune.api.engine.ShareLevel;
import kitsune.api.registry.EngineSpace;

/**
 * Where engines launched from this host keep their files, under {@code <kitsune.work.dir>/engines}. Shared engines
 * keep one directory per engine space (routing user, share level, engine home, subdomain), so that their tables
 * survive engine restarts and two live engines never open the same Derby metastore; a CONNECTION engine gets a
 * directory of its own. An engine whose driver runs here holds {@link EngineConf#WORK_DIR_LOCK} in it while it runs.
 */
final class EngineWorkDirs {
    private EngineWorkDirs() {
    }

    /** kitsune.work.dir (set by the config bundle from KITSUNE_WORK_DIR), else ./work. */
    static Path root(KitsuneConf conf) {
        String dir = conf.raw(ConfigKeys.WORK_DIR.name());
        return Path.of(dir == null || dir.isBlank() ? ConfigKeys.WORK_DIR.defaultValue() : dir).toAbsolutePath()
                .normalize();
    }

    /** The directory of the space's engine (not created). */
    static Path of(KitsuneConf conf, EngineSpace space) {
        Path engines = root(conf).resolve("engines").resolve(space.routingUser());
        return space.shareLevel() == ShareLevel.CONNECTION ? engines.resolve("conn-" + space.subdomain())
                : engines.resolve(space.shareLevel() + "-" + space.version() + "-" + space.subdomain());
    }

    /** The directory of the space's engine, created owner-only if needed. */
    static Path create(KitsuneConf conf, EngineSpace space) throws EngineException {
        Path dir = of(conf, space);
        try {
            return Files.createDirectories(dir);
        } catch (IOException e) {
            throw new EngineException("Cannot create the engine work directory " + dir + ": " + e, e);
        }
    }

    /** True while a process (or this JVM) holds the directory's engine lock; false when no engine runs there. */
    static boolean locked(Path workDir) {
        Path file = workDir.resolve(EngineConf.WORK_DIR_LOCK);
        if (!Files.exists(file)) return false;
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE)) {
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
