package dev.zerok.relayapp;

/**
 * The relay cannot start: a provider is missing or rejected its configuration, or a resource
 * could not be opened. Unchecked because Dagger's provision methods cannot throw checked
 * exceptions; {@link RelayMain} turns it into a one-line message and exit code 2.
 */
public final class RelayStartupException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public RelayStartupException(String message, Throwable cause) {
        super(message, cause);
    }
}
