package dev.zerok.ports;

import java.util.Objects;

/**
 * Structural redaction for logs (invariant 5): wrap a value that is metadata (a group id, blob
 * hash, device id, client address, size or name) and its {@link #toString()} is
 * {@code [REDACTED]}, at every log level, whoever formats it. Reaching the value takes an explicit
 * {@link #reveal()}, which reviewers can search for. Immutable; thread-safe if the value is.
 *
 * @param value the wrapped value, never null
 * @param <T> its type
 */
public record Redacted<T>(T value) {
    public Redacted {
        Objects.requireNonNull(value, "value");
    }

    /** Wraps {@code value}. */
    public static <T> Redacted<T> of(T value) {
        return new Redacted<>(value);
    }

    /** The value itself, for code that must use it (never for logging). */
    public T reveal() {
        return value;
    }

    /** Same as {@link #reveal()}; the record accessor. */
    @Override
    public T value() {
        return value;
    }

    /** Always {@code [REDACTED]}. */
    @Override
    public String toString() {
        return "[REDACTED]";
    }
}
