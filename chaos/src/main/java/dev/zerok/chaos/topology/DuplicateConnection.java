package dev.zerok.chaos.topology;

import java.util.Optional;

/**
 * A second connection made with a device's identity (its static key and group), racing the device's
 * own (seed 000 E-HS-06). It does the handshake and Hello once, never retries, and records what the
 * relay answered.
 */
public interface DuplicateConnection extends AutoCloseable {
    /** Whether the relay welcomed it. */
    boolean welcomed();

    /** The code of the in-band Error the relay sent it, if any. */
    Optional<String> errorCode();

    /** Whether its transport connection is still open. */
    boolean open();

    /**
     * Connections the relay holds open right now, counted at its transport (every device's, this one
     * included if open): the leak check of E-HS-06.
     */
    int relayConnections();

    /** Closes it (idempotent). */
    @Override
    void close();
}
