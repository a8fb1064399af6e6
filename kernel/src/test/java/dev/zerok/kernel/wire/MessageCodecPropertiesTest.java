package dev.zerok.kernel.wire;

import static org.assertj.core.api.Assertions.assertThat;

import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

class MessageCodecPropertiesTest {

    @Provide
    Arbitrary<Message> messages() {
        return WireArbitraries.messages();
    }

    @Property(tries = 2000)
    void decode_ofEncode_returnsEqualMessage(@ForAll("messages") Message message) throws ProtocolException {
        byte[] encoded = MessageCodec.encode(message);

        assertThat(MessageCodec.decode(encoded)).isEqualTo(message);
    }

    @Property(tries = 1000)
    void encode_isDeterministic_andStartsWithTheTypeTag(@ForAll("messages") Message message) {
        byte[] first = MessageCodec.encode(message);
        byte[] second = MessageCodec.encode(message);

        assertThat(first).isEqualTo(second);
        // fixarray header, then the positive-fixint tag
        assertThat(first[0] & 0xf0).isEqualTo(0x90);
        assertThat(first[1]).isEqualTo((byte) message.type().tag());
    }

    @Property(tries = 500)
    void frameDecoder_ofFramedMessages_returnsEachBodyOnce(@ForAll("messages") Message a, @ForAll("messages") Message b)
            throws ProtocolException {
        byte[] stream = concat(FrameCodec.frame(a, FrameCodec.DEFAULT_MAX_FRAME_BYTES),
                FrameCodec.frame(b, FrameCodec.DEFAULT_MAX_FRAME_BYTES));
        FrameDecoder decoder = new FrameDecoder(FrameCodec.DEFAULT_MAX_FRAME_BYTES);

        var frames = decoder.feed(stream);

        assertThat(frames).hasSize(2);
        assertThat(MessageCodec.decode(frames.get(0))).isEqualTo(a);
        assertThat(MessageCodec.decode(frames.get(1))).isEqualTo(b);
        assertThat(decoder.bufferedBytes()).isZero();
    }

    static byte[] concat(byte[]... parts) {
        int total = 0;
        for (byte[] p : parts) {
            total += p.length;
        }
        byte[] out = new byte[total];
        int at = 0;
        for (byte[] p : parts) {
            System.arraycopy(p, 0, out, at, p.length);
            at += p.length;
        }
        return out;
    }
}
