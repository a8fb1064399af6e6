package dev.zerok.cli;

/** The {@code zerok} process exit codes; documented in {@code --help} and docs/USER-GUIDE.md. */
final class ExitCodes {
    /** The command did what was asked. */
    static final int OK = 0;
    /** The command failed; the reason is on stderr as {@code zerok: <reason>}. */
    static final int FAILURE = 1;
    /** The command line was wrong (picocli's usage error code). */
    static final int USAGE = 2;
    /** A push is durable in the outbox but not every relay acknowledged it within {@code --wait}. */
    static final int QUEUED = 3;
    /** No relay could be reached. */
    static final int NO_RELAY = 4;
    /** A pull finished, but a collection is incomplete or a blob failed verification. */
    static final int INCOMPLETE = 5;

    /** The exit code section of {@code --help}. */
    static final String HELP = """
            Exit codes:
              0  ok
              1  failure (one-line reason on stderr: zerok: <reason>)
              2  usage error
              3  push queued in the outbox, not acknowledged by every relay within --wait
              4  no relay reachable
              5  pull done, but a collection is incomplete or a blob failed verification""";

    private ExitCodes() {}
}
