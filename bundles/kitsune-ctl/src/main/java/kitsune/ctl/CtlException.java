package kitsune.ctl;

/** A failure the CLI reports as one line on stderr, with its exit code. */
class CtlException extends Exception {
    private static final long serialVersionUID = 1L;

    /** Exit code of a command that could not do its work (ZooKeeper unreachable, no such node, ...). */
    static final int FAILED = 1;
    /** Exit code of a command line that is wrong (unknown command, missing or invalid option). */
    static final int USAGE = 2;

    private final int exitCode;

    CtlException(int exitCode, String message) {
        super(message);
        this.exitCode = exitCode;
    }

    static CtlException usage(String message) {
        return new CtlException(USAGE, message);
    }

    static CtlException failed(String message) {
        return new CtlException(FAILED, message);
    }

    int exitCode() {
        return exitCode;
    }
}
