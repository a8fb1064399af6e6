package dev.zerok.ports.transport;

/** A bound listener. Thread-safe. */
public interface Server extends AutoCloseable {
    /** The address actually bound (the real port when port 0 was asked for). */
    Endpoint localEndpoint();

    /** Stops accepting; channels already accepted stay open until closed. Idempotent. */
    @Override
    void close();
}
