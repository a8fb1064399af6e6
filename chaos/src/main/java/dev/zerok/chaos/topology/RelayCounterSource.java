package dev.zerok.chaos.topology;

import dev.zerok.adapters.storage.sqlite.SqliteRelayStoreAccess;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;

/**
 * How topologies build {@link RelayCounters}: the served and pull counts from a relay's own
 * Prometheus metrics ({@code zerok_relay_blobs_served_total}, {@code zerok_relay_pulls_total}, see
 * docs/OPERATIONS.md), the stored rows from its SQLite file opened read-only. Both are counted at the
 * relay, never inferred from what a device reports.
 */
public final class RelayCounterSource {
    /** Counter of blob entries the relay sent in pull responses. */
    public static final String BLOBS_SERVED = "zerok_relay_blobs_served_total";
    /** Counter of pull requests the relay answered. */
    public static final String PULLS = "zerok_relay_pulls_total";
    /** Counter of requests refused with RATE_LIMITED. */
    public static final String RATE_LIMITED = "zerok_relay_rate_limit_hits_total";

    private RelayCounterSource() {}

    /**
     * The value of the unlabelled sample {@code name} in Prometheus text format 0.0.4.
     *
     * @throws ChaosException if the text has no such sample (a relay without the metric)
     */
    public static long metric(String text, String name) {
        for (String line : text.split("\n")) {
            if (line.startsWith(name + " ")) {
                return (long) Double.parseDouble(line.substring(name.length() + 1).strip());
            }
        }
        throw new ChaosException("the relay's metrics have no " + name);
    }

    /**
     * Rows in the relay's cursor log, read through the SQLite adapter's own access hook (the relay
     * may be running, stopped or killed); 0 if the file does not exist yet.
     *
     * @throws ChaosException if the file cannot be read
     */
    public static long rowsStored(Path database) {
        if (!Files.exists(database)) {
            return 0;
        }
        try {
            return SqliteRelayStoreAccess.blobRows(database);
        } catch (SQLException e) {
            throw new ChaosException("cannot count the rows of " + database + ": " + e.getMessage(), e);
        }
    }
}
