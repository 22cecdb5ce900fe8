package kitsune.engine.spark.impl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.OutputStream;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;

import org.apache.spark.deploy.SparkSubmitArguments;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import kitsune.api.conf.KitsuneConf;
import kitsune.testkit.TestKdc;
import scala.jdk.javaapi.CollectionConverters;

/**
 * A user's own keytab instead of --proxy-user, decided against a real KDC with real keytabs, and the submission that
 * results handed to Spark's own spark-submit argument handling.
 */
class UserKeytabTest {
    private static final String SERVER_USER = System.getProperty("user.name");
    private static TestKdc kdc;
    private static Path alice;
    private static Path bob;
    private static Path server;

    @TempDir
    Path dir;
    /** Every login the decision asked the KDC for. */
    private final List<String> logins = new ArrayList<>();
    private final UserKeytab.Login login = (principal, keytab) -> {
        logins.add(principal + " " + keytab);
        UserKeytab.kdcLogin(principal, keytab);
    };

    @BeforeAll
    static void kdc(@TempDir Path kdcDir) throws Exception {
        kdc = TestKdc.start(kdcDir);
        alice = kdc.keytab("alice");
        bob = kdc.keytab("bob");
        server = kdc.keytab(SERVER_USER + "/localhost");
    }

    @AfterAll
    static void stop() throws Exception {
        if (kdc != null) kdc.close();
    }

    @Test
    void aliceWithHerOwnPrincipalAndKeytabIsSubmittedWithThemInsteadOfAsProxyUser() throws Exception {
        Map<String, String> session = keytab(TestKdc.principal("alice"), alice);
        Optional<UserKeytab.Use> use = UserKeytab.decide(session, Map.of(), "alice", doAs(), "engine", login);

        assertTrue(use.isPresent(), "her own keytab is used");
        assertEquals("alice", use.get().user());
        SparkSubmitArguments args = submit(session, use, "alice");
        assertNull(args.proxyUser(), "no --proxy-user beside a principal (spark-submit refuses both)");
        assertEquals("alice@EXAMPLE.COM", args.principal());
        assertEquals(alice.toString(), args.keytab());
    }

    @Test
    void aPrincipalWithoutRealmGetsTheDefaultRealmAndAHostComponentMapsToItsFirstAsHadoopDoes() throws Exception {
        Path aliceHost = kdc.keytab("alice/localhost");
        assertEquals(Optional.of(new UserKeytab.Use("alice@EXAMPLE.COM", alice, "alice")),
                UserKeytab.decide(keytab("alice", alice), Map.of(), "alice", doAs(), "engine", login));
        assertEquals("alice", UserKeytab.decide(keytab("alice/localhost@EXAMPLE.COM", aliceHost), Map.of(), "alice",
                doAs(), "engine", login).orElseThrow().user());
    }

    @Test
    void aliceNamingBobsPrincipalAndKeytabGetsNoEngineAsBobButHerProxyUserWithoutTheKeytab() throws Exception {
        Map<String, String> session = keytab(TestKdc.principal("bob"), bob);
        Optional<UserKeytab.Use> use = UserKeytab.decide(session, Map.of(), "alice", doAs(), "engine", login);

        assertTrue(use.isEmpty());
        assertTrue(logins.isEmpty(), "bob's keytab is not even read for alice: " + logins);
        SparkSubmitArguments args = submit(session, use, "alice");
        assertEquals("alice", args.proxyUser());
        assertNull(args.principal(), "spark-submit gets no principal to log in as");
        assertNull(args.keytab());
    }

    @Test
    void aliceNamingHerOwnPrincipalWithBobsKeytabIsRefusedByTheKdcLogin() throws Exception {
        Optional<UserKeytab.Use> use = UserKeytab.decide(keytab(TestKdc.principal("alice"), bob), Map.of(), "alice",
                doAs(), "engine", login);

        assertTrue(use.isEmpty());
        assertEquals(1, logins.size(), "the keytab was tried: " + logins);
    }

