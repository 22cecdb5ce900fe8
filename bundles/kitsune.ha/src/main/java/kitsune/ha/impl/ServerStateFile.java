package kitsune.ha.impl;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Locale;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The server's lifecycle state in {@code KITSUNE_WORK_DIR/kitsune.state} (one word, owner-only), for
 * {@code bin/kitsune status}: written on each change, replaced atomically, removed when the JVM exits. A state file
 * without a live server process is stale: the script says stopped then.
 */
final class ServerStateFile {
    static final String FILE_NAME = "kitsune.state";
    private static final Logger LOG = LoggerFactory.getLogger(ServerStateFile.class);

    enum State { STARTING, SERVING, DRAINING, STOPPED }

    private final Path file;
    private boolean deleteOnExit;

    ServerStateFile(Path workDir) {
        this.file = workDir.resolve(FILE_NAME);
    }

    Path path() {
        return file;
    }

    synchronized void write(State state) {
        Path tmp = file.resolveSibling(FILE_NAME + ".tmp");
        try {
            Files.deleteIfExists(tmp);
            try {
                Files.createFile(tmp, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            } catch (UnsupportedOperationException notPosix) {
                Files.createFile(tmp);
            } catch (FileAlreadyExistsException raced) {
                // the delete above makes this unlikely; the write below still replaces the content
            }
            Files.writeString(tmp, state.name().toLowerCase(Locale.ROOT) + "\n", StandardCharsets.US_ASCII);
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            if (!deleteOnExit) {
                file.toFile().deleteOnExit();
                deleteOnExit = true;
            }
        } catch (IOException | RuntimeException e) {
            LOG.warn("Cannot write the server state {} to {} (bin/kitsune status reads it): {}",
                    state.name().toLowerCase(Locale.ROOT), file, e.toString());
        }
    }
}
