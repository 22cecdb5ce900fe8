package kitsune.engine.spark.impl;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Application class-data sharing for engines: Spark loads some 20,000 classes at start, and an archive of them
 * halves the start-up. Recording one slows the recording JVM by seconds, so the very first engine of a class path
 * (the first impression of a new installation) records nothing; the next one is asked to write a dynamic archive
 * when it exits ({@code -XX:ArchiveClassesAtExit}, into a file of its own); later launches of the same class path
 * map it ({@code -XX:SharedArchiveFile}). A JVM that finds an archive not matching its class path ignores it and
 * starts normally, so a stale archive costs nothing but the speed-up.
 */
final class ClassDataSharing {
    /** A dump is complete when its file has not changed for this long (the JVM writes it in one go at exit). */
    static final Duration SETTLED = Duration.ofSeconds(10);
    private static final Logger LOG = LoggerFactory.getLogger(ClassDataSharing.class);

    private final Path dir;
    private final Clock clock;

    ClassDataSharing(Path dir, Clock clock) {
        this.dir = dir;
        this.clock = clock;
    }

    /**
     * The JVM option for one launch; empty for the very first launch of a class path.
     *
     * @param identity what the archive depends on: java binary, JVM flags and class path
     */
    Optional<String> optionFor(List<String> identity, String refId) throws IOException {
        EngineWorkDirs.ownerOnlyDirectories(dir.getParent(), dir);
        String key = key(identity);
        Path archive = dir.resolve(key + ".jsa");
        if (!Files.isRegularFile(archive)) promoteSettledDump(key, archive);
        if (Files.isRegularFile(archive)) return Optional.of("-XX:SharedArchiveFile=" + archive);
        Path launched = dir.resolve(key + ".launched");
        if (!Files.exists(launched)) {
            EngineWorkDirs.ownerOnlyFile(launched);
            return Optional.empty();
        }
        return Optional.of("-XX:ArchiveClassesAtExit=" + dir.resolve(key + ".jsa." + refId));
    }

    /** Turns the first finished dump of this key into its archive and deletes the other finished ones. */
    private void promoteSettledDump(String key, Path archive) throws IOException {
        List<Path> settled;
        try (Stream<Path> files = Files.list(dir)) {
            settled = files.filter(f -> f.getFileName().toString().startsWith(key + ".jsa.")).filter(this::settled)
                    .toList();
        }
        for (Path dump : settled) {
            if (!Files.exists(archive)) {
                Files.move(dump, archive, StandardCopyOption.ATOMIC_MOVE);
                LOG.info("Engines with this class path now start from the class-data archive {}", archive);
            } else {
                Files.deleteIfExists(dump);
            }
        }
    }

    private boolean settled(Path f) {
        try {
            return Files.size(f) > 0 && Files.getLastModifiedTime(f).toInstant().plus(SETTLED).isBefore(clock.instant());
        } catch (IOException e) {
            return false;
        }
    }

    static String key(List<String> identity) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            for (String s : identity) {
                sha.update(s.getBytes(StandardCharsets.UTF_8));
                sha.update((byte) 0);
            }
            return "engine-" + HexFormat.of().formatHex(sha.digest(), 0, 8);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every Java platform", e);
        }
    }
}
