package kitsune.api.registry;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

import kitsune.api.conf.ConfigException;
import kitsune.api.conf.ConfigKeys;
import kitsune.api.conf.KitsuneConf;
import kitsune.api.engine.EngineConf;

/**
 * How every ZooKeeper client of Kitsune (server, engine, kitsune-ctl, console) authenticates and which ACLs the nodes
 * it creates get, read once from kyuubi.ha.zookeeper.auth.type, .engine.auth.type, .auth.digest and .acl.enabled.
 * The same configuration gives the same answers on every server and in kitsune-ctl. Engines never get the servers'
 * identity: a server derives one for each engine space it launches into ({@link #engineIdentity(String)}) and the
 * engine reads that ({@link #forEngine(KitsuneConf)}).
 * <ul>
 * <li>A client authenticates (ZooKeeper's digest scheme) whenever a digest is configured, as Kyuubi's does.</li>
 * <li>With KERBEROS (either type), a client authenticates by SASL/GSSAPI as kyuubi.ha.zookeeper.auth.principal
 * (or kyuubi.kinit.principal) from its keytab; its identity in ACLs is ZooKeeper's {@code sasl} scheme, named as the
 * ensemble's SASL provider reports it (the full principal, or shortened by the ensemble's
 * kerberos.removeHostFromPrincipal / removeRealmFromPrincipal).</li>
 * <li>An engine authenticates with a digest derived from the servers' for its space ({@code engine-<hash>} with
 * HMAC-SHA256(servers' digest, space path) as password) whenever the servers have a digest, and by Kerberos as
 * kyuubi.ha.zookeeper.engine.auth.principal with engine.auth.type=KERBEROS; its ACL identity is the derived digest,
 * else that principal.</li>
 * <li>Server ACLs are on with any auth type but NONE (as in Kyuubi) or with acl.enabled=true; engine ACLs are on
 * with the server's, or with engine.auth.type=DIGEST or KERBEROS.</li>
 * <li>With ACLs, nodes are writable, deletable and open to children only for the creating identity; service
 * discovery nodes stay readable by anyone (the Hive driver reads them without logging in), session records are not.
 * </li>
 * </ul>
 * The digest never appears in {@link #toString()} or an error message; the keytab is named by its path only.
 */
public final class ZkAuth {
    /** Who may do what with a node Kitsune creates. */
    public enum Access {
        /** Anyone may do anything: no ACLs configured. */
        OPEN,
        /** Everyone reads; only the creating identity writes, deletes, creates children and changes the ACL. */
        READ_BY_ALL,
        /** Only the creating identity, reading included. */
        PRIVATE
    }

    public static final String NONE = "NONE";
    public static final String DIGEST = "DIGEST";
    public static final String KERBEROS = "KERBEROS";
    /** ZooKeeper's scheme name for user:password identities. */
    public static final String DIGEST_SCHEME = "digest";
    /** ZooKeeper's scheme name for identities authenticated by SASL (Kerberos). */
    public static final String SASL_SCHEME = "sasl";
    /** The JAAS section of the ZooKeeper client's Kerberos login (ZKClientConfig zookeeper.sasl.clientconfig). */
    public static final String JAAS_SECTION = "KitsuneZooKeeperClient";

    private static final Pattern USER = Pattern.compile("[A-Za-z0-9._@-]{1,128}");

    /** The prefix of a derived engine digest user: {@code engine-} and 40 hex digits of the space path's hash. */
    public static final String ENGINE_USER_PREFIX = "engine-";

    private final String digest;
    private final String principal;
    private final String keytab;
    private final String enginePrincipal;
    private final String engineKeytab;
    private final boolean serverAcls;
    private final boolean engineAcls;

    private ZkAuth(String digest, String principal, String keytab, String enginePrincipal, String engineKeytab,
            boolean serverAcls, boolean engineAcls) {
        this.digest = digest;
        this.principal = principal;
        this.keytab = keytab;
        this.enginePrincipal = enginePrincipal;
        this.engineKeytab = engineKeytab;
        this.serverAcls = serverAcls;
        this.engineAcls = engineAcls;
    }

