package kitsune.api.batch;

import java.util.List;
import java.util.Map;

import kitsune.api.conf.KitsuneConf;

/**
 * What a launcher needs to submit one batch's application.
 *
 * @param batchId   the batch id: names the batch's work directory and log
 * @param user      the user the application runs for
 * @param resource  the application jar (a path on this server's file system)
 * @param className the main class
 * @param name      the application name
 * @param batchConf the batch's settings (already screened by the server's restrictions)
 * @param args      the application's arguments
 * @param conf      the server configuration in force (engine homes, work directory, Java)
 */
public record BatchSubmission(String batchId, String user, String resource, String className, String name,
        Map<String, String> batchConf, List<String> args, KitsuneConf conf) {
    public BatchSubmission {
        batchConf = batchConf == null ? Map.of() : Map.copyOf(batchConf);
        args = args == null ? List.of() : List.copyOf(args);
    }
}
