package kitsune.testkit;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.apache.zookeeper.Watcher;
import org.apache.zookeeper.ZooKeeper;

/** A plain ZooKeeper client for looking at what servers and engines registered. */
public final class Zk {
    private Zk() {
    }

    /**
     * host:port of a registered node's data: {@code host:port}, or Hive's key=value form that engines write
     * ({@code hive.server2.thrift.bind.host=h;hive.server2.thrift.port=p;...}).
     */
    public static String hostPort(byte[] data) {
        String d = new String(data, java.nio.charset.StandardCharsets.UTF_8).trim();
        if (!d.contains("=")) return d;
        String host = null;
        String port = null;
        for (String part : d.split(";")) {
            if (part.startsWith("hive.server2.thrift.bind.host=")) host = part.substring(part.indexOf('=') + 1);
            if (part.startsWith("hive.server2.thrift.port=")) port = part.substring(part.indexOf('=') + 1);
        }
        return host + ":" + port;
    }

    public static ZooKeeper connect(String connectString) throws Exception {
        CountDownLatch connected = new CountDownLatch(1);
        ZooKeeper zk = new ZooKeeper(connectString, 30_000, e -> {
            if (e.getState() == Watcher.Event.KeeperState.SyncConnected) connected.countDown();
        });
        if (!connected.await(30, TimeUnit.SECONDS)) {
            zk.close();
            throw new AssertionError("cannot connect to ZooKeeper at " + connectString);
        }
        return zk;
    }
}
