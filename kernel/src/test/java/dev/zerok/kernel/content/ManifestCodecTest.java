package dev.zerok.kernel.content;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.fail;

import dev.zerok.kernel.content.ContentException.Code;
import dev.zerok.ports.id.ContentHash;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;
import org.msgpack.core.MessageBufferPacker;
import org.msgpack.core.MessagePack;

class ManifestCodecTest {
    private static final ContentHash ELEVENS = new ContentHash(filled(0x11));

    /** The manifest of {@link #GOLDEN_HEX}. */
    static Manifest golden() {
        return new Manifest("photos", Instant.ofEpochMilli(1_700_000_000_000L), List.of(
                Manifest.Entry.directory("a", 0755),
                Manifest.Entry.file("a/b.txt", 0644, 5, List.of(ELEVENS)),
                Manifest.Entry.file("empty", 0600, 0, List.of())));
    }

    /** Written by hand from the diagram in ManifestCodec's javadoc, not produced by the encoder. */
    static final String GOLDEN_HEX = "94"               // array(4): the manifest
            + "01"                                      // version 1
            + "a6" + "70686f746f73"                     // name: fixstr(6) "photos"
            + "cf" + "0000018bcfe56800"                 // createdAt: uint64 1,700,000,000,000 ms
            + "93"                                      // entries: array(3)
            + "95" + "a1" + "61" + "02" + "cd01ed" + "00" + "90"           // "a", DIRECTORY, 0755, 0, []
            + "95" + "a7" + "612f622e747874" + "01" + "cd01a4" + "05"      // "a/b.txt", FILE, 0644, 5,
            + "91" + "c420" + "11".repeat(32)                              //   [bin(32) 0x11...]
            + "95" + "a5" + "656d707479" + "01" + "cd0180" + "00" + "90";  // "empty", FILE, 0600, 0, []

    @Test
    void encode_golden_matchesHandWrittenBytes() throws Exception {
        assertThat(HexFormat.of().formatHex(ManifestCodec.encode(golden()))).isEqualTo(GOLDEN_HEX);
        assertThat(ManifestCodec.decode(HexFormat.of().parseHex(GOLDEN_HEX))).isEqualTo(golden());
    }

    @Property(tries = 200)
    void decode_anyManifest_roundTrips(@ForAll("manifests") Manifest manifest) throws Exception {
        byte[] encoded = ManifestCodec.encode(manifest);
        Manifest decoded = ManifestCodec.decode(encoded);
        assertThat(decoded).isEqualTo(manifest);
        assertThat(ManifestCodec.encode(decoded)).isEqualTo(encoded);
    }

    @Property(tries = 30)
    void decode_everyTruncation_truncated(@ForAll("manifests") Manifest manifest) {
        byte[] encoded = ManifestCodec.encode(manifest);
        for (int length = 0; length < encoded.length; length++) {
            assertCode(Code.TRUNCATED, Arrays.copyOf(encoded, length));
        }
    }

    @Test
    void decode_goldenTruncatedAtEveryByte_truncated() {
        byte[] encoded = HexFormat.of().parseHex(GOLDEN_HEX);
        for (int length = 0; length < encoded.length; length++) {
            assertCode(Code.TRUNCATED, Arrays.copyOf(encoded, length));
        }
    }

    @Test
    void decode_goldenWithEveryBitFlipped_contentExceptionOrADifferentValidManifest() {
        byte[] encoded = HexFormat.of().parseHex(GOLDEN_HEX);
        int accepted = 0;
        for (int bit = 0; bit < encoded.length * 8; bit++) {
            byte[] flipped = encoded.clone();
            flipped[bit / 8] ^= (byte) (1 << (bit % 8));
            try {
                Manifest m = ManifestCodec.decode(flipped);
                assertThat(m).isNotEqualTo(golden());
                assertThat(ManifestCodec.encode(m)).isEqualTo(flipped);
                accepted++;
            } catch (ContentException expected) {
                assertThat(expected.code()).isNotNull();
            } catch (RuntimeException e) {
                fail("bit " + bit + " escaped as " + e, e);
            }
        }
        // Flips inside the name, paths, size bits and chunk bytes give other valid manifests.
        assertThat(accepted).isPositive();
    }

