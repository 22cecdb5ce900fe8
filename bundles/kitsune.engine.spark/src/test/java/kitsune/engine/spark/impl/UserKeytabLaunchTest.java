package kitsune.engine.spark.impl;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import kitsune.api.batch.BatchApplication;
import kitsune.api.batch.BatchSubmission;
import kitsune.api.conf.ConfigKeys;
import kitsune.api.conf.KitsuneConf;
import kitsune.api.engine.EngineLaunch;
import kitsune.api.engine.EngineLaunchRequest;
import kitsune.api.engine.ShareLevel;
import kitsune.api.registry.EngineSpace;
import kitsune.testkit.TestKdc;

/**
 * The provider's engine launches and batch submissions on a cluster master with a user's Kerberos settings, through a
 * Spark distribution whose bin/spark-submit records what it was given (arguments, SPARK_USER, the properties file),
 * with a real KDC and real keytabs.
 */
class UserKeytabLaunchTest {
    private static TestKdc kdc;
    private static Path alice;
    private static Path bob;

    @TempDir
    Path dir;
    private Path out;
    private Map<String, String> server;

    @BeforeAll
    static void kdc(@TempDir Path kdcDir) throws Exception {
        kdc = TestKdc.start(kdcDir);
        alice = kdc.keytab("alice");
        bob = kdc.keytab("bob");
    }

    @AfterAll
    static void stop() throws Exception {
        if (kdc != null) kdc.close();
    }

    @BeforeEach
    void home() throws Exception {
        Path home = Files.createDirectories(dir.resolve("spark"));
        Files.createDirectories(home.resolve("jars"));
        Files.createDirectories(home.resolve("bin"));
        Files.writeString(home.resolve("RELEASE"), "Spark 4.0.1\n");
        Path script = home.resolve("bin/spark-submit");
        Files.writeString(script, """
                #!/bin/sh
                o="$FAKE_OUT/$$"
                { printf '%s\\n' "$@"; echo "SPARK_USER=$SPARK_USER"; } > "$o.tmp"
                for a in "$@"; do case "$a" in *.properties) cat "$a" > "$o.properties";; esac; done
                mv "$o.tmp" "$o.args"
                """);
        Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwx------"));
        Path kitsune = Files.createDirectories(dir.resolve("kitsune"));
        Files.createDirectories(kitsune.resolve("lib"));
        Files.writeString(kitsune.resolve(SparkEngineProvider.ENGINE_JAR), "not a jar");
        out = Files.createDirectories(dir.resolve("out"));
        server = new HashMap<>(Map.of(ConfigKeys.KITSUNE_HOME.name(), kitsune.toString(),
                ConfigKeys.WORK_DIR.name(), dir.resolve("work").toString(),
                ConfigKeys.SPARK_HOMES.name(), "fake=" + home, ConfigKeys.SPARK_HOME.name(), "fake",
                ConfigKeys.ENGINE_SECURITY_ENABLED.name(), "false", "spark.master", "spark://127.0.0.1:7077",
                "kyuubi.engineEnv.FAKE_OUT", out.toString()));
    }

    @Test
    void aliceNamingBobsKeytabInHerSessionGetsAnEngineAsProxyUserAliceWithoutAnyKeytab() throws Exception {
        Submitted s = launch(Map.of(), Map.of(UserKeytab.PRINCIPAL, TestKdc.principal("bob"), UserKeytab.KEYTAB,
                bob.toString(), "spark.yarn.keytab", bob.toString()));

        assertTrue(s.args.contains("--proxy-user") && s.after("--proxy-user").equals("alice"), s.args.toString());
        assertEquals("alice", s.sparkUser);
        assertTrue(UserKeytab.KEYS.stream().noneMatch(s.props::containsKey), s.props.toString());
        assertFalse(s.props.toString().contains(bob.toString()));
    }

    @Test
    void aliceNamingHerOwnKeytabInHerSessionGetsAnEngineSubmittedWithItAndNoProxyUser() throws Exception {
        Submitted s = launch(Map.of(), Map.of(UserKeytab.PRINCIPAL, TestKdc.principal("alice"), UserKeytab.KEYTAB,
                alice.toString()));

        assertFalse(s.args.contains("--proxy-user"), s.args.toString());
        assertFalse(s.args.toString().contains(alice.toString()), "the keytab is not on the command line");
        assertEquals("alice", s.sparkUser);
        assertEquals("alice@EXAMPLE.COM", s.props.getProperty(UserKeytab.PRINCIPAL));
        assertEquals(alice.toString(), s.props.getProperty(UserKeytab.KEYTAB));
        assertTrue(s.props.getProperty("spark.redaction.regex").contains("kerberos"));
    }

