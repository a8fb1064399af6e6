-- zerok relay store, schema version 1.
-- Rules for migration files (the migrator and the build's code generator both read them):
-- one statement per semicolon, no semicolon inside literals, no PRAGMA (the store sets those).
-- Integer columns are declared BIGINT: SQLite stores them as 64-bit INTEGER, jOOQ maps them to Long.

-- One row per group that ever received a blob. head_cursor is the cursor allocator: it is read and
-- raised in the same BEGIN IMMEDIATE transaction as the insert it numbers, and it is never lowered
-- (purging rows keeps it), so cursors stay strictly increasing for the life of the file.
CREATE TABLE relay_group (
    group_id      BLOB   NOT NULL PRIMARY KEY,
    head_cursor   BIGINT NOT NULL,
    blob_count    BIGINT NOT NULL,
    stored_bytes  BIGINT NOT NULL
) WITHOUT ROWID;

-- Payload bytes, stored once per distinct (group, SHA-256 of payload); ref_count counts the
-- relay_blob rows that point at it. The quota is charged with size_bytes once per row here.
CREATE TABLE relay_content (
    group_id      BLOB   NOT NULL,
    content_hash  BLOB   NOT NULL,
    size_bytes    BIGINT NOT NULL,
    ref_count     BIGINT NOT NULL,
    payload       BLOB   NOT NULL,
    PRIMARY KEY (group_id, content_hash)
);

-- The cursor log itself.
CREATE TABLE relay_blob (
    group_id      BLOB   NOT NULL,
    cursor        BIGINT NOT NULL,
    blob_id       BLOB   NOT NULL,
    sender_id     BLOB   NOT NULL,
    content_hash  BLOB   NOT NULL,
    size_bytes    BIGINT NOT NULL,
    expires_at_ms BIGINT NOT NULL,
    PRIMARY KEY (group_id, cursor)
) WITHOUT ROWID;

-- Idempotent appends: one row per (group, blob id).
CREATE UNIQUE INDEX relay_blob_group_blob ON relay_blob (group_id, blob_id);

-- purgeExpired scans by expiry.
CREATE INDEX relay_blob_expiry ON relay_blob (expires_at_ms);
