package kitsune.ha.impl;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import org.apache.curator.framework.CuratorFramework;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.ZooDefs;
import org.apache.zookeeper.data.ACL;
import org.apache.zookeeper.data.Stat;
import org.apache.zookeeper.server.auth.DigestAuthenticationProvider;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import kitsune.api.registry.DiscoveryException;
import kitsune.api.registry.ZkAuth;

/**
 * With ACLs on, makes sure that what this server reads was written by its own identity. An ACL on a node only says
 * who may change it from now on; what matters is who could create it and its children, i.e. the ACLs of the node and
 * of every ancestor below the root. A path is trusted only when none of them lets another identity write, create,
 * delete or change ACLs ({@link #checkOwned}), so a node planted in an engine space by someone else is never used.
 * {@link #repair()} gives the nodes of this namespace that were created before ACLs were turned on (open to anyone)
 * the ACLs they would get today, once: when the namespace's own node is still open.
 */
final class AclGuard {
    private static final Logger LOG = LoggerFactory.getLogger(AclGuard.class);
    private static final int CHANGES = ZooDefs.Perms.WRITE | ZooDefs.Perms.CREATE | ZooDefs.Perms.DELETE
            | ZooDefs.Perms.ADMIN;

    private final CuratorFramework client;
    private final ZkAuth auth;
    private final String namespace;
    private final ZkAcls acls;
    private volatile Set<String> ownIds;
    /** Engine spaces' paths: {@code /<namespace>_<version>_<SHARE LEVEL>_<TYPE>/<user>/<subdomain>}. */
    private final java.util.regex.Pattern engineSpace;
    /** Open until the first repair pass has run (or failed): checks wait for it rather than refuse old nodes. */
    private final java.util.concurrent.CountDownLatch repaired = new java.util.concurrent.CountDownLatch(1);

    AclGuard(CuratorFramework client, ZkAuth auth, String namespace) {
        this.client = client;
        this.auth = auth;
        this.namespace = namespace;
        this.acls = new ZkAcls(auth, namespace);
        this.engineSpace = java.util.regex.Pattern.compile("/" + java.util.regex.Pattern.quote(
                kitsune.api.registry.ZkPaths.trimSlashes(namespace)) + "_[^/]*_(CONNECTION|USER|GROUP|SERVER)_"
                + "[A-Z][A-Z0-9_]*/[^/]+/[^/]+(?=/|$)");
    }

    /** The engine space a path lies in (the space itself or below it), or null. */
    String engineSpaceOf(String path) {
        java.util.regex.Matcher m = engineSpace.matcher(path);
        return m.lookingAt() ? m.group() : null;
    }

    /**
     * The ids ZooKeeper gives the engine of a space, as "scheme:id": its derived digest (hashed as the ensemble hashes
     * digests; ZooKeeper's default algorithm), else the engines' Kerberos principal, shortened as the ensemble
     * shortens this server's.
     */
    Set<String> engineIds(String spacePath) throws Exception {
        kitsune.api.registry.EngineZkIdentity id = auth.engineIdentity(spacePath);
        if (id.digest() != null) {
            return Set.of(ZkAuth.DIGEST_SCHEME + ":" + DigestAuthenticationProvider.generateDigest(id.digest()));
        }
        if (id.principal() != null) return Set.of(ZkAuth.SASL_SCHEME + ":" + saslName(id.principal()));
        return Set.of();
    }

    /**
     * A principal as the ensemble names it in ACLs: as this server's own principal appears in its probed id (the full
     * name, or without host or realm when the ensemble sets kerberos.removeHostFromPrincipal/RealmFromPrincipal).
     */
    String saslName(String principal) throws Exception {
        String full = auth.principal();
        String mine = null;
        for (String id : ownIds()) {
            if (id.startsWith(ZkAuth.SASL_SCHEME + ":")) mine = id.substring(ZkAuth.SASL_SCHEME.length() + 1);
        }
        if (full == null || mine == null || mine.equals(full)) return principal;
        String name = principal;
        if (full.contains("@") && !mine.contains("@") && name.contains("@")) name = name.substring(0, name.indexOf('@'));
        if (full.contains("/") && !mine.contains("/") && name.contains("/")) {
            int at = name.indexOf('@');
            name = name.substring(0, name.indexOf('/')) + (at > 0 ? name.substring(at) : "");
        }
        return name;
    }

