package dev.zerok.chaos.scenarios;

import static dev.zerok.chaos.scenarios.Steps.check;

import dev.zerok.chaos.topology.ChaosException;
import dev.zerok.chaos.topology.Relay;
import dev.zerok.chaos.topology.Topology;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * Checks on a relay's SQLite store read from outside the relay (WAL lets a second reader in), for
 * the storage-failure scenarios: the file passes {@code PRAGMA integrity_check}, every cursor-log
 * row points at a stored payload of exactly its recorded size (no partial blob), and the row count
 * is what the scenario expects (nothing stored twice, nothing stored while the disk was full).
 */
final class StoreChecks {
    private StoreChecks() {}

    /**
     * Fails unless {@code relay}'s store is intact and holds exactly {@code expectedRows} blob rows.
     *
     * @throws AssertionError naming what is wrong
     */
    static void relayStoreIntact(Topology t, Relay relay, long expectedRows) {
        Path db = t.relayStorageFiles(relay).stream().filter(p -> p.getFileName().toString().equals("relay.db"))
                .findFirst().orElseThrow(() -> new AssertionError(relay.name() + " has no relay.db"));
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db); Statement s = c.createStatement()) {
            s.execute("PRAGMA busy_timeout = 5000");
            try (ResultSet rs = s.executeQuery("PRAGMA integrity_check")) {
                String verdict = rs.next() ? rs.getString(1) : "no answer";
                check("ok".equals(verdict), relay.name() + "'s store fails integrity_check: " + verdict);
            }
            long rows = single(s, "SELECT COUNT(*) FROM relay_blob");
            long partial = single(s, "SELECT COUNT(*) FROM relay_blob b LEFT JOIN relay_content c"
                    + " ON c.group_id = b.group_id AND c.content_hash = b.content_hash"
                    + " WHERE c.payload IS NULL OR LENGTH(c.payload) <> b.size_bytes");
            check(partial == 0, relay.name() + " holds " + partial + " blob row(s) without their full payload");
            check(rows == expectedRows, relay.name() + " holds " + rows + " blob rows, expected " + expectedRows);
        } catch (SQLException e) {
            throw new ChaosException("cannot read the store of " + relay.name() + ": " + e.getMessage(), e);
        }
    }

    private static long single(Statement s, String query) throws SQLException {
        try (ResultSet rs = s.executeQuery(query)) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
