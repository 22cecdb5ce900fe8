package kitsune.api.batch;

/** The metadata store could not be read or written; the message names the store and the cause. */
public class BatchStoreException extends Exception {
    private static final long serialVersionUID = 1L;

    public BatchStoreException(String message, Throwable cause) {
        super(message, cause);
    }
}
