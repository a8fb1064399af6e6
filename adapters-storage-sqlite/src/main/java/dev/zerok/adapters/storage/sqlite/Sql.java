package dev.zerok.adapters.storage.sqlite;

/**
 * The only SQL text of this adapter outside the migration files: connection pragmas and explicit
 * transaction control, which jOOQ's DSL does not model. Every query goes through the generated
 * jOOQ classes.
 */
final class Sql {
    private Sql() {}

    /**
     * Takes the write lock when the transaction starts rather than at its first write, so a
     * read-then-write transaction (cursor allocation, quota check) can never fail half-way with
     * SQLITE_BUSY on lock upgrade, and writers queue on the busy timeout instead.
     */
    static final String BEGIN_IMMEDIATE = "BEGIN IMMEDIATE";

    /** A read snapshot: every statement until COMMIT sees the same committed state. */
    static final String BEGIN_DEFERRED = "BEGIN DEFERRED";

    static final String COMMIT = "COMMIT";
    static final String ROLLBACK = "ROLLBACK";

    /** One item of a batched append: a refused item rolls back to here, the transaction goes on. */
    static final String SAVEPOINT_ITEM = "SAVEPOINT append_item";
    static final String ROLLBACK_TO_ITEM = "ROLLBACK TO append_item";
    static final String RELEASE_ITEM = "RELEASE append_item";

    /** Must run before the first table exists: SQLite fixes the vacuum mode at table creation. */
    static final String AUTO_VACUUM_INCREMENTAL = "PRAGMA auto_vacuum = INCREMENTAL";

    static final String AUTO_VACUUM = "PRAGMA auto_vacuum";
    static final String JOURNAL_MODE_WAL = "PRAGMA journal_mode = WAL";
    static final String SYNCHRONOUS_PREFIX = "PRAGMA synchronous = ";
    static final String BUSY_TIMEOUT_PREFIX = "PRAGMA busy_timeout = ";
    static final String USER_VERSION = "PRAGMA user_version";
    static final String USER_VERSION_SET_PREFIX = "PRAGMA user_version = ";
    static final String APPLICATION_ID = "PRAGMA application_id";
    static final String APPLICATION_ID_SET_PREFIX = "PRAGMA application_id = ";
    static final String SCHEMA_OBJECT_COUNT = "SELECT count(*) FROM sqlite_schema";
    static final String INCREMENTAL_VACUUM = "PRAGMA incremental_vacuum";
    static final String FREELIST_COUNT = "PRAGMA freelist_count";

    /** Moves the WAL into the main file and truncates the WAL, so freed pages leave the disk. */
    static final String WAL_CHECKPOINT_TRUNCATE = "PRAGMA wal_checkpoint(TRUNCATE)";

    static final String INTEGRITY_CHECK = "PRAGMA integrity_check";
}
