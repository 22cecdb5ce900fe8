package kitsune.ha.impl;

import java.util.ArrayList;
import java.util.List;

import org.apache.curator.framework.api.ACLProvider;
import org.apache.zookeeper.ZooDefs;
import org.apache.zookeeper.data.ACL;

import kitsune.api.registry.ZkAuth;

/**
 * The ACLs of every node this server creates, parents included (Curator asks the provider for each one): open without
 * ACLs; otherwise everything for the creating identity (ZooKeeper's "auth" scheme, expanded by the ensemble to this
 * client's digest id) plus, except for the session records, reading for anyone.
 */
final class ZkAcls implements ACLProvider {
    private final ZkAuth auth;
    private final String namespace;

    ZkAcls(ZkAuth auth, String namespace) {
        this.auth = auth;
        this.namespace = namespace;
    }

    static List<ACL> of(ZkAuth.Access access) {
        return switch (access) {
            case OPEN -> ZooDefs.Ids.OPEN_ACL_UNSAFE;
            case PRIVATE -> ZooDefs.Ids.CREATOR_ALL_ACL;
            case READ_BY_ALL -> {
                List<ACL> acl = new ArrayList<>(ZooDefs.Ids.READ_ACL_UNSAFE);
                acl.addAll(ZooDefs.Ids.CREATOR_ALL_ACL);
                yield java.util.Collections.unmodifiableList(acl); // ZooKeeper asks contains(null)
            }
        };
    }

    @Override
    public List<ACL> getDefaultAcl() {
        return of(auth.serverAccess("/", namespace));
    }

    @Override
    public List<ACL> getAclForPath(String path) {
        return of(auth.serverAccess(path, namespace));
    }
}
