package dev.zerok.chaos.runner;

import dev.zerok.chaos.report.Timeline;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Whether an iteration's declared fault was observed to act (seed 004: a chaos run whose fault
 * never fired is a fake green). Reads only the iteration's {@link Timeline}, which both topologies
 * fill from where the fault acts:
 * <ul>
 *   <li>{@code observe fault} entries: on the real topology one per datagram the
 *       {@code UdpFaultProxy} dropped, corrupted, duplicated or reordered (its listener); on the
 *       mock one per message the mock network dropped, held, cut, corrupted, truncated, duplicated
 *       or reordered.</li>
 *   <li>{@code inject} entries of process faults, written by the topology as it performs them:
 *       kill-relay, stop-relay, pause-relay, crash-device, pause-device, relay/device disk full,
 *       and corrupt-/tamper-stored-blobs and delete-stored-blob with {@code altered=N}, N &gt; 0.</li>
 *   <li>For {@link Scenario.Injection#SHAPING} only: an {@code inject faults} entry that shapes a
 *       device's link (anything but {@code none}), or a device added with a clock offset, followed
 *       by an observation (ack, delivery, status) of that device: the shaped link carried traffic.</li>
 * </ul>
 * Stateless.
 */
public final class FaultEvidence {
    /** Inject entries that are faults acting on a process or a store, or a second connection under one identity. */
    static final Set<String> PROCESS_FAULTS = Set.of("kill-relay", "stop-relay", "pause-relay", "crash-device",
            "pause-device", "relay-disk-full", "device-disk-full", "set-relay-disk-full", "set-device-disk-full",
            "duplicate-identity");

    private FaultEvidence() {}

    /**
     * Why the declared fault counts as not exercised, or empty if it was (or none was declared).
     *
     * @param injection what the scenario declares
     * @param entries the iteration's timeline
     */
    public static Optional<String> missing(Scenario.Injection injection, List<Timeline.Entry> entries) {
        return switch (injection) {
            case NONE, ATTACKER -> Optional.empty();
            case FAULT -> actingFaults(entries) > 0 ? Optional.empty()
                    : Optional.of("fault not exercised: no datagram/message was dropped, altered or held and no "
                            + "process fault landed (0 fault events in the timeline)");
            case SHAPING -> actingFaults(entries) > 0 || shapedTrafficObserved(entries) ? Optional.empty()
                    : Optional.of("fault not exercised: no shaped link (latency, bandwidth, clock offset) carried "
                            + "traffic after its shaping was installed");
        };
    }

    /** Observed fault events plus process faults that landed. */
    public static long actingFaults(List<Timeline.Entry> entries) {
        long n = 0;
        for (Timeline.Entry e : entries) {
            if (e.type().equals("observe") && e.what().equals("fault")) {
                n++;
            } else if (e.type().equals("inject") && PROCESS_FAULTS.contains(e.what())) {
                n++;
            } else if (e.type().equals("inject") && (e.what().equals("corrupt-stored-blobs")
                    || e.what().equals("tamper-stored-blobs") || e.what().equals("delete-stored-blob"))
                    && alteredCount(e.detail()) > 0) {
                n++;
            }
        }
        return n;
    }

    private static long alteredCount(String detail) {
        int at = detail.indexOf("altered=");
        if (at < 0) {
            return 0;
        }
        int end = at + "altered=".length();
        int stop = end;
        while (stop < detail.length() && Character.isDigit(detail.charAt(stop))) {
            stop++;
        }
        return stop == end ? 0 : Long.parseLong(detail.substring(end, stop));
    }

    private static boolean shapedTrafficObserved(List<Timeline.Entry> entries) {
        for (int i = 0; i < entries.size(); i++) {
            Timeline.Entry e = entries.get(i);
            String device = null;
            if (e.type().equals("inject") && e.what().equals("faults") && !e.detail().endsWith(" none")) {
                device = firstWord(e.detail().replaceAll("(<->|->|<-).*", ""));
            } else if (e.type().equals("inject") && e.what().equals("add-device") && e.detail().contains("clock-offset=")) {
                device = firstWord(e.detail());
            }
            if (device == null) {
                continue;
            }
            for (int j = i + 1; j < entries.size(); j++) {
                Timeline.Entry o = entries.get(j);
                if (o.type().equals("observe") && (o.what().equals("ack") || o.what().equals("deliver"))
                        && o.detail().startsWith(device + " ")) {
                    return true;
                }
            }
        }
        return false;
    }

    private static String firstWord(String s) {
        int sp = s.indexOf(' ');
        return sp < 0 ? s : s.substring(0, sp);
    }
}
