package kitsune.api.batch;

/** A batch's state, as Kyuubi names it. */
public enum BatchState {
    /** Accepted and recorded; the application is being submitted or starting. */
    PENDING,
    /** The application runs. */
    RUNNING,
    /** The application ended successfully. */
    FINISHED,
    /** The submission or the application failed (or its server lost it). */
    ERROR,
    /** Killed on a client's request. */
    CANCELED;

    /** True for the states a batch never leaves. */
    public boolean terminal() {
        return this == FINISHED || this == ERROR || this == CANCELED;
    }
}
