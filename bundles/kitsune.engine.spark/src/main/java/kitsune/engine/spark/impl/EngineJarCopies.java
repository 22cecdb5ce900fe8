package kitsune.engine.spark.impl;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;

/**
 * Engines run from a copy of the engine jar named by its content ({@code <work>/engine-jars/<name>-<digest>.jar}),
 * never from {@code lib/} itself: an engine outlives the server that launched it, and a JVM whose class path jar is
 * overwritten in place (an upgrade of the installation, a rebuild) fails on its next class load
 * ({@code NoClassDefFoundError}, the engine's sessions broken). A new jar gets a new copy; running engines keep
 * theirs. Copies unused for {@link #KEEP_UNUSED} are removed (an engine still running from one keeps its open file).
 */
final class EngineJarCopies {
    static final Duration KEEP_UNUSED = Duration.ofDays(7);
    private record Seen(long size, FileTime modified, Path copy) {
    }

    private final Path dir;
    private final ConcurrentHashMap<Path, Seen> seen = new ConcurrentHashMap<>();

    EngineJarCopies(Path dir) {
        this.dir = dir;
    }

    /** The content-named copy of the jar, made if it does not exist yet. */
    synchronized Path copyOf(Path jar) throws IOException {
        long size = Files.size(jar);
        FileTime modified = Files.getLastModifiedTime(jar);
        Seen known = seen.get(jar);
        if (known != null && known.size() == size && known.modified().equals(modified)
                && Files.isRegularFile(known.copy())) {
            Files.setLastModifiedTime(known.copy(), FileTime.from(Instant.now()));
            return known.copy();
        }
        EngineWorkDirs.ownerOnlyDirectories(dir.getParent(), dir);
        String name = jar.getFileName().toString();
        String base = name.endsWith(".jar") ? name.substring(0, name.length() - 4) : name;
        Path copy = dir.resolve(base + "-" + digest(jar) + ".jar");
        if (!Files.isRegularFile(copy)) {
            Path tmp = Files.createTempFile(dir, base, ".tmp");
            try {
                Files.copy(jar, tmp, StandardCopyOption.REPLACE_EXISTING);
                Files.move(tmp, copy, StandardCopyOption.ATOMIC_MOVE);
            } finally {
                Files.deleteIfExists(tmp);
            }
        } else {
            Files.setLastModifiedTime(copy, FileTime.from(Instant.now()));
        }
        seen.put(jar, new Seen(size, modified, copy));
        removeUnused(copy);
        return copy;
    }

    private void removeUnused(Path keep) throws IOException {
        Instant cutoff = Instant.now().minus(KEEP_UNUSED);
        try (Stream<Path> files = Files.list(dir)) {
            for (Path p : (Iterable<Path>) files::iterator) {
                if (p.equals(keep) || !p.getFileName().toString().endsWith(".jar")) continue;
                if (Files.getLastModifiedTime(p).toInstant().isBefore(cutoff)) Files.deleteIfExists(p);
            }
        }
    }

    private static String digest(Path jar) throws IOException {
        try (InputStream in = Files.newInputStream(jar)) {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            byte[] buf = new byte[64 * 1024];
            for (int n; (n = in.read(buf)) > 0;) sha.update(buf, 0, n);
            return HexFormat.of().formatHex(sha.digest(), 0, 8);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is not available", e);
        }
    }
}