    @Test
    void sparksOlderYarnKeysAreDecidedTheSameAndNeverReachSparkSubmit() throws Exception {
        Map<String, String> session = Map.of("spark.yarn.principal", TestKdc.principal("bob"), "spark.yarn.keytab",
                bob.toString());
        Optional<UserKeytab.Use> use = UserKeytab.decide(session, Map.of(), "alice", doAs(), "engine", login);

        assertTrue(use.isEmpty());
        SparkSubmitArguments args = submit(session, use, "alice");
        assertNull(args.principal(), "spark-submit reads spark.yarn.principal too");
        assertNull(args.keytab());
        assertEquals("alice", args.proxyUser());

        Optional<UserKeytab.Use> own = UserKeytab.decide(Map.of("spark.yarn.principal", TestKdc.principal("alice"),
                "spark.yarn.keytab", alice.toString()), Map.of(), "alice", doAs(), "engine", login);
        assertEquals("alice", own.orElseThrow().user());
    }

    @Test
    void aKeytabPathThatIsNoReadableSmallRegularFileIsNeverRead() throws Exception {
        Path big = dir.resolve("big.keytab");
        try (RandomAccessFile f = new RandomAccessFile(big.toFile(), "rw")) {
            f.setLength(UserKeytab.MAX_BYTES + 1);
        }
        Path unreadable = Files.copy(alice, dir.resolve("unreadable.keytab"));
        assertTrue(unreadable.toFile().setReadable(false, false));
        List<String> paths = new ArrayList<>(List.of("/dev/zero", "/proc/self/fd/0", dir.toString(),
                dir.resolve("missing.keytab").toString(), "alice.keytab", "../" + alice.getFileName(),
                big.toString(), "file:" + alice, "/tmp/\0alice"));
        // root reads any file: the permission check only holds for another user
        if (!Files.isReadable(unreadable)) paths.add(unreadable.toString());
        for (String path : paths) {
            assertTrue(UserKeytab.decide(Map.of(UserKeytab.PRINCIPAL, TestKdc.principal("alice"), UserKeytab.KEYTAB,
                    path), Map.of(), "alice", doAs(), "engine", login).isEmpty(), path);
        }
        assertTrue(logins.isEmpty(), "none of them was read: " + logins);
    }

    @Test
    void aReadableFileThatIsNoKeytabOfThePrincipalIsRefusedAndItsContentAppearsNowhere() throws Exception {
        Path secret = Files.writeString(dir.resolve("secret.txt"), "the-server-secret-line\n");
        assertTrue(UserKeytab.decide(keytab(TestKdc.principal("alice"), secret), Map.of(), "alice", doAs(), "engine",
                login).isEmpty());
    }

    @Test
    void aSessionNamingTheServersOwnKeytabIsRefusedWhileTheOperatorMayNameIt() throws Exception {
        // doAs off: an engine runs as the server's user, whose short name the server's principal maps to
        KitsuneConf conf = KitsuneConf.of(Map.of("kyuubi.engine.doAs.enabled", "false",
                "kyuubi.kinit.principal", SERVER_USER + "/_HOST@EXAMPLE.COM", "kyuubi.kinit.keytab", server.toString()));
        Map<String, String> settings = keytab(SERVER_USER + "/localhost@EXAMPLE.COM", server);
        String runAs = SparkEngineProvider.runAs(conf, "alice", true);
        assertEquals(SERVER_USER, runAs);

        assertTrue(UserKeytab.decide(settings, Map.of(), runAs, conf, "engine", login).isEmpty(),
                "a session's settings never get the server's own identity");
        Path copy = Files.copy(server, dir.resolve("copy.keytab"));
        assertTrue(UserKeytab.decide(keytab(SERVER_USER + "/localhost@EXAMPLE.COM", copy), Map.of(), runAs, conf,
                "engine", login).isEmpty(), "nor under another name: its principal is the server's");
        assertEquals(SERVER_USER, UserKeytab.decide(settings, settings, runAs, conf, "engine", login).orElseThrow()
                .user(), "the operator's defaults are trusted (Kyuubi's rule applies)");
    }

