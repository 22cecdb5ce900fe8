package kitsune.frontend.thrift.impl;

import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketAddress;

import org.apache.thrift.transport.TSaslServerTransport;
import org.apache.thrift.transport.TSocket;
import org.apache.thrift.transport.TTransport;

/** Finds the socket under a server-side transport, to name the peer in logs and contexts. */
final class Peers {
    private Peers() {
    }

    static Socket socket(TTransport transport) {
        TTransport t = transport instanceof TSaslServerTransport sasl ? sasl.getUnderlyingTransport() : transport;
        return t instanceof TSocket s ? s.getSocket() : null;
    }

    /** "ip:port" of the remote end, or "unknown peer". */
    static String describe(TTransport transport) {
        Socket s = socket(transport);
        SocketAddress a = s == null ? null : s.getRemoteSocketAddress();
        if (a instanceof InetSocketAddress inet) {
            return inet.getAddress().getHostAddress() + ":" + inet.getPort();
        }
        return "unknown peer";
    }

    /** The remote IP address, or null. */
    static String address(TTransport transport) {
        Socket s = socket(transport);
        return s == null || s.getInetAddress() == null ? null : s.getInetAddress().getHostAddress();
    }
}
