package kitsune.api.registry;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import kitsune.api.conf.ConfigException;
import kitsune.api.conf.KitsuneConf;
import kitsune.api.registry.ZkAuth.Access;

class ZkAuthTest {
    private static final String TYPE = "kyuubi.ha.zookeeper.auth.type";
    private static final String ENGINE_TYPE = "kyuubi.ha.zookeeper.engine.auth.type";
    private static final String DIGEST = "kyuubi.ha.zookeeper.auth.digest";
    private static final String ACL = "kyuubi.ha.zookeeper.acl.enabled";
    private static final String PRINCIPAL = "kyuubi.ha.zookeeper.auth.principal";
    private static final String KEYTAB = "kyuubi.ha.zookeeper.auth.keytab";
    private static final String ENGINE_PRINCIPAL = "kyuubi.ha.zookeeper.engine.auth.principal";
    private static final String ENGINE_KEYTAB = "kyuubi.ha.zookeeper.engine.auth.keytab";
    private static final String SPACE = "/kyuubi_1-spark-4.0_USER_SPARK_SQL/alice/default";

    private static ZkAuth auth(String... kv) {
        Map<String, String> m = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) m.put(kv[i], kv[i + 1]);
        return ZkAuth.from(KitsuneConf.of(m));
    }

    private static String refusal(String... kv) {
        return assertThrows(ConfigException.class, () -> auth(kv)).getMessage();
    }

    @Test
    void withoutTheKeysNothingAuthenticatesAndEveryNodeIsOpen() {
        ZkAuth a = auth();
        assertFalse(a.authenticated());
        assertFalse(a.serverAcls());
        assertFalse(a.engineAcls());
        assertEquals(Access.OPEN, a.serverAccess("/kyuubi_sessions/x", "kyuubi"));
        assertEquals(Access.OPEN, a.engineAccess());
    }

    @Test
    void digestProtectsServiceNodesReadableByAllAndSessionRecordsPrivately() {
        ZkAuth a = auth(TYPE, "digest", DIGEST, "kitsune:pa:ss word");
        assertTrue(a.authenticated());
        assertEquals("kitsune", a.user());
        assertArrayEquals("kitsune:pa:ss word".getBytes(StandardCharsets.UTF_8), a.digestBytes());
        assertTrue(a.serverAcls());
        assertTrue(a.engineAcls(), "engines protect their nodes whenever the servers do");
        assertEquals(Access.READ_BY_ALL, a.serverAccess("/kyuubi", "kyuubi"));
        assertEquals(Access.READ_BY_ALL, a.serverAccess("/kyuubi/serverUri=h:1;sequence=0000000001", "kyuubi"));
        assertEquals(Access.READ_BY_ALL, a.serverAccess("/kyuubi_1-spark-4.0_USER_SPARK_SQL/alice/default", "kyuubi"));
        assertEquals(Access.READ_BY_ALL, a.serverAccess("/kyuubi_1-spark-4.0_USER_SPARK_SQL_lock/alice", "kyuubi"));
        assertEquals(Access.PRIVATE, a.serverAccess("/kyuubi_sessions", "kyuubi"));
        assertEquals(Access.PRIVATE, a.serverAccess("/kyuubi_sessions/3f1c", "kyuubi"));
        assertEquals(Access.PRIVATE, a.serverAccess("/kyuubi_sessions_sweep_lock/lease-1", "/kyuubi/"));
        assertEquals(Access.READ_BY_ALL, a.engineAccess());
    }

    @Test
    void aclEnabledWithAnAuthTypeIsTheSameAsTheAuthTypeAlone() {
        ZkAuth a = auth(TYPE, "DIGEST", DIGEST, "k:p", ACL, "true");
        assertTrue(a.serverAcls());
    }

    @Test
    void engineDigestAloneProtectsEngineNodesOnly() {
        ZkAuth a = auth(ENGINE_TYPE, "DIGEST", DIGEST, "k:p");
        assertTrue(a.authenticated());
        assertFalse(a.serverAcls());
        assertTrue(a.engineAcls());
        assertEquals(Access.OPEN, a.serverAccess("/kyuubi", "kyuubi"));
    }

    @Test
    void aDigestWithoutAnAuthTypeAuthenticatesWithoutAcls() {
        ZkAuth a = auth(DIGEST, "k:p");
        assertTrue(a.authenticated());
        assertFalse(a.serverAcls());
        assertFalse(a.engineAcls());
    }

    @Test
    void aclsWithoutAnIdentityAreRefusedNamingBothKeys() {
        String m = refusal(ACL, "true");
        assertTrue(m.startsWith("kyuubi.ha.zookeeper.acl.enabled=true needs kyuubi.ha.zookeeper.auth.type=DIGEST"), m);
        assertFalse(m.contains("\n"));
    }

    @Test
    void digestTypeWithoutADigestIsRefusedNamingTheKey() {
        assertEquals("kyuubi.ha.zookeeper.auth.type=DIGEST needs kyuubi.ha.zookeeper.auth.digest=user:password (the "
                + "same on every server and for kitsune-ctl)", refusal(TYPE, "DIGEST"));
        assertTrue(refusal(ENGINE_TYPE, "DIGEST").startsWith("kyuubi.ha.zookeeper.engine.auth.type=DIGEST needs "));
    }

    @Test
    void kerberosWithoutAPrincipalOrAReadableKeytabIsRefusedNamingTheKey(@TempDir Path dir) throws Exception {
        assertEquals("kyuubi.ha.zookeeper.auth.type=KERBEROS needs kyuubi.ha.zookeeper.auth.principal (or "
                + "kyuubi.kinit.principal), the principal to log in to ZooKeeper as, e.g. kitsune/_HOST@EXAMPLE.COM",
                refusal(TYPE, "KERBEROS"));
        assertTrue(refusal(ENGINE_TYPE, "kerberos").startsWith(
                "kyuubi.ha.zookeeper.engine.auth.type=KERBEROS needs kyuubi.ha.zookeeper.auth.principal"));
        assertEquals("kyuubi.ha.zookeeper.auth.type=KERBEROS needs kyuubi.ha.zookeeper.auth.keytab (or "
                + "kyuubi.kinit.keytab), the keytab of kitsune@EXAMPLE.COM",
                refusal(TYPE, "KERBEROS", PRINCIPAL, "kitsune@EXAMPLE.COM"));
        Path missing = dir.resolve("missing.keytab");
        assertTrue(refusal(TYPE, "KERBEROS", PRINCIPAL, "kitsune@EXAMPLE.COM", KEYTAB, missing.toString())
                .startsWith("kyuubi.ha.zookeeper.auth.keytab=" + missing + " is not a readable file"));
        assertTrue(refusal(TYPE, "KERBEROS", PRINCIPAL, "kitsune", KEYTAB, Files.createFile(dir.resolve("k"))
                .toString()).startsWith("Invalid value for kyuubi.ha.zookeeper.auth.principal: 'kitsune' is not"));
    }

    @Test
    void kerberosFallsBackToTheKinitKeysExpandsHostAndProtectsAsDigestDoes(@TempDir Path dir) throws Exception {
        Path keytab = Files.createFile(dir.resolve("kitsune.keytab"));
        Path engineKeytab = Files.createFile(dir.resolve("engine.keytab"));
        Map<String, String> m = Map.of(TYPE, "KERBEROS", "kyuubi.kinit.principal", "kitsune/_HOST@EXAMPLE.COM",
                "kyuubi.kinit.keytab", keytab.toString(), ENGINE_TYPE, "KERBEROS", ENGINE_PRINCIPAL,
                "engine/_HOST@EXAMPLE.COM", ENGINE_KEYTAB, engineKeytab.toString());
        ZkAuth a = ZkAuth.from(KitsuneConf.of(m), "Node1.Example.COM");
        assertTrue(a.authenticated());
        assertTrue(a.kerberos());
        assertFalse(a.digestAuthenticated());
        assertEquals("kitsune/node1.example.com@EXAMPLE.COM", a.principal());
        assertEquals(keytab.toAbsolutePath().toString(), a.keytab());
        assertTrue(a.serverAcls());
        assertEquals(Access.READ_BY_ALL, a.serverAccess("/kyuubi", "kyuubi"));
        assertEquals(Access.PRIVATE, a.serverAccess("/kyuubi_sessions/3f1c", "kyuubi"));
        assertEquals(Access.READ_BY_ALL, a.engineAccess());
        assertEquals("ZooKeeper Kerberos principal kitsune/node1.example.com@EXAMPLE.COM (keytab " + keytab
                .toAbsolutePath() + "), engines as engine/node1.example.com@EXAMPLE.COM, ACLs on", a.toString());
        EngineZkIdentity engine = a.engineIdentity(SPACE);
        assertEquals("engine/node1.example.com@EXAMPLE.COM", engine.principal());
        assertEquals(engineKeytab.toAbsolutePath().toString(), engine.keytab());
        assertEquals(null, engine.digest(), "no digest to derive one from");

        // the ZooKeeper keys win over kyuubi.kinit.*
        Path other = Files.createFile(dir.resolve("zk.keytab"));
        ZkAuth z = ZkAuth.from(KitsuneConf.of(Map.of(TYPE, "KERBEROS", PRINCIPAL, "zk-client@EXAMPLE.COM",
                KEYTAB, other.toString(), "kyuubi.kinit.principal", "hive/_HOST@EXAMPLE.COM",
                "kyuubi.kinit.keytab", keytab.toString(), DIGEST, "k:p")), "h");
        assertEquals("zk-client@EXAMPLE.COM", z.principal());
        assertEquals(other.toAbsolutePath().toString(), z.keytab());

        // the client's ZKClientConfig names the JAAS section, which logs in from the keytab
        Map<String, String> props = a.zkClientProperties();
        assertEquals(ZkAuth.JAAS_SECTION, props.get("zookeeper.sasl.clientconfig"));
        javax.security.auth.login.AppConfigurationEntry[] entries = javax.security.auth.login.Configuration
                .getConfiguration().getAppConfigurationEntry(ZkAuth.JAAS_SECTION);
        assertEquals(1, entries.length);
        assertEquals("com.sun.security.auth.module.Krb5LoginModule", entries[0].getLoginModuleName());
        assertEquals("kitsune/node1.example.com@EXAMPLE.COM", entries[0].getOptions().get("principal"));
        assertEquals(keytab.toAbsolutePath().toString(), entries[0].getOptions().get("keyTab"));
        assertEquals("true", entries[0].getOptions().get("useKeyTab"));
        assertEquals("true", entries[0].getOptions().get("storeKey"));
        assertEquals(Map.of(), auth().zkClientProperties(), "no Kerberos, no SASL section");
    }

    @Test
    void engineKerberosAloneProtectsEngineNodesOnly(@TempDir Path dir) throws Exception {
        Path keytab = Files.createFile(dir.resolve("kitsune.keytab"));
        Path engineKeytab = Files.createFile(dir.resolve("engine.keytab"));
        ZkAuth a = auth(ENGINE_TYPE, "KERBEROS", PRINCIPAL, "kitsune@EXAMPLE.COM", KEYTAB, keytab.toString(),
                ENGINE_PRINCIPAL, "engine@EXAMPLE.COM", ENGINE_KEYTAB, engineKeytab.toString());
        assertTrue(a.kerberos());
        assertFalse(a.serverAcls());
        assertTrue(a.engineAcls());
    }

    @Test
    void kerberosEnginesNeedAPrincipalOfTheirOwnNotTheServers(@TempDir Path dir) throws Exception {
        Path keytab = Files.createFile(dir.resolve("kitsune.keytab"));
        Path engineKeytab = Files.createFile(dir.resolve("engine.keytab"));
        String[] server = {TYPE, "KERBEROS", PRINCIPAL, "kitsune/_HOST@EXAMPLE.COM", KEYTAB, keytab.toString()};
        String m = refusal(server);
        assertTrue(m.startsWith("ZooKeeper ACLs (kyuubi.ha.zookeeper.auth.type=KERBEROS) protect engine spaces, and "
                + "engines never get the servers' identity: set kyuubi.ha.zookeeper.auth.digest"), m);
        m = refusal(concat(server, ENGINE_TYPE, "KERBEROS"));
        assertTrue(m.startsWith("kyuubi.ha.zookeeper.engine.auth.type=KERBEROS needs "
                + "kyuubi.ha.zookeeper.engine.auth.principal, the principal engines log in to ZooKeeper as"), m);
        m = refusal(concat(server, ENGINE_TYPE, "KERBEROS", ENGINE_PRINCIPAL, "engine@EXAMPLE.COM"));
        assertTrue(m.startsWith("kyuubi.ha.zookeeper.engine.auth.type=KERBEROS needs "
                + "kyuubi.ha.zookeeper.engine.auth.keytab"), m);
        m = refusal(concat(server, ENGINE_TYPE, "KERBEROS", ENGINE_PRINCIPAL, "kitsune/_HOST@EXAMPLE.COM",
                ENGINE_KEYTAB, engineKeytab.toString()));
        assertTrue(m.startsWith("kyuubi.ha.zookeeper.engine.auth.principal is the servers' own principal"), m);
        assertFalse(m.contains("\n"));
        // with a digest, engines get derived digests and need no principal
        assertTrue(auth(concat(server, DIGEST, "k:p")).engineIdentity(SPACE).digest().startsWith("engine-"));
    }

    private static String[] concat(String[] a, String... b) {
        String[] r = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, r, a.length, b.length);
        return r;
    }

    @Test
    void eachEngineSpaceGetsItsOwnDigestDerivedFromTheServersAndNeverTheServersOwn() {
        ZkAuth a = auth(TYPE, "DIGEST", DIGEST, "kitsune:hunter2");
        EngineZkIdentity alice = a.engineIdentity(SPACE);
        EngineZkIdentity bob = a.engineIdentity("/kyuubi_1-spark-4.0_USER_SPARK_SQL/bob/default");
        assertTrue(alice.digest().matches("engine-[0-9a-f]{40}:[A-Za-z0-9_-]{43}"), alice.digest());
        assertFalse(alice.digest().contains("hunter2"));
        assertFalse(alice.digest().contains("kitsune"));
        assertFalse(alice.digestUser().equals(bob.digestUser()), "one identity per space");
        assertFalse(alice.digest().substring(alice.digest().indexOf(':'))
                .equals(bob.digest().substring(bob.digest().indexOf(':'))));
        assertEquals(alice, auth(TYPE, "DIGEST", DIGEST, "kitsune:hunter2").engineIdentity(SPACE),
                "every server that shares the digest derives the same identity");
        assertFalse(alice.digest().equals(auth(TYPE, "DIGEST", DIGEST, "kitsune:hunter3").engineIdentity(SPACE)
                .digest()), "the password depends on the servers' secret");
        assertEquals(alice.digestUser(), auth(TYPE, "DIGEST", DIGEST, "kitsune:hunter3").engineIdentity(SPACE)
                .digestUser(), "the user name only on the space");
        // HMAC-SHA256 with the servers' digest as key, as documented: a known answer
        assertEquals(ZkAuth.deriveEngineDigest("kitsune:hunter2", SPACE), alice.digest());
        assertEquals("engine-" + sha256Hex("kitsune-engine-zookeeper-identity\0" + SPACE).substring(0, 40) + ":"
                + hmac("kitsune:hunter2", "kitsune-engine-zookeeper-identity\0" + SPACE), alice.digest());
        assertFalse(alice.toString().contains(alice.digest().substring(alice.digest().indexOf(':') + 1)));
        assertEquals(EngineZkIdentity.NONE, auth().engineIdentity(SPACE), "no ACLs, no identity");
        assertTrue(a.engineIdentity(SPACE).principal() == null);
    }

    private static String sha256Hex(String s) {
        try {
            return java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256")
                    .digest(s.getBytes(StandardCharsets.UTF_8)));
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    private static String hmac(String key, String s) {
        try {
            javax.crypto.Mac mac = javax.crypto.Mac.getInstance("HmacSHA256");
            mac.init(new javax.crypto.spec.SecretKeySpec(key.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            return java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(
                    mac.doFinal(s.getBytes(StandardCharsets.UTF_8)));
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void anEngineReadsOnlyTheIdentityItsServerDerivedNeverTheServersKeys() {
        String derived = ZkAuth.deriveEngineDigest("kitsune:hunter2", SPACE);
        ZkAuth e = ZkAuth.forEngine(KitsuneConf.of(Map.of(
                // keys an engine of an older server was given: ignored
                TYPE, "DIGEST", DIGEST, "kitsune:hunter2",
                "kitsune.engine.zookeeper.digest", derived,
                "kitsune.engine.zookeeper.acl", "1:world:anyone")));
        assertArrayEquals(derived.getBytes(StandardCharsets.UTF_8), e.digestBytes());
        assertTrue(e.engineAcls());
        assertFalse(e.serverAcls());
        assertFalse(e.kerberos());
        ZkAuth none = ZkAuth.forEngine(KitsuneConf.of(Map.of(TYPE, "DIGEST", DIGEST, "kitsune:hunter2")));
        assertFalse(none.authenticated(), "the servers' digest is never used by an engine");
        assertFalse(none.engineAcls());
    }

    @Test
    void aMalformedDigestIsRefusedWithoutShowingIt() {
        for (String bad : new String[] {"nopassword", "user:", ":secretpw", "us er:secretpw", "us/er:secretpw",
                "user:secret\u0001pw"}) {
            String m = refusal(TYPE, "DIGEST", DIGEST, bad);
            assertTrue(m.startsWith("Invalid value for kyuubi.ha.zookeeper.auth.digest (not shown): expected "
                    + "user:password"), m);
            assertFalse(m.contains("secret"), "the value is never shown: " + m);
        }
        // malformed is malformed even where it would not be used
        refusal(DIGEST, "nopassword");
    }

    @Test
    void toStringNamesTheUserNeverThePassword() {
        String s = auth(TYPE, "DIGEST", DIGEST, "kitsune:hunter2").toString();
        assertEquals("ZooKeeper digest user kitsune, ACLs on", s);
    }
}
