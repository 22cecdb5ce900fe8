package kitsune.frontend.thrift.impl;

import java.net.InetSocketAddress;
import java.net.SocketAddress;

import io.netty.channel.Channel;

/** Names the remote end of a connection, in logs and in the client context. */
final class Peers {
    private Peers() {
    }

    /** "ip:port" of the remote end, or "unknown peer". */
    static String describe(Channel channel) {
        SocketAddress a = channel.remoteAddress();
        if (a instanceof InetSocketAddress inet && inet.getAddress() != null) {
            return inet.getAddress().getHostAddress() + ":" + inet.getPort();
        }
        return "unknown peer";
    }

    /** The remote IP address, or null. */
    static String address(Channel channel) {
        SocketAddress a = channel.remoteAddress();
        return a instanceof InetSocketAddress inet && inet.getAddress() != null ? inet.getAddress().getHostAddress()
                : null;
    }
}
