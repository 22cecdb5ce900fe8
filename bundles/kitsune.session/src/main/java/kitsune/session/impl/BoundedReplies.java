package kitsune.session.impl;

import org.apache.thrift.TConfiguration;
import org.apache.thrift.transport.TTransport;
import org.apache.thrift.transport.TTransportException;

import kitsune.api.conf.ConfigKeys;

/**
 * The transport of one connection to an engine, bounding what the server reads for one call: the bytes of a reply
 * (counted from the call's start) and any size a reply announces (a string, a binary value, a list's elements) may
 * not exceed kitsune.engine.reply.max.bytes together. Thrift's own message size limit does not do this on a raw
 * socket, which never counts what it reads, so one reply of many values could fill the heap. Beyond the bound the
 * read fails naming the key; the connection is then broken (the rest of the reply is unread) and closed.
 */
final class BoundedReplies extends TTransport {
    private final TTransport inner;
    private final long maxBytes;
    private long read;

    BoundedReplies(TTransport inner, long maxBytes) {
        this.inner = inner;
        this.maxBytes = maxBytes;
    }

    /** A new call starts: its reply is counted from zero. */
    void startCall() {
        read = 0;
    }

    @Override
    public int read(byte[] buf, int off, int len) throws TTransportException {
        int n = inner.read(buf, off, len);
        if (n > 0) {
            read += n;
            if (read > maxBytes) throw tooLarge(read);
        }
        return n;
    }

    @Override
    public void checkReadBytesAvailable(long numBytes) throws TTransportException {
        if (numBytes > maxBytes - read) throw tooLarge(read + numBytes);
        inner.checkReadBytesAvailable(numBytes);
    }

    private TTransportException tooLarge(long bytes) {
        return new TTransportException(TTransportException.CORRUPTED_DATA, "the engine's reply is larger than "
                + ConfigKeys.ENGINE_REPLY_MAX_BYTES.name() + "=" + maxBytes + " bytes (at least " + bytes
                + "); fetch fewer rows at a time or ask the operator to raise it");
    }

    @Override
    public boolean isOpen() {
        return inner.isOpen();
    }

    @Override
    public void open() throws TTransportException {
        inner.open();
    }

    @Override
    public void close() {
        inner.close();
    }

    @Override
    public void write(byte[] buf, int off, int len) throws TTransportException {
        inner.write(buf, off, len);
    }

    @Override
    public void flush() throws TTransportException {
        inner.flush();
    }

    @Override
    public TConfiguration getConfiguration() {
        return inner.getConfiguration();
    }

    @Override
    public void updateKnownMessageSize(long size) throws TTransportException {
        inner.updateKnownMessageSize(size);
    }
}