    /**
     * Before a launch into the space: its common parent and user node exist with this server's ACL (everyone reads,
     * only the servers' identity changes them), and the space node lets the space's engine identity create and delete
     * nodes in it, besides the servers' (a CONNECTION space is a container node, which ZooKeeper removes once its
     * engine's node is gone: its engine may not remove it). An existing space node of this server's is given that
     * ACL (spaces from before engines had identities of their own); one of another identity is refused.
     *
     * @return the engine's identity and the ACL of its node: everyone reads, the engine and the servers may do all
     */
    kitsune.api.registry.EngineZkIdentity prepareEngineSpace(kitsune.api.registry.EngineSpace space)
            throws Exception {
        if (!auth.engineAcls()) return kitsune.api.registry.EngineZkIdentity.NONE;
        Set<String> own = ownIds();
        Set<String> engine = engineIds(space.path());
        if (engine.isEmpty()) {
            throw new DiscoveryException("Engines of " + space.path() + " would have no ZooKeeper identity of their "
                    + "own: set kyuubi.ha.zookeeper.auth.digest or kyuubi.ha.zookeeper.engine.auth.type=KERBEROS");
        }
        List<ACL> parent = new ArrayList<>(ZooDefs.Ids.READ_ACL_UNSAFE);
        for (String id : own) parent.add(acl(ZooDefs.Perms.ALL, id));
        List<ACL> spaceAcl = new ArrayList<>(parent);
        for (String id : engine) {
            spaceAcl.add(acl(ZooDefs.Perms.READ | ZooDefs.Perms.CREATE | ZooDefs.Perms.DELETE, id));
        }
        List<String> node = new ArrayList<>();
        node.add(ZooDefs.Perms.READ + ":world:anyone");
        for (String id : engine) node.add(ZooDefs.Perms.ALL + ":" + id);
        for (String id : own) node.add(ZooDefs.Perms.ALL + ":" + id);
        String user = space.commonParent() + "/" + space.routingUser();
        ensure(space.commonParent(), parent, CreateMode.PERSISTENT, false);
        ensure(user, parent, CreateMode.PERSISTENT, false);
        ensure(space.path(), spaceAcl, space.shareLevel() == kitsune.api.engine.ShareLevel.CONNECTION
                ? CreateMode.CONTAINER : CreateMode.PERSISTENT, true);
        return auth.engineIdentity(space.path()).withNodeAcl(node);
    }

    private static ACL acl(int perms, String schemeId) {
        int colon = schemeId.indexOf(':');
        return new ACL(perms, new org.apache.zookeeper.data.Id(schemeId.substring(0, colon),
                schemeId.substring(colon + 1)));
    }

    private void ensure(String path, List<ACL> acl, CreateMode mode, boolean setAcl) throws Exception {
        try {
            client.create().withMode(mode).withACL(acl).forPath(path);
            return;
        } catch (KeeperException.NodeExistsException e) {
            if (!setAcl) return; // its ACL is checked whenever something under it is read
        }
        if (new HashSet<>(client.getACL().forPath(path)).equals(new HashSet<>(acl))) return;
        try {
            client.setACL().withACL(acl).forPath(path);
            LOG.info("The engine space {} now lets its engine's own ZooKeeper identity register in it", path);
        } catch (KeeperException.NoAuthException e) {
            throw new DiscoveryException("Refusing to launch into " + path + ": the znode belongs to another ZooKeeper "
                    + "identity than this server's (" + auth.user() + "); delete it (as its owner or ZooKeeper's "
                    + "super user) and Kitsune re-creates it protected");
        }
    }

