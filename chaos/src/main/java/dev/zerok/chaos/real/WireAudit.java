package dev.zerok.chaos.real;

import dev.zerok.chaos.assertions.PlaintextWindows;
import dev.zerok.chaos.proxy.DatagramCapture;
import dev.zerok.chaos.proxy.Direction;
import dev.zerok.chaos.proxy.UdpFaultProxy;
import dev.zerok.chaos.report.Timeline;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Invariant 3 on the wire: the UDP datagrams every fault proxy forwarded (each link's first
 * {@link #CAPTURE_BYTES} bytes per direction, see {@link UdpFaultProxy.Builder#captureBytes}) must
 * contain no window of a secret: the plaintext of a pushed blob or a group key. QUIC's packet
 * protection and the Noise session both sit between a payload and the wire, so a hit means both
 * were bypassed for those bytes.
 */
final class WireAudit {
    /** Per link and direction, in bytes: what a CI scenario sends fits; bulk transfers are truncated (and say so). */
    static final long CAPTURE_BYTES = 8L << 20;
    /**
     * Windows sampled per pushed payload: a payload up to 4 KiB is indexed whole (any 31
     * consecutive bytes of it are found); a 1 MiB payload has one window every 4 KiB, so a leaked
     * run of 4 KiB + 15 bytes or more is found.
     */
    static final int WINDOWS_PER_PAYLOAD = 256;

    private WireAudit() {}

    /**
     * Searches every link's captured datagrams for {@code secrets}; records in {@code timeline}
     * ({@code observe wire-audit}) how much was searched and which links were truncated.
     *
     * @param links each proxy by link name ({@code device-1<->relay-1})
     * @return the failure (link, direction, offset, datagram, what leaked), or empty
     */
    static Optional<String> check(PlaintextWindows secrets, Map<String, UdpFaultProxy> links, Timeline timeline) {
        long searched = 0;
        List<String> truncated = new ArrayList<>();
        for (Map.Entry<String, UdpFaultProxy> link : links.entrySet()) {
            for (Direction direction : Direction.values()) {
                DatagramCapture.Snapshot s = link.getValue().captured(direction);
                searched += s.bytes().length;
                if (s.truncated()) {
                    truncated.add(link.getKey() + " " + direction + " kept " + s.bytes().length + " B, not "
                            + s.droppedBytes() + " B in " + s.droppedDatagrams() + " datagram(s)");
                }
                Optional<PlaintextWindows.Hit> hit = secrets.find(s.bytes());
                if (hit.isPresent()) {
                    PlaintextWindows.Hit h = hit.get();
                    int datagram = s.datagramAt(h.haystackOffset());
                    String where = link.getKey() + " " + direction + " at byte " + h.haystackOffset()
                            + " of the capture (datagram #" + datagram + ", offset "
                            + (h.haystackOffset() - s.starts()[datagram]) + " in it)";
                    timeline.observe("wire-audit", "LEAK on " + where);
                    return Optional.of("invariant 3: " + PlaintextWindows.WINDOW_BYTES + " bytes of " + h.label()
                            + " (from its byte " + h.secretOffset() + ") crossed the wire in the clear: " + where);
                }
            }
        }
        timeline.observe("wire-audit", "clean: " + secrets.windowCount() + " window(s) over " + searched
                + " B of datagrams on " + links.size() + " link(s)"
                + (truncated.isEmpty() ? "" : "; TRUNCATED " + String.join("; ", truncated)));
        return Optional.empty();
    }
}
