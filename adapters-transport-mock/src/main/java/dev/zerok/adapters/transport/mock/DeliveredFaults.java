package dev.zerok.adapters.transport.mock;

/**
 * Faults of one direction of a {@link MockNetwork} link that act <b>above</b> the transport, on
 * whole messages as the channel's user sent them: like {@code corruptRate} and
 * {@code truncateRate} of {@link LinkFaults}, what they produce is delivered to the receiver's
 * handler, so the layer above (Noise) sees it. A transport with its own ordering and duplicate
 * suppression (the mock's sequence numbers, QUIC's stream offsets) never shows these; they model
 * an on-path attacker who can inject into the stream.
 *
 * <ul>
 *   <li>{@code reorderRate}: a message is held back and sent right after the sender's next message
 *       (the two swap places in the stream); if no next message comes within 50 ms it is sent
 *       alone (then it was only late).
 *   <li>{@code replayRate}: after a message is sent, a copy of the sender's previous message on that
 *       channel is sent again as a new message (a replay of something already delivered).
 * </ul>
 *
 * Set per direction with {@link MockNetwork#setDeliveredFaults}; kept apart from {@link LinkFaults}
 * so that the transport's own fault model stays as it is.
 *
 * @param reorderRate probability in [0, 1] that a message swaps places with the next one
 * @param replayRate probability in [0, 1] that the previous message is sent again after this one
 */
public record DeliveredFaults(double reorderRate, double replayRate) {
    /** Nothing above the transport. */
    public static final DeliveredFaults NONE = new DeliveredFaults(0, 0);

    /** @throws IllegalArgumentException if a rate is outside [0, 1] */
    public DeliveredFaults {
        if (!(reorderRate >= 0 && reorderRate <= 1) || !(replayRate >= 0 && replayRate <= 1)) {
            throw new IllegalArgumentException("delivered-fault rates must be in [0, 1], got reorder " + reorderRate
                    + ", replay " + replayRate);
        }
    }
}
