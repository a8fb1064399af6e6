package dev.zerok.kernel.wire;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * Bounded fuzzing of the receive path (frame decoder, then message decoder) in the normal test
 * run: random bytes and mutations of valid frames must yield frames and messages or a
 * {@link ProtocolException}, never another exception. Longer runs: {@code -Djqwik.tries.default=N}.
 */
class FrameDecoderFuzzTest {

    @Provide
    Arbitrary<byte[]> randomStreams() {
        return Arbitraries.bytes().array(byte[].class).ofMaxSize(512);
    }

    @Provide
    Arbitrary<byte[]> mutatedFrames() {
        return WireArbitraries.messages()
                .map(m -> FrameCodec.frame(m, FrameCodec.DEFAULT_MAX_FRAME_BYTES))
                .filter(f -> f.length < 4096)
                .flatMap(frame -> Arbitraries.integers().between(0, frame.length - 1).list().ofMinSize(1).ofMaxSize(4)
                        .flatMap(positions -> Arbitraries.bytes().list().ofSize(positions.size()).map(values -> {
                            byte[] mutated = frame.clone();
                            for (int i = 0; i < positions.size(); i++) {
                                mutated[positions.get(i)] = values.get(i);
                            }
                            return mutated;
                        })));
    }

    @Property(tries = 20_000)
    void receivePath_ofRandomBytes_throwsOnlyProtocolException(@ForAll("randomStreams") byte[] stream) {
        assertOnlyProtocolException(stream);
    }

    @Property(tries = 20_000)
    void receivePath_ofMutatedFrames_throwsOnlyProtocolException(@ForAll("mutatedFrames") byte[] stream) {
        assertOnlyProtocolException(stream);
    }

    @Property(tries = 5_000)
    void decode_ofRandomBytes_throwsOnlyProtocolException(@ForAll("randomStreams") byte[] body) {
        try {
            Message m = MessageCodec.decode(body);
            assertThat(MessageCodec.encode(m)).isEqualTo(body);
        } catch (ProtocolException expected) {
            assertThat(expected.code()).isNotNull();
        }
    }

    private static void assertOnlyProtocolException(byte[] stream) {
        FrameDecoder decoder = new FrameDecoder(FrameCodec.DEFAULT_MAX_FRAME_BYTES);
        try {
            List<byte[]> frames = decoder.feed(stream);
            decoder.finish();
            for (byte[] frame : frames) {
                Message m = MessageCodec.decode(frame);
                assertThat(MessageCodec.encode(m)).isEqualTo(frame);
            }
        } catch (ProtocolException expected) {
            assertThat(expected.code()).isNotNull();
        }
    }
}
