package kitsune.api.batch;

import java.nio.file.Path;

import org.osgi.annotation.versioning.ProviderType;

/** One batch's application as its launcher follows it. */
@ProviderType
public interface BatchApplication {
    /** The application's state now (cheap: called by the tracker every check interval). */
    Status status();

    /** Ends the application and every process of it; returns once it is gone or could not be ended. */
    void kill();

    /** The batch's local log on this server (the submission's and, in local mode, the application's output). */
    Path localLog();

    /**
     * What the launcher knows of the application.
     *
     * @param state      PENDING while it starts, RUNNING, FINISHED or ERROR once ended
     * @param appId      the application id once known, else null
     * @param appUrl     its web UI once known, else null
     * @param appState   the state as the process or cluster says it (e.g. "exit code 1"), or null
     * @param diagnostic why it failed, or null
     */
    record Status(BatchState state, String appId, String appUrl, String appState, String diagnostic) {
    }
}
