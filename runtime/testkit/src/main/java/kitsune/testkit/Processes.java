package kitsune.testkit;

import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/** Ends the processes a test started indirectly (engines, drivers, containers), found by their command lines. */
public final class Processes {
    private Processes() {
    }

    /** Asks every process whose command line matches to end, waits up to 20 s each, then kills what is left. */
    public static void endAll(Predicate<String> commandLine) {
        List<ProcessHandle> matching = ProcessHandle.allProcesses()
                .filter(p -> p.info().commandLine().map(commandLine::test).orElse(false)).toList();
        matching.forEach(ProcessHandle::destroy);
        for (ProcessHandle p : matching) {
            try {
                p.onExit().get(20, TimeUnit.SECONDS);
            } catch (Exception e) {
                p.destroyForcibly();
            }
        }
    }
}
