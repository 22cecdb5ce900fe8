package kitsune.config.impl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CopyOnWriteArrayList;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import kitsune.api.conf.ConfigException;

class ConfManagerTest {
    @TempDir
    Path dir;
    Path file;
    final List<Map<String, String>> published = new CopyOnWriteArrayList<>();
    final Map<String, String> fw = Map.of("kitsune.home", "/opt/kitsune", "kitsune.work.dir", "/tmp/w",
            "kitsune.log.dir", "/tmp/l");

    @BeforeEach
    void setUp() {
        file = dir.resolve("kyuubi-defaults.conf");
    }

    private ConfManager manager(Map<String, String> sys) {
        Map<String, String> framework = new java.util.HashMap<>(fw);
        framework.put("kitsune.conf.dir", dir.toString());
        return new ConfManager(new ConfSource(dir), () -> sys, framework, published::add);
    }

    private void write(String text) throws Exception {
        Files.writeString(file, text, StandardCharsets.UTF_8);
    }

    @Test
    void parsesPropertiesFormatAndTrimsValues() throws Exception {
        Map<String, String> m = ConfSource.parse(("# comment\n! also a comment\n"
                + "kyuubi.ha.namespace =  space   \n"
                + "kyuubi.session.idle.timeout:PT1H\n"
                + "spark.master local[2]\n"
                + "kitsune.engine.spark.homes = a=x,\\\n   b=y\n").getBytes(StandardCharsets.UTF_8));
        assertEquals("space", m.get("kyuubi.ha.namespace"));
        assertEquals("PT1H", m.get("kyuubi.session.idle.timeout"));
        assertEquals("local[2]", m.get("spark.master"));
        assertEquals("a=x,b=y", m.get("kitsune.engine.spark.homes"));
        assertEquals(4, m.size());
    }

    @Test
    void systemPropertiesAreDefaultsAndTheFileWins() throws Exception {
        Properties sys = new Properties();
        sys.setProperty("kyuubi.ha.namespace", "fromSys");
        sys.setProperty("kyuubi.session.idle.timeout", "PT2H");
        sys.setProperty("spark.executor.memory", "2g");
        sys.setProperty("java.version", "17");
        sys.setProperty("kitsune.home", "/not/config");
        Map<String, String> defaults = ConfSource.systemDefaults(sys);
        assertEquals(Map.of("kyuubi.ha.namespace", "fromSys", "kyuubi.session.idle.timeout", "PT2H",
                "spark.executor.memory", "2g"), defaults);

        write("kyuubi.ha.namespace=fromFile\n");
        Map<String, String> props = manager(defaults).start();
        assertEquals("fromFile", props.get("kyuubi.ha.namespace"));
        assertEquals("PT2H", props.get("kyuubi.session.idle.timeout"));
        assertEquals("2g", props.get("spark.executor.memory"));
    }

    @Test
    void startPublishesValuesAndFrameworkProperties() throws Exception {
        write("kyuubi.frontend.thrift.binary.bind.port=10019\nkyuubi.unknown.thing=1\n");
        ConfManager m = manager(Map.of());
        Map<String, String> props = m.start();
        assertEquals(1, published.size());
        assertEquals(props, published.get(0));
        assertEquals("10019", props.get("kyuubi.frontend.thrift.binary.bind.port"));
        assertEquals("/opt/kitsune", props.get("kitsune.home"));
        assertEquals(dir.toString(), props.get("kitsune.conf.dir"));
        assertEquals("/tmp/w", props.get("kitsune.work.dir"));
        assertEquals("/tmp/l", props.get("kitsune.log.dir"));
        assertEquals(List.of("Unknown configuration key kyuubi.unknown.thing is ignored"),
                ConfManager.validate(Map.of("kyuubi.unknown.thing", "1", "kitsune.home", "/x")));
    }

    @Test
    void missingFileIsOneClearError() {
        ConfigException e = assertThrows(ConfigException.class, () -> manager(Map.of()).start());
        assertEquals("Configuration file " + file + " does not exist (KITSUNE_CONF_DIR=" + dir + ")",
                e.getMessage());
        assertNull(e.key());
        assertTrue(published.isEmpty());
    }

