package kitsune.api.batch;

import java.util.List;
import java.util.Optional;

import org.osgi.annotation.versioning.ProviderType;

/**
 * Batch metadata in a store every server of the namespace shares (a database through JDBC), so that any server can
 * answer for any batch and pick up the batches of a server that is gone.
 */
@ProviderType
public interface BatchStore {
    /** Records a new batch. */
    void insert(Batch batch) throws BatchStoreException;

    /** The batch with this id, or empty. */
    Optional<Batch> get(String id) throws BatchStoreException;

    /** The batches matching the filter, newest first. */
    List<Batch> list(BatchFilter filter) throws BatchStoreException;

    /**
     * Writes the batch's state, application fields and end time, only while it is owned by
     * {@code batch.kyuubiInstance()} and not already in a terminal state.
     *
     * @return false when the row was not changed (gone, finished, or owned by another server now)
     */
    boolean update(Batch batch) throws BatchStoreException;

    /**
     * Makes {@code newOwner} the owner of an unfinished batch, only if {@code expectedOwner} still owns it and has not
     * said it is alive ({@link #heartbeat}) since {@code staleBefore}: of several servers picking up the same batch,
     * one wins, and a server that is alive but not registered (draining) keeps its batches.
     */
    boolean claim(String id, String expectedOwner, String newOwner, long staleBefore) throws BatchStoreException;

    /** The owner says it still follows its unfinished batches; returns how many it owns. */
    int heartbeat(String owner, long now) throws BatchStoreException;

    /** Every batch not in a terminal state. */
    List<Batch> unfinished() throws BatchStoreException;

    /** Removes the batches that ended before this epoch millisecond; returns how many. */
    int removeEndedBefore(long epochMillis) throws BatchStoreException;
}
