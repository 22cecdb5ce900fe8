package kitsune.engine.spark;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;

import org.apache.hadoop.security.Credentials;
import org.apache.hadoop.security.UserGroupInformation;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Picks up the delegation tokens the server renews for this engine. The server launches the engine with
 * {@code HADOOP_TOKEN_FILE_LOCATION} naming an owner-only file in the engine's work directory (Hadoop's login reads it
 * at start) and replaces that file, in one move, each time it obtained fresh tokens; this check, run every few
 * seconds, reads a replaced file and adds its tokens to the engine's current user, which Spark's file systems and Hive
 * client use (a token of the same service replaces the older one). Executors of a local master share the driver's
 * user; executors elsewhere are not reached.
 */
final class DelegationTokenRefresh implements Runnable {
    static final String ENV = "HADOOP_TOKEN_FILE_LOCATION";
    private static final Logger LOG = LoggerFactory.getLogger(DelegationTokenRefresh.class);

    private final Path file;
    private FileTime seen;
    private Object seenKey;

    private DelegationTokenRefresh(Path file, FileTime seen, Object seenKey) {
        this.file = file;
        this.seen = seen;
        this.seenKey = seenKey;
    }

    /** A refresh for the file the server named; null if none. */
    static DelegationTokenRefresh forEnvironment() {
        String location = System.getenv(ENV);
        if (location == null || location.isBlank()) return null;
        // nothing counts as seen: the file may have been replaced between Hadoop's login and now
        return new DelegationTokenRefresh(Path.of(location), null, null);
    }

    @Override
    public void run() {
        try {
            BasicFileAttributes a = Files.readAttributes(file, BasicFileAttributes.class);
            if (a.lastModifiedTime().equals(seen) && java.util.Objects.equals(a.fileKey(), seenKey)) return;
            Credentials creds = new Credentials();
            try (InputStream in = Files.newInputStream(file); DataInputStream data = new DataInputStream(in)) {
                creds.readTokenStorageStream(data);
            }
            UserGroupInformation.getCurrentUser().addCredentials(creds);
            seen = a.lastModifiedTime();
            seenKey = a.fileKey();
            LOG.info("Kitsune Spark engine: renewed delegation tokens loaded from {} ({} tokens)", file,
                    creds.numberOfTokens());
        } catch (IOException | RuntimeException e) {
            LOG.warn("Cannot load renewed delegation tokens from {}: {}", file, e.toString());
        }
    }
}
