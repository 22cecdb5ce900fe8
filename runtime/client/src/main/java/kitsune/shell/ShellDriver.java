package kitsune.shell;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.Driver;
import java.sql.DriverManager;
import java.sql.DriverPropertyInfo;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.sql.Statement;
import java.util.Collections;
import java.util.Properties;
import java.util.Set;
import java.util.logging.Logger;

import org.apache.hive.jdbc.HiveDriver;
import org.apache.hive.jdbc.HiveStatement;

/**
 * The JDBC driver of {@code bin/beeline}: the unmodified Hive driver, with each statement that runs on the server
 * followed by {@link StatementProgress}, which prints the statement's operation log and its progress to standard error
 * while it runs, as Hive's own beeline does. Everything else reaches the Hive driver untouched.
 *
 * <p>Loading this class takes the Hive driver's place in {@link DriverManager} for {@code jdbc:hive2:} URLs, so that a
 * tool that asks DriverManager (sqlline does) gets this one.
 */
public final class ShellDriver implements Driver {
    private static final Set<String> EXECUTES = Set.of("execute", "executeQuery", "executeUpdate",
            "executeLargeUpdate");

    static {
        try {
            for (Driver d : Collections.list(DriverManager.getDrivers())) {
                if (d instanceof HiveDriver) DriverManager.deregisterDriver(d);
            }
            DriverManager.registerDriver(new ShellDriver());
        } catch (SQLException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final HiveDriver hive = new HiveDriver();

    @Override
    public Connection connect(String url, Properties info) throws SQLException {
        Connection c = hive.connect(url, info);
        return c == null ? null : proxy(Connection.class, c, (target, method, args) -> {
            Object result = call(target, method, args);
            return switch (method.getName()) {
                case "createStatement" -> statement(Statement.class, (Statement) result);
                case "prepareStatement" -> statement(PreparedStatement.class, (PreparedStatement) result);
                default -> result;
            };
        });
    }

    private static <T extends Statement> T statement(Class<T> type, T st) {
        if (!(st instanceof HiveStatement hs)) return st;
        return proxy(type, st, (target, method, args) -> {
            if (!EXECUTES.contains(method.getName())) return call(target, method, args);
            try (StatementProgress progress = StatementProgress.start(hs, System.err)) {
                return call(target, method, args);
            }
        });
    }

    private interface Handler {
        Object handle(Object target, Method method, Object[] args) throws Throwable;
    }

    @SuppressWarnings("unchecked")
    private static <T> T proxy(Class<T> type, T target, Handler handler) {
        InvocationHandler h = (p, method, args) -> {
            if (method.getDeclaringClass() == Object.class) {
                return switch (method.getName()) {
                    case "equals" -> p == args[0];
                    case "hashCode" -> System.identityHashCode(p);
                    default -> "ShellDriver proxy of " + target;
                };
            }
            return handler.handle(target, method, args);
        };
        return (T) Proxy.newProxyInstance(ShellDriver.class.getClassLoader(), new Class<?>[] {type}, h);
    }

    private static Object call(Object target, Method method, Object[] args) throws Throwable {
        try {
            return method.invoke(target, args);
        } catch (InvocationTargetException e) {
            throw e.getCause();
        }
    }

    @Override
    public boolean acceptsURL(String url) throws SQLException {
        return hive.acceptsURL(url);
    }

    @Override
    public DriverPropertyInfo[] getPropertyInfo(String url, Properties info) throws SQLException {
        return hive.getPropertyInfo(url, info);
    }

    @Override
    public int getMajorVersion() {
        return hive.getMajorVersion();
    }

    @Override
    public int getMinorVersion() {
        return hive.getMinorVersion();
    }

    @Override
    public boolean jdbcCompliant() {
        return hive.jdbcCompliant();
    }

    @Override
    public Logger getParentLogger() throws SQLFeatureNotSupportedException {
        return hive.getParentLogger();
    }
}