    @Test
    void theServersOwnPrincipalIsRecognisedWithHostPatternAndWithoutRealm() {
        assertTrue(UserKeytab.sameService("hive/_HOST@EXAMPLE.COM", "hive/gw1.example.com@EXAMPLE.COM"));
        assertTrue(UserKeytab.sameService("hive/gw1", "hive/gw1@EXAMPLE.COM"));
        assertTrue(UserKeytab.sameService("HIVE/gw1@EXAMPLE.COM", "hive/gw1@example.com"));
        assertFalse(UserKeytab.sameService("hive/_HOST@EXAMPLE.COM", "hive/a/b@EXAMPLE.COM"));
        assertFalse(UserKeytab.sameService("hive/_HOST@EXAMPLE.COM", "alice@EXAMPLE.COM"));
        assertFalse(UserKeytab.sameService("hive/gw1@EXAMPLE.COM", "hive/gw2@EXAMPLE.COM"));
    }

    @Test
    void authToLocalRulesDecideWhoseThePrincipalIs() throws Exception {
        Path analyst = kdc.keytab("analyst1");
        KitsuneConf conf = KitsuneConf.of(Map.of("hadoop.security.auth_to_local",
                "RULE:[1:$1@$0](analyst1@EXAMPLE.COM)s/.*/alice/ DEFAULT"));
        assertEquals("alice", UserKeytab.decide(keytab(TestKdc.principal("analyst1"), analyst), Map.of(), "alice",
                conf, "engine", login).orElseThrow().user());
        assertTrue(UserKeytab.decide(keytab(TestKdc.principal("analyst1"), analyst), Map.of(), "alice", doAs(),
                "engine", login).isEmpty(), "without the rule analyst1 is not alice");
    }

    @Test
    void theIdentityIsRedactedInSparkAndMaskedInWhatUsersSeeOfTheLog() {
        Properties props = new Properties();
        props.setProperty("spark.redaction.regex", "(?i)secret");
        UserKeytab.Use use = new UserKeytab.Use("alice@EXAMPLE.COM", alice, "alice");
        UserKeytab.apply(props, Optional.of(use));
        String regex = props.getProperty("spark.redaction.regex");
        assertTrue(java.util.regex.Pattern.compile(regex).matcher("spark.kerberos.keytab").find(), regex);
        assertTrue(java.util.regex.Pattern.compile(regex).matcher("spark.yarn.principal").find(), regex);
        assertTrue(regex.startsWith("(?i)secret|"), "the operator's regex is kept: " + regex);

        LogMask mask = LogMask.of(Map.of(), UserKeytab.maskable(Optional.of(use)));
        String shown = mask.apply("Kerberos credentials: principal = alice@EXAMPLE.COM, keytab = " + alice);
        assertFalse(shown.contains("alice@EXAMPLE.COM") || shown.contains(alice.toString()), shown);
    }

    private static KitsuneConf doAs() {
        return KitsuneConf.of(Map.of("kyuubi.engine.doAs.enabled", "true"));
    }

    private static Map<String, String> keytab(String principal, Path keytab) {
        return Map.of(UserKeytab.PRINCIPAL, principal, UserKeytab.KEYTAB, keytab.toString());
    }

    /** The engine's submission to a standalone master with these session settings after the decision, as spark-submit parses it. */
    private SparkSubmitArguments submit(Map<String, String> session, Optional<UserKeytab.Use> use, String proxyUser)
            throws Exception {
        Properties props = new Properties();
        props.setProperty("spark.master", "spark://127.0.0.1:7077");
        props.putAll(new HashMap<>(session));
        UserKeytab.apply(props, use);
        Path file = dir.resolve("engine.submit.properties");
        try (OutputStream out = Files.newOutputStream(file)) {
            SparkEngineProvider.submittedProperties(props).store(out, null);
        }
        SparkSubmission submission = new SparkSubmission("spark://127.0.0.1:7077", "client", "engine", file, List.of(),
                use.isPresent() ? null : proxyUser, "/opt/kitsune/lib/kitsune-spark-engine.jar");
        return new SparkSubmitArguments(CollectionConverters.asScala(submission.arguments()).toSeq(),
                scala.collection.immutable.Map$.MODULE$.empty());
    }
}
