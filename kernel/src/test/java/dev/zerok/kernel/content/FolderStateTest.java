package dev.zerok.kernel.content;

import static org.assertj.core.api.Assertions.assertThat;

import dev.zerok.ports.clientstate.VersionVector;
import dev.zerok.ports.id.ContentHash;
import dev.zerok.ports.id.DeviceId;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.TreeMap;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import org.junit.jupiter.api.Test;

class FolderStateTest {
    private static final DeviceId A = device(1);
    private static final DeviceId B = device(2);
    private static final DeviceId C = device(3);

    @Test
    void merge_newerVersion_replacesOlder() {
        FolderState state = new FolderState("docs");
        FileRecord v1 = file("a.txt", 1, 1000, vv(A, 1), A);
        FileRecord v2 = file("a.txt", 2, 2000, vv(A, 2), A);
        assertThat(state.merge(v1)).isTrue();
        assertThat(state.merge(v2)).isTrue();
        assertThat(state.merge(v1)).isFalse();
        assertThat(state.heads("a.txt")).containsExactly(v2);
        assertThat(state.resolve("a.txt").conflicts()).isEmpty();
    }

    @Test
    void merge_concurrentEdits_keepsBothAndNewerMtimeWins() {
        FolderState state = new FolderState("docs");
        FileRecord base = file("a.txt", 1, 1000, vv(A, 1), A);
        FileRecord onA = file("a.txt", 2, 3000, vv(A, 2), A);
        FileRecord onB = file("a.txt", 3, 2000, vv(A, 1, B, 1), B);
        state.merge(base);
        state.merge(onB);
        state.merge(onA);
        FolderState.Resolution r = state.resolve("a.txt");
        assertThat(r.winner()).isEqualTo(onA);
        assertThat(r.conflicts()).containsExactly(onB);
    }

    @Test
    void resolve_modificationAgainstDeletion_modificationWinsWithoutCopy() {
        FolderState state = new FolderState("docs");
        FileRecord deleted = FileRecord.tombstone("a.txt", FileRecord.Type.FILE, 9000, vv(A, 2), A);
        FileRecord edited = file("a.txt", 3, 1000, vv(A, 1, B, 1), B);
        state.merge(deleted);
        state.merge(edited);
        assertThat(state.resolve("a.txt").winner()).isEqualTo(edited);
        assertThat(state.resolve("a.txt").conflicts()).isEmpty();
    }

    @Test
    void resolve_concurrentSameContent_noConflict() {
        FolderState state = new FolderState("docs");
        state.merge(file("a.txt", 7, 1000, vv(B, 1), B));
        state.merge(file("a.txt", 7, 2000, vv(C, 1), C));
        assertThat(state.heads("a.txt")).hasSize(2);
        assertThat(state.resolve("a.txt").conflicts()).isEmpty();
    }

    @Test
    void nextVersion_overAllHeads_supersedesEveryHead() {
        FolderState state = new FolderState("docs");
        state.merge(file("a.txt", 2, 3000, vv(A, 2), A));
        state.merge(file("a.txt", 3, 2000, vv(A, 1, B, 1), B));
        VersionVector next = state.nextVersion("a.txt", state.headsVersion("a.txt"), C);
        assertThat(state.merge(file("a.txt", 2, 4000, next, C))).isTrue();
        assertThat(state.heads("a.txt")).hasSize(1);
        assertThat(next.get(C)).isEqualTo(1);
    }

    @Test
    void compare_vectors_allFourOrders() {
        assertThat(FolderState.compare(vv(A, 1), vv(A, 1))).isEqualTo(FolderState.Order.EQUAL);
        assertThat(FolderState.compare(vv(A, 1), vv(A, 2))).isEqualTo(FolderState.Order.BEFORE);
        assertThat(FolderState.compare(vv(A, 1, B, 1), vv(A, 1))).isEqualTo(FolderState.Order.AFTER);
        assertThat(FolderState.compare(vv(A, 2), vv(A, 1, B, 1))).isEqualTo(FolderState.Order.CONCURRENT);
    }

    /** The CRDT property: any delivery order, with duplicates, ends in the same heads and winners. */
    @Property(tries = 300)
    void merge_anyOrderWithDuplicates_sameHeads(@ForAll long seed) {
        Random random = new Random(seed);
        List<FileRecord> history = history(random);
        FolderState first = new FolderState("f");
        history.forEach(first::merge);
        List<FileRecord> shuffled = new ArrayList<>(history);
        shuffled.addAll(history.subList(0, history.size() / 2));
        Collections.shuffle(shuffled, random);
        FolderState second = new FolderState("f");
        shuffled.forEach(second::merge);
        assertThat(second.all()).containsExactlyElementsOf(first.all());
        for (String path : first.paths()) {
            assertThat(second.resolve(path)).isEqualTo(first.resolve(path));
        }
    }

    /** Three devices editing four paths, each edit on top of what that device had seen. */
    private static List<FileRecord> history(Random random) {
        DeviceId[] devices = {A, B, C};
        List<FileRecord> all = new ArrayList<>();
        List<FolderState> views = List.of(new FolderState("f"), new FolderState("f"), new FolderState("f"));
        for (int step = 0; step < 30; step++) {
            int d = random.nextInt(3);
            FolderState view = views.get(d);
            if (!all.isEmpty() && random.nextBoolean()) {
                view.merge(all.get(random.nextInt(all.size())));
                continue;
            }
            String path = "p" + random.nextInt(4);
            VersionVector next = view.nextVersion(path, view.headsVersion(path), devices[d]);
            FileRecord r = random.nextInt(5) == 0
                    ? FileRecord.tombstone(path, FileRecord.Type.FILE, random.nextInt(5) * 1000L, next, devices[d])
                    : file(path, random.nextInt(3), random.nextInt(5) * 1000L, next, devices[d]);
            view.merge(r);
            all.add(r);
        }
        return all;
    }

    static FileRecord file(String path, int content, long mtime, VersionVector version, DeviceId by) {
        byte[] h = new byte[32];
        Arrays.fill(h, (byte) content);
        return FileRecord.file(path, 0644, 10, mtime, List.of(new ContentHash(h)), version, by);
    }

    static VersionVector vv(Object... deviceCounter) {
        TreeMap<DeviceId, Long> m = new TreeMap<>();
        for (int i = 0; i < deviceCounter.length; i += 2) {
            m.put((DeviceId) deviceCounter[i], ((Integer) deviceCounter[i + 1]).longValue());
        }
        return new VersionVector(m);
    }

    static DeviceId device(int n) {
        byte[] b = new byte[32];
        Arrays.fill(b, (byte) (n * 0x11));
        return new DeviceId(b);
    }
}
