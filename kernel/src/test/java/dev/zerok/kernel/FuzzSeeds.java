package dev.zerok.kernel;

import dev.zerok.kernel.wire.ErrorCode;
import dev.zerok.kernel.wire.FrameCodec;
import dev.zerok.kernel.wire.Message;
import dev.zerok.kernel.wire.MessageCodec;
import dev.zerok.ports.id.BlobId;
import dev.zerok.ports.id.Cursor;
import dev.zerok.ports.id.DeviceId;
import dev.zerok.ports.id.GroupId;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Writes the checked-in Jazzer seed inputs (the regression inputs of {@code ReceivePathFuzzTest}
 * and {@code RelaySessionFuzzTest}); not a test. Run from kernel/ after {@code test-compile}:
 *
 * <pre>
 * ../mvnw -o -q dependency:build-classpath -Dmdep.outputFile=target/cp.txt
 * java -cp target/test-classes:target/classes:../ports/target/classes:$(cat target/cp.txt) \
 *     dev.zerok.kernel.FuzzSeeds src/test/resources
 * </pre>
 *
 * Existing seeds are rewritten byte for byte (the output is deterministic). Each seed
 * is a small, named, meaningful input; the fuzzer mutates from there. The layouts are documented
 * on the fuzz tests.
 */
public final class FuzzSeeds {
    private static final String WIRE_DIR = "dev/zerok/kernel/wire/ReceivePathFuzzTestInputs/"
            + "receivePath_ofChunkedHostileBytes_yieldsRoundTrippingMessagesOrProtocolException";
    private static final String RELAY_DIR = "dev/zerok/kernel/relay/RelaySessionFuzzTestInputs/"
            + "relaySession_fedHostileScriptAfterHandshake_keepsItsInvariants";

    private FuzzSeeds() {}

    public static void main(String[] args) throws IOException {
        Path root = Path.of(args[0]);
        write(root.resolve(WIRE_DIR), receivePathSeeds());
        write(root.resolve(RELAY_DIR), relaySessionSeeds());
    }

    private static void write(Path dir, Map<String, byte[]> seeds) throws IOException {
        Files.createDirectories(dir);
        for (Map.Entry<String, byte[]> seed : seeds.entrySet()) {
            Files.write(dir.resolve(seed.getKey()), seed.getValue());
        }
    }

    // ---- ReceivePathFuzzTest: stream || chunk sizes (last first) || chunk count || flags ----