    @Test
    void theOperatorsPerUserDefaultsGiveAliceHerKeytabAndNeverBob() throws Exception {
        Map<String, String> defaults = Map.of("___alice___." + UserKeytab.PRINCIPAL, TestKdc.principal("alice"),
                "___alice___." + UserKeytab.KEYTAB, alice.toString());
        Submitted s = launch(defaults, Map.of());
        assertFalse(s.args.contains("--proxy-user"), s.args.toString());
        assertEquals(alice.toString(), s.props.getProperty(UserKeytab.KEYTAB));

        Files.walk(out).filter(Files::isRegularFile).forEach(p -> p.toFile().delete());
        Submitted bobs = launchAs("bob", defaults, Map.of());
        assertEquals("bob", bobs.after("--proxy-user"), "alice's defaults are not bob's");
        assertTrue(UserKeytab.KEYS.stream().noneMatch(bobs.props::containsKey), bobs.props.toString());
    }

    @Test
    void aBatchNamingAnotherUsersKeytabIsSubmittedAsItsOwnerWithoutIt() throws Exception {
        SparkEngineProvider provider = provider(Map.of());
        KitsuneConf conf = KitsuneConf.of(server);
        BatchApplication app = provider.submit(new BatchSubmission(UUID.randomUUID().toString(), "alice",
                "/opt/app.jar", "app.Main", "app", Map.of(UserKeytab.PRINCIPAL, TestKdc.principal("bob"),
                        UserKeytab.KEYTAB, bob.toString()), List.of(), conf));
        try {
            Submitted s = submitted();
            assertEquals("alice", s.after("--proxy-user"));
            assertTrue(UserKeytab.KEYS.stream().noneMatch(s.props::containsKey), s.props.toString());
        } finally {
            app.kill();
        }
    }

    private SparkEngineProvider provider(Map<String, String> defaults) {
        Map<String, Object> props = new HashMap<>(server);
        props.putAll(defaults);
        SparkEngineProvider provider = new SparkEngineProvider();
        provider.configure(props);
        return provider;
    }

    private Submitted launch(Map<String, String> defaults, Map<String, String> session) throws Exception {
        return launchAs("alice", defaults, session);
    }

    /** As the session service does: the server's keys, the user's defaults over them, the session's over those. */
    private Submitted launchAs(String user, Map<String, String> defaults, Map<String, String> session)
            throws Exception {
        SparkEngineProvider provider = provider(defaults);
        Map<String, String> all = new HashMap<>(server);
        all.putAll(defaults);
        Map<String, String> conf = new HashMap<>(KitsuneConf.of(all).forUser(user).asMap());
        conf.putAll(session);
        EngineSpace space = new EngineSpace("kyuubi", "1-spark-4.0", ShareLevel.USER, "SPARK_SQL", user, "default");
        EngineLaunch launch = provider.launch(new EngineLaunchRequest(space, UUID.randomUUID().toString(), user,
                KitsuneConf.of(conf), "127.0.0.1:2181"));
        try {
            return submitted();
        } finally {
            launch.cancel();
        }
    }

    private Submitted submitted() throws Exception {
        await().atMost(Duration.ofSeconds(30)).until(() -> {
            try (Stream<Path> s = Files.list(out)) {
                return s.anyMatch(p -> p.toString().endsWith(".args"));
            }
        });
        Path args;
        try (Stream<Path> s = Files.list(out)) {
            args = s.filter(p -> p.toString().endsWith(".args")).findFirst().orElseThrow();
        }
        List<String> lines = Files.readAllLines(args);
        Properties props = new Properties();
        Path file = args.resolveSibling(args.getFileName().toString().replace(".args", ".properties"));
        if (Files.exists(file)) {
            try (Reader r = Files.newBufferedReader(file)) {
                props.load(r);
            }
        }
        String sparkUser = lines.get(lines.size() - 1).substring("SPARK_USER=".length());
        return new Submitted(lines.subList(0, lines.size() - 1), sparkUser, props);
    }

    private record Submitted(List<String> args, String sparkUser, Properties props) {
        String after(String flag) {
            int i = args.indexOf(flag);
            return i < 0 || i + 1 >= args.size() ? null : args.get(i + 1);
        }
    }
}
