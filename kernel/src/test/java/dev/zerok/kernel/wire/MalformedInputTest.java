package dev.zerok.kernel.wire;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.zerok.kernel.wire.ProtocolException.Code;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Bad bytes of every kind produce a typed {@link ProtocolException}, never anything else. */
class MalformedInputTest {

    static Stream<Arguments> golden() {
        return GoldenMessages.all().entrySet().stream()
                .map(e -> Arguments.of(e.getKey(), MessageCodec.encode(e.getValue())));
    }

    private static byte[] hex(String hex) {
        return HexFormat.of().parseHex(hex.replace(" ", ""));
    }

    private static ProtocolException decodeFailure(byte[] bytes) {
        Throwable thrown = catchThrowable(() -> MessageCodec.decode(bytes));
        assertThat(thrown).isInstanceOf(ProtocolException.class);
        return (ProtocolException) thrown;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("golden")
    void decode_truncatedAtEveryByte_throwsTruncated(String name, byte[] encoded) {
        for (int length = 0; length < encoded.length; length++) {
            byte[] prefix = Arrays.copyOf(encoded, length);
            assertThat(decodeFailure(prefix).code()).as("%s cut to %d bytes", name, length).isEqualTo(Code.TRUNCATED);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("golden")
    void decode_withEveryBitFlipped_failsTypedOrYieldsAnotherCanonicalMessage(String name, byte[] encoded) {
        for (int bit = 0; bit < encoded.length * 8; bit++) {
            byte[] flipped = encoded.clone();
            flipped[bit / 8] ^= (byte) (1 << (bit % 8));
            try {
                Message decoded = MessageCodec.decode(flipped);
                // A flip inside an id or payload gives a different but valid message; it must be
                // exactly what the flipped bytes say, never a silent reinterpretation.
                assertThat(MessageCodec.encode(decoded)).as("%s bit %d", name, bit).isEqualTo(flipped);
            } catch (ProtocolException expected) {
                assertThat(expected.code()).isNotNull();
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("golden")
    void decode_withTrailingByte_throwsTrailingBytes(String name, byte[] encoded) {
        byte[] longer = Arrays.copyOf(encoded, encoded.length + 1);

        assertThat(decodeFailure(longer).code()).isEqualTo(Code.TRAILING_BYTES);
    }

    @Test
    void decode_emptyInput_throwsTruncated() {
        assertThat(decodeFailure(new byte[0]).code()).isEqualTo(Code.TRUNCATED);
    }

    @Test
    void decode_array32HeaderClaimingHugeCount_throwsBeforeAllocating() {
        // dd 10 00 00 00: an array of 268 million elements in five bytes
        assertThat(decodeFailure(hex("dd10000000")).code()).isEqualTo(Code.TRUNCATED);
    }

    @Test
    void decode_bin32HeaderClaimingHugeLength_throwsTruncated() {
        // Push with a payload header announcing 2 GiB
        byte[] bytes = hex("9403c410a0a1a2a3a4a5a6a7a8a9aaabacadaeaf01c67fffffff00");

        assertThat(decodeFailure(bytes).code()).isEqualTo(Code.TRUNCATED);
    }

    @Test
    void decode_unknownTypeTag_throwsUnknownType() {
        assertThat(decodeFailure(hex("9163")).code()).isEqualTo(Code.UNKNOWN_TYPE);
    }

    @Test
    void decode_notAnArray_throwsWrongType() {
        assertThat(decodeFailure(hex("a3626164")).code()).isEqualTo(Code.WRONG_TYPE);
    }

    @Test
    void decode_emptyArray_throwsFieldCount() {
        assertThat(decodeFailure(hex("90")).code()).isEqualTo(Code.FIELD_COUNT);
    }

    @Test
    void decode_missingField_throwsFieldCount() {
        // PushAck without its cursor
        assertThat(decodeFailure(hex("9204c410a0a1a2a3a4a5a6a7a8a9aaabacadaeaf")).code()).isEqualTo(Code.FIELD_COUNT);
    }

    @Test
    void decode_extraField_throwsFieldCount() {
        assertThat(decodeFailure(hex("920800")).code()).isEqualTo(Code.FIELD_COUNT);
    }

    @Test
    void decode_strWhereBinIsRequired_throwsWrongType() {
        // PushAck whose blob id is a 16-byte str instead of bin
        byte[] bytes = hex("9304b0a0a1a2a3a4a5a6a7a8a9aaabacadaeaf2a");

        assertThat(decodeFailure(bytes).code()).isEqualTo(Code.WRONG_TYPE);
    }

    @Test
    void decode_negativeIntegerWhereUnsignedIsRequired_throwsWrongType() {
        assertThat(decodeFailure(hex("9207ff")).code()).isEqualTo(Code.WRONG_TYPE);
    }

    @Test
    void decode_wrongIdLength_throwsInvalidValue() {
        // PushAck with a 15-byte blob id
        byte[] bytes = hex("9304c40fa0a1a2a3a4a5a6a7a8a9aaabacadae2a");

        assertThat(decodeFailure(bytes).code()).isEqualTo(Code.INVALID_VALUE);
    }

    @Test
    void decode_zeroPullBound_throwsInvalidValue() {
        assertThat(decodeFailure(hex("9405000000")).code()).isEqualTo(Code.INVALID_VALUE);
    }

    @Test
    void decode_unknownErrorCode_throwsInvalidValue() {
        assertThat(decodeFailure(hex("94097fa000")).code()).isEqualTo(Code.INVALID_VALUE);
    }

    @Test
    void decode_invalidUtf8InErrorDetail_throwsInvalidValue() {
        assertThat(decodeFailure(hex("940901a2c3280a")).code()).isEqualTo(Code.INVALID_VALUE);
    }

    @Test
    void decode_pullResponseWithDecreasingCursors_throwsInvalidValue() {
        Map<String, Message> all = GoldenMessages.all();
        byte[] ok = MessageCodec.encode(all.get("pull-response"));
        // swap: entry one gets cursor 2^64-1 (cf ff..ff), entry two gets 7
        String hex = HexFormat.of().formatHex(ok).replaceFirst("9407c410", "94cfffffffffffffffffc410");
        hex = hex.replaceFirst("94cfffffffffffffffffc410(.*)94cfffffffffffffffffc410", "94cfffffffffffffffffc410$194" + "07c410");
        assertThat(decodeFailure(HexFormat.of().parseHex(hex)).code()).isEqualTo(Code.INVALID_VALUE);
    }

    @Test
    void decode_nonMinimalInteger_throwsMalformed() {
        // Notify with head 7 written as uint16 (cd 00 07) instead of fixint 07
        assertThat(decodeFailure(hex("9207cd0007")).code()).isEqualTo(Code.MALFORMED);
    }

    @Test
    void decode_reservedByte_throwsMalformed() {
        assertThat(decodeFailure(hex("9207c1")).code()).isEqualTo(Code.MALFORMED);
    }

    @Test
    void decode_welcomeWithOldestCursorZero_throwsInvalidValue() {
        // 96 02 01 05 00 ce00200000 ce00093a80: head 5, oldestCursor 0
        assertThat(decodeFailure(hex("9602010500ce00200000ce00093a80")).code()).isEqualTo(Code.INVALID_VALUE);
    }

    @Test
    void decode_welcomeWithOldestCursorAboveHeadPlusOne_throwsInvalidValue() {
        // head 5, oldestCursor 7
        assertThat(decodeFailure(hex("9602010507ce00200000ce00093a80")).code()).isEqualTo(Code.INVALID_VALUE);
    }

    @Test
    void decode_welcomeWithOldestCursorHeadPlusOne_decodesEverythingExpired() throws Exception {
        Message decoded = MessageCodec.decode(hex("9602010506ce00200000ce00093a80"));

        assertThat(decoded).isEqualTo(new Message.Welcome(1, new dev.zerok.ports.id.Cursor(5),
                new dev.zerok.ports.id.Cursor(6), 2_097_152, 604_800));
    }

    @Test
    void decode_welcomeWithoutOldestCursor_throwsFieldCount() {
        // the Welcome of builds before oldestCursor: 4 fields
        assertThat(decodeFailure(hex("950201cd012cce00200000ce00093a80")).code()).isEqualTo(Code.FIELD_COUNT);
    }

    @Test
    void decode_welcomeWithOldestCursorAsBin_throwsWrongType() {
        assertThat(decodeFailure(hex("96020105c40101ce00200000ce00093a80")).code()).isEqualTo(Code.WRONG_TYPE);
    }

    @Test
    void constructor_welcomeAtLargestHead_acceptsAnyNonZeroOldestCursor() {
        dev.zerok.ports.id.Cursor largest = new dev.zerok.ports.id.Cursor(-1L);

        assertThat(new Message.Welcome(1, largest, largest, 1, 1).oldestCursor()).isEqualTo(largest);
        assertThatThrownBy(() -> new Message.Welcome(1, largest, dev.zerok.ports.id.Cursor.ZERO, 1, 1))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void constructor_ofOutOfRangeValues_throwsIllegalArgument() {
        assertThatThrownBy(() -> new Message.Pull(dev.zerok.ports.id.Cursor.ZERO, 0, 1))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new Message.Error(ErrorCode.BAD_REQUEST, "x".repeat(513), 0))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new Message.Error(ErrorCode.BAD_REQUEST, "\uD800", 0))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
