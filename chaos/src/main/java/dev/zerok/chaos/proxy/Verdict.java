package dev.zerok.chaos.proxy;

import java.util.Collections;
import java.util.EnumSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/** What the {@link FaultEngine} decided for one received datagram. */
public sealed interface Verdict {

    /**
     * The datagram is dropped.
     *
     * @param cause the stage that dropped it; {@link Fault#drops()} is true
     */
    record Dropped(Fault cause) implements Verdict {
        /** @throws IllegalArgumentException if {@code cause} does not drop */
        public Dropped {
            if (!cause.drops()) {
                throw new IllegalArgumentException(cause + " does not drop a datagram");
            }
        }
    }

    /**
     * The datagram is forwarded as one or more copies.
     *
     * @param deliveries one delivery, or two when duplicated; in the order they were decided
     * @param injected   the non-dropping faults applied ({@link Fault#CORRUPT}, {@link Fault#DUPLICATE},
     *                   {@link Fault#REORDER}); empty when it passes clean; iterates in the
     *                   declaration order of {@link Fault} so event logs are reproducible
     */
    record Forwarded(List<Delivery> deliveries, Set<Fault> injected) implements Verdict {
        /** Copies the collections. @throws IllegalArgumentException if there is no delivery */
        public Forwarded {
            deliveries = List.copyOf(deliveries);
            EnumSet<Fault> ordered = EnumSet.noneOf(Fault.class);
            ordered.addAll(injected);
            injected = Collections.unmodifiableSet(ordered);
            if (deliveries.isEmpty()) {
                throw new IllegalArgumentException("a forwarded datagram has at least one delivery");
            }
        }
    }

    /**
     * One copy to send.
     *
     * @param payload    the bytes to send (a copy owned by the caller; differs from the received
     *                   bytes in exactly one bit when corrupted)
     * @param sendAtNanos when to send it, in the same monotonic nanosecond time base as the
     *                   {@code nowNanos} given to {@link FaultEngine#onDatagram}
     */
    record Delivery(byte[] payload, long sendAtNanos) {
        /** @throws NullPointerException if {@code payload} is null */
        public Delivery {
            Objects.requireNonNull(payload, "payload");
        }
    }
}