    @Property(tries = 2000)
    void decode_arbitraryBytes_onlyContentException(@ForAll @Size(max = 64) byte[] bytes) {
        try {
            Manifest m = ManifestCodec.decode(bytes);
            assertThat(ManifestCodec.encode(m)).isEqualTo(bytes);
        } catch (ContentException e) {
            assertThat(e.code()).isNotNull();
        }
    }

    @Property(tries = 1000)
    void decode_goldenWithRandomBytesSpliced_onlyContentException(
            @ForAll @Size(min = 1, max = 8) byte[] splice, @ForAll("offsets") int offset) {
        byte[] encoded = HexFormat.of().parseHex(GOLDEN_HEX);
        int at = offset % encoded.length;
        byte[] hostile = encoded.clone();
        System.arraycopy(splice, 0, hostile, at, Math.min(splice.length, encoded.length - at));
        try {
            ManifestCodec.decode(hostile);
        } catch (ContentException e) {
            assertThat(e.code()).isNotNull();
        }
    }

    @Provide
    Arbitrary<Integer> offsets() {
        return Arbitraries.integers().between(0, 10_000);
    }

    // ---------------------------------------------------------------- hostile inputs

    @Test
    void decode_array32WithHugeCount_refusedBeforeAllocating() {
        assertCode(Code.TRUNCATED, hex("dd10000000"));
        assertCode(Code.TOO_LARGE, hex("ddffffffff"));
        // as the entry list: over MAX_ENTRIES
        assertCode(Code.TOO_LARGE, hex("94" + "01" + "a178" + "00" + "dd10000000"));
        assertCode(Code.TOO_LARGE, hex("94" + "01" + "a178" + "00" + "dd000f4241"));
        // as a file's chunk list: more elements than bytes
        assertCode(Code.TRUNCATED, hex("94" + "01" + "a178" + "00" + "91" + "95" + "a161" + "01" + "00" + "cf7fffffffffffffff"
                + "dd10000000"));
        // bin and str headers claiming more than remains
        assertCode(Code.TRUNCATED, hex("94" + "01" + "db7fffffff"));
        assertCode(Code.TRUNCATED, hex("94" + "01" + "a178" + "00" + "91" + "95" + "a161" + "01" + "00" + "01" + "91"
                + "c67fffffff"));
        // lengths above 2^31-1, which msgpack-core cannot even represent
        assertCode(Code.TOO_LARGE, hex("94" + "01" + "a178" + "00" + "91" + "95" + "a161" + "01" + "00" + "01" + "91"
                + "c6ffffffff"));
        assertCode(Code.TOO_LARGE, hex("94" + "01" + "dbffffffff"));
    }

    @Test
    void decode_badPaths_badPath() throws Exception {
        for (String path : List.of("../x", "/abs", "a//b", "a/./b", "a\u0000b", "a\\b", "a/", ".", "..", "x/..", "")) {
            assertCode(Code.BAD_PATH, raw(1, "n", 0, entry(path, 2, 0755, 0)));
        }
        assertCode(Code.BAD_PATH, raw(1, "n", 0, entry(new byte[] {(byte) 0xc3, 0x28}, 2, 0755, 0)));
        assertCode(Code.BAD_PATH, raw(1, "n", 0, entry(new byte[] {(byte) 0xed, (byte) 0xa0, (byte) 0x80}, 2, 0755, 0)));
        assertCode(Code.TOO_LARGE, raw(1, "n", 0, entry("p".repeat(Manifest.MAX_PATH_BYTES + 1), 2, 0755, 0)));
    }

    @Test
    void decode_badNames_badNameOrTooLarge() throws Exception {
        for (String name : List.of("", "a/b", "a\u0000", ".", "..")) {
            assertCode(Code.BAD_NAME, raw(1, name, 0));
        }
        assertCode(Code.TOO_LARGE, raw(1, "n".repeat(256), 0));
        assertThat(ManifestCodec.decode(raw(1, "é".repeat(127) + "x", 0)).name()).hasSize(128);
    }

