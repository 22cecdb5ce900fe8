package kitsune.api.session;

import java.util.List;

import org.osgi.annotation.versioning.ProviderType;

/** The server's sessions, as the HA bundle, console and commands need them. Provided by the session bundle. */
@ProviderType
public interface SessionManager {
    int openSessionCount();

    List<SessionInfo> sessions();

    /**
     * From now on new sessions are refused with this message; open sessions keep working. Used when the
     * server is de-registered (drain).
     */
    void refuseNewSessions(String message);

    /** Whether new sessions (and batches) are refused: a drain has begun. */
    default boolean refusingNewSessions() {
        return false;
    }

    /** Closes one session (its engine keeps running); false if there was no such session. */
    boolean closeSession(String id);
}
