package dev.zerok.kernel.wire;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;

/**
 * Jazzer (coverage-guided) fuzzing of the receive path: a byte stream cut into arbitrary pieces is
 * fed to {@link FrameDecoder}, and every frame it completes to {@link MessageCodec#decode}. The
 * only exception allowed out is {@link ProtocolException}; any other throwable is a finding.
 * Every decoded message must round-trip: {@code encode(decode(frame))} is the frame itself (the
 * decoder accepts only canonical bytes) and decodes to an equal message.
 *
 * <p>Input layout, so seeds can be written by hand ({@link FuzzSeeds}): libFuzzer's
 * {@link FuzzedDataProvider} takes integers from the <b>end</b> of the input and byte arrays from
 * the front, so an input is
 *
 * <pre>
 * +----------------------+----------------------------+---------------+-------------+
 * | stream bytes ...     | chunk sizes, last first    | chunk count   | flags       |
 * |                      | (1 byte each, 0..255)      | (1 byte, %16) | (1 byte)    |
 * +----------------------+----------------------------+---------------+-------------+
 * </pre>
 *
 * The flags' low 2 bits pick the decoder's maximum frame size ({@link #MAX_FRAME_CHOICES}); the
 * stream bytes after the last sized chunk form one final chunk.
 *
 * <p>{@code ./mvnw verify} replays {@code ReceivePathFuzzTestInputs/} as regression tests in the
 * normal run, then fuzzes this target for a bounded time in its own surefire execution (kernel
 * pom, {@code fuzz-receive-path}); docs/CHAOS.md says how to run it longer.
 */
class ReceivePathFuzzTest {
    /** Small maxima reach OVERSIZE quickly; the default is what production decoders use. */
    static final int[] MAX_FRAME_CHOICES = {FrameCodec.DEFAULT_MAX_FRAME_BYTES, 16, 64, 1024};

    @FuzzTest(maxDuration = "25s")
    void receivePath_ofChunkedHostileBytes_yieldsRoundTrippingMessagesOrProtocolException(FuzzedDataProvider data) {
        int flags = data.consumeByte() & 0xff;
        int maxFrameBytes = MAX_FRAME_CHOICES[flags & 3];
        int sizedChunks = data.consumeInt(0, 15);
        int[] sizes = new int[sizedChunks];
        for (int i = 0; i < sizedChunks; i++) {
            sizes[i] = data.consumeInt(0, 255);
        }
        List<byte[]> chunks = new ArrayList<>();
        for (int size : sizes) {
            chunks.add(data.consumeBytes(size));
        }
        chunks.add(data.consumeRemainingAsBytes());

        FrameDecoder decoder = new FrameDecoder(maxFrameBytes);
        ByteArrayOutputStream accepted = new ByteArrayOutputStream();
        ProtocolException failure = null;
        for (byte[] chunk : chunks) {
            List<byte[]> frames;
            try {
                frames = decoder.feed(chunk);
            } catch (ProtocolException e) {
                assertThat(e.code()).isIn(ProtocolException.Code.OVERSIZE, ProtocolException.Code.EMPTY_FRAME);
                if (failure != null) {
                    assertThat(e).as("a failed decoder repeats its first failure").isSameAs(failure);
                }
                failure = e;
                continue;
            }
            assertThat(failure).as("a failed decoder never yields frames again").isNull();
            assertThat(decoder.bufferedBytes()).isLessThanOrEqualTo(FrameCodec.HEADER_BYTES + maxFrameBytes);
            for (byte[] frame : frames) {
                assertThat(frame.length).isBetween(1, maxFrameBytes);
                accepted.writeBytes(FrameCodec.frame(frame, maxFrameBytes));
                assertRoundTrip(frame);
            }
        }
        if (failure == null) {
            try {
                decoder.finish();
                assertThat(decoder.bufferedBytes()).isZero();
            } catch (ProtocolException e) {
                assertThat(e.code()).isEqualTo(ProtocolException.Code.TRUNCATED);
                assertThat(decoder.bufferedBytes()).isPositive();
            }
        }
        // The frames given out, re-framed, are a prefix of the stream: nothing invented or lost.
        byte[] stream = concat(chunks);
        byte[] out = accepted.toByteArray();
        assertThat(out.length).isLessThanOrEqualTo(stream.length);
        assertThat(java.util.Arrays.equals(out, 0, out.length, stream, 0, out.length)).isTrue();
    }

    private static void assertRoundTrip(byte[] frame) {
        Message message;
        try {
            message = MessageCodec.decode(frame);
        } catch (ProtocolException e) {
            assertThat(e.code()).isNotNull();
            return;
        }
        byte[] encoded = MessageCodec.encode(message);
        assertThat(encoded).as("decode accepts canonical bytes only").isEqualTo(frame);
        try {
            assertThat(MessageCodec.decode(encoded)).isEqualTo(message);
        } catch (ProtocolException e) {
            fail("the encoding of a decoded " + message.type() + " does not decode: " + e.getMessage());
        }
    }

    private static byte[] concat(List<byte[]> chunks) {
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        chunks.forEach(all::writeBytes);
        return all.toByteArray();
    }
}
