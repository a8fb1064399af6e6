package dev.zerok.chaos.proxy;

import java.net.InetSocketAddress;
import java.time.Instant;
import java.util.Objects;

/**
 * One fault the proxy injected, for chaos timelines. A datagram that is both corrupted and
 * duplicated gives two events.
 *
 * @param at        wall-clock time of the decision (from the proxy's {@link java.time.Clock})
 * @param direction the way the datagram travelled
 * @param fault     what was injected; when {@link Fault#drops()} the datagram was dropped
 * @param client    the client (device) address of the session the datagram belongs to
 * @param sizeBytes the datagram's UDP payload size in bytes
 */
public record FaultEvent(Instant at, Direction direction, Fault fault, InetSocketAddress client, int sizeBytes) {
    /** @throws NullPointerException if a reference component is null */
    public FaultEvent {
        Objects.requireNonNull(at, "at");
        Objects.requireNonNull(direction, "direction");
        Objects.requireNonNull(fault, "fault");
        Objects.requireNonNull(client, "client");
    }
}
