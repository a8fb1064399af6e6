package dev.zerok.kernel.sync;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HexFormat;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.LongRange;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;

class SyncPayloadTest {
    @Test
    void encode_data_matchesByteDiagram() {
        byte[] encoded = new SyncPayload(SyncPayload.Kind.DATA, 0x0102030405060708L, new byte[] {(byte) 0xaa, (byte) 0xbb}).encode();
        assertThat(HexFormat.of().formatHex(encoded)).isEqualTo("01" + "01" + "0102030405060708" + "aabb");
    }

    @Test
    void decode_emptyData_roundTrips() throws Exception {
        SyncPayload p = new SyncPayload(SyncPayload.Kind.DATA, 1, new byte[0]);
        assertThat(SyncPayload.decode(p.encode())).isEqualTo(p);
        assertThat(p.encode()).hasSize(SyncPayload.HEADER_BYTES);
    }

    @Test
    void decode_shortWrongFormatUnknownKindOrBadSequence_malformed() {
        assertMalformed(new byte[9]);
        assertMalformed(HexFormat.of().parseHex("0201" + "0000000000000001"));
        assertMalformed(HexFormat.of().parseHex("0106" + "0000000000000001"));
        assertMalformed(HexFormat.of().parseHex("01ff" + "0000000000000001"));
        assertMalformed(HexFormat.of().parseHex("0100" + "0000000000000001"));
        assertMalformed(HexFormat.of().parseHex("0101" + "0000000000000000"));
        assertMalformed(HexFormat.of().parseHex("0101" + "8000000000000000"));
    }

    @Test
    void decode_collectionAndChunkKinds_matchWireBytesAndRoundTrip() throws Exception {
        assertThat(SyncPayload.Kind.COLLECTION.wire()).isEqualTo((byte) 2);
        assertThat(SyncPayload.Kind.CHUNK.wire()).isEqualTo((byte) 3);
        assertThat(SyncPayload.Kind.FOLDER.wire()).isEqualTo((byte) 4);
        assertThat(SyncPayload.Kind.CHUNKS.wire()).isEqualTo((byte) 5);
        SyncPayload collection = SyncPayload.decode(HexFormat.of().parseHex("0102" + "0000000000000007" + "90"));
        assertThat(collection).isEqualTo(new SyncPayload(SyncPayload.Kind.COLLECTION, 7, new byte[] {(byte) 0x90}));
        SyncPayload chunk = SyncPayload.decode(HexFormat.of().parseHex("0103" + "0000000000000008" + "01ab"));
        assertThat(chunk).isEqualTo(new SyncPayload(SyncPayload.Kind.CHUNK, 8, new byte[] {1, (byte) 0xab}));
    }

    @Test
    void construct_sequenceZero_rejected() {
        assertThatThrownBy(() -> new SyncPayload(SyncPayload.Kind.DATA, 0, new byte[0])).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void toString_neverShowsData() {
        assertThat(new SyncPayload(SyncPayload.Kind.DATA, 3, "secret".getBytes()).toString()).doesNotContain("secret");
    }

    @Property(tries = 300)
    void decode_anyEncoding_roundTrips(@ForAll SyncPayload.Kind kind,
            @ForAll @LongRange(min = 1, max = Long.MAX_VALUE) long sequence,
            @ForAll @Size(max = 64) byte[] data) throws Exception {
        SyncPayload p = new SyncPayload(kind, sequence, data);
        assertThat(SyncPayload.decode(p.encode())).isEqualTo(p);
    }

    @Property(tries = 1000)
    void decode_arbitraryBytes_onlyEverThrowsSyncException(@ForAll @Size(max = 40) byte[] bytes) {
        try {
            SyncPayload p = SyncPayload.decode(bytes);
            assertThat(p.encode()).isEqualTo(bytes);
        } catch (SyncException e) {
            assertThat(e.code()).isEqualTo(SyncException.Code.MALFORMED_PAYLOAD);
        }
    }

    private static void assertMalformed(byte[] bytes) {
        assertThatThrownBy(() -> SyncPayload.decode(bytes)).isInstanceOfSatisfying(SyncException.class,
                e -> assertThat(e.code()).isEqualTo(SyncException.Code.MALFORMED_PAYLOAD));
    }
}
