-- zerok relay store, schema version 3: bit-rot detection on serve.
-- The checksum is the one the store already keeps: relay_content.content_hash is the SHA-256 of
-- the payload, computed at append as the dedup key, so every row, old or new, is verifiable and
-- nothing needs back-filling. A pull re-hashes each payload it serves and compares.

-- 1 once the row's payload failed the check (or its relay_content row is gone): the row is never
-- served again, pulls list its cursor as withheld until it expires, its payload row is deleted and
-- uncharged; a later append of the same blob id replaces it.
ALTER TABLE relay_blob ADD COLUMN rotten BIGINT NOT NULL DEFAULT 0;

-- Rows ever flagged rotten in this file: a counter for /metrics that only grows.
ALTER TABLE relay_totals ADD COLUMN rotten_detected BIGINT NOT NULL DEFAULT 0;
