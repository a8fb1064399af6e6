package dev.zerok.cli;

/**
 * A command failed in a way the user can act on: {@link #getMessage()} is the one-line reason the
 * CLI prints as {@code zerok: <reason>} (never secret bytes), {@link #exitCode()} the process exit
 * code ({@link ExitCodes}).
 */
final class CliFailure extends Exception {
    private static final long serialVersionUID = 1L;

    private final int exitCode;

    CliFailure(int exitCode, String message) {
        super(message);
        this.exitCode = exitCode;
    }

    CliFailure(int exitCode, String message, Throwable cause) {
        super(message, cause);
        this.exitCode = exitCode;
    }

    /** A plain failure: exit code {@link ExitCodes#FAILURE}. */
    static CliFailure of(String message) {
        return new CliFailure(ExitCodes.FAILURE, message);
    }

    int exitCode() {
        return exitCode;
    }
}
