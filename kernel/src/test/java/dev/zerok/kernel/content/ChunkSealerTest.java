package dev.zerok.kernel.content;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.zerok.adapters.crypto.BouncyCastleKeyExchangeProvider;
import dev.zerok.kernel.noise.KeyDerivation;
import dev.zerok.ports.crypto.Aead;
import dev.zerok.ports.crypto.Hash;
import dev.zerok.ports.crypto.KeyExchange;
import dev.zerok.ports.crypto.Secret;
import dev.zerok.ports.id.ContentHash;
import dev.zerok.ports.spi.ProviderConfig;
import dev.zerok.ports.testkit.SeededEntropy;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HexFormat;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.Test;

class ChunkSealerTest {
    private static final KeyExchange CRYPTO = crypto();
    // Produced by this implementation and checked against seal_followsTheDocumentedConstruction;
    // pinned so that a change to the labels or layout (which would break dedup across versions) fails here.
    private static final String SEALED_ABC =
            "01d29d1ff2a8bb9758626c014233247d5ac079dd09b4ba6ede9b6beef609b660b66e1065b6c7c0ab65941135";
    private static final String ADDRESS_ABC =
            "ff47b2be9fb5462c5cb9f95a66df6f2554adcad7ba16dc101f772ebb016da708";
    private final SeededEntropy entropy = new SeededEntropy(11);
    private final ChunkSealer sealer = create();
    private final Secret key = Secret.adopt(entropy.bytes(32));
    private final byte[] plaintext = "the quick brown fox".getBytes(StandardCharsets.US_ASCII);

    @Test
    void seal_thenOpen_roundTripsWithOverheadVersionAndAddressOfSealedBytes() throws Exception {
        SealedChunk sealed = sealer.seal(key, plaintext);
        assertThat(sealed.bytes()).hasSize(plaintext.length + ChunkSealer.OVERHEAD_BYTES);
        assertThat(sealed.sizeBytes()).isEqualTo(plaintext.length + 41);
        assertThat(sealed.bytes()[0]).isEqualTo(ChunkSealer.VERSION);
        assertThat(sealed.address().bytes()).isEqualTo(sha256().digest(sealed.bytes()));
        assertThat(sealer.address(sealed.bytes())).isEqualTo(sealed.address());
        assertThat(sealer.open(key, sealed.address(), sealed.bytes())).isEqualTo(plaintext);
    }

    @Test
    void seal_samePlaintextAndKey_identicalBytesAndAddressAcrossSealers() throws Exception {
        SealedChunk first = sealer.seal(key, plaintext);
        SealedChunk second = create().seal(Secret.copyOf(key.expose()), plaintext.clone());
        assertThat(second.bytes()).isEqualTo(first.bytes());
        assertThat(second.address()).isEqualTo(first.address());
        assertThat(second).isEqualTo(first);
    }

    @Test
    void seal_differentKey_differentBytesAndAddress_andDoesNotOpen() throws Exception {
        Secret other = Secret.adopt(entropy.bytes(32));
        SealedChunk mine = sealer.seal(key, plaintext);
        SealedChunk theirs = sealer.seal(other, plaintext);
        assertThat(theirs.bytes()).isNotEqualTo(mine.bytes());
        assertThat(theirs.address()).isNotEqualTo(mine.address());
        assertCode(SealingException.Code.AUTHENTICATION_FAILED, () -> sealer.open(other, mine.address(), mine.bytes()));
    }

    @Test
    void seal_differentPlaintext_differentNonce() {
        byte[] changed = plaintext.clone();
        changed[changed.length - 1] ^= 1;
        assertThat(Arrays.copyOfRange(sealer.seal(key, changed).bytes(), 1, 25))
                .isNotEqualTo(Arrays.copyOfRange(sealer.seal(key, plaintext).bytes(), 1, 25));
    }

