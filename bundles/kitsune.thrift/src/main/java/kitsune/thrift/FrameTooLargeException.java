package kitsune.thrift;

import org.apache.thrift.transport.TTransportException;

/** A peer announced a frame larger than the configured maximum; the connection cannot be read any further. */
public class FrameTooLargeException extends TTransportException {
    private static final long serialVersionUID = 1L;
    private final long size;

    public FrameTooLargeException(long size, long max) {
        super(CORRUPTED_DATA, "Frame of " + size + " bytes exceeds the maximum message size of " + max + " bytes");
        this.size = size;
    }

    /** The announced frame size. */
    public long size() {
        return size;
    }
}
