package dev.zerok.adapters.storage.sqlite;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.jooq.DSLContext;
import org.jooq.SQLDialect;
import org.jooq.conf.Settings;
import org.jooq.impl.DSL;
import org.sqlite.SQLiteConfig;

/**
 * Opening a zerok SQLite file: connection settings, owner-only permissions and the schema
 * migrator. Shared by the relay store and the client state store, which live in different files
 * told apart by {@code PRAGMA application_id}.
 *
 * <p>Migrations are the resources {@code db/<kind>/V<n>__<name>.sql}, applied in order inside one
 * {@code BEGIN IMMEDIATE} transaction each, which also sets {@code PRAGMA user_version} to
 * {@code n}; a file whose {@code user_version} is above the newest migration this build carries
 * was written by a newer build and is refused.
 */
final class SqliteFile {
    /**
     * jOOQ's execute logging would print statements with their bound values (group ids, blob
     * ids) at DEBUG level; the relay must not log those, so it is switched off here for good.
     */
    static final Settings JOOQ_SETTINGS = new Settings()
            .withExecuteLogging(false)
            .withDiagnosticsLogging(false)
            .withRenderSchema(false);

    /** The kind of store a file holds. */
    enum Kind {
        /** "zkRS" as a big-endian int. */
        RELAY(0x7a6b5253, "relay store", List.of("db/relay/V1__init.sql", "db/relay/V2__capacity.sql",
                "db/relay/V3__integrity.sql", "db/relay/V4__expired_through.sql")),
        /** "zkCS" as a big-endian int. */
        CLIENT(0x7a6b4353, "client state store", List.of("db/client/V1__init.sql"));

        final int applicationId;
        final String role;
        final List<String> migrations;

        Kind(int applicationId, String role, List<String> migrations) {
            this.applicationId = applicationId;
            this.role = role;
            this.migrations = migrations;
        }

        /** The schema version this build writes: the number of migrations. */
        int latestVersion() {
            return migrations.size();
        }
    }

    private SqliteFile() {}

    /**
     * Opens one connection with the store's pragmas: incremental auto-vacuum (effective only on a
     * new file, before the first table), WAL, the given {@code synchronous} level and busy timeout.
     * Creates missing parent directories and makes a new file owner-only.
     */
    static Connection connect(Path file, Synchronous synchronous, Duration busyTimeout) throws OpenFailure {
        boolean existed = Files.exists(file);
        try {
            Path parent = file.toAbsolutePath().getParent();
            if (parent != null) {
                Files.createDirectories(parent);
            }
        } catch (IOException e) {
            throw new OpenFailure(false, "cannot create the directory of the database file: " + e.getClass().getSimpleName(), e);
        }
        SQLiteConfig config = new SQLiteConfig();
        config.setBusyTimeout((int) Math.min(Integer.MAX_VALUE, busyTimeout.toMillis()));
        Connection connection;
        try {
            connection = config.createConnection("jdbc:sqlite:" + file.toAbsolutePath());
        } catch (SQLException e) {
            throw new OpenFailure(SqliteFailure.notADatabase(e),
                    "cannot open the database file (" + SqliteFailure.codeName(e) + ")", SqliteFailure.causeToAttach(e));
        }
        try (Statement s = connection.createStatement()) {
            s.execute(Sql.AUTO_VACUUM_INCREMENTAL);
            try (ResultSet rs = s.executeQuery(Sql.JOURNAL_MODE_WAL)) {
                if (!rs.next() || !"wal".equalsIgnoreCase(rs.getString(1))) {
                    throw new OpenFailure(false, "the database file refused WAL journal mode", null);
                }
            }
            s.execute(Sql.SYNCHRONOUS_PREFIX + synchronous.name());
            s.execute(Sql.BUSY_TIMEOUT_PREFIX + busyTimeout.toMillis());
        } catch (SQLException e) {
            closeQuietly(connection);
            throw new OpenFailure(SqliteFailure.notADatabase(e),
                    "cannot configure the database file (" + SqliteFailure.codeName(e) + ")", SqliteFailure.causeToAttach(e));
        } catch (OpenFailure e) {
            closeQuietly(connection);
            throw e;
        }
        if (!existed) {
            restrictToOwner(file);
        }
        return connection;
    }

    /** jOOQ over {@code connection}, with {@link #JOOQ_SETTINGS}. */
    static DSLContext dsl(Connection connection) {
        return DSL.using(connection, SQLDialect.SQLITE, JOOQ_SETTINGS);
    }

