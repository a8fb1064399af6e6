package dev.zerok.chaos.topology;

/**
 * Thrown by a scenario or a topology when the scenario cannot run here (a capability is missing,
 * a feature is not built). The runner reports the scenario NOT RUN with {@link #getMessage()} as
 * the reason; it never counts as passed.
 */
public class NotRunException extends RuntimeException {
    /** @param reason why, in one line */
    public NotRunException(String reason) {
        super(reason);
    }
}