    static Map<String, byte[]> receivePathSeeds() {
        Map<String, byte[]> seeds = new LinkedHashMap<>();
        for (Message m : sampleMessages()) {
            seeds.putIfAbsent("frame-" + m.type().name().toLowerCase(java.util.Locale.ROOT), wire(frame(m), 0));
        }
        Message.PullResponse two = new Message.PullResponse(List.of(
                new Message.PulledBlob(new Cursor(1), blob(1), device(2), new byte[] {1, 2, 3}),
                new Message.PulledBlob(new Cursor(-1L), blob(2), device(3), new byte[] {4})), true);
        seeds.put("frame-pull_response-two-blobs-uint64-cursor", wire(frame(two), 0));

        ByteArrayOutputStream all = new ByteArrayOutputStream();
        sampleMessages().forEach(m -> all.writeBytes(frame(m)));
        byte[] stream = all.toByteArray();
        seeds.put("stream-all-types-one-chunk", wire(stream, 0));
        seeds.put("stream-all-types-byte-by-byte-then-rest", wire(stream, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1));
        seeds.put("stream-all-types-header-straddling-chunks", wire(stream, 0, 3, 2, 7, 0, 11, 5, 250, 1, 2, 3));
        seeds.put("stream-two-frames-max16", wire(concat(frame(new Message.Bye()), frame(new Message.Notify(new Cursor(7)))), 1));

        seeds.put("header-only-truncated", wire(new byte[] {0, 0, 0}, 0));
        seeds.put("body-truncated", wire(Arrays.copyOf(frame(new Message.Notify(new Cursor(1))), 5), 0));
        seeds.put("header-empty-frame", wire(new byte[] {0, 0, 0, 0}, 0));
        seeds.put("header-oversize-2gib", wire(new byte[] {0x7f, -1, -1, -1, 1}, 0));
        seeds.put("header-oversize-4gib-minus-1", wire(new byte[] {-1, -1, -1, -1}, 0));
        seeds.put("header-one-over-max64", wire(new byte[] {0, 0, 0, 65, 0}, 2));
        seeds.put("push-over-max16", wire(frame(new Message.Push(blob(1), 60, new byte[8])), 1));
        seeds.put("frame-exactly-max1024", wire(frame(new Message.Push(blob(1), 60, new byte[1024 - 24])), 3));

        seeds.put("body-trailing-byte", wire(framedBody(concat(MessageCodec.encode(new Message.Bye()), new byte[] {0})), 0));
        seeds.put("body-non-minimal-uint", wire(framedBody(new byte[] {(byte) 0x92, 0x07, (byte) 0xcc, 0x05}), 0));
        seeds.put("body-unknown-tag", wire(framedBody(new byte[] {(byte) 0x91, 0x7f}), 0));
        seeds.put("body-tag-not-uint", wire(framedBody(new byte[] {(byte) 0x91, (byte) 0xa1, 'x'}), 0));
        seeds.put("body-empty-array", wire(framedBody(new byte[] {(byte) 0x90}), 0));
        seeds.put("body-not-an-array", wire(framedBody(new byte[] {0x08}), 0));
        seeds.put("body-bye-with-extra-field", wire(framedBody(new byte[] {(byte) 0x92, 0x08, 0x00}), 0));
        seeds.put("body-reserved-c1", wire(framedBody(new byte[] {(byte) 0x92, 0x07, (byte) 0xc1}), 0));
        seeds.put("body-array32-huge-count", wire(framedBody(new byte[] {(byte) 0xdd, -1, -1, -1, -1, 0x01}), 0));
        seeds.put("body-bin32-huge-length", wire(framedBody(new byte[] {(byte) 0x94, 0x03, (byte) 0xc6, 0x7f, -1, -1, -1}), 0));
        seeds.put("body-error-invalid-utf8", wire(framedBody(new byte[] {(byte) 0x94, 0x09, 0x01, (byte) 0xa2, (byte) 0xc3, 0x28, 0x00}), 0));
        seeds.put("body-error-unknown-code", wire(framedBody(new byte[] {(byte) 0x94, 0x09, 0x7f, (byte) 0xa0, 0x00}), 0));
        seeds.put("body-pull-response-cursors-not-increasing", wire(framedBody(concat(
                new byte[] {(byte) 0x93, 0x06, (byte) 0x92},
                pulledBlobBytes(5), pulledBlobBytes(5), new byte[] {(byte) 0xc2})), 0));
        seeds.put("body-pull-zero-max-blobs", wire(framedBody(new byte[] {(byte) 0x94, 0x05, 0x00, 0x00, 0x01}), 0));
        seeds.put("body-truncated-inside-bin", wire(framedBody(new byte[] {(byte) 0x93, 0x04, (byte) 0xc4, 0x10, 1, 2}), 0));
        return seeds;
    }

    static List<Message> sampleMessages() {
        return List.of(
                new Message.Hello(1, device(1), group(2), new byte[] {42}),
                new Message.Welcome(1, new Cursor(5), new Cursor(3), FrameCodec.DEFAULT_MAX_FRAME_BYTES, 604_800),
                new Message.Push(blob(1), 3600, new byte[] {1, 2, 3, 4}),
                new Message.PushAck(blob(1), new Cursor(6)),
                new Message.Pull(new Cursor(0), 100, 1 << 20),
                new Message.PullResponse(List.of(), false),
                new Message.Notify(new Cursor(300)),
                new Message.Bye(),
                new Message.Error(ErrorCode.RATE_LIMITED, "too many requests", 1500));
    }