    /**
     * Brings the file's schema to {@link Kind#latestVersion()}.
     *
     * @throws OpenFailure incompatible if the file belongs to another kind of store or a newer build
     */
    static void migrate(Connection connection, Kind kind) throws OpenFailure {
        try (Statement s = connection.createStatement()) {
            while (true) {
                s.execute(Sql.BEGIN_IMMEDIATE);
                boolean done = false;
                try {
                    // Read inside the write transaction: a second process migrating the same file
                    // waits on the lock and then sees the version the first one wrote.
                    int version = intPragma(s, Sql.USER_VERSION);
                    int applicationId = intPragma(s, Sql.APPLICATION_ID);
                    int objects = intPragma(s, Sql.SCHEMA_OBJECT_COUNT);
                    boolean fresh = version == 0 && applicationId == 0 && objects == 0;
                    if (!fresh && applicationId != kind.applicationId) {
                        throw new OpenFailure(true, "the database file is not a zerok " + kind.role
                                + "; point the configured path at a " + kind.role + " file or at a new path", null);
                    }
                    if (version > kind.latestVersion()) {
                        throw new OpenFailure(true, "the " + kind.role + " has schema version " + version
                                + " but this build knows up to " + kind.latestVersion() + "; run a newer build", null);
                    }
                    if (version == kind.latestVersion()) {
                        s.execute(Sql.COMMIT);
                        done = true;
                        return;
                    }
                    int next = version + 1;
                    for (String statement : statements(kind.migrations.get(next - 1))) {
                        s.execute(statement);
                    }
                    s.execute(Sql.USER_VERSION_SET_PREFIX + next);
                    s.execute(Sql.APPLICATION_ID_SET_PREFIX + kind.applicationId);
                    s.execute(Sql.COMMIT);
                    done = true;
                } finally {
                    if (!done) {
                        rollbackQuietly(s);
                    }
                }
            }
        } catch (SQLException e) {
            throw new OpenFailure(SqliteFailure.notADatabase(e),
                    "cannot migrate the " + kind.role + " (" + SqliteFailure.codeName(e) + ")", SqliteFailure.causeToAttach(e));
        }
    }

    /** The statements of one migration resource: line comments removed, split at semicolons. */
    static List<String> statements(String resource) throws OpenFailure {
        String text;
        try (InputStream in = SqliteFile.class.getClassLoader().getResourceAsStream(resource)) {
            if (in == null) {
                throw new OpenFailure(false, "migration " + resource + " is missing from the build", null);
            }
            text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new OpenFailure(false, "cannot read migration " + resource, e);
        }
        StringBuilder withoutComments = new StringBuilder();
        for (String line : text.split("\n", -1)) {
            int comment = line.indexOf("--");
            withoutComments.append(comment >= 0 ? line.substring(0, comment) : line).append('\n');
        }
        List<String> result = new ArrayList<>();
        for (String part : withoutComments.toString().split(";")) {
            if (!part.isBlank()) {
                result.add(part.strip());
            }
        }
        return result;
    }

    static int intPragma(Statement s, String query) throws SQLException {
        try (ResultSet rs = s.executeQuery(query)) {
            return rs.next() ? rs.getInt(1) : 0;
        }
    }

    /** The body of one transaction; may throw its store's own exception. */
    @FunctionalInterface
    interface TransactionBody<T, E extends Exception> {
        T run() throws E;
    }

    /**
     * Runs {@code body} between {@code begin} ({@code BEGIN IMMEDIATE} or {@code BEGIN DEFERRED})
     * and {@code COMMIT}; if the body or the commit fails, rolls back and rethrows.
     */
    static <T, E extends Exception> T transaction(Connection connection, String begin, TransactionBody<T, E> body)
            throws SQLException, E {
        try (Statement s = connection.createStatement()) {
            s.execute(begin);
            boolean committed = false;
            try {
                T result = body.run();
                s.execute(Sql.COMMIT);
                committed = true;
                return result;
            } finally {
                if (!committed) {
                    rollbackQuietly(s);
                }
            }
        }
    }

    static void rollbackQuietly(Statement s) {
        try {
            s.execute(Sql.ROLLBACK);
        } catch (SQLException ignored) {
            // SQLite already rolled back (for example after SQLITE_FULL) or the connection is gone;
            // either way nothing of the transaction was committed.
        }
    }

    static void closeQuietly(Connection connection) {
        try {
            connection.close();
        } catch (SQLException ignored) {
            // Closing is best effort; a failed close leaves committed data intact.
        }
    }

    private static void restrictToOwner(Path file) {
        if (FileSystems.getDefault().supportedFileAttributeViews().contains("posix")) {
            try {
                // SQLite gives the -wal and -shm files the database file's permissions.
                Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
            } catch (IOException | UnsupportedOperationException ignored) {
                // Best effort: the directory's permissions still apply.
            }
        }
    }
}
