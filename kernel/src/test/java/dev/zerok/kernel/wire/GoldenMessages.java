package dev.zerok.kernel.wire;

import dev.zerok.ports.id.BlobId;
import dev.zerok.ports.id.Cursor;
import dev.zerok.ports.id.DeviceId;
import dev.zerok.ports.id.GroupId;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Fixed messages whose encodings are checked in as hex under {@code src/test/resources/wire/golden}.
 * Changing one of these, or the codec, breaks {@link GoldenVectorsTest}: the wire format cannot
 * drift silently.
 */
final class GoldenMessages {
    private GoldenMessages() {}

    static byte[] pattern(int length, int start) {
        byte[] out = new byte[length];
        for (int i = 0; i < length; i++) {
            out[i] = (byte) (start + i);
        }
        return out;
    }

    static final DeviceId DEVICE = new DeviceId(pattern(32, 0x10));
    static final GroupId GROUP = new GroupId(pattern(32, 0x40));
    static final BlobId BLOB = new BlobId(pattern(16, 0xa0));

    static Map<String, Message> all() {
        Map<String, Message> m = new LinkedHashMap<>();
        m.put("hello", new Message.Hello(1, DEVICE, GROUP, pattern(4, 0xf0)));
        m.put("welcome", new Message.Welcome(1, new Cursor(300), new Cursor(250), FrameCodec.DEFAULT_MAX_FRAME_BYTES, 604_800));
        m.put("push", new Message.Push(BLOB, 86_400, new byte[] {'z', 'e', 'r', 'o', 'k'}));
        m.put("push-ack", new Message.PushAck(BLOB, new Cursor(42)));
        m.put("pull", new Message.Pull(Cursor.ZERO, 100, 1_048_576));
        m.put("pull-response", new Message.PullResponse(List.of(
                new Message.PulledBlob(new Cursor(7), BLOB, DEVICE, new byte[] {1, 2, 3}),
                new Message.PulledBlob(new Cursor(-1L), BLOB, DEVICE, new byte[] {4})), true));
        m.put("pull-response-empty", new Message.PullResponse(List.of(), false));
        m.put("notify", new Message.Notify(new Cursor(0x1_0000_0000L)));
        m.put("bye", new Message.Bye());
        m.put("error", new Message.Error(ErrorCode.RATE_LIMITED, "slow down", 1500));
        return m;
    }
}
