package kitsune.auth.impl;

import java.io.IOException;
import java.net.InetAddress;
import java.net.Socket;
import java.util.concurrent.atomic.AtomicBoolean;

import javax.net.SocketFactory;
import javax.net.ssl.SSLSocketFactory;

/**
 * The socket factory JNDI is given for ldaps:// with kitsune.authentication.ldap.truststore.path, and for ldap:// with
 * StartTLS: JNDI takes a class name and calls its static {@link #getDefault()}, so the login's sockets travel in a
 * thread-local set around the connect ({@link #using}). JNDI still checks the server's name against its certificate.
 */
public final class LdapSocketFactory extends SocketFactory {
    private static final ThreadLocal<SocketFactory> CURRENT = new ThreadLocal<>();
    private final SocketFactory tls;

    private LdapSocketFactory(SocketFactory tls) {
        this.tls = tls;
    }

    /** Called by JNDI, on the thread that connects. */
    public static SocketFactory getDefault() {
        SocketFactory sockets = CURRENT.get();
        return new LdapSocketFactory(sockets != null ? sockets : SSLSocketFactory.getDefault());
    }

    /**
     * Plain sockets for StartTLS, for one connection only: that connection starts TLS before its bind. Should JNDI
     * open a second one (it reconnects when it cannot bind again on the first), the second is refused: a bind must
     * never go out on a connection that did not start TLS.
     */
    static SocketFactory oneConnection() {
        return new SocketFactory() {
            private final AtomicBoolean used = new AtomicBoolean();

            private SocketFactory claim() throws IOException {
                if (used.getAndSet(true)) {
                    throw new IOException("a second connection, which would not have started TLS, was refused");
                }
                return SocketFactory.getDefault();
            }

            @Override
            public Socket createSocket() throws IOException {
                return claim().createSocket();
            }

            @Override
            public Socket createSocket(String host, int port) throws IOException {
                return claim().createSocket(host, port);
            }

            @Override
            public Socket createSocket(String host, int port, InetAddress localHost, int localPort)
                    throws IOException {
                return claim().createSocket(host, port, localHost, localPort);
            }

            @Override
            public Socket createSocket(InetAddress host, int port) throws IOException {
                return claim().createSocket(host, port);
            }

            @Override
            public Socket createSocket(InetAddress address, int port, InetAddress localAddress, int localPort)
                    throws IOException {
                return claim().createSocket(address, port, localAddress, localPort);
            }
        };
    }

    interface Connect<T, E extends Exception> {
        T run() throws E;
    }

    /** Runs a connect with {@code sockets} as the factory JNDI gets. */
    static <T, E extends Exception> T using(SocketFactory sockets, Connect<T, E> connect) throws E {
        CURRENT.set(sockets);
        try {
            return connect.run();
        } finally {
            CURRENT.remove();
        }
    }

    @Override
    public Socket createSocket() throws IOException {
        return tls.createSocket();
    }

    @Override
    public Socket createSocket(String host, int port) throws IOException {
        return tls.createSocket(host, port);
    }

    @Override
    public Socket createSocket(String host, int port, InetAddress localHost, int localPort) throws IOException {
        return tls.createSocket(host, port, localHost, localPort);
    }

    @Override
    public Socket createSocket(InetAddress host, int port) throws IOException {
        return tls.createSocket(host, port);
    }

    @Override
    public Socket createSocket(InetAddress address, int port, InetAddress localAddress, int localPort)
            throws IOException {
        return tls.createSocket(address, port, localAddress, localPort);
    }
}
