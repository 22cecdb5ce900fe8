package kitsune.api.registry;

import java.nio.charset.StandardCharsets;
import java.util.regex.Pattern;

import kitsune.api.conf.ConfigException;
import kitsune.api.conf.ConfigKeys;
import kitsune.api.conf.KitsuneConf;

/**
 * How every ZooKeeper client of Kitsune (server, engine, kitsune-ctl, console) authenticates and which ACLs the nodes
 * it creates get, read once from kyuubi.ha.zookeeper.auth.type, .engine.auth.type, .auth.digest and .acl.enabled.
 * The same configuration gives the same answers in every process, so an engine writes its nodes with the identity
 * and ACLs of the server that launched it.
 * <ul>
 * <li>A client authenticates (ZooKeeper's digest scheme) whenever a digest is configured, as Kyuubi's does.</li>
 * <li>Server ACLs are on with any auth type but NONE (as in Kyuubi) or with acl.enabled=true; engine ACLs are on
 * with the server's, or with engine.auth.type=DIGEST.</li>
 * <li>With ACLs, nodes are writable, deletable and open to children only for the creating identity; service
 * discovery nodes stay readable by anyone (the Hive driver reads them without logging in), session records are not.
 * </li>
 * </ul>
 * The digest never appears in {@link #toString()} or an error message.
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

    private static final Pattern USER = Pattern.compile("[A-Za-z0-9._@-]{1,128}");

    private final String digest;
    private final boolean serverAcls;
    private final boolean engineAcls;

    private ZkAuth(String digest, boolean serverAcls, boolean engineAcls) {
        this.digest = digest;
        this.serverAcls = serverAcls;
        this.engineAcls = engineAcls;
    }

    /** No authentication, no ACLs: what Kitsune did before these keys. */
    public static ZkAuth none() {
        return new ZkAuth(null, false, false);
    }

    /**
     * Reads and checks the four keys.
     *
     * @throws ConfigException one line naming the key(s) and the fix: KERBEROS (not available yet), DIGEST without a
     *                         digest, ACLs without an identity, a malformed digest (its value is not shown)
     */
    public static ZkAuth from(KitsuneConf conf) {
        String type = conf.get(ConfigKeys.HA_ZK_AUTH_TYPE);
        String engineType = conf.get(ConfigKeys.HA_ZK_ENGINE_AUTH_TYPE);
        String digest = conf.get(ConfigKeys.HA_ZK_AUTH_DIGEST);
        boolean aclEnabled = conf.get(ConfigKeys.HA_ZK_ACL_ENABLED);
        refuseKerberos(ConfigKeys.HA_ZK_AUTH_TYPE.name(), type);
        refuseKerberos(ConfigKeys.HA_ZK_ENGINE_AUTH_TYPE.name(), engineType);
        digest = digest == null || digest.isBlank() ? null : digest.trim();
        if (digest != null) checkDigest(digest);
        if (aclEnabled && NONE.equals(type)) {
            throw new ConfigException(ConfigKeys.HA_ZK_ACL_ENABLED.name(), ConfigKeys.HA_ZK_ACL_ENABLED.name()
                    + "=true needs " + ConfigKeys.HA_ZK_AUTH_TYPE.name() + "=DIGEST (now NONE) and "
                    + ConfigKeys.HA_ZK_AUTH_DIGEST.name() + "=user:password: ACLs protect nodes for an "
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
        boolean server = !NONE.equals(type) || aclEnabled;
        return new ZkAuth(digest, server, server || DIGEST.equals(engineType));
    }

    private static void refuseKerberos(String key, String value) {
        if (KERBEROS.equals(value)) {
            throw new ConfigException(key, key + "=KERBEROS is not available yet (Kitsune has no Kerberos support): "
                    + "use DIGEST with " + ConfigKeys.HA_ZK_AUTH_DIGEST.name() + "=user:password, or NONE");
        }
    }

    private static void checkDigest(String digest) {
        int colon = digest.indexOf(':');
        String user = colon < 0 ? "" : digest.substring(0, colon);
        String password = colon < 0 ? "" : digest.substring(colon + 1);
        boolean control = password.chars().anyMatch(Character::isISOControl);
        if (!USER.matcher(user).matches() || password.isEmpty() || control) {
            throw new ConfigException(ConfigKeys.HA_ZK_AUTH_DIGEST.name(), "Invalid value for "
                    + ConfigKeys.HA_ZK_AUTH_DIGEST.name() + " (not shown): expected user:password, a user name of "
                    + "letters, digits, '.', '_', '-' or '@' and a non-empty password without control characters");
        }
    }

    /** True when the client logs in with a digest. */
    public boolean authenticated() {
        return digest != null;
    }

    /** The digest's user name (never the password), or null. */
    public String user() {
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
        return (digest == null ? "no ZooKeeper authentication" : "ZooKeeper digest user " + user())
                + (serverAcls ? ", ACLs on" : engineAcls ? ", ACLs on engine nodes" : ", no ACLs");
    }
}