    private static byte[] pulledBlobBytes(int cursor) {
        return concat(new byte[] {(byte) 0x94, (byte) cursor, (byte) 0xc4, 0x10}, new byte[16],
                new byte[] {(byte) 0xc4, 0x20}, new byte[32], new byte[] {(byte) 0xc4, 0x01, 0x09});
    }

    /** The receive-path layout: {@code stream}, the chunk sizes last first, their count, the flags. */
    private static byte[] wire(byte[] stream, int flags, int... chunkSizes) {
        byte[] out = Arrays.copyOf(stream, stream.length + chunkSizes.length + 2);
        for (int i = 0; i < chunkSizes.length; i++) {
            out[stream.length + i] = (byte) chunkSizes[chunkSizes.length - 1 - i];
        }
        out[out.length - 2] = (byte) chunkSizes.length;
        out[out.length - 1] = (byte) flags;
        return out;
    }

    private static byte[] frame(Message m) {
        return FrameCodec.frame(m, FrameCodec.DEFAULT_MAX_FRAME_BYTES);
    }

    private static byte[] framedBody(byte[] body) {
        return FrameCodec.frame(body, FrameCodec.DEFAULT_MAX_FRAME_BYTES);
    }

    // ---- RelaySessionFuzzTest: opcode scripts (RelaySessionFuzzHarness has the table) ----

    static final int HELLO = 0, PUSH = 1, PULL = 2, BYE = 3, ERROR = 4, RELAY_ONLY = 5, PLAINTEXT = 6, TAMPERED = 7,
            COMPLETE = 8, UNSOLICITED = 9, TICK = 10, GROUP_ADVANCED = 11, SHUTDOWN = 12, TRANSPORT_CLOSED = 13;