    @Test
    void seal_followsTheDocumentedConstruction() throws Exception {
        Hash sha256 = sha256();
        Aead aead = CRYPTO.aead("XChaChaPoly");
        byte[] nonceKey = KeyDerivation.hkdf(sha256, new byte[0], key.expose(), 32,
                KeyDerivation.info("chunk-nonce-key")).expose();
        Secret encryptionKey = KeyDerivation.hkdf(sha256, new byte[0], key.expose(), 32,
                KeyDerivation.info("chunk-encryption-key"));
        byte[] nonce = Arrays.copyOf(sha256.hmac(nonceKey, plaintext), 24);
        byte[] aad = HexFormat.of().parseHex("0007" + hex("zerok/1") + "0005" + hex("chunk") + "0001" + "01");
        byte[] expected = concat(new byte[] {1}, nonce, aead.seal(encryptionKey, nonce, aad, plaintext));
        assertThat(sealer.seal(key, plaintext).bytes()).isEqualTo(expected);
    }

    @Test
    void seal_fixedKeyAndPlaintext_matchesRegressionVector() {
        Secret fixedKey = Secret.adopt(HexFormat.of().parseHex(
                "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f"));
        SealedChunk sealed = sealer.seal(fixedKey, "abc".getBytes(StandardCharsets.US_ASCII));
        assertThat(HexFormat.of().formatHex(sealed.bytes())).isEqualTo(SEALED_ABC);
        assertThat(sealed.address().hex()).isEqualTo(ADDRESS_ABC);
    }

    @Test
    void open_everySingleBitFlip_hashMismatch_andWithAddressRecomputed_authenticationOrVersionFails() throws Exception {
        SealedChunk sealed = sealer.seal(key, plaintext);
        byte[] bytes = sealed.bytes();
        for (int bit = 0; bit < bytes.length * 8; bit++) {
            byte[] flipped = bytes.clone();
            flipped[bit / 8] ^= (byte) (1 << (bit % 8));
            assertCode(SealingException.Code.HASH_MISMATCH, () -> sealer.open(key, sealed.address(), flipped));
            SealingException.Code expected = bit < 8
                    ? SealingException.Code.UNSUPPORTED_VERSION
                    : SealingException.Code.AUTHENTICATION_FAILED;
            assertCode(expected, () -> sealer.open(key, sealer.address(flipped), flipped));
        }
    }

    @Test
    void open_wrongAddress_hashMismatch() {
        SealedChunk sealed = sealer.seal(key, plaintext);
        SealedChunk other = sealer.seal(key, new byte[] {1, 2, 3});
        assertCode(SealingException.Code.HASH_MISMATCH, () -> sealer.open(key, other.address(), sealed.bytes()));
        assertCode(SealingException.Code.HASH_MISMATCH, () -> sealer.open(key, new ContentHash(new byte[32]), sealed.bytes()));
    }

    @Test
    void open_tooShortOrTooLongWithMatchingAddress_malformed() {
        byte[] shortBytes = Arrays.copyOf(sealer.seal(key, new byte[0]).bytes(), ChunkSealer.OVERHEAD_BYTES - 1);
        assertCode(SealingException.Code.MALFORMED, () -> sealer.open(key, sealer.address(shortBytes), shortBytes));
        assertCode(SealingException.Code.MALFORMED, () -> sealer.open(key, sealer.address(new byte[0]), new byte[0]));
        byte[] longBytes = new byte[ChunkSealer.MAX_SEALED_BYTES + 1];
        longBytes[0] = ChunkSealer.VERSION;
        assertCode(SealingException.Code.MALFORMED, () -> sealer.open(key, sealer.address(longBytes), longBytes));
    }

    @Test
    void open_truncatedByOneByteWithAddressRecomputed_authenticationFails() {
        byte[] cut = Arrays.copyOf(sealer.seal(key, plaintext).bytes(), plaintext.length + ChunkSealer.OVERHEAD_BYTES - 1);
        assertCode(SealingException.Code.AUTHENTICATION_FAILED, () -> sealer.open(key, sealer.address(cut), cut));
    }

