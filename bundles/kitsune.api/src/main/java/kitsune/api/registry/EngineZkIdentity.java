package kitsune.api.registry;

import java.util.List;

/**
 * The ZooKeeper identity a server hands to one engine it launches, never the servers' own: a digest derived for the
 * engine's space ({@link ZkAuth#engineIdentity}), a Kerberos principal and keytab path of the engines' own
 * (kyuubi.ha.zookeeper.engine.auth.principal/keytab), and the ACL the engine gives its node. {@link #toString()}
 * never shows the digest's password.
 *
 * @param digest    {@code engine-<hash>:<password>}, or null
 * @param principal the engines' Kerberos principal (_HOST expanded), or null
 * @param keytab    its keytab's path, or null
 * @param nodeAcl   the engine node's ACL as {@code perms:scheme:id} entries; empty: no ACLs (open, as without them)
 */
public record EngineZkIdentity(String digest, String principal, String keytab, List<String> nodeAcl) {
    /** No identity, no ACLs. */
    public static final EngineZkIdentity NONE = new EngineZkIdentity(null, null, null, List.of());

    public EngineZkIdentity {
        nodeAcl = nodeAcl == null ? List.of() : List.copyOf(nodeAcl);
    }

    /** The same identity, its node protected by this ACL. */
    public EngineZkIdentity withNodeAcl(List<String> acl) {
        return new EngineZkIdentity(digest, principal, keytab, acl);
    }

    /** The digest's user name, or null. */
    public String digestUser() {
        return digest == null ? null : digest.substring(0, digest.indexOf(':'));
    }

    @Override
    public String toString() {
        return "engine ZooKeeper identity" + (digest != null ? " digest user " + digestUser() : "")
                + (principal != null ? " principal " + principal : "")
                + (digest == null && principal == null ? " none" : "") + (nodeAcl.isEmpty() ? ", no ACLs" : ", ACLs on");
    }
}
