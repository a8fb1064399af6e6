-- zerok relay store, schema version 4: where each group's log is still complete.
-- expired_through is the highest cursor of the group whose row was removed because it expired
-- (purgeExpired, the purge inside a quota-bound append, or an expired row replaced by a new
-- append of the same blob id); it is raised in the same transaction as the delete and never
-- lowered. RelayStore.oldestRetained is 1 + the larger of it and the highest cursor of the
-- group's expired rows not yet purged. A rotten row replaced by a new append does not raise it.
ALTER TABLE relay_group ADD COLUMN expired_through BIGINT NOT NULL DEFAULT 0;

-- Files written before this version did not record purged cursors. The best estimate from what
-- is left: every cursor below the lowest remaining row is gone (exact when blobs expired in cursor
-- order, the common case of one TTL), and with no row left, all of them.
UPDATE relay_group SET expired_through = coalesce(
    (SELECT min(b.cursor) - 1 FROM relay_blob b WHERE b.group_id = relay_group.group_id), head_cursor);

-- oldestRetained reads the highest expired cursor of one group: a range of this index.
CREATE INDEX relay_blob_group_expiry ON relay_blob (group_id, expires_at_ms, cursor);
