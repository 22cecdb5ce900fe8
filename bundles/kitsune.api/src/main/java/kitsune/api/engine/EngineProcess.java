package kitsune.api.engine;

import java.nio.file.Path;
import java.util.OptionalInt;

import org.osgi.annotation.versioning.ProviderType;

/** A launched engine as its launcher sees it, until the engine registers. */
@ProviderType
public interface EngineProcess {
    /** A short description for logs: pid, home, main class. */
    String describe();

    boolean isAlive();

    /** The exit code once the process has ended. */
    OptionalInt exitCode();

    /** The engine's log file. */
    Path logFile();

    /** The last lines of the engine's log, for error messages. */
    String logTail(int maxLines);

    /** Kills the process (used when it does not register in time). */
    void destroy();
}
