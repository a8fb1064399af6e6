package dev.zerok.adapters.storage.sqlite;

import java.sql.SQLException;
import java.util.Optional;
import org.sqlite.SQLiteErrorCode;
import org.sqlite.SQLiteException;

/**
 * Classifies SQLite failures for the two ports' stable codes. Only the SQLite result code name
 * reaches a message: SQLite's own texts name tables and columns, never bound values, but the
 * ports promise no ids or payload bytes, so the code name is all that is repeated.
 */
final class SqliteFailure {
    private SqliteFailure() {}

    /** SQLite primary result codes (sqlite3.h) that mean "this file is not ours / unreadable". */
    private static final int SQLITE_CORRUPT = 11;
    private static final int SQLITE_NOTADB = 26;
    /** SQLite primary result code for "insertion failed because the database (its disk) is full". */
    private static final int SQLITE_FULL = 13;

    /** The first {@link SQLException} in {@code failure}'s cause chain, if any. */
    static Optional<SQLException> sqlCause(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof SQLException sql) {
                return Optional.of(sql);
            }
        }
        return Optional.empty();
    }

    /** The SQLite result code name, e.g. {@code SQLITE_BUSY}, or {@code SQLITE_ERROR} if unknown. */
    static String codeName(Throwable failure) {
        return sqlCause(failure)
                .filter(SQLiteException.class::isInstance)
                .map(e -> ((SQLiteException) e).getResultCode().name())
                .orElse(SQLiteErrorCode.SQLITE_ERROR.name());
    }

    /** True if the file is not a SQLite database or is damaged beyond use. */
    static boolean notADatabase(Throwable failure) {
        return sqlCause(failure)
                .filter(SQLiteException.class::isInstance)
                .map(e -> ((SQLiteException) e).getResultCode().code & 0xff)
                .map(primary -> primary == SQLITE_NOTADB || primary == SQLITE_CORRUPT)
                .orElse(false);
    }

    /**
     * True if the filesystem under the database is full ({@code SQLITE_FULL}, also what SQLite
     * reports for ENOSPC on a write): the failed transaction left nothing behind.
     */
    static boolean storageFull(Throwable failure) {
        return sqlCause(failure)
                .filter(SQLiteException.class::isInstance)
                .map(e -> ((SQLiteException) e).getResultCode().code & 0xff)
                .map(primary -> primary == SQLITE_FULL)
                .orElse(false);
    }

    /** The cause to attach: the driver's exception alone, without jOOQ's wrapper that quotes SQL. */
    static Throwable causeToAttach(Throwable failure) {
        return sqlCause(failure).<Throwable>map(e -> e).orElse(failure);
    }
}