    @Test
    void open_authenticatesButNonceNotDerivedFromPlaintext_nonceMismatch() throws Exception {
        Hash sha256 = sha256();
        Secret encryptionKey = KeyDerivation.hkdf(sha256, new byte[0], key.expose(), 32,
                KeyDerivation.info("chunk-encryption-key"));
        byte[] randomNonce = entropy.bytes(24);
        byte[] aad = HexFormat.of().parseHex("0007" + hex("zerok/1") + "0005" + hex("chunk") + "0001" + "01");
        byte[] forged = concat(new byte[] {1}, randomNonce,
                CRYPTO.aead("XChaChaPoly").seal(encryptionKey, randomNonce, aad, plaintext));
        assertCode(SealingException.Code.NONCE_MISMATCH, () -> sealer.open(key, sealer.address(forged), forged));
    }

    @Test
    void seal_emptyAndFullChunk_roundTrip() throws Exception {
        SealedChunk empty = sealer.seal(key, new byte[0]);
        assertThat(empty.bytes()).hasSize(ChunkSealer.OVERHEAD_BYTES);
        assertThat(sealer.open(key, empty.address(), empty.bytes())).isEmpty();
        byte[] full = entropy.bytes(ChunkSealer.CHUNK_BYTES);
        SealedChunk sealed = sealer.seal(key, full);
        assertThat(sealed.bytes()).hasSize(ChunkSealer.MAX_SEALED_BYTES);
        assertThat(sealer.open(key, sealed.address(), sealed.bytes())).isEqualTo(full);
    }

    @Test
    void seal_overChunkSizeOrWrongKeyLength_illegalArgument() {
        assertThatThrownBy(() -> sealer.seal(key, new byte[ChunkSealer.CHUNK_BYTES + 1]))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> sealer.seal(Secret.adopt(new byte[16]), plaintext))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void open_wrongKeyLength_cryptoUnavailable() {
        SealedChunk sealed = sealer.seal(key, plaintext);
        assertCode(SealingException.Code.CRYPTO_UNAVAILABLE,
                () -> sealer.open(Secret.adopt(new byte[16]), sealed.address(), sealed.bytes()));
    }

    @Test
    void sealedChunk_copiesAndRedacts() {
        SealedChunk sealed = sealer.seal(key, plaintext);
        byte[] outside = sealed.bytes();
        outside[5] ^= 1;
        assertThat(sealed.bytes()).isNotEqualTo(outside);
        byte[] input = sealed.bytes();
        SealedChunk copy = new SealedChunk(sealed.address(), input);
        input[5] ^= 1;
        assertThat(copy).isEqualTo(sealed);
        assertThat(sealed.toString()).isEqualTo("SealedChunk[" + sealed.sizeBytes() + " bytes]")
                .doesNotContain(sealed.address().hex());
    }

    private static void assertCode(SealingException.Code code, ThrowingCallable call) {
        assertThatThrownBy(call).isInstanceOfSatisfying(SealingException.class, e -> assertThat(e.code()).isEqualTo(code));
    }

    private static String hex(String ascii) {
        return HexFormat.of().formatHex(ascii.getBytes(StandardCharsets.US_ASCII));
    }

    private static byte[] concat(byte[]... parts) {
        return dev.zerok.kernel.noise.ConstantTime.concat(Arrays.asList(parts));
    }

    private static Hash sha256() {
        try {
            return CRYPTO.hash("SHA256");
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    private static KeyExchange crypto() {
        try {
            return new BouncyCastleKeyExchangeProvider().open(ProviderConfig.EMPTY);
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    private static ChunkSealer create() {
        try {
            return ChunkSealer.create(CRYPTO);
        } catch (SealingException e) {
            throw new AssertionError(e);
        }
    }
}
