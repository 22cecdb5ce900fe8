package kitsune.api.batch;

import java.util.List;
import java.util.Map;

/**
 * One batch as the metadata store keeps it (Kyuubi's Batch).
 *
 * @param id             the batch id (a UUID)
 * @param user           the user the batch runs for (the login, or the proxy user)
 * @param batchType      SPARK
 * @param resource       the application's jar, a path on the server's file system
 * @param className      the application's main class
 * @param name           the application name
 * @param conf           the batch's settings (spark.* and others), as the client sent them
 * @param args           the application's arguments
 * @param state          where the batch is
 * @param appId          the application id (local-…, app-…, application_…), or null before it is known
 * @param appUrl         the application's web UI, or null
 * @param appState       the application's state as its cluster (or process) reports it, or null
 * @param appDiagnostic  why the application failed, or null
 * @param kyuubiInstance host:port of the server that owns (tracks) the batch
 * @param createTime     epoch milliseconds of the submission
 * @param endTime        epoch milliseconds of the end, 0 while not ended
 */
public record Batch(String id, String user, String batchType, String resource, String className, String name,
        Map<String, String> conf, List<String> args, BatchState state, String appId, String appUrl,
        String appState, String appDiagnostic, String kyuubiInstance, long createTime, long endTime) {

    public Batch {
        conf = conf == null ? Map.of() : Map.copyOf(conf);
        args = args == null ? List.of() : List.copyOf(args);
    }

    /** This batch with the application's view of it now. */
    public Batch with(BatchState newState, String newAppId, String newAppUrl, String newAppState,
            String newDiagnostic, long newEndTime) {
        return new Batch(id, user, batchType, resource, className, name, conf, args, newState, newAppId, newAppUrl,
                newAppState, newDiagnostic, kyuubiInstance, createTime, newEndTime);
    }

    /** This batch owned by another server. */
    public Batch ownedBy(String instance) {
        return new Batch(id, user, batchType, resource, className, name, conf, args, state, appId, appUrl, appState,
                appDiagnostic, instance, createTime, endTime);
    }
}
