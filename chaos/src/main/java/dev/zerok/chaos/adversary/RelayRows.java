package dev.zerok.chaos.adversary;

import dev.zerok.chaos.topology.ChaosException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * Reads a relay's SQLite store from outside the process (WAL mode lets a second reader in): the
 * cursor log and the per-group heads and byte counts, to assert on what the relay actually
 * stored. Stateless.
 */
public final class RelayRows {
    private RelayRows() {}

    /** The cursor-log rows and the head of group {@code groupId}, as text lines in a stable order. */
    public static List<String> snapshot(Path db, byte[] groupId) {
        List<String> rows = new ArrayList<>();
        HexFormat hex = HexFormat.of();
        try (Connection c = open(db)) {
            try (PreparedStatement q = c.prepareStatement("SELECT group_id, cursor, blob_id, content_hash, size_bytes "
                    + "FROM relay_blob WHERE group_id = ? ORDER BY cursor")) {
                q.setBytes(1, groupId);
                ResultSet rs = q.executeQuery();
                while (rs.next()) {
                    rows.add("blob " + hex.formatHex(rs.getBytes(1)) + " " + rs.getLong(2) + " " + hex.formatHex(rs.getBytes(3))
                            + " " + hex.formatHex(rs.getBytes(4)) + " " + rs.getLong(5));
                }
            }
            try (PreparedStatement q = c.prepareStatement(
                    "SELECT group_id, head_cursor, blob_count, stored_bytes FROM relay_group WHERE group_id = ?")) {
                q.setBytes(1, groupId);
                ResultSet rs = q.executeQuery();
                while (rs.next()) {
                    rows.add("group " + hex.formatHex(rs.getBytes(1)) + " head=" + rs.getLong(2) + " blobs=" + rs.getLong(3)
                            + " bytes=" + rs.getLong(4));
                }
            }
        } catch (SQLException e) {
            throw new ChaosException("cannot read the relay store " + db + ": " + e.getMessage(), e);
        }
        return rows;
    }

    /** Payload bytes stored for {@code groupId} (distinct contents, as the quota counts them). */
    public static long storedBytes(Path db, byte[] groupId) {
        try (Connection c = open(db);
                PreparedStatement q = c.prepareStatement(
                        "SELECT COALESCE(SUM(size_bytes), 0), COALESCE(SUM(LENGTH(payload)), 0) FROM relay_content WHERE group_id = ?")) {
            q.setBytes(1, groupId);
            try (ResultSet rs = q.executeQuery()) {
                rs.next();
                return Math.max(rs.getLong(1), rs.getLong(2));
            }
        } catch (SQLException e) {
            throw new ChaosException("cannot read the relay store " + db + ": " + e.getMessage(), e);
        }
    }

    private static Connection open(Path db) throws SQLException {
        Connection c = DriverManager.getConnection("jdbc:sqlite:" + db);
        c.createStatement().execute("PRAGMA busy_timeout = 5000");
        return c;
    }
}
