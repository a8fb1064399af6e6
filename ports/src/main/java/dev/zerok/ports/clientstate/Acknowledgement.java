package dev.zerok.ports.clientstate;

import dev.zerok.ports.id.BlobId;
import dev.zerok.ports.id.Cursor;
import dev.zerok.ports.id.RelayId;
import java.util.Objects;

/**
 * A relay's acknowledgement of one pushed blob, as {@link ClientStateStore#acknowledgeAll} records
 * it.
 *
 * @param relay the relay that stored the blob
 * @param blob the acknowledged blob
 * @param pushAckCursor the cursor the relay stored it under (diagnostics only, never the pull cursor)
 */
public record Acknowledgement(RelayId relay, BlobId blob, Cursor pushAckCursor) {
    public Acknowledgement {
        Objects.requireNonNull(relay, "relay");
        Objects.requireNonNull(blob, "blob");
        Objects.requireNonNull(pushAckCursor, "pushAckCursor");
    }
}