    /** No authentication, no ACLs: what Kitsune did before these keys. */
    public static ZkAuth none() {
        return new ZkAuth(null, null, null, null, null, false, false);
    }

    /**
     * An engine's view, from the settings its server wrote for it: the space's derived digest
     * ({@link EngineConf#ZK_ENGINE_DIGEST}), the engines' principal and keytab
     * (kyuubi.ha.zookeeper.engine.auth.principal/keytab, _HOST already expanded by the server) and whether its node
     * is protected ({@link EngineConf#ZK_ENGINE_NODE_ACL} present). The servers' keys are not read: an engine that
     * was given them by mistake still does not use them.
     */
    public static ZkAuth forEngine(KitsuneConf conf) {
        String digest = orElse(conf.raw(EngineConf.ZK_ENGINE_DIGEST), null);
        if (digest != null) checkDigest(digest, EngineConf.ZK_ENGINE_DIGEST);
        String principal = orElse(conf.raw(ConfigKeys.HA_ZK_ENGINE_AUTH_PRINCIPAL.name()), null);
        String keytab = orElse(conf.raw(ConfigKeys.HA_ZK_ENGINE_AUTH_KEYTAB.name()), null);
        if (principal == null) keytab = null;
        boolean acls = orElse(conf.raw(EngineConf.ZK_ENGINE_NODE_ACL), null) != null;
        return new ZkAuth(digest, principal, keytab, null, null, false, acls);
    }

    /** As {@link #from(KitsuneConf, String)} with this machine's canonical host name for _HOST. */
    public static ZkAuth from(KitsuneConf conf) {
        return from(conf, null);
    }