    @Test
    void invalidValueAtStartNamesKeyValueAndAllowed() throws Exception {
        write("kyuubi.frontend.thrift.binary.bind.port = abc\n");
        ConfigException e = assertThrows(ConfigException.class, () -> manager(Map.of()).start());
        assertEquals("Invalid value for kyuubi.frontend.thrift.binary.bind.port: 'abc' "
                + "(allowed: 0 (a free port) or 1024 to 65535)", e.getMessage());
        assertEquals("kyuubi.frontend.thrift.binary.bind.port", e.key());
        assertTrue(published.isEmpty());
    }

    @Test
    void invalidEditKeepsTheLastGoodConfiguration() throws Exception {
        write("kyuubi.session.idle.timeout=PT1H\n");
        ConfManager m = manager(Map.of());
        m.start();
        write("kyuubi.session.idle.timeout=soon\n");
        ConfManager.Reload r = m.poll();
        assertEquals(ConfManager.Kind.INVALID, r.kind());
        assertEquals("Invalid value for kyuubi.session.idle.timeout: 'soon' (allowed: milliseconds like 60000 "
                + "or an ISO-8601 duration like PT30M)", r.error());
        assertEquals(1, published.size());
        assertEquals("PT1H", m.published().get("kyuubi.session.idle.timeout"));
        // the same bad content is reported once
        assertEquals(ConfManager.Kind.UNCHANGED, m.poll().kind());
        // fixed: applied
        write("kyuubi.session.idle.timeout=PT2H\n");
        r = m.poll();
        assertEquals(ConfManager.Kind.APPLIED, r.kind());
        assertEquals(List.of("kyuubi.session.idle.timeout"), r.applied());
        assertEquals(2, published.size());
        assertEquals("PT2H", published.get(1).get("kyuubi.session.idle.timeout"));
        assertEquals("/opt/kitsune", published.get(1).get("kitsune.home"));
    }

    @Test
    void deletedFileKeepsTheLastGoodConfiguration() throws Exception {
        write("kyuubi.session.idle.timeout=PT1H\n");
        ConfManager m = manager(Map.of());
        m.start();
        Files.delete(file);
        ConfManager.Reload r = m.poll();
        assertEquals(ConfManager.Kind.INVALID, r.kind());
        assertTrue(r.error().contains("does not exist"), r.error());
        assertEquals(ConfManager.Kind.UNCHANGED, m.poll().kind());
        write("kyuubi.session.idle.timeout=PT1H\n");
        // back with the same content: nothing to apply
        assertEquals(ConfManager.Kind.NOTHING_APPLIED, m.poll().kind());
        assertEquals(1, published.size());
    }

