package kitsune.frontend.thrift.impl;

import java.io.IOException;
import java.net.Socket;

import org.apache.thrift.transport.TSocket;
import org.apache.thrift.transport.TTransportException;

/** An accepted client socket that can show its first byte without consuming it, to tell what kind of client it is. */
final class ClientSocket extends TSocket {
    ClientSocket(Socket socket) throws TTransportException {
        super(socket);
    }

    /** Waits (up to the socket timeout) for the first byte and returns it, or -1 at end of stream. */
    int firstByte() throws IOException {
        inputStream_.mark(1);
        int b = inputStream_.read();
        inputStream_.reset();
        return b;
    }

    /** What a first byte says about a client that is not speaking the protocol expected. */
    static String describeFirstByte(int b) {
        if (b == 0x01) return "a SASL client (SASL START)";
        if (b >= 0x20 && b < 0x7f) return "text starting with '" + (char) b + "', e.g. an HTTP client";
        return "first byte 0x" + Integer.toHexString(b & 0xff);
    }
}
