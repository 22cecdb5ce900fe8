package kitsune.engine.spark.impl;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.LinkOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;

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

    /**
     * The directory of the space's engine, created owner-only (mode 0700 set here, whatever the umask) with every
     * directory between it and the work directory; one of those found open to others is closed (they are Kitsune's).
     */
    static Path create(KitsuneConf conf, EngineSpace space) throws EngineException {
        Path dir = of(conf, space);
        try {
            return ownerOnlyDirectories(root(conf), dir);
        } catch (IOException e) {
            throw new EngineException("Cannot create the engine work directory " + dir + ": " + e, e);
        }
    }

    static final Set<PosixFilePermission> OWNER_ONLY_DIR = PosixFilePermissions.fromString("rwx------");
    static final Set<PosixFilePermission> OWNER_ONLY_FILE = PosixFilePermissions.fromString("rw-------");

    /** dir and its parents up to base, each owner-only (base only when it is created here). */
    static Path ownerOnlyDirectories(Path base, Path dir) throws IOException {
        if (!dir.startsWith(base)) throw new IOException(dir + " is not inside " + base);
        java.util.ArrayDeque<Path> chain = new java.util.ArrayDeque<>();
        for (Path p = dir; p != null && p.startsWith(base); p = p.getParent()) chain.push(p);
        for (Path p : chain) {
            if (!Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
                try {
                    Files.createDirectory(p, PosixFilePermissions.asFileAttribute(OWNER_ONLY_DIR));
                } catch (java.nio.file.FileAlreadyExistsException raced) {
                    // there already: made by another launch meanwhile (fine), or something that is no directory
                    if (!Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
                        throw new IOException(p + " exists and is not a directory (a link?)");
                    }
                }
            }
            // mkdir's mode is only ever cut by the umask; one made earlier under a wider umask is closed here. The
            // work directory itself keeps what the operator chose.
            if (!p.equals(base) && !Files.getPosixFilePermissions(p).equals(OWNER_ONLY_DIR)) {
                Files.setPosixFilePermissions(p, OWNER_ONLY_DIR);
            }
        }
        return dir;
    }

    /** A new file, owner-only whatever the umask; an existing one is made owner-only. */
    static Path ownerOnlyFile(Path file) throws IOException {
        try {
            Files.createFile(file, PosixFilePermissions.asFileAttribute(OWNER_ONLY_FILE));
        } catch (java.nio.file.FileAlreadyExistsException exists) {
            Files.setPosixFilePermissions(file, OWNER_ONLY_FILE);
        }
        return file;
    }

    /**
     * Removes an engine's work directory and everything in it (a CONNECTION engine's, once it ended). Links are
     * removed, never followed.
     */
    static void remove(Path dir) throws IOException {
        if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) return;
        try (java.util.stream.Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
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
