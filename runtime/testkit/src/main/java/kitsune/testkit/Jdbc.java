package kitsune.testkit;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

/** Small helpers over the unmodified Hive JDBC driver. */
public final class Jdbc {
    static {
        try {
            Class.forName("org.apache.hive.jdbc.HiveDriver");
        } catch (ClassNotFoundException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private Jdbc() {
    }

    public static Connection connect(String url, String user) throws SQLException {
        return connect(url, user, "secret");
    }

    public static Connection connect(String url, String user, String password) throws SQLException {
        return DriverManager.getConnection(url, user, password);
    }

    /** All rows of a query, each row as a list of column values. */
    public static List<List<Object>> query(Connection c, String sql) throws SQLException {
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            return rows(rs);
        }
    }

    public static List<List<Object>> rows(ResultSet rs) throws SQLException {
        List<List<Object>> rows = new ArrayList<>();
        int n = rs.getMetaData().getColumnCount();
        while (rs.next()) {
            List<Object> row = new ArrayList<>(n);
            for (int i = 1; i <= n; i++) row.add(rs.getObject(i));
            rows.add(row);
        }
        return rows;
    }

    public static Object single(Connection c, String sql) throws SQLException {
        return query(c, sql).get(0).get(0);
    }

    /** The Spark application id of the engine serving this connection. */
    public static String appId(Connection c) throws SQLException {
        return String.valueOf(query(c, "SET spark.app.id").get(0).get(1));
    }

    public static void execute(Connection c, String sql) throws SQLException {
        try (Statement st = c.createStatement()) {
            st.execute(sql);
        }
    }
}
