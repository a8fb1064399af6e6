package dev.zerok.chaos.proxy;

/**
 * A profile text (JSON object or {@code key=value} list) that {@link FaultProfileFormat} cannot
 * accept: malformed syntax, an unknown or repeated key, a value of the wrong type or out of range.
 * The message names the offending key or position and what is expected; it is meant to be shown
 * to the person or script that sent the text.
 */
public final class ProfileFormatException extends Exception {
    private static final long serialVersionUID = 1L;

    /** @param message what is wrong and what is expected */
    public ProfileFormatException(String message) {
        super(message);
    }
}
