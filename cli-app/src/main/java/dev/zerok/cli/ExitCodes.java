package dev.zerok.cli;

/** The {@code zerok} process exit codes; documented in {@code --help} and docs/USER-GUIDE.md. */
final class ExitCodes {
    /** The command did what was asked. */
    static final int OK = 0;
    /** The command failed; the reason is on stderr as {@code zerok: <reason>}. */
    static final int FAILURE = 1;
    /** The command line was wrong (picocli's usage error code). */
    static final int USAGE = 2;
    /**
     * A push is durable in the outbox but not every relay acknowledged it within {@code --wait};
     * for {@code status}: the status is pending or connected (not yet on every relay).
     */
    static final int QUEUED = 3;
    /** No relay could be reached; for {@code status}: the status is offline. */
    static final int NO_RELAY = 4;
    /** A pull finished, but a collection is incomplete or a blob failed verification. */
    static final int INCOMPLETE = 5;
    /**
     * A relay refused a push because the group's storage quota there is full; the push stays in
     * the outbox. Remedy: prune, or the operator raises {@code store.quota.group.bytes}.
     */
    static final int QUOTA = 6;
    /** {@code status}: the status is failed (every relay failed, or the local state failed). */
    static final int STATUS_FAILED = 7;

    /** The exit code section of {@code --help}. */
    static final String HELP = """
            Exit codes:
              0  ok
              1  failure (one-line reason on stderr: zerok: <reason>)
              2  usage error
              3  push queued in the outbox, not acknowledged by every relay within --wait
              4  no relay reachable
              5  pull done, but a collection is incomplete or a blob failed verification
              6  a relay refused a push: the group's storage quota there is full
              7  status: failed (every relay failed, or the local state failed)
            status exits 0 synced, 3 pending or connected, 4 offline, 6 quota full, 7 failed""";

    private ExitCodes() {}
}