    @Test
    void decode_duplicatesOrFileUsedAsDirectory_duplicatePath() throws Exception {
        assertCode(Code.DUPLICATE_PATH, raw(1, "n", 0, entry("a", 2, 0755, 0), entry("a", 2, 0700, 0)));
        assertCode(Code.DUPLICATE_PATH, raw(1, "n", 0, entry("a", 1, 0644, 0), entry("a", 2, 0755, 0)));
        assertCode(Code.DUPLICATE_PATH, raw(1, "n", 0, entry("a", 1, 0644, 0), entry("a/b", 1, 0644, 0)));
        assertCode(Code.DUPLICATE_PATH, raw(1, "n", 0, entry("a/b/c", 1, 0644, 0), entry("a/b", 1, 0644, 0)));
        assertThat(ManifestCodec.decode(raw(1, "n", 0, entry("a/b/c", 1, 0644, 0), entry("a", 2, 0755, 0))).entries())
                .hasSize(2);
    }

    @Test
    void decode_sizeChunkCountMismatchOrOtherContradictions_invalidValue() throws Exception {
        byte[] one = filled(1);
        int chunk = ChunkSealer.CHUNK_BYTES;
        assertCode(Code.INVALID_VALUE, raw(1, "n", 0, entry("f", 1, 0644, 1)));                       // 1 byte, 0 chunks
        assertCode(Code.INVALID_VALUE, raw(1, "n", 0, entry("f", 1, 0644, 0, one)));                  // 0 bytes, 1 chunk
        assertCode(Code.INVALID_VALUE, raw(1, "n", 0, entry("f", 1, 0644, chunk + 1, one)));          // needs 2
        assertCode(Code.INVALID_VALUE, raw(1, "n", 0, entry("f", 1, 0644, chunk, one, one)));         // needs 1
        assertThat(ManifestCodec.decode(raw(1, "n", 0, entry("f", 1, 0644, chunk + 1, one, one))).totalBytes())
                .isEqualTo(chunk + 1L);
        assertCode(Code.INVALID_VALUE, raw(1, "n", 0, entry("d", 2, 0755, 1)));                       // directory size
        assertCode(Code.INVALID_VALUE, raw(1, "n", 0, entry("d", 2, 0755, 0, one)));                  // directory chunk
        assertCode(Code.INVALID_VALUE, raw(1, "n", 0, entry("d", 3, 0755, 0)));                       // unknown type
        assertCode(Code.INVALID_VALUE, raw(1, "n", 0, entry("d", 0, 0755, 0)));
        assertCode(Code.INVALID_VALUE, raw(1, "n", 0, entry("d", 2, 010000, 0)));                     // mode
        assertCode(Code.INVALID_VALUE, raw(1, "n", 0, entry("f", 1, 0644, -1L)));                     // size > 2^63-1
        assertCode(Code.INVALID_VALUE, raw(1, "n", -1L));                                             // createdAt
        assertCode(Code.INVALID_VALUE, raw(1, "n", 0, entry("f", 1, 0644, 1, new byte[31])));         // address length
    }

    @Test
    void decode_otherVersionFieldCountTrailingOrWrongType_coded() throws Exception {
        assertCode(Code.UNSUPPORTED_VERSION, raw(2, "n", 0));
        assertCode(Code.UNSUPPORTED_VERSION, hex("9102"));
        assertCode(Code.MALFORMED, hex("90"));
        assertCode(Code.MALFORMED, hex("9301a16e00"));
        assertCode(Code.MALFORMED, hex("9501a16e009000"));
        assertCode(Code.TRAILING_BYTES, concat(ManifestCodec.encode(golden()), hex("c0")));
        assertCode(Code.MALFORMED, hex("80"));                          // a map, not an array
        assertCode(Code.MALFORMED, hex("94" + "01" + "c4016e" + "00" + "90"));   // name as bin
        assertCode(Code.MALFORMED, hex("94" + "01" + "a16e" + "ff" + "90"));     // negative createdAt
        assertCode(Code.MALFORMED, hex("94" + "01" + "a16e" + "00" + "91" + "95" + "a161" + "01" + "00" + "01"
                + "91" + "a0"));                                                 // chunk address as str
        assertCode(Code.MALFORMED, hex("94" + "01" + "a16e" + "00" + "c1"));     // reserved byte
        assertCode(Code.MALFORMED, hex("94" + "01" + "a16e" + "00" + "91" + "94" + "a161" + "02" + "00" + "00"));
    }

