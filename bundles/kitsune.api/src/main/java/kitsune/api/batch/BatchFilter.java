package kitsune.api.batch;

/**
 * Which batches a listing returns (Kyuubi's GET /batches parameters), newest first unless {@code oldestFirst}.
 *
 * @param batchType       only this type, or null
 * @param user            only this user's, or null for every user's
 * @param state           only in this state, or null
 * @param createdFrom     only created at or after this epoch millisecond (0: any)
 * @param endedBefore     only ended at or before this epoch millisecond (0: any; a batch not ended never matches a
 *                        bound)
 * @param from            rows to skip
 * @param size            rows to return at most
 * @param name            only batches of exactly this name (Kyuubi's batchName), or null
 * @param oldestFirst     in order of creation (Kyuubi's desc=false) instead of newest first
 */
public record BatchFilter(String batchType, String user, BatchState state, long createdFrom, long endedBefore,
        int from, int size, String name, boolean oldestFirst) {
    public BatchFilter {
        if (from < 0) throw new IllegalArgumentException("from must not be negative: " + from);
        if (size < 0) throw new IllegalArgumentException("size must not be negative: " + size);
    }

    /** Any name, newest first. */
    public BatchFilter(String batchType, String user, BatchState state, long createdFrom, long endedBefore, int from,
            int size) {
        this(batchType, user, state, createdFrom, endedBefore, from, size, null, false);
    }

    /** Every batch of one user (null: of everyone), at most size. */
    public static BatchFilter ofUser(String user, int size) {
        return new BatchFilter(null, user, null, 0, 0, 0, size);
    }
}
