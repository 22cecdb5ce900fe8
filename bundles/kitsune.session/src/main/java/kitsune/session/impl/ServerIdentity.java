package kitsune.session.impl;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributes;

/**
 * The server's OS user and its primary group, for SERVER and GROUP share levels. Another user's primary group comes
 * from the operating system ({@link UnixGroups}, {@code id -gn}); a user it does not know is its own group, as Kyuubi
 * falls back to when its group provider knows no groups.
 */
record ServerIdentity(String osUser, String osPrimaryGroup) {

    static ServerIdentity current() {
        String user = System.getProperty("user.name", "kitsune");
        return new ServerIdentity(user, primaryGroupOfThisProcess(user));
    }

    /** The group a session user's engine is shared with at GROUP level. */
    String primaryGroupOf(String user) {
        return user.equals(osUser) ? osPrimaryGroup : UnixGroups.primaryGroup(user).orElse(user);
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
