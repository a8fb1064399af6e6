package dev.zerok.chaos.scenarios;

import dev.zerok.adapters.transport.mock.LinkStats;
import dev.zerok.chaos.mock.MockTopology;
import dev.zerok.chaos.proxy.DirectionStats;
import dev.zerok.chaos.proxy.Fault;
import dev.zerok.chaos.real.RealTopology;
import dev.zerok.chaos.topology.Device;
import dev.zerok.chaos.topology.LinkDirection;
import dev.zerok.chaos.topology.NotRunException;
import dev.zerok.chaos.topology.Relay;
import dev.zerok.chaos.topology.Topology;

/**
 * What the faults of one device-relay link actually did, read where they act: the UDP fault
 * proxy's counters on the real topology (datagrams), the mock network's counters on the mock
 * (transmission attempts, message bytes). The transport scenarios use it to prove their fault was
 * exercised ({@link #exercised}); a topology without such counters makes the scenario NOT RUN.
 */
final class LinkProbe {
    private LinkProbe() {}

    /** Why something was lost on a link. */
    enum Loss {
        /** independent random loss */
        RANDOM,
        /** Gilbert-Elliott burst loss (real only; the mock has no burst model) */
        BURST,
        /** partition (total loss) */
        PARTITION
    }

    /**
     * Datagrams (real) or transmission attempts (mock) lost to {@code cause} on the link between
     * {@code d} and {@code r} in {@code direction} ({@code BOTH}: the sum), since the link was made.
     *
     * @throws NotRunException on a topology without link counters
     */
    static long lost(Topology t, Device d, Relay r, LinkDirection direction, Loss cause) {
        if (direction == LinkDirection.BOTH) {
            return lost(t, d, r, LinkDirection.UP, cause) + lost(t, d, r, LinkDirection.DOWN, cause);
        }
        if (t instanceof RealTopology real) {
            DirectionStats s = real.proxy(d, r).stats().direction(direction == LinkDirection.UP
                    ? dev.zerok.chaos.proxy.Direction.UP : dev.zerok.chaos.proxy.Direction.DOWN);
            return s.dropped(switch (cause) {
                case RANDOM -> Fault.LOSS;
                case BURST -> Fault.BURST_LOSS;
                case PARTITION -> Fault.PARTITION;
            });
        }
        if (t instanceof MockTopology mock) {
            LinkStats s = mock.linkStats(d, r, direction);
            return switch (cause) {
                case RANDOM -> s.dropped();
                case BURST -> 0;
                case PARTITION -> s.heldByPartition();
            };
        }
        throw new NotRunException("the " + t.kind() + " topology has no link counters to prove a fault acted");
    }

    /**
     * Bytes the link between {@code d} and {@code r} has forwarded in {@code direction} (UP or
     * DOWN): UDP payload bytes out of the proxy on real, message bytes out of the mock link's
     * bandwidth queue on the mock.
     *
     * @throws NotRunException on a topology without link counters
     * @throws IllegalArgumentException for {@code BOTH}
     */
    static long forwardedBytes(Topology t, Device d, Relay r, LinkDirection direction) {
        if (direction == LinkDirection.BOTH) {
            throw new IllegalArgumentException("forwardedBytes takes UP or DOWN");
        }
        if (t instanceof RealTopology real) {
            return real.proxy(d, r).stats().direction(direction == LinkDirection.UP
                    ? dev.zerok.chaos.proxy.Direction.UP : dev.zerok.chaos.proxy.Direction.DOWN).forwardedBytes();
        }
        if (t instanceof MockTopology mock) {
            return mock.departedBytes(d, r, direction);
        }
        throw new NotRunException("the " + t.kind() + " topology has no link counters to time a fault switch");
    }

    /** Fails with "fault not exercised: {@code what}" unless {@code acted}. */
    static void exercised(boolean acted, String what) {
        if (!acted) {
            throw new AssertionError("fault not exercised: " + what);
        }
    }
}
