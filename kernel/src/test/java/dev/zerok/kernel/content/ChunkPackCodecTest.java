package dev.zerok.kernel.content;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;

class ChunkPackCodecTest {
    private static byte[] sealed(int length, int fill) {
        byte[] b = new byte[length];
        Arrays.fill(b, (byte) fill);
        return b;
    }

    private static final List<byte[]> SAMPLE = List.of(sealed(ChunkSealer.OVERHEAD_BYTES, 1),
            sealed(300, 2), sealed(70_000, 3));

    @Test
    void decode_encodedPack_givesTheChunksInOrder() throws Exception {
        List<byte[]> back = ChunkPackCodec.decode(ChunkPackCodec.encode(SAMPLE));
        assertThat(back).hasSize(3);
        for (int i = 0; i < 3; i++) {
            assertThat(back.get(i)).isEqualTo(SAMPLE.get(i));
        }
    }

    @Test
    void encode_oneChunk_isAnArrayOfOneBin() {
        // 0x91 = array(1), 0xc4 0x29 = bin8 of 41 bytes
        assertThat(HexFormat.of().formatHex(ChunkPackCodec.encode(List.of(sealed(41, 0))), 0, 3)).isEqualTo("91c429");
    }

    @Test
    void encodedBytesAtMost_boundsTheEncoding() {
        long sum = SAMPLE.stream().mapToLong(b -> b.length).sum();
        assertThat((long) ChunkPackCodec.encode(SAMPLE).length).isLessThanOrEqualTo(
                ChunkPackCodec.encodedBytesAtMost(SAMPLE.size(), sum));
    }

    @Test
    void decode_everyTruncation_contentException() {
        byte[] bytes = ChunkPackCodec.encode(SAMPLE);
        for (int n = 0; n < bytes.length; n += 97) {
            byte[] cut = Arrays.copyOf(bytes, n);
            assertThatThrownBy(() -> ChunkPackCodec.decode(cut)).isInstanceOf(ContentException.class);
        }
    }

    @Test
    void decode_emptyPackShortChunkTrailingBytesNonCanonical_rejectedWithTheirCodes() {
        assertCode("90", ContentException.Code.INVALID_VALUE);
        assertCode("91c403" + "010203", ContentException.Code.INVALID_VALUE);
        byte[] one = ChunkPackCodec.encode(List.of(sealed(41, 0)));
        byte[] trailing = Arrays.copyOf(one, one.length + 1);
        assertThatThrownBy(() -> ChunkPackCodec.decode(trailing)).isInstanceOfSatisfying(ContentException.class,
                e -> assertThat(e.code()).isEqualTo(ContentException.Code.TRAILING_BYTES));
        // bin16 header for 41 bytes: valid MessagePack, not the smallest header
        assertCode("91c50029" + "00".repeat(41), ContentException.Code.MALFORMED);
        // a string where a bin belongs
        assertCode("91a1" + "61", ContentException.Code.MALFORMED);
        // array32 declaring 2^32-1 elements in 6 bytes: refused before anything is allocated
        assertCode("ddffffffff00", ContentException.Code.TOO_LARGE);
    }

    @Test
    void encode_emptyOrOversizedChunk_illegalArgument() {
        assertThatThrownBy(() -> ChunkPackCodec.encode(List.of())).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> ChunkPackCodec.encode(List.of(new byte[ChunkSealer.MAX_SEALED_BYTES + 1])))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Property(tries = 500)
    void decode_arbitraryBytes_onlyEverThrowsContentException(@ForAll @Size(max = 120) byte[] bytes) {
        try {
            List<byte[]> chunks = ChunkPackCodec.decode(bytes);
            assertThat(ChunkPackCodec.encode(chunks)).isEqualTo(bytes);
        } catch (ContentException expected) {
            // the only failure allowed
        }
    }

    private static void assertCode(String hex, ContentException.Code code) {
        assertThatThrownBy(() -> ChunkPackCodec.decode(HexFormat.of().parseHex(hex)))
                .isInstanceOfSatisfying(ContentException.class, e -> assertThat(e.code()).isEqualTo(code));
    }
}
