package kitsune.session.impl;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributes;

/**
 * The server's OS user and its primary group, for SERVER and GROUP share levels. Java has no portable way to ask
 * for another user's groups (`id -gn` is a process to spawn and not everywhere), so, as Kyuubi falls back to when
 * its group provider knows no groups, a user other than the server's own is its own group.
 */
record ServerIdentity(String osUser, String osPrimaryGroup) {

    static ServerIdentity current() {
        String user = System.getProperty("user.name", "kitsune");
        return new ServerIdentity(user, primaryGroupOfThisProcess(user));
    }

    /** The group a session user's engine is shared with at GROUP level. */
    String primaryGroupOf(String user) {
        return user.equals(osUser) ? osPrimaryGroup : user;
    }

    /** A new file gets the process's primary group: read it from one. */
    private static String primaryGroupOfThisProcess(String fallback) {
        Path probe = null;
        try {
            probe = Files.createTempFile("kitsune-group", ".probe");
            return Files.readAttributes(probe, PosixFileAttributes.class).group().getName();
        } catch (IOException | UnsupportedOperationException e) {
            return fallback;
        } finally {
            if (probe != null) {
                try {
                    Files.deleteIfExists(probe);
                } catch (IOException ignored) {
                    // a leftover empty temp file is harmless
                }
            }
        }
    }
}
