package kitsune.auth.impl;

import java.io.IOException;
import java.net.InetAddress;
import java.net.Socket;

import javax.net.SocketFactory;
import javax.net.ssl.SSLSocketFactory;

/**
 * The socket factory JNDI is given for ldaps:// with kitsune.authentication.ldap.truststore.path: JNDI takes a class
 * name and calls its static {@link #getDefault()}, so the login's TLS settings travel in a thread-local set around
 * the connect ({@link #using}). JNDI still checks the server's name against its certificate.
 */
public final class LdapSocketFactory extends SocketFactory {
    private static final ThreadLocal<SSLSocketFactory> CURRENT = new ThreadLocal<>();
    private final SSLSocketFactory tls;

    private LdapSocketFactory(SSLSocketFactory tls) {
        this.tls = tls;
    }

    /** Called by JNDI, on the thread that connects. */
    public static SocketFactory getDefault() {
        SSLSocketFactory tls = CURRENT.get();
        return new LdapSocketFactory(tls != null ? tls : (SSLSocketFactory) SSLSocketFactory.getDefault());
    }

    interface Connect<T, E extends Exception> {
        T run() throws E;
    }

    /** Runs a connect with {@code tls} as the factory JNDI gets. */
    static <T, E extends Exception> T using(SSLSocketFactory tls, Connect<T, E> connect) throws E {
        CURRENT.set(tls);
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
