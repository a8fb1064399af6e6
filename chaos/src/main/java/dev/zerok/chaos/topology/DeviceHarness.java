package dev.zerok.chaos.topology;

import dev.zerok.chaos.report.Timeline;
import dev.zerok.kernel.content.BlobSealer;
import dev.zerok.kernel.sync.SyncEngine;
import dev.zerok.kernel.sync.SyncEvent;
import dev.zerok.kernel.sync.SyncPayload;
import dev.zerok.kernel.sync.SyncStatus;
import dev.zerok.kernel.wire.FrameCodec;
import dev.zerok.ports.clientstate.VersionVector;
import dev.zerok.ports.id.BlobId;
import dev.zerok.ports.id.RelayId;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * What every topology does alike with its devices, whatever runs them (an engine on virtual time,
 * an in-process client over QUIC, a device process): the timeline entry of each sync event, the
 * convergence check of {@link Topology#awaitConvergence}, and the largest push a relay
 * configuration admits. Stateless.
 */
public final class DeviceHarness {
    /** The relay's default pull page, in payload bytes ({@code limits.pull.max.bytes}). */
    private static final int DEFAULT_PULL_MAX_BYTES = 1 << 20;

    private DeviceHarness() {}

    /**
     * Records {@code event} of {@code device} as an {@code observe} entry (status, ack, blob-failed,
     * warning, missed-expired, all-relays-failed, closed), naming relays and blobs by their timeline
     * names, never by id.
     */
    public static void recordEvent(Timeline timeline, String device, SyncEvent event, Function<RelayId, String> relayName,
            Function<BlobId, String> blobLabel) {
        switch (event) {
            case SyncEvent.StatusChanged s -> timeline.observe("status", device + " " + s.status().kind()
                    + s.status().reason().map(r -> " (" + r + ")").orElse(""));
            case SyncEvent.Acknowledged a -> timeline.observe("ack", device + " " + relayName.apply(a.relay()) + " "
                    + blobLabel.apply(a.blob()));
            case SyncEvent.BlobFailed f -> timeline.observe("blob-failed", device + " " + blobLabel.apply(f.entry().blob())
                    + " " + f.entry().state());
            case SyncEvent.RelayWarning w -> timeline.observe("warning", device + " " + relayName.apply(w.relay()) + " "
                    + w.warning());
            case SyncEvent.MissedExpired m -> timeline.observe("missed-expired", device + " " + relayName.apply(m.relay())
                    + " after " + m.after().toUnsignedString() + " oldest " + m.oldestRetained().toUnsignedString());
            case SyncEvent.AllRelaysFailed a -> timeline.observe("all-relays-failed", device + " " + a.causes());
            case SyncEvent.Closed c -> timeline.observe("closed", device + " flushed=" + c.flushed());
        }
    }

    /**
     * True if, within each group, every running device is SYNCED, their version vectors are equal,
     * and every blob a running member pushed was received by every other running member (see
     * {@link Topology#awaitConvergence}).
     */
    public static boolean converged(List<? extends Device> devices) {
        Map<Group, List<Device>> groups = new LinkedHashMap<>();
        for (Device d : devices) {
            if (d.running()) {
                groups.computeIfAbsent(d.group(), g -> new ArrayList<>()).add(d);
            }
        }
        for (List<Device> members : groups.values()) {
            VersionVector first = members.get(0).versionVector();
            for (Device d : members) {
                if (d.status().kind() != SyncStatus.Kind.SYNCED || !d.versionVector().equals(first)) {
                    return false;
                }
            }
            Map<Device, Set<BlobId>> received = new LinkedHashMap<>();
            for (Device d : members) {
                received.put(d, d.received().keySet());
            }
            for (Device pusher : members) {
                for (BlobId b : pusher.pushed().keySet()) {
                    for (Device d : members) {
                        if (d != pusher && !received.get(d).contains(b)) {
                            return false;
                        }
                    }
                }
            }
        }
        return true;
    }

    /**
     * The largest application payload a device can push to relays configured with
     * {@code relaySettings} ({@code limits.frame.max.bytes}, {@code limits.pull.max.bytes}): the
     * smaller of frame and page, less what a push adds around it: the push envelope
     * ({@link SyncEngine#PUSH_OVERHEAD_BYTES}, which is sized for the pull response's entry, so the
     * relay can serve back whatever it accepts), the sync payload header and the sealing overhead, in
     * bytes.
     */
    public static int maxPayloadBytes(Map<String, String> relaySettings) {
        int frame = Integer.parseInt(relaySettings.getOrDefault("limits.frame.max.bytes",
                String.valueOf(FrameCodec.DEFAULT_MAX_FRAME_BYTES)));
        int page = Integer.parseInt(relaySettings.getOrDefault("limits.pull.max.bytes",
                String.valueOf(DEFAULT_PULL_MAX_BYTES)));
        return Math.min(frame, page) - SyncEngine.PUSH_OVERHEAD_BYTES - SyncPayload.HEADER_BYTES
                - BlobSealer.OVERHEAD_BYTES;
    }
}
