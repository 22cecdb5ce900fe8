package kitsune.frontend.thrift.impl;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import org.apache.thrift.transport.TServerTransport;
import org.apache.thrift.transport.TSocket;
import org.apache.thrift.transport.TTransport;
import org.apache.thrift.transport.TTransportException;

import kitsune.api.conf.ConfigKeys;

/**
 * The listening socket as TThreadPoolServer sees it: hands on only connections the worker pool has room for
 * (others are refused with a reason), and remembers open client sockets so that stopping the server can close them
 * (TThreadPoolServer alone would wait for each client to hang up).
 */
final class AdmittingServerTransport extends TServerTransport {
    private final ServerSocket serverSocket;
    private final WorkerPool pool;
    private final ConnectionRefuser refuser;
    private final Set<TSocket> open = ConcurrentHashMap.newKeySet();

    /** @param serverSocket bound already, so that a taken port is reported before anything starts */
    AdmittingServerTransport(ServerSocket serverSocket, WorkerPool pool, ConnectionRefuser refuser) {
        this.serverSocket = serverSocket;
        this.pool = pool;
        this.refuser = refuser;
    }

    @Override
    public void listen() {
        // bound in the constructor's caller
    }

    @Override
    public TTransport accept() throws TTransportException {
        while (true) {
            ClientSocket client = new ClientSocket(acceptSocket());
            if (pool.tryAdmit()) {
                open.removeIf(s -> !s.isOpen());
                open.add(client);
                return client;
            }
            refuser.refuse(client, "Kitsune server is busy: all " + pool.maxConnections()
                    + " connection threads are in use (" + ConfigKeys.THRIFT_MAX_WORKERS.name() + "="
                    + pool.maxConnections() + "); try again later or connect to another server");
        }
    }

    private Socket acceptSocket() throws TTransportException {
        try {
            Socket s = serverSocket.accept();
            s.setTcpNoDelay(true);
            return s;
        } catch (IOException e) {
            throw new TTransportException(TTransportException.NOT_OPEN, "accept failed: " + e.getMessage(), e);
        }
    }

    @Override
    public void close() {
        try {
            serverSocket.close();
        } catch (IOException ignored) {
            // closing is all that was asked
        }
    }

    @Override
    public void interrupt() {
        close(); // unblocks accept()
    }

    /** Closes every client connection still open. */
    void closeClients() {
        open.forEach(TSocket::close);
        open.clear();
    }
}
