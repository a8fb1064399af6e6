package dev.zerok.kernel.wire;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.zerok.kernel.wire.ProtocolException.Code;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;

class FrameDecoderTest {

    @Provide
    Arbitrary<List<byte[]>> bodies() {
        return Arbitraries.bytes().array(byte[].class).ofMinSize(1).ofMaxSize(3000).list().ofMinSize(1).ofMaxSize(8);
    }

    @Provide
    Arbitrary<List<Integer>> cuts() {
        return Arbitraries.integers().between(1, 5000).list().ofMaxSize(20);
    }

    @Property(tries = 300)
    void feed_inArbitraryPieces_returnsTheSameFrames(@ForAll("bodies") List<byte[]> bodies, @ForAll("cuts") List<Integer> cuts)
            throws ProtocolException {
        byte[] stream = new byte[0];
        for (byte[] b : bodies) {
            stream = MessageCodecPropertiesTest.concat(stream, FrameCodec.frame(b, 4096));
        }
        FrameDecoder decoder = new FrameDecoder(4096);
        List<byte[]> out = new ArrayList<>();
        int at = 0;
        for (int cut : cuts) {
            int end = Math.min(stream.length, at + cut);
            out.addAll(decoder.feed(Arrays.copyOfRange(stream, at, end)));
            at = end;
        }
        out.addAll(decoder.feed(Arrays.copyOfRange(stream, at, stream.length)));
        decoder.finish();

        assertThat(out).hasSameSizeAs(bodies);
        for (int i = 0; i < bodies.size(); i++) {
            assertThat(out.get(i)).isEqualTo(bodies.get(i));
        }
    }

    @Test
    void feed_oversizeHeader_failsBeforeBufferingAnyBody() {
        FrameDecoder decoder = new FrameDecoder(1024);

        ProtocolException e = catchThrowableOfType(ProtocolException.class,
                () -> decoder.feed(new byte[] {0, 0, 4, 1, 'x', 'y'}));

        assertThat(e.code()).isEqualTo(Code.OVERSIZE);
        assertThat(decoder.bufferedBytes()).isLessThanOrEqualTo(FrameCodec.HEADER_BYTES);
    }

    @Test
    void feed_maximalHeaderAnnouncement_failsWithoutAllocating() {
        FrameDecoder decoder = new FrameDecoder(FrameCodec.LIMIT_MAX_FRAME_BYTES);

        ProtocolException e = catchThrowableOfType(ProtocolException.class,
                () -> decoder.feed(new byte[] {(byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff}));

        assertThat(e.code()).isEqualTo(Code.OVERSIZE);
    }

    @Test
    void feed_headerOfExactlyTheMaximum_isAccepted() throws ProtocolException {
        FrameDecoder decoder = new FrameDecoder(3);

        assertThat(decoder.feed(new byte[] {0, 0, 0, 3, 7, 8, 9})).singleElement().isEqualTo(new byte[] {7, 8, 9});
    }

    @Test
    void feed_emptyFrameHeader_throwsEmptyFrame() {
        ProtocolException e = catchThrowableOfType(ProtocolException.class,
                () -> new FrameDecoder(16).feed(new byte[] {0, 0, 0, 0}));

        assertThat(e.code()).isEqualTo(Code.EMPTY_FRAME);
    }

    @Test
    void feed_afterFailure_keepsFailing() {
        FrameDecoder decoder = new FrameDecoder(16);
        catchThrowableOfType(ProtocolException.class, () -> decoder.feed(new byte[] {0, 0, 0, 0}));

        ProtocolException again = catchThrowableOfType(ProtocolException.class, () -> decoder.feed(new byte[] {0, 0, 0, 1, 5}));

        assertThat(again.code()).isEqualTo(Code.EMPTY_FRAME);
    }

    @Test
    void finish_insideAFrame_throwsTruncated() throws ProtocolException {
        FrameDecoder decoder = new FrameDecoder(16);
        decoder.feed(new byte[] {0, 0, 0, 5, 1, 2});

        ProtocolException e = catchThrowableOfType(ProtocolException.class, decoder::finish);

        assertThat(e.code()).isEqualTo(Code.TRUNCATED);
    }

    @Test
    void feed_largeAnnouncementWithFewBytes_allocatesWhatArrived_notTheAnnouncedLength() throws ProtocolException {
        FrameDecoder decoder = new FrameDecoder(FrameCodec.DEFAULT_MAX_FRAME_BYTES);
        byte[] start = new byte[4 + 10];
        start[1] = 0x20; // announces 2 MiB

        decoder.feed(start);

        assertThat(decoder.bodyCapacityBytes()).isLessThanOrEqualTo(FrameDecoder.INITIAL_BODY_BYTES);
        decoder.feed(new byte[100_000]);
        assertThat(decoder.bodyCapacityBytes()).isBetween(100_010, 2 * 100_010);
    }

    @Test
    void feed_frameArrivingInPieces_isReassembledExactly() throws ProtocolException {
        byte[] body = new byte[70_001];
        for (int i = 0; i < body.length; i++) {
            body[i] = (byte) (i * 31);
        }
        byte[] framed = FrameCodec.frame(body, 1 << 20);
        FrameDecoder decoder = new FrameDecoder(1 << 20);
        List<byte[]> frames = new java.util.ArrayList<>();
        for (int at = 0; at < framed.length; at += 999) {
            frames.addAll(decoder.feed(java.util.Arrays.copyOfRange(framed, at, Math.min(framed.length, at + 999))));
        }

        assertThat(frames).singleElement().isEqualTo(body);
    }

    @Test
    void maxFrameBytes_loweredBeforeAHeader_refusesWhatTheOldLimitAllowed_andRaisedAcceptsAgain() throws ProtocolException {
        FrameDecoder decoder = new FrameDecoder(1 << 20);
        decoder.maxFrameBytes(8192);
        ProtocolException e = catchThrowableOfType(ProtocolException.class, () -> decoder.feed(new byte[] {0, 0, 0x20, 1}));
        assertThat(e.code()).isEqualTo(Code.OVERSIZE);

        FrameDecoder raised = new FrameDecoder(8192);
        raised.maxFrameBytes(1 << 20);
        assertThat(raised.feed(new byte[] {0, 0, 0x20, 1})).isEmpty();
    }
}
