package kitsune.testkit;

import java.util.List;

/** Engine processes of a server, found by their per-user work directory on the command line. */
public final class Engines {
    private Engines() {
    }

    /** Live engine processes launched for this user (any share level). */
    public static List<ProcessHandle> of(KitsuneServer server, String user) {
        String marker = server.workDir.resolve("engines").resolve(user).toString() + "/";
        return ProcessHandle.allProcesses()
                .filter(p -> p.info().commandLine()
                        .map(c -> c.contains("SparkEngineMain") && c.contains(marker)).orElse(false))
                .toList();
    }
}
