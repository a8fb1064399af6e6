-- zerok client state store, schema version 1.
-- Rules for migration files (the migrator and the build's code generator both read them):
-- one statement per semicolon, no semicolon inside literals, no PRAGMA (the store sets those).
-- Integer columns are declared BIGINT: SQLite stores them as 64-bit INTEGER, jOOQ maps them to Long.

-- Sealed blobs waiting for at least one relay's acknowledgement. queue_order gives "oldest first"
-- (allocated as max + 1 in the enqueue transaction). Instants and durations are kept as
-- seconds + nanoseconds so an entry reads back exactly as it was queued.
CREATE TABLE outbox (
    blob_id            BLOB   NOT NULL PRIMARY KEY,
    queue_order        BIGINT NOT NULL UNIQUE,
    sealed_payload     BLOB   NOT NULL,
    created_at_seconds BIGINT NOT NULL,
    created_at_nanos   BIGINT NOT NULL,
    ttl_seconds        BIGINT NOT NULL,
    ttl_nanos          BIGINT NOT NULL
);

-- The relays an outbox entry still waits for; a row leaves when that relay acknowledges.
CREATE TABLE outbox_target (
    blob_id   BLOB NOT NULL,
    relay_id  BLOB NOT NULL,
    PRIMARY KEY (blob_id, relay_id)
) WITHOUT ROWID;

CREATE INDEX outbox_target_relay ON outbox_target (relay_id);

-- Per relay: the pull cursor (what commitPulled moved) and, kept apart, the last push-ack cursor
-- (diagnostics only; never read back as a pull cursor).
CREATE TABLE relay_cursor (
    relay_id              BLOB   NOT NULL PRIMARY KEY,
    pull_cursor           BIGINT NOT NULL,
    last_push_ack_cursor  BIGINT NOT NULL
) WITHOUT ROWID;

-- The committed version vector, one row per device.
CREATE TABLE version_vector (
    device_id  BLOB   NOT NULL PRIMARY KEY,
    sequence   BIGINT NOT NULL
) WITHOUT ROWID;

-- Every blob received or failed. index_order gives "oldest first" for failures().
CREATE TABLE blob_index (
    blob_id       BLOB   NOT NULL PRIMARY KEY,
    index_order   BIGINT NOT NULL UNIQUE,
    sender_id     BLOB   NOT NULL,
    sequence      BIGINT NOT NULL,
    relay_id      BLOB   NOT NULL,
    cursor        BIGINT NOT NULL,
    content_hash  BLOB   NOT NULL,
    state         TEXT   NOT NULL,
    failure       TEXT   NOT NULL
);

CREATE INDEX blob_index_state ON blob_index (state, index_order);
