package dev.zerok.chaos.real;

import dev.zerok.kernel.sync.SyncEvent;
import dev.zerok.kernel.sync.SyncStatus;
import dev.zerok.ports.clientstate.BlobIndexEntry;
import dev.zerok.ports.clientstate.VersionVector;
import dev.zerok.ports.id.BlobId;
import dev.zerok.ports.id.ContentHash;
import dev.zerok.ports.id.Cursor;
import dev.zerok.ports.id.DeviceId;
import dev.zerok.ports.id.RelayId;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.TreeMap;

/**
 * The text line protocol between {@link RealTopology} and a {@link DeviceAgentMain} process, one
 * message a line, fields separated by one space; ids in hex, texts in unpadded base64url.
 *
 * <pre>
 * topology -> agent:  N push DATA_B64 [KIND] | N sync | N cursor RELAY_HEX | N quit
 * agent -> topology:  ready | ok N [VALUE] | err N TEXT_B64
 *                     ev EVENT   (every SyncEvent, in order; see {@link #event})
 *                     dl BLOB_HEX FIRST(0|1)   (the inbox was called; FIRST: appended to the log)
 *                     vv VECTOR  (the committed version vector changed; see {@link #vector})
 * </pre>
 * KIND is a {@code SyncPayload.Kind} name ({@code DATA} when absent).
 * Stateless.
 */
final class AgentWire {
    private static final HexFormat HEX = HexFormat.of();
    private static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();
    private static final Base64.Decoder UNB64 = Base64.getUrlDecoder();

    private AgentWire() {}

    static String text(String s) {
        return B64.encodeToString(s.getBytes(StandardCharsets.UTF_8));
    }

    static String untext(String s) {
        return new String(UNB64.decode(s), StandardCharsets.UTF_8);
    }

    static String bytes(byte[] b) {
        return B64.encodeToString(b);
    }

    static byte[] unbytes(String s) {
        return UNB64.decode(s);
    }

    /** {@code DEVICE_HEX:SEQ,...} or {@code -} for the empty vector. */
    static String vector(VersionVector v) {
        if (v.entries().isEmpty()) {
            return "-";
        }
        List<String> parts = new ArrayList<>();
        v.entries().forEach((d, seq) -> parts.add(d.hex() + ":" + seq));
        return String.join(",", parts);
    }

    static VersionVector unvector(String s) {
        TreeMap<DeviceId, Long> m = new TreeMap<>();
        if (!s.equals("-")) {
            for (String part : s.split(",")) {
                int colon = part.indexOf(':');
                m.put(DeviceId.fromHex(part.substring(0, colon)), Long.parseLong(part.substring(colon + 1)));
            }
        }
        return new VersionVector(m);
    }

    /** One event as a line tail: a tag and its fields. */
    static String event(SyncEvent e) {
        return switch (e) {
            case SyncEvent.StatusChanged s -> "status " + s.status().kind() + s.status().reason().map(r -> " " + text(r)).orElse("");
            case SyncEvent.Acknowledged a -> "ack " + a.relay().hex() + " " + a.blob().hex() + " "
                    + a.pushAckCursor().value();
            case SyncEvent.BlobFailed f -> {
                BlobIndexEntry x = f.entry();
                yield "failed " + x.blob().hex() + " " + x.sender().hex() + " " + x.sequence() + " " + x.relay().hex()
                        + " " + x.cursor().value() + " " + HEX.formatHex(x.contentHash().bytes()) + " " + x.state() + " "
                        + text(x.failure());
            }
            case SyncEvent.RelayWarning w -> "warn " + w.relay().hex() + " " + text(w.warning());
            case SyncEvent.MissedExpired m -> "missed " + m.relay().hex() + " " + m.after().value() + " "
                    + m.oldestRetained().value();
            case SyncEvent.AllRelaysFailed a -> "allfailed " + (a.causes().isEmpty() ? "-"
                    : String.join(",", a.causes().stream().map(AgentWire::text).toList()));
            case SyncEvent.Closed c -> "closed " + c.flushed();
        };
    }

    static SyncEvent unevent(String line) {
        String[] f = line.split(" ");
        return switch (f[0]) {
            case "status" -> new SyncEvent.StatusChanged(new SyncStatus(SyncStatus.Kind.valueOf(f[1]),
                    f.length > 2 ? java.util.Optional.of(untext(f[2])) : java.util.Optional.empty()));
            case "ack" -> new SyncEvent.Acknowledged(RelayId.fromHex(f[1]), BlobId.fromHex(f[2]),
                    new Cursor(Long.parseLong(f[3])));
            case "failed" -> new SyncEvent.BlobFailed(new BlobIndexEntry(BlobId.fromHex(f[1]), DeviceId.fromHex(f[2]),
                    Long.parseLong(f[3]), RelayId.fromHex(f[4]), new Cursor(Long.parseLong(f[5])),
                    ContentHash.fromHex(f[6]), BlobIndexEntry.State.valueOf(f[7]), f.length > 8 ? untext(f[8]) : ""));
            case "warn" -> new SyncEvent.RelayWarning(RelayId.fromHex(f[1]), f.length > 2 ? untext(f[2]) : "");
            case "missed" -> new SyncEvent.MissedExpired(RelayId.fromHex(f[1]), new Cursor(Long.parseLong(f[2])),
                    new Cursor(Long.parseLong(f[3])));
            case "allfailed" -> new SyncEvent.AllRelaysFailed(f[1].equals("-") ? List.of()
                    : java.util.Arrays.stream(f[1].split(",")).map(AgentWire::untext).toList());
            case "closed" -> new SyncEvent.Closed(Boolean.parseBoolean(f[1]));
            default -> throw new IllegalArgumentException("unknown event tag " + f[0]);
        };
    }
}