    boolean active() {
        return auth.serverAcls();
    }

    /**
     * The ids ZooKeeper gives this client, as scheme:id ("digest:user:hash", "sasl:principal"), as the ensemble
     * computes them (its digest algorithm may not be ZooKeeper's default, its SASL provider may shorten principals):
     * the ACL of an ephemeral probe node created with the creator's ACL. Where no such node can be created (a root
     * closed to this identity), computed here: the digest with the default algorithm, the full principal.
     */
    Set<String> ownIds() throws Exception {
        Set<String> ids = ownIds;
        if (ids != null) return ids;
        ids = new HashSet<>();
        String probe = null;
        try {
            probe = client.create().withProtection().withMode(CreateMode.EPHEMERAL_SEQUENTIAL)
                    .withACL(ZooDefs.Ids.CREATOR_ALL_ACL).forPath("/" + namespace.replace('/', '_') + "_whoami-");
            for (ACL a : client.getACL().forPath(probe)) {
                String scheme = a.getId().getScheme();
                if (ZkAuth.DIGEST_SCHEME.equals(scheme) || ZkAuth.SASL_SCHEME.equals(scheme)) {
                    ids.add(scheme + ":" + a.getId().getId());
                }
            }
        } catch (KeeperException.NoAuthException | KeeperException.InvalidACLException e) {
            if (auth.digestAuthenticated()) {
                ids.add(ZkAuth.DIGEST_SCHEME + ":" + DigestAuthenticationProvider.generateDigest(new String(
                        auth.digestBytes(), java.nio.charset.StandardCharsets.UTF_8)));
            }
            if (auth.kerberos()) ids.add(ZkAuth.SASL_SCHEME + ":" + auth.principal());
        } finally {
            if (probe != null) {
                try {
                    client.delete().forPath(probe);
                } catch (KeeperException.NoNodeException gone) {
                    // ephemeral anyway
                }
            }
        }
        if (ids.isEmpty()) {
            throw new DiscoveryException(auth.kerberos()
                    ? "ZooKeeper did not authenticate this server as " + auth.user() + " by SASL: check "
                    + "kyuubi.ha.zookeeper.auth.principal/keytab, krb5.conf, and that the ensemble sets authProvider.1="
                    + "org.apache.zookeeper.server.auth.SASLAuthenticationProvider"
                    : "ZooKeeper did not accept this server's digest identity (user "
                    + auth.user() + "): check kyuubi.ha.zookeeper.auth.digest and that the ensemble enables the "
                    + "digest authentication provider");
        }
        ownIds = Set.copyOf(ids);
        return ownIds;
    }

    /** The first ACL entry that lets an identity other than this server's change the node, or null. */
    String foreignWriter(List<ACL> acl, Set<String> own) {
        for (ACL a : acl) {
            if ((a.getPerms() & CHANGES) == 0) continue;
            if (own.contains(a.getId().getScheme() + ":" + a.getId().getId())) continue;
            String id = a.getId().getId();
            if (ZkAuth.DIGEST_SCHEME.equals(a.getId().getScheme()) && id.indexOf(':') > 0) {
                id = id.substring(0, id.indexOf(':')) + ":…"; // the user, not the password hash
            }
            return a.getId().getScheme() + ":" + id;
        }
        return null;
    }