    static Map<String, byte[]> relaySessionSeeds() {
        int[] active = {HELLO, 0, COMPLETE, 0, 0};
        Map<String, byte[]> seeds = new LinkedHashMap<>();
        seeds.put("hello-welcome", script(active));
        seeds.put("hello-push-pull-bye", script(active, push(1, 60, 10), complete(0), pull(0, 10, 1000), complete(0),
                new int[] {BYE}));
        seeds.put("hello-bad-version", script(HELLO, 1));
        seeds.put("hello-other-device", script(HELLO, 2));
        seeds.put("hello-other-group", script(HELLO, 3));
        seeds.put("hello-bad-proof", script(HELLO, 4));
        seeds.put("hello-twice", script(active, new int[] {HELLO, 0}));
        seeds.put("push-before-hello", script(push(1, 60, 10)));
        seeds.put("hello-head-unavailable", script(HELLO, 0, COMPLETE, 0, 1));
        seeds.put("push-quota-refused", script(active, push(1, 60, 10), new int[] {COMPLETE, 0, 2}));
        seeds.put("push-store-unavailable", script(active, push(1, 60, 10), new int[] {COMPLETE, 0, 1}));
        seeds.put("push-duplicate-blob", script(active, push(7, 60, 3), complete(0), push(7, 60, 3), complete(0)));
        seeds.put("push-frame-over-limit", script(active, push(1, 60, 5000)));
        // 4096 - 70 = 4026 payload bytes: the Push and the PullResponse both still fit (F1 lies just above).
        seeds.put("push-near-frame-limit-then-pull", script(active, push(1, 60, 0x8000 | 70), complete(0), pull(0, 1, 1),
                complete(0)));
        seeds.put("push-ttl-over-cap", script(active, push(1, 0xffff, 10), complete(0)));
        seeds.put("pipelined-out-of-order-results", script(active, push(1, 60, 10), pull(0, 5, 100), push(2, 60, 10),
                new int[] {COMPLETE, 1, 0, COMPLETE, 0, 0, COMPLETE, 0, 0}));
        seeds.put("rate-limited-pushes", script(active, push(1, 60, 1), complete(0), push(2, 60, 1), complete(0),
                push(3, 60, 1), complete(0), push(4, 60, 1), complete(0), push(5, 60, 1), complete(0), push(6, 60, 1)));
        seeds.put("tick-to-deadline-before-hello", script(TICK, 0xff, 0xff));
        seeds.put("tick-9999ms-then-hello", script(new int[] {TICK, 0x27, 0x0f}, active));
        seeds.put("tick-after-active", script(active, new int[] {TICK, 0x27, 0x10, TICK, 0xff, 0xff}));
        seeds.put("group-advanced-notify", script(active, new int[] {GROUP_ADVANCED, 9}));
        seeds.put("group-advanced-before-hello", script(GROUP_ADVANCED, 9));
        seeds.put("shutdown-while-push-in-flight", script(active, push(1, 60, 10), new int[] {SHUTDOWN}, complete(0)));
        seeds.put("transport-closed-then-everything", script(active, new int[] {TRANSPORT_CLOSED}, push(1, 60, 1),
                new int[] {COMPLETE, 0, 0, UNSOLICITED, 0, 1, TICK, 0xff, 0xff, SHUTDOWN, TRANSPORT_CLOSED}));
        seeds.put("bye-then-results", script(active, push(1, 60, 1), new int[] {BYE, COMPLETE, 0, 0, GROUP_ADVANCED, 3}));
        seeds.put("device-error-closes", script(active, new int[] {ERROR, 3}));
        for (int kind = 0; kind < 4; kind++) {
            seeds.put("relay-only-message-" + kind, script(active, new int[] {RELAY_ONLY, kind}));
        }
        seeds.put("plaintext-garbage", script(active, new int[] {PLAINTEXT, 0, 5, 1, 2, 3, 4, 5}));
        seeds.put("plaintext-empty-frame-header", script(active, new int[] {PLAINTEXT, 0, 4, 0, 0, 0, 0}));
        seeds.put("plaintext-oversize-header", script(new int[] {PLAINTEXT, 0, 4, 0x7f, 0xff, 0xff, 0xff}));
        seeds.put("plaintext-bye-split-across-two-messages", script(new int[] {PLAINTEXT, 0, 3, 0, 0, 0, PLAINTEXT, 0, 2, 1, 0x91}));
        seeds.put("plaintext-bye-bye", script(active, new int[] {PLAINTEXT, 0, 10, 0, 0, 0, 2, 0x91, 0x08, 0, 0, 0, 2}));
        seeds.put("tampered-transport-message", script(active, new int[] {TAMPERED, 3, 1, 2, 3, 17}));
        seeds.put("replayed-transport-message", script(active, new int[] {TAMPERED, 0, 0}));
        seeds.put("unsolicited-head-before-hello", script(UNSOLICITED, 0, 4, PUSH, 1, 0, 60, 0, 10));
        seeds.put("unsolicited-results-when-active", script(active, new int[] {UNSOLICITED, 1, 3, UNSOLICITED, 2, 0,
                UNSOLICITED, 3, 0, UNSOLICITED, 4, 1}));
        return seeds;
    }

    private static int[] push(int blob, int ttlSeconds, int payloadBytes) {
        return new int[] {PUSH, blob, ttlSeconds >>> 8, ttlSeconds & 0xff, payloadBytes >>> 8, payloadBytes & 0xff};
    }

    private static int[] pull(int after, int maxBlobs, int maxBytes) {
        return new int[] {PULL, after, maxBlobs - 1, (maxBytes - 1) >>> 8, (maxBytes - 1) & 0xff};
    }

    private static int[] complete(int index) {
        return new int[] {COMPLETE, index, 0};
    }

    private static byte[] script(int... ops) {
        return script(new int[][] {ops});
    }

    private static byte[] script(int[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (int[] part : parts) {
            for (int b : part) {
                out.write(b);
            }
        }
        return out.toByteArray();
    }

    // ---- ids ----

    private static BlobId blob(int v) {
        return new BlobId(filled(BlobId.LENGTH, v));
    }

    private static DeviceId device(int v) {
        return new DeviceId(filled(DeviceId.LENGTH, v));
    }

    private static GroupId group(int v) {
        return new GroupId(filled(GroupId.LENGTH, v));
    }

    private static byte[] filled(int length, int v) {
        byte[] b = new byte[length];
        Arrays.fill(b, (byte) v);
        return b;
    }

    private static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
        return out.toByteArray();
    }
}
