package dev.zerok.adapters.storage.sqlite;

import static org.assertj.core.api.Assertions.assertThat;

import dev.zerok.ports.testkit.SeededEntropy;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.jooq.DSLContext;
import org.jooq.Query;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The look-ups {@link AppendBatch#load} makes once per batch must stay index searches, one per
 * requested value: a plan that scans the group's log would make every batch cost as much as the
 * log is long (the behaviour is covered by the contract test; this pins the cost). Checked with
 * SQLite's own {@code EXPLAIN QUERY PLAN} on the statements the store runs.
 */
class AppendBatchTest {
    @TempDir
    Path dir;

    private final SeededEntropy entropy = new SeededEntropy(13);
    private Connection connection;
    private DSLContext dsl;

    @BeforeEach
    void openFile() throws Exception {
        connection = SqliteFile.connect(dir.resolve("relay.db"), Synchronous.NORMAL, Duration.ofSeconds(1));
        SqliteFile.migrate(connection, SqliteFile.Kind.RELAY);
        dsl = SqliteFile.dsl(connection);
    }

    @AfterEach
    void closeFile() {
        SqliteFile.closeQuietly(connection);
    }

    private List<byte[]> values(int count, int length) {
        List<byte[]> values = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            values.add(entropy.bytes(length));
        }
        return values;
    }

    /** The plan of {@code query} as the store runs it: prepared, with bound values. */
    private List<String> plan(Query query) throws Exception {
        List<String> details = new ArrayList<>();
        try (PreparedStatement s = connection.prepareStatement("EXPLAIN QUERY PLAN " + dsl.render(query))) {
            List<Object> values = query.getBindValues();
            for (int i = 0; i < values.size(); i++) {
                s.setObject(i + 1, values.get(i));
            }
            try (ResultSet rs = s.executeQuery()) {
                while (rs.next()) {
                    details.add(rs.getString("detail"));
                }
            }
        }
        return details;
    }

    @Test
    void existingRows_manyBlobIds_searchTheGroupBlobIndexAndNeverScanTheLog() throws Exception {
        List<String> plan = plan(AppendBatch.existingRows(dsl, entropy.bytes(16), values(256, 16)));

        assertThat(plan).anySatisfy(step -> assertThat(step)
                .startsWith("SEARCH relay_blob USING").contains("INDEX relay_blob_group_blob (group_id=? AND blob_id=?)"));
        assertThat(plan).noneSatisfy(step -> assertThat(step).contains("relay_blob USING PRIMARY KEY"));
        assertThat(plan).noneSatisfy(step -> assertThat(step).startsWith("SCAN relay_blob"));
    }

    @Test
    void storedContents_manyHashes_searchTheContentKeyPerHash() throws Exception {
        List<String> plan = plan(AppendBatch.storedContents(dsl, entropy.bytes(16), values(256, 32)));

        assertThat(plan).anySatisfy(step -> assertThat(step)
                .startsWith("SEARCH relay_content USING INDEX").contains("(group_id=? AND content_hash=?)"));
        assertThat(plan).noneSatisfy(step -> assertThat(step).startsWith("SCAN relay_content"));
    }
}
