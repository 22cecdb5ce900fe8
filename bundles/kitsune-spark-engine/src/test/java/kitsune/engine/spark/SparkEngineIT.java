package kitsune.engine.spark;

import org.apache.hive.service.rpc.thrift.TCLIService;
import org.apache.hive.service.rpc.thrift.TRowSet;
import org.apache.hive.service.rpc.thrift.TGetResultSetMetadataResp;
import org.apache.hive.service.rpc.thrift.TGetOperationStatusResp;
import org.apache.hive.service.rpc.thrift.TOperationState;
import org.apache.hive.service.rpc.thrift.TOpenSessionResp;
import org.apache.hive.service.rpc.thrift.TFetchResultsResp;
import org.apache.hive.service.rpc.thrift.TFetchResultsReq;
import org.apache.hive.service.rpc.thrift.TFetchOrientation;
import org.apache.hive.service.rpc.thrift.TExecuteStatementResp;
import org.apache.hive.service.rpc.thrift.TExecuteStatementReq;
import org.apache.hive.service.rpc.thrift.TCloseSessionReq;
import org.apache.hive.service.rpc.thrift.TGetInfoReq;
import org.apache.hive.service.rpc.thrift.TGetInfoResp;
import org.apache.hive.service.rpc.thrift.TGetInfoType;
import org.apache.hive.service.rpc.thrift.TOpenSessionReq;
import org.apache.hive.service.rpc.thrift.TProtocolVersion;
import org.apache.hive.service.rpc.thrift.TSessionHandle;
import org.apache.hive.service.rpc.thrift.TStatusCode;
import org.apache.thrift.protocol.TBinaryProtocol;
import org.apache.thrift.transport.TSocket;

import kitsune.api.engine.EngineConf;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.OutputStream;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.Driver;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.apache.curator.test.TestingServer;
import org.apache.zookeeper.ZooKeeper;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import kitsune.api.registry.ServiceNode;

