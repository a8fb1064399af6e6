package dev.zerok.kernel.wire;

import dev.zerok.ports.id.BlobId;
import dev.zerok.ports.id.Cursor;
import dev.zerok.ports.id.DeviceId;
import dev.zerok.ports.id.GroupId;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;

/** jqwik generators for every protocol message, including edge values (0, 2^32-1, 2^64-1). */
final class WireArbitraries {
    private WireArbitraries() {}

    static Arbitrary<byte[]> bytes(int min, int max) {
        return Arbitraries.bytes().array(byte[].class).ofMinSize(min).ofMaxSize(max);
    }

    static Arbitrary<Cursor> cursors() {
        return Arbitraries.oneOf(
                Arbitraries.longs().map(Cursor::new),
                Arbitraries.of(0L, 1L, 127L, 128L, 255L, 65_535L, 0xFFFF_FFFFL, Long.MAX_VALUE, Long.MIN_VALUE, -1L)
                        .map(Cursor::new));
    }

    static Arbitrary<Long> uint32(long min) {
        return Arbitraries.oneOf(Arbitraries.longs().between(min, 0xFFFF_FFFFL),
                Arbitraries.of(min, 127L, 128L, 65_536L, 0xFFFF_FFFFL).filter(v -> v >= min));
    }

    static Arbitrary<DeviceId> devices() {
        return bytes(DeviceId.LENGTH, DeviceId.LENGTH).map(DeviceId::new);
    }

    static Arbitrary<GroupId> groups() {
        return bytes(GroupId.LENGTH, GroupId.LENGTH).map(GroupId::new);
    }

    /** A valid Welcome.oldestCursor for {@code head}: 1..head+1, edges included often. */
    private static Cursor oldestFor(Cursor head, long pick) {
        long span = head.value() == -1L ? -1L : head.value() + 1; // unsigned count of 1..head+1
        return switch ((int) Math.floorMod(pick, 4L)) {
            case 0 -> new Cursor(1);
            case 1 -> new Cursor(span); // head + 1 (or 2^64-1 at the largest head)
            default -> new Cursor(Long.remainderUnsigned(pick >>> 2, span) + 1);
        };
    }

    static Arbitrary<BlobId> blobIds() {
        return bytes(BlobId.LENGTH, BlobId.LENGTH).map(BlobId::new);
    }

    static Arbitrary<Message.PulledBlob> pulledBlobs() {
        return Combinators.combine(cursors(), blobIds(), devices(), bytes(1, 300)).as(Message.PulledBlob::new);
    }

    static Arbitrary<Message> messages() {
        Arbitrary<Message> hello = Combinators.combine(Arbitraries.integers().between(1, 65_535), devices(), groups(),
                bytes(1, 200)).as(Message.Hello::new);
        Arbitrary<Message> welcome = Combinators.combine(Arbitraries.integers().between(1, 65_535), cursors(),
                Arbitraries.longs(), uint32(1), uint32(1)).as((version, head, pick, frame, ttl) ->
                        new Message.Welcome(version, head, oldestFor(head, pick), frame, ttl));
        Arbitrary<Message> push = Combinators.combine(blobIds(), uint32(1), bytes(1, 70_000)).as(Message.Push::new);
        Arbitrary<Message> ack = Combinators.combine(blobIds(), cursors()).as(Message.PushAck::new);
        Arbitrary<Message> pull = Combinators.combine(cursors(), uint32(1), uint32(1)).as(Message.Pull::new);
        Arbitrary<Message> response = Combinators.combine(pulledBlobs().list().ofMaxSize(6), Arbitraries.of(true, false))
                .as((blobs, more) -> new Message.PullResponse(strictlyIncreasing(blobs), more));
        Arbitrary<Message> notify = cursors().map(Message.Notify::new);
        Arbitrary<Message> bye = Arbitraries.just(new Message.Bye());
        Arbitrary<Message> error = Combinators.combine(Arbitraries.of(ErrorCode.class),
                Arbitraries.strings().ofMaxLength(120).filter(WireArbitraries::validText), uint32(0))
                .as(Message.Error::new);
        return Arbitraries.oneOf(hello, welcome, push, ack, pull, response, notify, bye, error);
    }

    private static boolean validText(String s) {
        try {
            WireChecks.utf8("text", s, Message.Error.MAX_DETAIL_BYTES);
            return true;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    /** Rewrites the cursors of {@code blobs} so they strictly increase, keeping everything else. */
    private static List<Message.PulledBlob> strictlyIncreasing(List<Message.PulledBlob> blobs) {
        long next = 1;
        java.util.ArrayList<Message.PulledBlob> out = new java.util.ArrayList<>();
        for (Message.PulledBlob b : blobs) {
            next += 1 + Math.floorMod(b.cursor().value(), 1_000_000L);
            out.add(new Message.PulledBlob(new Cursor(next), b.blob(), b.sender(), b.payload()));
        }
        return out;
    }
}
