-- zerok relay store, schema version 2: relay-wide totals for the capacity caps.
-- One row (id = 1), changed in the same transaction as every insert or delete of relay_blob and
-- relay_content, so the capacity check at append reads one row instead of summing relay_group.
-- blob_count and stored_bytes equal the sums of the same columns over relay_group.
CREATE TABLE relay_totals (
    id            BIGINT NOT NULL PRIMARY KEY CHECK (id = 1),
    blob_count    BIGINT NOT NULL,
    stored_bytes  BIGINT NOT NULL
);

INSERT INTO relay_totals (id, blob_count, stored_bytes)
    SELECT 1, coalesce(sum(blob_count), 0), coalesce(sum(stored_bytes), 0) FROM relay_group;