    @Test
    void decode_nonCanonicalEncodings_malformed() {
        String entries = "90";
        assertThat(attempt(hex("94" + "01" + "a16e" + "00" + entries))).isNull();
        assertCode(Code.MALFORMED, hex("94" + "cc01" + "a16e" + "00" + entries));          // uint8 version
        assertCode(Code.MALFORMED, hex("94" + "01" + "d9016e" + "00" + entries));          // str8 for a short name
        assertCode(Code.MALFORMED, hex("94" + "01" + "a16e" + "cd0000" + entries));        // uint16 zero
        assertCode(Code.MALFORMED, hex("94" + "01" + "a16e" + "00" + "dc0000"));           // array16 of 0
        assertCode(Code.MALFORMED, hex("dc0004" + "01" + "a16e" + "00" + entries));        // array16 manifest
        assertCode(Code.MALFORMED, hex("94" + "01" + "a16e" + "00" + "91" + "95" + "a161" + "01" + "00" + "01"
                + "91" + "c5002000" + "00".repeat(31)));                                   // bin16 address
    }

    @Test
    void encode_measured_bytesPerOneChunkFileWithSixtyBytePath() {
        Manifest empty = new Manifest("n", Instant.ofEpochMilli(1_700_000_000_000L), List.of());
        List<Manifest.Entry> entries = new ArrayList<>();
        for (int i = 0; i < 1000; i++) {
            String path = String.format("%060d", i);
            entries.add(Manifest.Entry.file(path, 0644, 100_000, List.of(address(i))));
        }
        Manifest thousand = new Manifest("n", empty.createdAt(), entries);
        int perFile = (ManifestCodec.encode(thousand).length - ManifestCodec.encode(empty).length - 2) / 1000;
        // array(5) 1 + fixstr? no: str8 header 2 + 60 + type 1 + mode 3 + size 5 + array 1 + bin 34 = 107
        assertThat(perFile).isEqualTo(107);
    }

    // ---------------------------------------------------------------- arbitraries

    @Provide
    Arbitrary<Manifest> manifests() {
        Arbitrary<String> segment = Arbitraries.oneOf(
                Arbitraries.strings().withCharRange('a', 'z').ofMinLength(1).ofMaxLength(6),
                Arbitraries.of("é", "日本", "a b", "..x", ".hidden", "x.", "\u0001", "😀"));
        Arbitrary<String> path = segment.list().ofMinSize(1).ofMaxSize(3).map(s -> String.join("/", s));
        Arbitrary<Long> size = Arbitraries.oneOf(
                Arbitraries.of(0L, 1L, (long) ChunkSealer.CHUNK_BYTES - 1, (long) ChunkSealer.CHUNK_BYTES,
                        ChunkSealer.CHUNK_BYTES + 1L, 3L * ChunkSealer.CHUNK_BYTES + 5),
                Arbitraries.longs().between(0, 6L * ChunkSealer.CHUNK_BYTES));
        Arbitrary<RawEntry> raw = Combinators.combine(path, Arbitraries.of(Manifest.Type.values()),
                Arbitraries.integers().between(0, Manifest.MAX_MODE), size, Arbitraries.integers().between(0, 3))
                .as(RawEntry::new);
        Arbitrary<String> name = Arbitraries.oneOf(
                Arbitraries.strings().ofMinLength(1).ofMaxLength(20).excludeChars('/', '\0')
                        .filter(s -> !s.equals(".") && !s.equals("..") && isWellFormed(s)),
                Arbitraries.of("x".repeat(255), "é".repeat(127)));
        Arbitrary<Instant> createdAt = Arbitraries.longs().between(0, Long.MAX_VALUE).map(Instant::ofEpochMilli);
        return Combinators.combine(name, createdAt, raw.list().ofMaxSize(12)).as(ManifestCodecTest::build);
    }

    private record RawEntry(String path, Manifest.Type type, int mode, long size, int chunkSeed) {}