    /**
     * @param waitMs how long to wait for a first repair pass still running
     * @throws DiscoveryException naming the node and the identity when the path or an ancestor can be changed by
     *                            another identity; a path not there yet passes (only its creator matters, and the
     *                            ancestors that exist are checked)
     */
    void checkOwned(String path, long waitMs) throws Exception {
        if (!active()) return;
        repaired.await(waitMs, java.util.concurrent.TimeUnit.MILLISECONDS);
        Set<String> own = ownIds();
        String space = engineSpaceOf(path);
        Set<String> inSpace = own;
        if (space != null) {
            inSpace = new HashSet<>(own);
            inSpace.addAll(engineIds(space));
        }
        for (String p = path; p.length() > 1; p = p.substring(0, Math.max(1, p.lastIndexOf('/')))) {
            List<ACL> acl;
            try {
                acl = client.getACL().forPath(p);
            } catch (KeeperException.NoNodeException e) {
                continue;
            }
            // in an engine space, the space's engine identity (and only that one) may change the space and its nodes
            String foreign = foreignWriter(acl, space != null && p.length() >= space.length() ? inSpace : own);
            if (foreign != null) {
                throw new DiscoveryException("Refusing " + path + ": the znode " + p + " can be changed by " + foreign
                        + ", not only by this server's ZooKeeper identity (" + auth.user() + "), so what is under it "
                        + "may have been planted; delete " + p + " (as its owner or ZooKeeper's super user) and "
                        + "Kitsune re-creates it protected");
            }
        }
    }

    /**
     * Sets today's ACLs on the persistent nodes of this namespace that still let others change them, when ACLs are
     * turned on for the first time (the namespace's node is still open); later, an open node was created by someone
     * else since and stays refused by {@link #checkOwned}. Nodes of another identity that this server may not change are named in one WARN line each.
     *
     * @return how many nodes were protected
     */
    int repair() throws Exception {
        if (!active()) return 0;
        Set<String> own = ownIds();
        int fixed = 0;
        try {
            if (foreignWriter(client.getACL().forPath("/" + namespace), own) == null) {
                // ACLs were on before: anything open now was created since by someone else, and is not adopted
                return 0;
            }
        } catch (KeeperException.NoNodeException e) {
            return 0; // a new namespace: every node will be created protected
        }
        // the namespace's node and its siblings named <namespace>_...: engine spaces, locks, session records
        String nsPath = "/" + namespace;
        int slash = nsPath.lastIndexOf('/');
        String parent = slash == 0 ? "/" : nsPath.substring(0, slash);
        String base = nsPath.substring(slash + 1);
        List<String> roots = new ArrayList<>();
        try {
            for (String child : client.getChildren().forPath(parent)) {
                if (child.equals(base) || child.startsWith(base + "_")) {
                    roots.add(parent.equals("/") ? "/" + child : parent + "/" + child);
                }
            }
        } catch (KeeperException.NoNodeException e) {
            return 0;
        }
        for (String root : roots) fixed += repair(root, own);
        return fixed;
    }

    /** Runs {@link #repair()} once (at start, when connected), logging the outcome; checks wait for it. */
    void repairOnce() {
        try {
            int n = repair();
            if (n > 0) {
                LOG.info("ZooKeeper ACLs turned on for namespace {}: {} existing znode(s) now writable by {} only",
                        namespace, n, auth.user());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            LOG.warn("Could not protect the existing znodes of namespace {}: {}", namespace, e.toString());
        } finally {
            repaired.countDown();
        }
    }

    private int repair(String path, Set<String> own) throws Exception {
        Stat stat = new Stat();
        List<ACL> acl;
        try {
            acl = client.getACL().storingStatIn(stat).forPath(path);
        } catch (KeeperException.NoNodeException e) {
            return 0;
        }
        if (stat.getEphemeralOwner() != 0) return 0; // a live server's or engine's node: its owner's business
        int fixed = 0;
        if (foreignWriter(acl, own) != null) {
            try {
                client.setACL().withACL(acls.getAclForPath(path)).forPath(path);
                fixed++;
            } catch (KeeperException.NoAuthException e) {
                LOG.warn("The znode {} can be changed by {} and this server may not protect it: delete it (as its "
                        + "owner or ZooKeeper's super user) so that Kitsune re-creates it with its ACLs", path,
                        foreignWriter(acl, own));
                return 0;
            } catch (KeeperException.NoNodeException e) {
                return 0;
            }
        }
        List<String> children;
        try {
            children = client.getChildren().forPath(path);
        } catch (KeeperException.NoNodeException e) {
            return fixed;
        }
        for (String c : children) fixed += repair(path + "/" + c, own);
        return fixed;
    }
}
