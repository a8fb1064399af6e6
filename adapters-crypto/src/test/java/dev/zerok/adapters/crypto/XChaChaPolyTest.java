package dev.zerok.adapters.crypto;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.zerok.ports.crypto.CryptoException;
import dev.zerok.ports.crypto.Secret;
import dev.zerok.ports.testkit.SeededEntropy;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import org.bouncycastle.crypto.modes.XChaCha20Poly1305;
import org.bouncycastle.crypto.params.AEADParameters;
import org.bouncycastle.crypto.params.KeyParameter;
import org.junit.jupiter.api.Test;

class XChaChaPolyTest {
    private static final HexFormat HEX = HexFormat.of();
    private final XChaChaPoly aead = new XChaChaPoly(new JdkChaChaPoly());

    @Test
    void hChaCha20_draftSection2_2_1Vector_matches() {
        byte[] key = HEX.parseHex("000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f");
        byte[] nonce = HEX.parseHex("000000090000004a0000000031415927");
        assertThat(HEX.formatHex(HChaCha20.subkey(key, nonce)))
                .isEqualTo("82413b4227b27bfed30e42508a877d73a0f9e4d58a74a853c12ec41326d3ecdc");
    }

    @Test
    void seal_draftAppendixA3_1Vector_matchesAndOpens() throws CryptoException {
        Secret key = Secret.copyOf(HEX.parseHex("808182838485868788898a8b8c8d8e8f909192939495969798999a9b9c9d9e9f"));
        byte[] nonce = HEX.parseHex("404142434445464748494a4b4c4d4e4f5051525354555657");
        byte[] aad = HEX.parseHex("50515253c0c1c2c3c4c5c6c7");
        byte[] plaintext = ("Ladies and Gentlemen of the class of '99: If I could offer you only one tip for the future,"
                + " sunscreen would be it.").getBytes(StandardCharsets.US_ASCII);
        String expected = "bd6d179d3e83d43b9576579493c0e939572a1700252bfaccbed2902c21396cbb"
                + "731c7f1b0b4aa6440bf3a82f4eda7e39ae64c6708c54c216cb96b72e1213b452"
                + "2f8c9ba40db5d945b11b69b982c1bb9e3f3fac2bc369488f76b2383565d3fff9"
                + "21f9664c97637da9768812f615c68b13b52e" + "c0875924c1c7987947deafd8780acf49";

        byte[] sealed = aead.seal(key, nonce, aad, plaintext);

        assertThat(HEX.formatHex(sealed)).isEqualTo(expected);
        assertThat(aead.open(key, nonce, aad, sealed)).isEqualTo(plaintext);
    }

    @Test
    void seal_randomInputs_equalsBouncyCastleXChaCha20Poly1305() throws Exception {
        SeededEntropy entropy = new SeededEntropy(20260101L);
        for (int round = 0; round < 200; round++) {
            byte[] key = entropy.bytes(32);
            byte[] nonce = entropy.bytes(24);
            byte[] aad = entropy.bytes((int) entropy.nextLong(64));
            byte[] plaintext = entropy.bytes((int) entropy.nextLong(5000));

            byte[] ours = aead.seal(Secret.copyOf(key), nonce, aad, plaintext);

            XChaCha20Poly1305 reference = new XChaCha20Poly1305();
            reference.init(true, new AEADParameters(new KeyParameter(key), 128, nonce, aad));
            byte[] theirs = new byte[reference.getOutputSize(plaintext.length)];
            int written = reference.processBytes(plaintext, 0, plaintext.length, theirs, 0);
            reference.doFinal(theirs, written);
            assertThat(ours).as("round %d", round).isEqualTo(theirs);
            assertThat(aead.open(Secret.copyOf(key), nonce, aad, theirs)).isEqualTo(plaintext);
        }
    }

    @Test
    void open_anySingleBitFlipped_failsAuthentication() throws CryptoException {
        Secret key = Secret.copyOf(new byte[32]);
        byte[] nonce = new byte[24];
        byte[] sealed = aead.seal(key, nonce, new byte[] {1}, "hello".getBytes(StandardCharsets.US_ASCII));
        for (int bit = 0; bit < sealed.length * 8; bit++) {
            byte[] flipped = sealed.clone();
            flipped[bit / 8] ^= (byte) (1 << (bit % 8));
            assertThatThrownBy(() -> aead.open(key, nonce, new byte[] {1}, flipped))
                    .isInstanceOfSatisfying(CryptoException.class,
                            e -> assertThat(e.code()).isEqualTo(CryptoException.Code.AUTHENTICATION_FAILED));
        }
    }

    @Test
    void open_truncatedBelowTag_failsAuthentication() {
        assertThatThrownBy(() -> aead.open(Secret.copyOf(new byte[32]), new byte[24], new byte[0], new byte[15]))
                .isInstanceOfSatisfying(CryptoException.class,
                        e -> assertThat(e.code()).isEqualTo(CryptoException.Code.AUTHENTICATION_FAILED));
    }

    @Test
    void seal_wrongNonceLength_invalidKey() {
        assertThatThrownBy(() -> aead.seal(Secret.copyOf(new byte[32]), new byte[12], new byte[0], new byte[0]))
                .isInstanceOfSatisfying(CryptoException.class,
                        e -> assertThat(e.code()).isEqualTo(CryptoException.Code.INVALID_KEY));
    }
}