    @Test
    void restartNeededKeysAreReportedAndNotApplied() throws Exception {
        write("kyuubi.frontend.thrift.binary.bind.port=10009\nkyuubi.session.idle.timeout=PT1H\n");
        ConfManager m = manager(Map.of());
        m.start();
        write("kyuubi.frontend.thrift.binary.bind.port=10010\nkyuubi.session.idle.timeout=PT3H\n"
                + "kyuubi.ha.namespace=other\nspark.executor.memory=4g\n");
        ConfManager.Reload r = m.poll();
        assertEquals(ConfManager.Kind.APPLIED, r.kind());
        assertEquals(List.of("kyuubi.frontend.thrift.binary.bind.port", "kyuubi.ha.namespace",
                "kyuubi.session.idle.timeout", "spark.executor.memory"), r.changed());
        assertEquals(List.of("kyuubi.frontend.thrift.binary.bind.port", "kyuubi.ha.namespace"), r.restartPending());
        assertEquals(List.of("kyuubi.session.idle.timeout", "spark.executor.memory"), r.applied());
        Map<String, String> last = published.get(published.size() - 1);
        assertEquals("10009", last.get("kyuubi.frontend.thrift.binary.bind.port"));
        assertFalse(last.containsKey("kyuubi.ha.namespace"), "a restart-needed key added later stays unset");
        assertEquals("PT3H", last.get("kyuubi.session.idle.timeout"));
        assertEquals("4g", last.get("spark.executor.memory"));

        // only a restart-needed key changes again: nothing to publish
        write("kyuubi.frontend.thrift.binary.bind.port=10011\nkyuubi.session.idle.timeout=PT3H\n"
                + "kyuubi.ha.namespace=other\nspark.executor.memory=4g\n");
        int before = published.size();
        r = m.poll();
        assertEquals(ConfManager.Kind.NOTHING_APPLIED, r.kind());
        assertEquals(List.of("kyuubi.frontend.thrift.binary.bind.port"), r.restartPending());
        assertEquals(before, published.size());

        // another applicable change keeps holding back the restart-needed ones
        write("kyuubi.frontend.thrift.binary.bind.port=10011\nkyuubi.session.idle.timeout=PT4H\n"
                + "kyuubi.ha.namespace=other\nspark.executor.memory=4g\n");
        r = m.poll();
        assertEquals(List.of("kyuubi.session.idle.timeout"), r.applied());
        assertEquals(List.of(), r.restartPending());
        last = published.get(published.size() - 1);
        assertEquals("10009", last.get("kyuubi.frontend.thrift.binary.bind.port"));
        assertEquals("PT4H", last.get("kyuubi.session.idle.timeout"));

        // reverting the restart-needed key to the running value is not "pending"
        write("kyuubi.frontend.thrift.binary.bind.port=10009\nkyuubi.session.idle.timeout=PT4H\n"
                + "spark.executor.memory=4g\n");
        r = m.poll();
        assertEquals(List.of("kyuubi.frontend.thrift.binary.bind.port", "kyuubi.ha.namespace"), r.changed());
        assertEquals(List.of(), r.restartPending());
    }

    @Test
    void whitespaceOnlyEditPublishesNothing() throws Exception {
        write("kyuubi.session.idle.timeout=PT1H\n");
        ConfManager m = manager(Map.of());
        m.start();
        assertEquals(ConfManager.Kind.UNCHANGED, m.poll().kind());
        write("# a comment\nkyuubi.session.idle.timeout =   PT1H   \n");
        assertEquals(ConfManager.Kind.NOTHING_APPLIED, m.poll().kind());
        assertEquals(1, published.size());
    }

    @Test
    void secretsAreNeverShown() {
        assertEquals("'******'", Secrets.show("kitsune.console.password", "hunter2"));
        assertEquals("'******'", Secrets.show("kyuubi.engine.secure.secret.thing", "s"));
        assertEquals("'x'", Secrets.show("kyuubi.ha.namespace", "x"));
    }

    @Test
    void diffHoldsBackRestartNeededKeysOnly() {
        ConfManager.Diff d = ConfManager.diff(Map.of("kyuubi.ha.addresses", "a:1", "spark.x", "1"),
                Map.of("kyuubi.ha.addresses", "b:1", "spark.x", "2"),
                Map.of("kyuubi.ha.addresses", "a:1", "spark.x", "1"));
        assertEquals(List.of("kyuubi.ha.addresses", "spark.x"), d.changed);
        assertEquals(List.of("kyuubi.ha.addresses"), d.restartPending);
        assertEquals(Map.of("kyuubi.ha.addresses", "a:1", "spark.x", "2"), d.nextInForce);
    }

    @Test
    void watcherPicksUpAnEdit() throws Exception {
        write("kyuubi.session.idle.timeout=PT1H\n");
        ConfManager m = manager(Map.of());
        m.start();
        try (ConfWatcher w = new ConfWatcher(m, Duration.ofMillis(20))) {
            w.start();
            write("kyuubi.session.idle.timeout=PT5H\n");
            Awaitility.await("the edit published").atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(10))
                    .until(() -> published.size() >= 2);
        }
        assertEquals(2, published.size());
        assertEquals("PT5H", published.get(1).get("kyuubi.session.idle.timeout"));
        // the pool reports termination just before its worker thread has finished exiting
        Awaitility.await("the watch thread gone after close").atMost(Duration.ofSeconds(2))
                .pollInterval(Duration.ofMillis(20)).until(() -> Thread.getAllStackTraces().keySet().stream()
                        .filter(Thread::isAlive).noneMatch(t -> t.getName().startsWith("kitsune-config-watch-")));
    }
}
