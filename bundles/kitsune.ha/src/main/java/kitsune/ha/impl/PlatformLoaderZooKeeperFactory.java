package kitsune.ha.impl;

import org.apache.curator.utils.ZookeeperFactory;
import org.apache.zookeeper.Watcher;
import org.apache.zookeeper.ZooKeeper;
import org.apache.zookeeper.admin.ZooKeeperAdmin;
import org.apache.zookeeper.client.ZKClientConfig;

/**
 * Creates the ZooKeeper client (as Curator's default factory does) with the platform class loader as the thread
 * context class loader: the client's connection thread inherits it and its Kerberos login (JAAS LoginContext) loads
 * the JDK's Krb5LoginModule through it, which a bundle's class loader does not see.
 */
final class PlatformLoaderZooKeeperFactory implements ZookeeperFactory {
    @Override
    public ZooKeeper newZooKeeper(String connectString, int sessionTimeout, Watcher watcher, boolean canBeReadOnly)
            throws Exception {
        return newZooKeeper(connectString, sessionTimeout, watcher, canBeReadOnly, new ZKClientConfig());
    }

    @Override
    public ZooKeeper newZooKeeper(String connectString, int sessionTimeout, Watcher watcher, boolean canBeReadOnly,
            ZKClientConfig config) throws Exception {
        Thread thread = Thread.currentThread();
        ClassLoader previous = thread.getContextClassLoader();
        thread.setContextClassLoader(ClassLoader.getPlatformClassLoader());
        try {
            return new ZooKeeperAdmin(connectString, sessionTimeout, watcher, canBeReadOnly, config);
        } finally {
            thread.setContextClassLoader(previous);
        }
    }
}