    /**
     * Reads and checks the keys: auth.type, engine.auth.type, auth.digest, acl.enabled, and with KERBEROS
     * auth.principal and auth.keytab (or kyuubi.kinit.principal and .keytab).
     *
     * @param localHost what _HOST in the principal stands for; null: this machine's canonical host name
     * @throws ConfigException one line naming the key(s) and the fix: KERBEROS without a principal or a readable
     *                         keytab, DIGEST without a digest, ACLs without an identity, a malformed digest (its value
     *                         is not shown)
     */
    public static ZkAuth from(KitsuneConf conf, String localHost) {
        String type = conf.get(ConfigKeys.HA_ZK_AUTH_TYPE);
        String engineType = conf.get(ConfigKeys.HA_ZK_ENGINE_AUTH_TYPE);
        String digest = conf.get(ConfigKeys.HA_ZK_AUTH_DIGEST);
        boolean aclEnabled = conf.get(ConfigKeys.HA_ZK_ACL_ENABLED);
        digest = digest == null || digest.isBlank() ? null : digest.trim();
        if (digest != null) checkDigest(digest, ConfigKeys.HA_ZK_AUTH_DIGEST.name());
        if (aclEnabled && NONE.equals(type)) {
            throw new ConfigException(ConfigKeys.HA_ZK_ACL_ENABLED.name(), ConfigKeys.HA_ZK_ACL_ENABLED.name()
                    + "=true needs " + ConfigKeys.HA_ZK_AUTH_TYPE.name() + "=DIGEST (now NONE) and "
                    + ConfigKeys.HA_ZK_AUTH_DIGEST.name() + "=user:password, or KERBEROS: ACLs protect nodes for an "
                    + "authenticated identity, and NONE has none");
        }
        for (var k : new String[][] {{ConfigKeys.HA_ZK_AUTH_TYPE.name(), type},
                {ConfigKeys.HA_ZK_ENGINE_AUTH_TYPE.name(), engineType}}) {
            if (DIGEST.equals(k[1]) && digest == null) {
                throw new ConfigException(ConfigKeys.HA_ZK_AUTH_DIGEST.name(), k[0] + "=DIGEST needs "
                        + ConfigKeys.HA_ZK_AUTH_DIGEST.name() + "=user:password (the same on every server and for "
                        + "kitsune-ctl)");
            }
        }
        String principal = null;
        String keytab = null;
        if (KERBEROS.equals(type) || KERBEROS.equals(engineType)) {
            String which = (KERBEROS.equals(type) ? ConfigKeys.HA_ZK_AUTH_TYPE : ConfigKeys.HA_ZK_ENGINE_AUTH_TYPE)
                    .name();
            principal = orElse(conf.get(ConfigKeys.HA_ZK_AUTH_PRINCIPAL), conf.get(ConfigKeys.KINIT_PRINCIPAL));
            keytab = orElse(conf.get(ConfigKeys.HA_ZK_AUTH_KEYTAB), conf.get(ConfigKeys.KINIT_KEYTAB));
            String principalKey = ConfigKeys.HA_ZK_AUTH_PRINCIPAL.name();
            String keytabKey = ConfigKeys.HA_ZK_AUTH_KEYTAB.name();
            if (principal == null) {
                throw new ConfigException(principalKey, which + "=KERBEROS needs " + principalKey + " (or "
                        + ConfigKeys.KINIT_PRINCIPAL.name() + "), the principal to log in to ZooKeeper as, e.g. "
                        + "kitsune/_HOST@EXAMPLE.COM");
            }
            if (principal.indexOf('@') < 0 || principal.chars().anyMatch(c -> Character.isWhitespace(c)
                    || Character.isISOControl(c))) {
                throw new ConfigException(principalKey, "Invalid value for " + principalKey + ": '"
                        + principal.replaceAll("\\p{Cntrl}", "?") + "' is not a Kerberos principal of the form "
                        + "name[/host]@REALM, e.g. kitsune/_HOST@EXAMPLE.COM");
            }
            if (keytab == null) {
                throw new ConfigException(keytabKey, which + "=KERBEROS needs " + keytabKey + " (or "
                        + ConfigKeys.KINIT_KEYTAB.name() + "), the keytab of " + principal);
            }
            if (!Files.isRegularFile(Path.of(keytab)) || !Files.isReadable(Path.of(keytab))) {
                throw new ConfigException(keytabKey, keytabKey + "=" + keytab + " is not a readable file; set it to "
                        + "the keytab of " + principal + " (on every machine that runs a server or an engine)");
            }
            principal = expandHost(principal, localHost != null ? localHost : canonicalHostName());
            keytab = Path.of(keytab).toAbsolutePath().normalize().toString();
        }
        String enginePrincipal = null;
        String engineKeytab = null;
        String host = localHost != null ? localHost : (KERBEROS.equals(engineType) ? canonicalHostName() : null);
        if (KERBEROS.equals(engineType)) {
            String which = ConfigKeys.HA_ZK_ENGINE_AUTH_TYPE.name() + "=KERBEROS";
            String principalKey = ConfigKeys.HA_ZK_ENGINE_AUTH_PRINCIPAL.name();
            String keytabKey = ConfigKeys.HA_ZK_ENGINE_AUTH_KEYTAB.name();
            enginePrincipal = orElse(conf.get(ConfigKeys.HA_ZK_ENGINE_AUTH_PRINCIPAL), null);
            engineKeytab = orElse(conf.get(ConfigKeys.HA_ZK_ENGINE_AUTH_KEYTAB), null);
            if (enginePrincipal == null) {
                throw new ConfigException(principalKey, which + " needs " + principalKey + ", the principal engines "
                        + "log in to ZooKeeper as (engines never get the servers' principal), e.g. "
                        + "engine/_HOST@EXAMPLE.COM, and " + keytabKey + ", its keytab");
            }
            if (enginePrincipal.indexOf('@') < 0 || enginePrincipal.chars().anyMatch(c -> Character.isWhitespace(c)
                    || Character.isISOControl(c))) {
                throw new ConfigException(principalKey, "Invalid value for " + principalKey + ": '"
                        + enginePrincipal.replaceAll("\\p{Cntrl}", "?") + "' is not a Kerberos principal of the form "
                        + "name[/host]@REALM, e.g. engine/_HOST@EXAMPLE.COM");
            }
            if (engineKeytab == null) {
                throw new ConfigException(keytabKey, which + " needs " + keytabKey + ", the keytab of "
                        + enginePrincipal);
            }
            if (!Files.isRegularFile(Path.of(engineKeytab)) || !Files.isReadable(Path.of(engineKeytab))) {
                throw new ConfigException(keytabKey, keytabKey + "=" + engineKeytab + " is not a readable file; set it "
                        + "to the keytab of " + enginePrincipal + " (at this path wherever engines run)");
            }
            enginePrincipal = expandHost(enginePrincipal, host);
            engineKeytab = Path.of(engineKeytab).toAbsolutePath().normalize().toString();
            if (enginePrincipal.equals(principal)) {
                throw new ConfigException(principalKey, principalKey + " is the servers' own principal ("
                        + enginePrincipal + "): engines run users' code, so they must log in as a principal of their "
                        + "own; set " + principalKey + " and " + keytabKey + " to another principal and its keytab");
            }
        }
        boolean server = !NONE.equals(type) || aclEnabled;
        boolean engine = server || DIGEST.equals(engineType) || KERBEROS.equals(engineType);
        if (engine && digest == null && enginePrincipal == null) {
            throw new ConfigException(ConfigKeys.HA_ZK_ENGINE_AUTH_TYPE.name(), "ZooKeeper ACLs ("
                    + ConfigKeys.HA_ZK_AUTH_TYPE.name() + "=" + type + ") protect engine spaces, and engines never get "
                    + "the servers' identity: set " + ConfigKeys.HA_ZK_AUTH_DIGEST.name() + " (each engine space then "
                    + "gets a digest identity of its own) or " + ConfigKeys.HA_ZK_ENGINE_AUTH_TYPE.name() + "=KERBEROS "
                    + "with " + ConfigKeys.HA_ZK_ENGINE_AUTH_PRINCIPAL.name() + " and "
                    + ConfigKeys.HA_ZK_ENGINE_AUTH_KEYTAB.name());
        }
        return new ZkAuth(digest, principal, keytab, enginePrincipal, engineKeytab, server, engine);
    }