    /** Turns random paths into a consistent tree: duplicates dropped, every parent of another entry a directory. */
    private static Manifest build(String name, Instant createdAt, List<RawEntry> raws) {
        Map<String, RawEntry> byPath = new LinkedHashMap<>();
        raws.forEach(r -> byPath.putIfAbsent(r.path(), r));
        List<Manifest.Entry> entries = new ArrayList<>();
        for (RawEntry r : byPath.values()) {
            boolean isParent = byPath.keySet().stream().anyMatch(p -> p.startsWith(r.path() + "/"));
            if (isParent || r.type() == Manifest.Type.DIRECTORY) {
                entries.add(Manifest.Entry.directory(r.path(), r.mode()));
            } else {
                List<ContentHash> chunks = new ArrayList<>();
                for (long i = 0; i < Manifest.chunkCount(r.size()); i++) {
                    // a few repeats (chunkSeed 0 makes every chunk of the file the same address)
                    chunks.add(address((int) (r.chunkSeed() == 0 ? 7 : r.chunkSeed() * 31 + i)));
                }
                entries.add(Manifest.Entry.file(r.path(), r.mode(), r.size(), chunks));
            }
        }
        return new Manifest(name, createdAt, entries);
    }

    private static boolean isWellFormed(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (Character.isHighSurrogate(c)) {
                if (i + 1 >= s.length() || !Character.isLowSurrogate(s.charAt(i + 1))) {
                    return false;
                }
                i++;
            } else if (Character.isLowSurrogate(c)) {
                return false;
            }
        }
        return true;
    }

    // ---------------------------------------------------------------- raw encodings that bypass the records

    private static Object[] entry(Object path, int type, int mode, long size, byte[]... chunks) {
        return new Object[] {path, type, mode, size, chunks};
    }

    /** The manifest layout with any values, written with msgpack-core directly (canonical headers). */
    static byte[] raw(int version, String name, long createdAtMillis, Object[]... entries) throws IOException {
        try (MessageBufferPacker p = MessagePack.newDefaultBufferPacker()) {
            p.packArrayHeader(4);
            p.packInt(version);
            p.packString(name);
            uint(p, createdAtMillis);
            p.packArrayHeader(entries.length);
            for (Object[] e : entries) {
                p.packArrayHeader(5);
                if (e[0] instanceof String s) {
                    byte[] utf8 = s.getBytes(StandardCharsets.UTF_8);
                    p.packRawStringHeader(utf8.length);
                    p.writePayload(utf8);
                } else {
                    byte[] bytes = (byte[]) e[0];
                    p.packRawStringHeader(bytes.length);
                    p.writePayload(bytes);
                }
                p.packInt((Integer) e[1]);
                p.packInt((Integer) e[2]);
                uint(p, (Long) e[3]);
                byte[][] chunks = (byte[][]) e[4];
                p.packArrayHeader(chunks.length);
                for (byte[] c : chunks) {
                    p.packBinaryHeader(c.length);
                    p.writePayload(c);
                }
            }
            return p.toByteArray();
        }
    }

    private static void uint(MessageBufferPacker p, long value) throws IOException {
        if (value >= 0) {
            p.packLong(value);
        } else {
            p.packBigInteger(new java.math.BigInteger(Long.toUnsignedString(value)));
        }
    }

    // ---------------------------------------------------------------- helpers

    private static ContentException attempt(byte[] bytes) {
        try {
            ManifestCodec.decode(bytes);
            return null;
        } catch (ContentException e) {
            return e;
        }
    }

    private static void assertCode(Code code, byte[] bytes) {
        assertThatThrownBy(() -> ManifestCodec.decode(bytes))
                .as("decoding %s", HexFormat.of().formatHex(bytes, 0, Math.min(bytes.length, 48)))
                .isInstanceOfSatisfying(ContentException.class, e -> assertThat(e.code()).isEqualTo(code));
    }

    static byte[] filled(int value) {
        byte[] b = new byte[32];
        Arrays.fill(b, (byte) value);
        return b;
    }

    /** A distinct 32-byte address for every int. */
    static ContentHash address(int value) {
        byte[] b = filled(value);
        b[0] = (byte) (value >>> 24);
        b[1] = (byte) (value >>> 16);
        b[2] = (byte) (value >>> 8);
        return new ContentHash(b);
    }

    private static byte[] hex(String hex) {
        return HexFormat.of().parseHex(hex);
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
