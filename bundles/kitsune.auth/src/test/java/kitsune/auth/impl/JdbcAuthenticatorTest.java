package kitsune.auth.impl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import kitsune.api.auth.AuthenticationException;

/** Against a real database: embedded Derby, its driver loaded from its jars as an operator would configure them. */
class JdbcAuthenticatorTest {
    @TempDir
    static Path dir;
    private static String url;
    private static String driverJars;

    @BeforeAll
    static void createUserDatabase() throws Exception {
        url = "jdbc:derby:" + dir.resolve("users");
        try (Connection c = DriverManager.getConnection(url + ";create=true"); Statement st = c.createStatement()) {
            st.execute("CREATE TABLE users (name VARCHAR(64), pw VARCHAR(64))");
            st.execute("INSERT INTO users VALUES ('alice', 'wonderland'), ('o''brien', 'x')");
        }
        // one Derby engine per database: this JVM's (the test class path's) lets go, the authenticator's opens it
        try {
            DriverManager.getConnection(url + ";shutdown=true").close();
        } catch (java.sql.SQLException expected) {
            // Derby reports a clean database shutdown as an exception (SQLState 08006)
        }
        driverJars = jarOf(Class.forName("org.apache.derby.iapi.jdbc.AutoloadedDriver")) + ","
                + jarOf(Class.forName("org.apache.derby.shared.common.error.StandardException"));
    }

    private static String jarOf(Class<?> type) throws Exception {
        return Path.of(type.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
    }

    /**
     * One authenticator for all tests, reconfigured as a configuration change would: an embedded database can be open
     * in one Derby engine at a time, and each driver class loader is an engine of its own.
     */
    private static final JdbcAuthenticator SHARED = new JdbcAuthenticator();

    private static JdbcAuthenticator authenticator(String query) {
        Map<String, Object> props = new HashMap<>(Map.of(
                "kyuubi.authentication.jdbc.driver.class", "org.apache.derby.iapi.jdbc.AutoloadedDriver",
                "kitsune.authentication.jdbc.driver.jars", driverJars,
                "kyuubi.authentication.jdbc.url", url,
                "kyuubi.authentication.jdbc.query", query));
        SHARED.configure(props);
        return SHARED;
    }

    @Test
    void aRowForTheUserAndPasswordAcceptsTheLogin() throws Exception {
        JdbcAuthenticator a = authenticator("SELECT 1 FROM users WHERE name = ${user} AND pw = ${password}");
        a.authenticate("alice", "wonderland");
        a.authenticate("o'brien", "x");
        AuthenticationException e = assertThrows(AuthenticationException.class,
                () -> a.authenticate("alice", "looking-glass"));
        assertEquals("invalid user name or password", e.getMessage());
    }

    @Test
    void thePlaceholdersAreBindParametersNotText() {
        JdbcAuthenticator a = authenticator("SELECT 1 FROM users WHERE name = ${user} AND pw = ${password}");
        assertThrows(AuthenticationException.class, () -> a.authenticate("alice", "' OR '1'='1"));
        assertEquals(new JdbcAuthenticator.Query("SELECT 1 FROM t WHERE a = ? AND b = ? AND c = ?",
                List.of("password", "user", "password")),
                JdbcAuthenticator.Query.parse("SELECT 1 FROM t WHERE a = ${password} AND b = ${user} AND c = ${password}"));
    }

    @Test
    void aBrokenQueryOrMissingSettingIsNamed() {
        AuthenticationException bad = assertThrows(AuthenticationException.class,
                () -> authenticator("SELECT 1 FROM no_such_table WHERE name = ${user}").authenticate("alice", "x"));
        assertTrue(bad.getMessage().startsWith("the user database " + url + " could not be queried: "),
                bad.getMessage());
        AuthenticationException noUser = assertThrows(AuthenticationException.class,
                () -> authenticator("SELECT 1 FROM users").authenticate("alice", "x"));
        assertTrue(noUser.getMessage().contains("must contain ${user}"), noUser.getMessage());
        JdbcAuthenticator unset = new JdbcAuthenticator();
        unset.configure(new HashMap<>());
        AuthenticationException e = assertThrows(AuthenticationException.class, () -> unset.authenticate("a", "b"));
        assertTrue(e.getMessage().contains("kyuubi.authentication.jdbc.url is not set"), e.getMessage());
    }
}