    /**
     * The identity a server gives the engine it launches into this space (without the node ACL, which the HA bundle
     * adds from the ids the ensemble reports): a digest derived from the servers' digest, the same on every server
     * that shares it, so that any of them can launch into a space whose ACL names it; and the engines' principal.
     * None without engine ACLs.
     *
     * @param spacePath the engine space's path ({@link EngineSpace#path()})
     */
    public EngineZkIdentity engineIdentity(String spacePath) {
        if (!engineAcls) return EngineZkIdentity.NONE;
        return new EngineZkIdentity(digest == null ? null : deriveEngineDigest(digest, spacePath), enginePrincipal,
                enginePrincipal == null ? null : engineKeytab, java.util.List.of());
    }

    /**
     * {@code engine-<40 hex digits of SHA-256(space path)>:<base64url(HMAC-SHA256(servers' digest, space path))>}.
     * The user name says which space an ACL entry is for and is no secret; the password can be computed only with
     * the servers' digest, and one space's password tells nothing about another's or about the servers' digest.
     */
    public static String deriveEngineDigest(String serverDigest, String spacePath) {
        try {
            byte[] path = ("kitsune-engine-zookeeper-identity\0" + spacePath).getBytes(StandardCharsets.UTF_8);
            byte[] hash = java.security.MessageDigest.getInstance("SHA-256").digest(path);
            javax.crypto.Mac mac = javax.crypto.Mac.getInstance("HmacSHA256");
            mac.init(new javax.crypto.spec.SecretKeySpec(serverDigest.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            byte[] password = mac.doFinal(path);
            return ENGINE_USER_PREFIX + java.util.HexFormat.of().formatHex(hash, 0, 20) + ":"
                    + java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(password);
        } catch (java.security.GeneralSecurityException e) {
            throw new IllegalStateException("The JDK has no SHA-256/HmacSHA256: " + e, e);
        }
    }

    private static String orElse(String value, String fallback) {
        if (value != null && !value.isBlank()) return value.trim();
        return fallback == null || fallback.isBlank() ? null : fallback.trim();
    }

    /** Hadoop's _HOST: the host name, lower-case. */
    static String expandHost(String principal, String host) {
        return principal.replace("_HOST", host.toLowerCase(Locale.ROOT));
    }

    private static String canonicalHostName() {
        try {
            return java.net.InetAddress.getLocalHost().getCanonicalHostName();
        } catch (java.io.IOException e) {
            return "localhost";
        }
    }

    private static void checkDigest(String digest, String key) {
        int colon = digest.indexOf(':');
        String user = colon < 0 ? "" : digest.substring(0, colon);
        String password = colon < 0 ? "" : digest.substring(colon + 1);
        boolean control = password.chars().anyMatch(Character::isISOControl);
        if (!USER.matcher(user).matches() || password.isEmpty() || control) {
            throw new ConfigException(key, "Invalid value for "
                    + key + " (not shown): expected user:password, a user name of "
                    + "letters, digits, '.', '_', '-' or '@' and a non-empty password without control characters");
        }
    }

    /** True when the client logs in (with a digest, by Kerberos, or both). */
    public boolean authenticated() {
        return digest != null || principal != null;
    }

    /** True when the client logs in with a digest. */
    public boolean digestAuthenticated() {
        return digest != null;
    }

    /** True when the client logs in by Kerberos (SASL/GSSAPI). */
    public boolean kerberos() {
        return principal != null;
    }

    /** The Kerberos principal, _HOST expanded, or null. */
    public String principal() {
        return principal;
    }

    /** The keytab's absolute path, or null. */
    public String keytab() {
        return keytab;
    }

    /** The engines' Kerberos principal (kyuubi.ha.zookeeper.engine.auth.principal, _HOST expanded), or null. */
    public String enginePrincipal() {
        return enginePrincipal;
    }

    /**
     * With Kerberos, installs (once per principal and keytab) the JAAS section {@link #JAAS_SECTION} the ZooKeeper
     * client logs in with: the JDK's Krb5LoginModule from the keytab, keeping the key so that ZooKeeper's login
     * thread can log in again before the ticket expires. JAAS has one configuration per JVM: the entry is added in
     * front of the one installed before, which still answers every other section.
     *
     * @return the ZKClientConfig properties that point the client at that section (empty without Kerberos)
     */
    public Map<String, String> zkClientProperties() {
        if (principal == null) return Map.of();
        ZkJaas.install(JAAS_SECTION, principal, keytab);
        return Map.of("zookeeper.sasl.clientconfig", JAAS_SECTION, "zookeeper.sasl.client", "true");
    }

    /** The identity to name in messages: the Kerberos principal, else the digest's user name (never the password). */
    public String user() {
        if (principal != null) return principal;
        return digest == null ? null : digest.substring(0, digest.indexOf(':'));
    }

    /** The bytes a ZooKeeper client sends with addAuthInfo("digest", ...), or null when not authenticated. */
    public byte[] digestBytes() {
        return digest == null ? null : digest.getBytes(StandardCharsets.UTF_8);
    }

    /** True when the nodes a server (or kitsune-ctl) creates are protected. */
    public boolean serverAcls() {
        return serverAcls;
    }

    /** True when the nodes an engine creates (its space and its node) are protected. */
    public boolean engineAcls() {
        return engineAcls;
    }

    /**
     * The access for a node a server or kitsune-ctl creates: the session records of the namespace (and their sweep
     * lock and marker, all named {@code /<ns>_sessions...}) are private, every other node readable by all.
     */
    public Access serverAccess(String path, String namespace) {
        if (!serverAcls) return Access.OPEN;
        String sessions = ZkPaths.sessionsPath(namespace);
        return path != null && path.startsWith(sessions) ? Access.PRIVATE : Access.READ_BY_ALL;
    }

    /** The access for the nodes an engine creates: its engine space's parents and its own node. */
    public Access engineAccess() {
        return engineAcls ? Access.READ_BY_ALL : Access.OPEN;
    }

    /** What the log may say about this configuration: the user name, never the password. */
    @Override
    public String toString() {
        return (principal != null ? "ZooKeeper Kerberos principal " + principal + " (keytab " + keytab + ")"
                + (digest == null ? "" : " and digest user " + digest.substring(0, digest.indexOf(':')))
                : digest == null ? "no ZooKeeper authentication" : "ZooKeeper digest user " + user())
                + (enginePrincipal != null ? ", engines as " + enginePrincipal : "")
                + (serverAcls ? ", ACLs on" : engineAcls ? ", ACLs on engine nodes" : ", no ACLs");
    }
}
