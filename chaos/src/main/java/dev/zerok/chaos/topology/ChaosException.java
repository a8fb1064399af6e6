package dev.zerok.chaos.topology;

/** A topology operation failed (a relay did not start, a push was refused, a store did not open). */
public class ChaosException extends RuntimeException {
    public ChaosException(String message) {
        super(message);
    }

    public ChaosException(String message, Throwable cause) {
        super(message, cause);
    }
}