/**
 * Runs the packaged engine exactly as a server launches it (java + Spark's JavaModuleOptions, -cp engine jar and
 * the engine home's jars) against an in-process ZooKeeper, and talks to it with the real Hive JDBC driver. The
 * driver (standalone jar) lives in a class loader of its own: it carries ZooKeeper classes that would clash with the
 * in-process server.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class SparkEngineIT {
    private static final String USER = "ituser";
    private static final String SPACE = "/kitsune_it_1-spark-4.0_USER_SPARK_SQL/" + USER + "/default";
    private static final Duration START_TIMEOUT = Duration.ofMinutes(4);

    private static TestingServer zk;
    private static ZooKeeper zkClient;
    private static Path runDir;
    private static Path engineLog;
    private static Process engine;
    private static String refId;
    private static String url;
    private static String engineHostPort;
    private static URLClassLoader driverLoader;
    private static Driver driver;

    @BeforeAll
    static void startEngine() throws Exception {
        Path jar = Path.of(System.getProperty("kitsune.engine.jar"));
        Path home = Path.of(System.getProperty("kitsune.engine.home"));
        assertTrue(Files.isRegularFile(jar), "engine jar missing: " + jar);
        assertTrue(Files.isDirectory(home.resolve("jars")), "engine home missing: " + home);

        zk = new TestingServer(true);
        zkClient = new ZooKeeper(zk.getConnectString(), 30_000, event -> { });
        runDir = Files.createTempDirectory(Path.of(System.getProperty("kitsune.it.dir")), "engine-it-");
        engineLog = runDir.resolve("engine.log");
        refId = UUID.randomUUID().toString();

        Properties p = new Properties();
        p.setProperty("kyuubi.ha.addresses", zk.getConnectString());
        p.setProperty("kyuubi.ha.namespace", SPACE);
        p.setProperty("kyuubi.ha.engine.ref.id", refId);
        p.setProperty("kitsune.engine.space.version", "1-spark-4.0");
        p.setProperty("kyuubi.engine.share.level", "USER");
        p.setProperty("kitsune.engine.user", USER);
        p.setProperty("kitsune.engine.work.dir", runDir.resolve("work").toString());
        p.setProperty("kyuubi.session.engine.idle.timeout", "PT10M");
        p.setProperty("kyuubi.engine.security.enabled", "false"); // direct noSasl clients below
        p.setProperty("spark.sql.shuffle.partitions", "4");
        Path props = runDir.resolve("engine.properties");
        try (OutputStream out = Files.newOutputStream(props)) {
            p.store(out, "SparkEngineIT");
        }

        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(javaModuleOptions(home));
        cmd.add("-Xmx1g");
        cmd.add("-cp");
        cmd.add(jar + java.io.File.pathSeparator + home.resolve("jars") + "/*");
        cmd.add("kitsune.engine.spark.SparkEngineMain");
        cmd.add(props.toString());
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(runDir.toFile()).redirectErrorStream(true)
                .redirectOutput(engineLog.toFile());
        pb.environment().put("SPARK_LOCAL_IP", "127.0.0.1");
        long t0 = System.nanoTime();
        engine = pb.start();

        String hostPort = awaitRegistration();
        long registeredMs = (System.nanoTime() - t0) / 1_000_000;
        System.out.println("[SparkEngineIT] engine registered " + hostPort + " " + registeredMs
                + " ms after launch; command: " + String.join(" ", cmd));
        url = "jdbc:hive2://" + hostPort + "/;auth=noSasl";
        engineHostPort = hostPort;

        List<URL> driverJars = new ArrayList<>();
        for (String entry : System.getProperty("kitsune.it.jdbc.classpath").split(java.io.File.pathSeparator)) {
            driverJars.add(Path.of(entry).toUri().toURL());
        }
        driverLoader = new URLClassLoader(driverJars.toArray(new URL[0]), ClassLoader.getPlatformClassLoader());
        driver = (Driver) driverLoader.loadClass("org.apache.hive.jdbc.HiveDriver").getDeclaredConstructor()
                .newInstance();
    }

    /** The flags Spark's launcher would add, read from the home's own spark-launcher jar. */
    private static List<String> javaModuleOptions(Path home) throws Exception {
        Path launcher;
        try (Stream<Path> jars = Files.list(home.resolve("jars"))) {
            launcher = jars.filter(j -> j.getFileName().toString().startsWith("spark-launcher_")).findFirst()
                    .orElseThrow(() -> new AssertionError("no spark-launcher jar in " + home));
        }
        try (URLClassLoader cl = new URLClassLoader(new URL[] {launcher.toUri().toURL()}, null)) {
            String opts = (String) cl.loadClass("org.apache.spark.launcher.JavaModuleOptions")
                    .getMethod("defaultModuleOptions").invoke(null);
            return Arrays.asList(opts.trim().split("\\s+"));
        }
    }

    private static String awaitRegistration() throws Exception {
        String node = await("the engine registered").atMost(START_TIMEOUT).pollInterval(Duration.ofMillis(200))
                .failFast("the engine exited before registering:\n" + logTail(), () -> !engine.isAlive())
                .until(SparkEngineIT::engineNode, java.util.Objects::nonNull);
        String data = new String(zkClient.getData(SPACE + "/" + node, false, null), StandardCharsets.UTF_8);
        return ServiceNode.parse(SPACE, node, data).hostPort();
    }

    private static String engineNode() throws Exception {
        if (zkClient.exists(SPACE, false) == null) return null;
        for (String child : zkClient.getChildren(SPACE, false)) {
            if (child.contains(";refId=" + refId + ";")) return child;
        }
        return null;
    }

    private static String logTail() {
        try {
            List<String> lines = Files.readAllLines(engineLog);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 60), lines.size()));
        } catch (IOException e) {
            return "(no engine log: " + e + ")";
        }
    }

    @AfterAll
    static void stopAll() throws Exception {
        try {
            if (engine != null && engine.isAlive()) {
                engine.destroy();
                if (!engine.waitFor(60, TimeUnit.SECONDS)) engine.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
            }
        } finally {
            if (driverLoader != null) driverLoader.close();
            if (zkClient != null) zkClient.close();
            if (zk != null) zk.close();
            if (runDir != null) {
                // the engine's log outlives the run directory, for a look after a failure
                if (Files.exists(engineLog)) {
                    Files.copy(engineLog, runDir.resolveSibling("engine-it.log"), StandardCopyOption.REPLACE_EXISTING);
                }
                deleteTree(runDir);
            }
        }
    }

    private static void deleteTree(Path dir) throws IOException {
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    private static Connection connect() throws SQLException {
        Properties p = new Properties();
        p.setProperty("user", USER);
        p.setProperty("password", "");
        return driver.connect(url, p);
    }

    @Test
    @Order(1)
    void registersAsKyuubiDoes() throws Exception {
        String node = engineNode();
        assertNotNull(node);
        assertTrue(node.matches("serverUri=127\\.0\\.0\\.1:\\d+;version=1-spark-4\\.0;kyuubi\\.engine\\.id=local-\\d+;"
                + "refId=" + refId + ";sequence=\\d{10}"), node);
    }

    @Test
    @Order(2)
    void selectOneAndItsLatency() throws Exception {
        try (Connection c = connect(); Statement st = c.createStatement()) {
            long[] ms = new long[30];
            for (int i = -5; i < ms.length; i++) {
                long t0 = System.nanoTime();
                try (ResultSet rs = st.executeQuery("SELECT 1")) {
                    assertTrue(rs.next());
                    assertEquals(1, rs.getInt(1));
                    assertFalse(rs.next());
                }
                if (i >= 0) ms[i] = (System.nanoTime() - t0) / 1_000_000;
            }
            Arrays.sort(ms);
            System.out.println("[SparkEngineIT] SELECT 1 over JDBC: p50 " + ms[ms.length / 2] + " ms, min " + ms[0]
                    + " ms, max " + ms[ms.length - 1] + " ms (" + ms.length + " runs)");
        }
    }

    @Test
    @Order(3)
    void aggregateOverRange() throws Exception {
        try (Connection c = connect(); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT count(*), sum(id) FROM range(10000000)")) {
            assertTrue(rs.next());
            assertEquals(10_000_000L, rs.getLong(1));
            assertEquals(49_999_995_000_000L, rs.getLong(2));
            // HiveStatement's own API (the driver lives in another class loader): the operation log and query id
            @SuppressWarnings("unchecked")
            List<String> log = (List<String>) st.getClass().getMethod("getQueryLog").invoke(st);
            assertTrue(log.stream().anyMatch(l -> l.contains("range(10000000)")), log.toString());
            assertFalse(((String) st.getClass().getMethod("getQueryId").invoke(st)).isEmpty());
        }
    }

    @Test
    @Order(3)
    void aStatementsSparkStagesReachItsLogAndBeelinesProgressTable() throws Exception {
        try (Connection c = connect(); Statement st = c.createStatement()) {
            // HiveStatement's own API through reflection (the driver lives in another class loader): the in-place
            // update stream beeline installs to draw its progress bar
            ClassLoader driverLoader = st.getClass().getClassLoader();
            Class<?> streamType = driverLoader.loadClass("org.apache.hive.jdbc.logs.InPlaceUpdateStream");
            Object notifier = driverLoader.loadClass("org.apache.hive.jdbc.logs.InPlaceUpdateStream$EventNotifier")
                    .getConstructor().newInstance();
            List<Object> updates = new java.util.concurrent.CopyOnWriteArrayList<>();
            Object stream = java.lang.reflect.Proxy.newProxyInstance(driverLoader, new Class<?>[] {streamType},
                    (proxy, method, args) -> switch (method.getName()) {
                        case "update" -> {
                            if (args[0] != null) updates.add(args[0]);
                            yield null;
                        }
                        case "getEventNotifier" -> notifier;
                        default -> null;
                    });
            st.getClass().getMethod("setInPlaceUpdateStream", streamType).invoke(st, stream);
            try (ResultSet rs = st.executeQuery("SELECT count(*) FROM range(0, 20000000, 1, 4) WHERE id % 7 = 0")) {
                assertTrue(rs.next());
                assertEquals(2_857_143L, rs.getLong(1));
            }
            List<String> rows = new ArrayList<>();
            for (Object u : updates) {
                assertEquals(List.of("STAGES", "ATTEMPT", "STATUS", "TOTAL", "COMPLETED", "RUNNING", "PENDING", "FAILED",
                        ""), u.getClass().getMethod("getHeaderNames").invoke(u));
                for (Object row : (List<?>) u.getClass().getMethod("getRows").invoke(u)) rows.add(row.toString());
            }
            assertTrue(rows.stream().anyMatch(r -> r.startsWith("[Stage-") && r.contains(", 4, ")), rows.toString());
            Object last = updates.get(updates.size() - 1);
            assertEquals("COMPLETE", last.getClass().getMethod("getStatus").invoke(last).toString());
            assertEquals(1.0, (double) last.getClass().getMethod("getProgressedPercentage").invoke(last));

            // the listener bus may report the job's end just after the result: the log catches up
            List<String> log = new ArrayList<>();
            await().atMost(Duration.ofSeconds(10)).until(() -> {
                @SuppressWarnings("unchecked")
                List<String> more = (List<String>) st.getClass().getMethod("getQueryLog").invoke(st);
                log.addAll(more);
                return log.stream().anyMatch(l -> l.matches("Spark job \\d+ succeeded after .*"));
            });
            assertTrue(log.stream().anyMatch(l -> l.matches("Stage \\d+\\.0 started: 4 tasks.*")), log.toString());
            assertTrue(log.stream().anyMatch(l -> l.matches("Stage \\d+\\.0 finished: 4/4 tasks in .*")), log.toString());
        }
    }

    @Test
    @Order(3)
    void sparkSeesTheSessionsUserNotTheEnginesOsUser() throws Exception {
        Properties p = new Properties();
        p.setProperty("user", "ursula");
        p.setProperty("password", "");
        try (Connection c = driver.connect(url, p); Statement st = c.createStatement();
                ResultSet rs = st.executeQuery("SELECT current_user(), user(), session_user()")) {
            assertTrue(rs.next());
            assertEquals(List.of("ursula", "ursula", "ursula"), List.of(rs.getString(1), rs.getString(2),
                    rs.getString(3)));
        }
    }

    @Test
    @Order(4)
    void largeResultIsStreamedInBatches() throws Exception {
        try (Connection c = connect(); Statement st = c.createStatement()) {
            st.setFetchSize(1000);
            long rows = 0;
            long sum = 0;
            try (ResultSet rs = st.executeQuery("SELECT id, concat('row-', id) AS name FROM range(100000)")) {
                while (rs.next()) {
                    rows++;
                    sum += rs.getLong(1);
                    if (rows == 1) assertEquals("row-0", rs.getString(2));
                }
            }
            assertEquals(100_000, rows);
            assertEquals(4_999_950_000L, sum);
        }
    }

    @Test
    @Order(5)
    void badSqlReportsSparksMessageAndTheConnectionStillWorks() throws Exception {
        try (Connection c = connect(); Statement st = c.createStatement()) {
            SQLException e = assertThrows(SQLException.class, () -> st.executeQuery("SELECT * FROM no_such_table_x"));
            assertTrue(e.getMessage().contains("no_such_table_x"), e.getMessage());
            assertTrue(e.getMessage().contains("TABLE_OR_VIEW_NOT_FOUND"), e.getMessage());
            assertEquals("42P01", e.getSQLState());
            SQLException parse = assertThrows(SQLException.class, () -> st.execute("SELEC 1"));
            assertTrue(parse.getMessage().contains("PARSE_SYNTAX_ERROR"), parse.getMessage());
            try (ResultSet rs = st.executeQuery("SELECT 2")) {
                assertTrue(rs.next());
                assertEquals(2, rs.getInt(1));
            }
        }
    }

    @Test
    @Order(6)
    void createInsertSelect() throws Exception {
        try (Connection c = connect(); Statement st = c.createStatement()) {
            st.execute("DROP TABLE IF EXISTS it_items");
            st.execute("CREATE TABLE it_items (id INT, name STRING, price DECIMAL(10,2), added DATE) USING parquet");
            st.execute("INSERT INTO it_items VALUES (1, 'apple', 1.25, DATE'2024-01-02'), (2, NULL, 20.50, NULL)");
            try (ResultSet rs = st.executeQuery("SELECT id, name, price, added FROM it_items ORDER BY id")) {
                assertTrue(rs.next());
                assertEquals(1, rs.getInt(1));
                assertEquals("apple", rs.getString(2));
                assertEquals(new java.math.BigDecimal("1.25"), rs.getBigDecimal(3));
                assertEquals(java.sql.Date.valueOf("2024-01-02"), rs.getDate(4));
                assertTrue(rs.next());
                assertEquals(2, rs.getInt(1));
                assertEquals(null, rs.getString(2));
                assertTrue(rs.wasNull());
                assertEquals(new java.math.BigDecimal("20.50"), rs.getBigDecimal(3));
                assertFalse(rs.next());
                assertEquals(java.sql.Types.DECIMAL, rs.getMetaData().getColumnType(3));
                assertEquals(10, rs.getMetaData().getPrecision(3));
                assertEquals(2, rs.getMetaData().getScale(3));
            }
        }
    }

    private static List<String> qualified(ResultSet rs) throws SQLException {
        List<String> names = new ArrayList<>();
        try (rs) {
            while (rs.next()) names.add(rs.getString("TABLE_SCHEM") + "." + rs.getString("TABLE_NAME"));
        }
        return names;
    }

    @Test
    @Order(7)
    void databaseMetaData() throws Exception {
        try (Connection c = connect(); Statement st = c.createStatement()) {
            st.execute("CREATE TABLE IF NOT EXISTS it_meta (k BIGINT COMMENT 'the key', v VARCHAR(20), "
                    + "tags ARRAY<STRING>) USING parquet");
            DatabaseMetaData md = c.getMetaData();
            assertEquals("Spark SQL", md.getDatabaseProductName());
            assertTrue(md.getDatabaseProductVersion().startsWith("4.0"), md.getDatabaseProductVersion());

            List<String> schemas = column(md.getSchemas(), "TABLE_SCHEM");
            assertTrue(schemas.contains("default"), schemas.toString());

            try (ResultSet rs = md.getTables(null, "default", "it_meta", null)) {
                assertTrue(rs.next());
                assertEquals("default", rs.getString("TABLE_SCHEM"));
                assertEquals("it_meta", rs.getString("TABLE_NAME"));
                assertEquals("TABLE", rs.getString("TABLE_TYPE"));
                assertFalse(rs.next());
            }
            assertTrue(column(md.getTables(null, "def%", "%", new String[] {"VIEW"}), "TABLE_NAME").isEmpty());

            // a second database and the session's temporary view: the view is listed once, without a schema, and
            // only when the schema pattern matches every schema; the JDBC pattern's _ matches one character only
            st.execute("CREATE DATABASE IF NOT EXISTS it_meta_db2");
            st.execute("CREATE TABLE IF NOT EXISTS it_meta_db2.it_meta_x (k INT) USING parquet");
            st.execute("CREATE TEMPORARY VIEW it_meta_tmp AS SELECT 1 AS one");
            assertEquals(List.of("default.it_meta", "it_meta_db2.it_meta_x", ".it_meta_tmp"),
                    qualified(md.getTables(null, null, "it\\_meta%", null)));
            assertEquals(List.of("it_meta_db2.it_meta_x"), qualified(md.getTables(null, "it_meta_db_", "%", null)));
            assertEquals(List.of(".it_meta_tmp"), qualified(md.getTables(null, null, "it_meta_tm_", new String[] {"VIEW"})));
            assertTrue(qualified(md.getTables(null, null, "it_meta_tmpx", null)).isEmpty());

            Map<String, Integer> types = new HashMap<>();
            try (ResultSet rs = md.getColumns(null, "default", "it_meta", "%")) {
                assertEquals(23, rs.getMetaData().getColumnCount());
                while (rs.next()) {
                    types.put(rs.getString("COLUMN_NAME"), rs.getInt("DATA_TYPE"));
                    if (rs.getString("COLUMN_NAME").equals("k")) {
                        assertEquals("the key", rs.getString("REMARKS"));
                        assertEquals(1, rs.getInt("ORDINAL_POSITION"));
                        assertEquals("BIGINT", rs.getString("TYPE_NAME"));
                    }
                }
            }
            assertEquals(Map.of("k", java.sql.Types.BIGINT, "v", java.sql.Types.VARCHAR, "tags", java.sql.Types.ARRAY),
                    types);

            List<String> typeNames = column(md.getTypeInfo(), "TYPE_NAME");
            assertTrue(typeNames.containsAll(List.of("INTEGER", "BIGINT", "STRING", "DECIMAL", "TIMESTAMP")),
                    typeNames.toString());
            assertTrue(column(md.getTableTypes(), "TABLE_TYPE").containsAll(List.of("TABLE", "VIEW")));
            assertTrue(column(md.getCatalogs(), "TABLE_CAT").contains("spark_catalog"));
            assertTrue(column(md.getFunctions(null, null, "substr%"), "FUNCTION_NAME").contains("substring"));
            assertTrue(column(md.getPrimaryKeys(null, "default", "it_meta"), "COLUMN_NAME").isEmpty());
        }
    }

    @Test
    @Order(8)
    void sessionConfigurationFromTheUrl() throws Exception {
        // ?X=V arrive as set:hiveconf:X, #X=V as set:hivevar:X, the path as use:database; a static conf is skipped
        String base = url.substring(0, url.indexOf("/;"));
        String withConf = base + "/default;auth=noSasl?spark.sql.shuffle.partitions=3;spark.sql.warehouse.dir=/x#myvar=5";
        Properties p = new Properties();
        p.setProperty("user", USER);
        try (Connection c = driver.connect(withConf, p); Statement st = c.createStatement()) {
            try (ResultSet rs = st.executeQuery("SET spark.sql.shuffle.partitions")) {
                assertTrue(rs.next());
                assertEquals("3", rs.getString(2));
            }
            try (ResultSet rs = st.executeQuery("SELECT ${hivevar:myvar} + 1")) {
                assertTrue(rs.next());
                assertEquals(6, rs.getInt(1));
            }
        }
        SQLException noDb = assertThrows(SQLException.class,
                () -> driver.connect(base + "/no_such_db_x;auth=noSasl", p));
        assertTrue(noDb.getMessage().contains("no_such_db_x"), noDb.getMessage());
    }

    private static List<String> column(ResultSet rs, String name) throws SQLException {
        List<String> values = new ArrayList<>();
        try (rs) {
            while (rs.next()) values.add(rs.getString(name));
        }
        return values;
    }

    @Test
    @Order(9)
    void aRunningQuerysResultColumnsAreKnownBeforeItEndsAsHiveServer2Gives() throws Exception {
        try (Connection c = connect(); Statement st = c.createStatement()) {
            long t0 = System.nanoTime();
            // the Hive driver's executeAsync (HiveStatement, loaded from the driver's own class loader here) asks for
            // the result's metadata while the query runs
            assertEquals(true, st.getClass().getMethod("executeAsync", String.class)
                    .invoke(st, "SELECT count(*) AS n FROM range(100000000000)"));
            assertEquals("n", st.getResultSet().getMetaData().getColumnName(1));
            assertTrue(System.nanoTime() - t0 < TimeUnit.SECONDS.toNanos(60), "answered before the query ended");
            st.cancel();
        }
    }

    @Test
    @Order(9)
    void cancelStopsTheSparkJob() throws Exception {
        try (Connection c = connect(); Statement st = c.createStatement()) {
            CompletableFuture<Throwable> run = CompletableFuture.supplyAsync(() -> {
                try (ResultSet rs = st.executeQuery("SELECT count(*) FROM range(100000000000)")) {
                    return null;
                } catch (Throwable t) {
                    return t;
                }
            });
            await("the long query running for 3 s").during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(10))
                    .until(() -> !run.isDone());
            long t0 = System.nanoTime();
            st.cancel();
            Throwable outcome = run.get(60, TimeUnit.SECONDS);
            assertNotNull(outcome, "a cancelled query must not return a result");
            assertTrue(outcome instanceof SQLException, String.valueOf(outcome));
            System.out.println("[SparkEngineIT] cancel took effect after " + (System.nanoTime() - t0) / 1_000_000
                    + " ms: " + outcome.getMessage());

            // the job must really stop on the engine: its CPU use drops to (almost) idle, measured over 3 s windows
            Duration[] last = {engine.info().totalCpuDuration().orElseThrow()};
            await("the engine idle after cancel (under 1.5 s CPU in 3 s)").atMost(Duration.ofSeconds(30))
                    .pollDelay(Duration.ofSeconds(3)).pollInterval(Duration.ofSeconds(3)).until(() -> {
                        Duration now = engine.info().totalCpuDuration().orElseThrow();
                        Duration used = now.minus(last[0]);
                        last[0] = now;
                        return used.toMillis() < 1500;
                    });

            try (ResultSet rs = st.executeQuery("SELECT 3")) {
                assertTrue(rs.next());
                assertEquals(3, rs.getInt(1));
            }
        }
    }

    @Test
    @Order(10)
    void aClosedSessionsSparkSessionIsCollected() throws Exception {
        long before = liveSparkSessions();
        int sessions = 40;
        for (int i = 0; i < sessions; i++) {
            try (Connection c = connect(); Statement st = c.createStatement()) {
                // what a soak's session does: a view of its own, a Spark job, metadata
                st.execute("CREATE TEMPORARY VIEW leak_v AS SELECT " + i + " AS n");
                try (ResultSet rs = st.executeQuery("SELECT count(*) FROM range(0, 1000, 1, 2) WHERE id % 3 = 0")) {
                    assertTrue(rs.next());
                }
                try (ResultSet rs = c.getMetaData().getTables(null, null, "leak%", null)) {
                    assertTrue(rs.next());
                }
            }
        }
        // the engine keeps a few sessions built ahead of need, and closes run as their connections end; on a busy
        // machine letting go takes longer (once seen beyond 60 s; what held them then was not found): a leak keeps
        // all 40, however long one waits
        await("closed sessions collected").atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofSeconds(2))
                .until(() -> liveSparkSessions() - before < 10);
    }

    /** SparkSessions reachable in the engine, after a full collection (jcmd's class histogram of live objects). */
    private static long liveSparkSessions() throws Exception {
        Process jcmd = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "jcmd").toString(),
                String.valueOf(engine.pid()), "GC.class_histogram").redirectErrorStream(true).start();
        String out = new String(jcmd.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        jcmd.waitFor();
        for (String line : out.split("\n")) {
            String[] f = line.trim().split("\\s+");
            if (f.length >= 4 && f[3].equals("org.apache.spark.sql.classic.SparkSession")) return Long.parseLong(f[1]);
        }
        throw new AssertionError("no SparkSession in the engine's class histogram:\n" + out);
    }

    /**
     * What a Kitsune server asks for: a short statement's status, schema and rows with its ExecuteStatement reply
     * (kitsune.thrift.InlineResults). The engine keeps the rows for a normal fetch all the same; a result read through
     * Spark jobs, or larger than asked, is not sent so.
     */
    @Test
    @Order(11)
    void aShortStatementsWholeAnswerComesWithItsReplyAndItsRowsStayFetchable() throws Exception {
        String[] hp = engineHostPort.split(":");
        try (TSocket socket = new TSocket(hp[0], Integer.parseInt(hp[1]))) {
            socket.open();
            TCLIService.Client client = new TCLIService.Client(new TBinaryProtocol(socket));
            TOpenSessionResp open = client.OpenSession(new TOpenSessionReq(
                    TProtocolVersion.HIVE_CLI_SERVICE_PROTOCOL_V10));
            assertEquals("true", open.getConfiguration().get(EngineConf.INLINE_RESULTS));
            TSessionHandle session = open.getSessionHandle();

            TExecuteStatementResp small = client.ExecuteStatement(inline(session, "SELECT 1 AS one, 'a' AS two", 10));
            java.util.List<String> whole = small.getStatus().getInfoMessages();
            assertNotNull(whole, small.getStatus().toString());
            assertEquals(kitsune.thrift.InlineResults.MARK, whole.get(0));
            TGetOperationStatusResp status = decode(new TGetOperationStatusResp(), whole.get(1));
            assertEquals(TOperationState.FINISHED_STATE, status.getOperationState());
            TGetResultSetMetadataResp metadata = decode(new TGetResultSetMetadataResp(), whole.get(2));
            assertEquals("two", metadata.getSchema().getColumns().get(1).getColumnName());
            TRowSet rows = decode(new TRowSet(), whole.get(3));
            assertEquals(java.util.List.of(1), rows.getColumns().get(0).getI32Val().getValues());
            TFetchResultsResp again = client.FetchResults(new TFetchResultsReq(small.getOperationHandle(),
                    TFetchOrientation.FETCH_NEXT, 10));
            assertEquals(java.util.List.of(1), again.getResults().getColumns().get(0).getI32Val().getValues(),
                    "the rows sent with the reply are still the first fetch's");

            TExecuteStatementResp many = client.ExecuteStatement(inline(session,
                    "SELECT * FROM VALUES (1), (2), (3) AS t(x)", 2));
            assertFalse(many.getStatus().isSetInfoMessages(), "three rows, two asked for");
            TFetchResultsResp all = client.FetchResults(new TFetchResultsReq(many.getOperationHandle(),
                    TFetchOrientation.FETCH_NEXT, 10));
            assertEquals(3, all.getResults().getColumns().get(0).getI32Val().getValuesSize(),
                    "rows read ahead are not lost");

            TExecuteStatementResp job = client.ExecuteStatement(inline(session,
                    "SELECT count(*) FROM range(0, 1000, 1, 2)", 10));
            assertFalse(job.getStatus().isSetInfoMessages(), "a result read through Spark jobs");
            client.CloseSession(new TCloseSessionReq(session));
        }
    }

    /** The engine jar carries Thrift relocated: the test decodes with the unrelocated library itself. */
    private static <T extends org.apache.thrift.TBase<?, ?>> T decode(T into, String base64) throws Exception {
        new org.apache.thrift.TDeserializer(new org.apache.thrift.protocol.TCompactProtocol.Factory()).deserialize(
                into, java.util.Base64.getDecoder().decode(base64));
        return into;
    }

    private static TExecuteStatementReq inline(TSessionHandle session, String sql, int rows) {
        TExecuteStatementReq req = new TExecuteStatementReq(session, sql);
        req.setRunAsync(true);
        req.setConfOverlay(new java.util.HashMap<>(Map.of(EngineConf.INLINE_WAIT_MS, "1000",
                EngineConf.INLINE_ROWS, Integer.toString(rows))));
        return req;
    }

    @Test
    @Order(12)
    void aPooledSessionOutlivesTheConnectionItWasOpenedOnAndAPlainOneDoesNot() throws Exception {
        String[] hp = engineHostPort.split(":");
        TSessionHandle pooled;
        TSessionHandle plain;
        try (TSocket first = new TSocket(hp[0], Integer.parseInt(hp[1]))) {
            first.open();
            TCLIService.Client client = new TCLIService.Client(new TBinaryProtocol(first));
            TOpenSessionReq req = new TOpenSessionReq(TProtocolVersion.HIVE_CLI_SERVICE_PROTOCOL_V10);
            req.setConfiguration(Map.of(EngineConf.SESSION_POOLED, "true"));
            pooled = client.OpenSession(req).getSessionHandle();
            plain = client.OpenSession(new TOpenSessionReq(TProtocolVersion.HIVE_CLI_SERVICE_PROTOCOL_V10))
                    .getSessionHandle();
        }
        try (TSocket second = new TSocket(hp[0], Integer.parseInt(hp[1]))) {
            second.open();
            TCLIService.Client client = new TCLIService.Client(new TBinaryProtocol(second));
            TGetInfoResp info = client.GetInfo(new TGetInfoReq(pooled, TGetInfoType.CLI_DBMS_NAME));
            assertEquals(TStatusCode.SUCCESS_STATUS, info.getStatus().getStatusCode(), info.getStatus().toString());
            // the plain session ends with its connection (as in HiveServer2), once the engine noticed the drop
            await("the plain session closed with its connection").atMost(Duration.ofSeconds(20))
                    .pollInterval(Duration.ofMillis(100))
                    .until(() -> String.valueOf(client.GetInfo(new TGetInfoReq(plain, TGetInfoType.CLI_DBMS_NAME))
                            .getStatus().getErrorMessage()).startsWith("Invalid SessionHandle"));
            assertEquals(TStatusCode.SUCCESS_STATUS, client.CloseSession(new TCloseSessionReq(pooled)).getStatus()
                    .getStatusCode());
        }
    }

    @Test
    @Order(13)
    void deletingTheNodeDrainsTheEngine() throws Exception {
        try (Connection open = connect()) {
            zkClient.delete(SPACE + "/" + engineNode(), -1);
            // the engine learns of the deletion through its watch: wait until it says it drains (sessions refused)
            await("the engine says it drains").atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(100))
                    .until(() -> Files.readString(engineLog).contains("Kitsune Spark engine: draining"));
            await("the engine does not re-create a node someone else deleted").during(Duration.ofSeconds(1))
                    .atMost(Duration.ofSeconds(5)).until(() -> engineNode() == null);
            SQLException refused = assertThrows(SQLException.class, SparkEngineIT::connect);
            assertTrue(refused.getMessage().contains("de-registered"), refused.getMessage());
            try (Statement st = open.createStatement(); ResultSet rs = st.executeQuery("SELECT 4")) {
                assertTrue(rs.next(), "open sessions keep working while the engine drains");
            }
            assertTrue(engine.isAlive(), "the engine waits for its last session");
        }
        assertTrue(engine.waitFor(60, TimeUnit.SECONDS), "engine did not stop after its last session:\n" + logTail());
        assertEquals(0, engine.exitValue(), logTail());
        String log = Files.readString(engineLog);
        assertTrue(log.contains("Kitsune Spark engine: SparkSession ready in"), log);
        assertTrue(log.contains("Kitsune Spark engine: stopped"), log);
    }
}
