package kitsune.session.impl;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Map;
import java.util.Set;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import kitsune.api.conf.ConfigKeys;
import kitsune.api.conf.KitsuneConf;

/**
 * The engine secret this server uses: {@code kyuubi.engine.security.secret.provider.simple.secret} when set, else
 * the installation's own, generated at first start into {@value #FILE} in the work directory: 32 random bytes,
 * readable and writable by the server's user only (created under another name with mode 0600 and linked into place,
 * so a second server starting at the same moment reads the same one), reused on later starts. The value is never
 * logged.
 */
final class EngineSecret {
    static final String FILE = "engine-secret";
    private static final Logger LOG = LoggerFactory.getLogger(EngineSecret.class);
    private static final int SECRET_BYTES = 32;
    private static final int MAX_FILE_BYTES = 4096;
    private static final Set<PosixFilePermission> OWNER_ONLY = PosixFilePermissions.fromString("rw-------");

    private Path loadedFrom;
    private String loaded;

    /**
     * The configuration with the engine secret in force: unchanged when engine security is off or a secret is set;
     * else with the generated one. When the file cannot be read or created, the configuration is returned unchanged
     * (launches and logins then fail naming the missing secret) and the cause is logged.
     */
    synchronized KitsuneConf apply(KitsuneConf conf) {
        if (!conf.get(ConfigKeys.ENGINE_SECURITY_ENABLED) || !conf.get(ConfigKeys.ENGINE_SECRET).isEmpty()) {
            return conf;
        }
        Path file = file(conf);
        if (!file.equals(loadedFrom)) {
            try {
                loaded = loadOrCreate(file);
                loadedFrom = file;
            } catch (IOException | RuntimeException e) {
                LOG.error("Cannot use the engine secret file {} ({}): engines cannot be launched or reached; set {} "
                        + "or fix the file", file, e.getMessage(), ConfigKeys.ENGINE_SECRET.name(), e);
                return conf;
            }
        }
        return conf.with(Map.of(ConfigKeys.ENGINE_SECRET.name(), loaded));
    }

    /** {@value #FILE} in kitsune.work.dir (KITSUNE_WORK_DIR), else in ./work. */
    static Path file(KitsuneConf conf) {
        String dir = conf.raw(ConfigKeys.WORK_DIR.name());
        return Path.of(dir == null || dir.isBlank() ? ConfigKeys.WORK_DIR.defaultValue() : dir).toAbsolutePath()
                .normalize().resolve(FILE);
    }

    /** Reads the secret file, or creates it owner-only with a new random secret when there is none. */
    static String loadOrCreate(Path file) throws IOException {
        if (Files.exists(file, LinkOption.NOFOLLOW_LINKS)) return read(file);
        Files.createDirectories(file.getParent(), PosixFilePermissions.asFileAttribute(
                PosixFilePermissions.fromString("rwx------")));
        byte[] random = new byte[SECRET_BYTES];
        new SecureRandom().nextBytes(random);
        String secret = Base64.getUrlEncoder().withoutPadding().encodeToString(random);
        Path tmp = file.resolveSibling(FILE + "." + ProcessHandle.current().pid() + "." + System.nanoTime());
        try {
            try (FileChannel out = FileChannel.open(tmp, Set.of(StandardOpenOption.CREATE_NEW,
                    StandardOpenOption.WRITE), PosixFilePermissions.asFileAttribute(OWNER_ONLY))) {
                out.write(ByteBuffer.wrap((secret + "\n").getBytes(StandardCharsets.US_ASCII)));
                out.force(true);
            }
            Files.setPosixFilePermissions(tmp, OWNER_ONLY);
            try {
                Files.createLink(file, tmp); // atomic, and fails when another server was first
            } catch (FileAlreadyExistsException first) {
                return read(file);
            }
        } finally {
            Files.deleteIfExists(tmp);
        }
        LOG.info("Engine secret: generated {} (readable by this user only), since {} is not set; servers of this "
                + "namespace on other hosts need the same secret: set that key to one value on every server",
                file, ConfigKeys.ENGINE_SECRET.name());
        return secret;
    }

    /** The file's secret; refused when it is a link or others may access it. */
    private static String read(Path file) throws IOException {
        PosixFileAttributes attributes = Files.getFileAttributeView(file, PosixFileAttributeView.class,
                LinkOption.NOFOLLOW_LINKS).readAttributes();
        if (!attributes.isRegularFile()) throw new IOException("it is not a regular file");
        Set<PosixFilePermission> extra = attributes.permissions();
        extra.removeAll(OWNER_ONLY);
        if (!extra.isEmpty()) {
            throw new IOException("others may access it (mode " + PosixFilePermissions.toString(
                    attributes.permissions()) + "); chmod 600 it, or remove it to have a new one generated and stop "
                    + "the running engines");
        }
        if (attributes.size() > MAX_FILE_BYTES) throw new IOException("it is larger than " + MAX_FILE_BYTES + " bytes");
        String secret = Files.readString(file, StandardCharsets.UTF_8).trim();
        if (secret.isEmpty()) throw new IOException("it is empty");
        LOG.info("Engine secret: read from {}", file);
        return secret;
    }
}
