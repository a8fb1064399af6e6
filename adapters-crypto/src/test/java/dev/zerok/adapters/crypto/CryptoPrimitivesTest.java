package dev.zerok.adapters.crypto;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.zerok.ports.crypto.CryptoException;
import dev.zerok.ports.crypto.Dh;
import dev.zerok.ports.crypto.Kem;
import dev.zerok.ports.crypto.KeyExchange;
import dev.zerok.ports.crypto.KeyExchangeProvider;
import dev.zerok.ports.crypto.KeyPair;
import dev.zerok.ports.crypto.Secret;
import dev.zerok.ports.crypto.Signer;
import dev.zerok.ports.spi.ConfigException;
import dev.zerok.ports.spi.ProviderConfig;
import dev.zerok.ports.spi.Providers;
import dev.zerok.ports.testkit.SeededEntropy;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

class CryptoPrimitivesTest {
    private static final HexFormat HEX = HexFormat.of();
    private final KeyExchange crypto = new CryptoPrimitives();
    private final SeededEntropy entropy = new SeededEntropy(7);

    @Test
    void provider_loadedByName_returnsEveryNamedPrimitive() throws Exception {
        KeyExchange loaded = Providers.select(KeyExchangeProvider.class, "bouncycastle").open(ProviderConfig.EMPTY);
        assertThat(loaded.dh("25519").dhLen()).isEqualTo(32);
        assertThat(loaded.kem("MLKEM768").ciphertextBytes()).isEqualTo(1088);
        assertThat(loaded.aead("ChaChaPoly").nonceBytes()).isEqualTo(12);
        assertThat(loaded.aead("XChaChaPoly").nonceBytes()).isEqualTo(24);
        assertThat(loaded.hash("SHA256").hashLen()).isEqualTo(32);
        assertThat(loaded.hash("BLAKE2s").blockLen()).isEqualTo(64);
        assertThat(loaded.signer("Ed25519").signatureBytes()).isEqualTo(64);
        assertThat(loaded.passwordHash("Argon2id").name()).isEqualTo("Argon2id");
    }

    @Test
    void provider_unknownConfigKey_rejected() {
        assertThatThrownBy(() -> new BouncyCastleKeyExchangeProvider().open(ProviderConfig.of("speed", "fast")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("speed");
    }

    @Test
    void lookup_unknownName_unsupported() {
        assertThatThrownBy(() -> crypto.aead("AESGCM")).isInstanceOfSatisfying(CryptoException.class,
                e -> assertThat(e.code()).isEqualTo(CryptoException.Code.UNSUPPORTED));
        assertThatThrownBy(() -> crypto.hash("SHA512")).isInstanceOf(CryptoException.class);
        assertThatThrownBy(() -> crypto.dh("448")).isInstanceOf(CryptoException.class);
    }

    @Test
    void x25519_rfc7748Section6_1_publicKeyAndAgreementMatch() throws CryptoException {
        Dh dh = crypto.dh("25519");
        KeyPair alice = dh.keyPairFromPrivate(Secret.copyOf(
                HEX.parseHex("77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a")));
        KeyPair bob = dh.keyPairFromPrivate(Secret.copyOf(
                HEX.parseHex("5dab087e624a8a4b79e17f8b83800ee66f3bb1292618b6fd1c2f8b27ff88e0eb")));
        assertThat(HEX.formatHex(alice.publicKey()))
                .isEqualTo("8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a");
        assertThat(HEX.formatHex(bob.publicKey()))
                .isEqualTo("de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f");
        Secret ab = dh.agree(alice.privateKey(), bob.publicKey());
        Secret ba = dh.agree(bob.privateKey(), alice.publicKey());
        assertThat(ab.contentEquals(ba)).isTrue();
        assertThat(HEX.formatHex(ab.expose()))
                .isEqualTo("4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742");
    }

    @Test
    void x25519_lowOrderPoint_invalidKey() {
        Dh dh = x25519();
        KeyPair pair = dh.generateKeyPair(entropy);
        assertThatThrownBy(() -> dh.agree(pair.privateKey(), new byte[32])).isInstanceOfSatisfying(
                CryptoException.class, e -> assertThat(e.code()).isEqualTo(CryptoException.Code.INVALID_KEY));
    }

    @Test
    void mlKem768_roundTrip_sizesMatchFips203AndSecretsAgree() throws CryptoException {
        Kem kem = crypto.kem("MLKEM768");
        KeyPair pair = kem.generateKeyPair(entropy);
        assertThat(pair.publicKey()).hasSize(1184);
        assertThat(pair.privateKey().length()).isEqualTo(2400);

        Kem.Encapsulation encapsulation = kem.encapsulate(pair.publicKey(), entropy);
        assertThat(encapsulation.ciphertext()).hasSize(1088);
        Secret decapsulated = kem.decapsulate(pair.privateKey(), encapsulation.ciphertext());
        assertThat(decapsulated.contentEquals(encapsulation.sharedSecret())).isTrue();
        assertThat(encapsulation.toString()).doesNotContain(HEX.formatHex(encapsulation.sharedSecret().expose()));
    }

    @Test
    void mlKem768_corruptedCiphertext_implicitlyRejectedWithDifferentSecret() throws CryptoException {
        Kem kem = crypto.kem("MLKEM768");
        KeyPair pair = kem.generateKeyPair(entropy);
        Kem.Encapsulation encapsulation = kem.encapsulate(pair.publicKey(), entropy);
        byte[] corrupted = encapsulation.ciphertext();
        corrupted[100] ^= 1;
        assertThat(kem.decapsulate(pair.privateKey(), corrupted).contentEquals(encapsulation.sharedSecret())).isFalse();
    }

    @Test
    void mlKem768_publicKeyFailingModulusCheck_invalidKey() throws CryptoException {
        Kem kem = crypto.kem("MLKEM768");
        byte[] publicKey = kem.generateKeyPair(entropy).publicKey();
        publicKey[0] = (byte) 0xff;
        publicKey[1] = (byte) 0x0f; // first coefficient = 4095 >= q
        assertThatThrownBy(() -> kem.encapsulate(publicKey, entropy)).isInstanceOfSatisfying(CryptoException.class,
                e -> assertThat(e.code()).isEqualTo(CryptoException.Code.INVALID_KEY));
        assertThatThrownBy(() -> kem.encapsulate(new byte[1183], entropy)).isInstanceOf(CryptoException.class);
    }

    @Test
    void ed25519_rfc8032Test1_signatureMatchesAndVerifies() throws CryptoException {
        Signer signer = crypto.signer("Ed25519");
        Secret seed = Secret.copyOf(HEX.parseHex("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60"));
        KeyPair pair = signer.keyPairFromSeed(seed);
        assertThat(HEX.formatHex(pair.publicKey()))
                .isEqualTo("d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a");
        byte[] signature = signer.sign(seed, new byte[0]);
        assertThat(HEX.formatHex(signature)).isEqualTo("e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e06522490155"
                + "5fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b");
        assertThat(signer.verify(pair.publicKey(), new byte[0], signature)).isTrue();
        signature[5] ^= 1;
        assertThat(signer.verify(pair.publicKey(), new byte[0], signature)).isFalse();
        assertThat(signer.verify(pair.publicKey(), new byte[0], new byte[3])).isFalse();
    }

    @Test
    void argon2id_libsodiumReferenceVector_matches() throws CryptoException {
        // echo -n "123" | argon2 ABCDEFGHIJKLMNOP -id -v 13 -k 1024 -t 5 (reference implementation)
        Secret out = crypto.passwordHash("Argon2id").derive("123".getBytes(StandardCharsets.UTF_8),
                "ABCDEFGHIJKLMNOP".getBytes(StandardCharsets.US_ASCII), 1024, 5, 1, 32);
        assertThat(HEX.formatHex(out.expose()))
                .isEqualTo("3c5d010180ba0cf5b6b858cba23b318e42d33088983c404598599c3b029ecac6");
    }

    @Test
    void argon2id_shortSalt_invalidKey() {
        assertThatThrownBy(() -> crypto.passwordHash("Argon2id").derive(new byte[1], new byte[4], 1024, 1, 1, 32))
                .isInstanceOfSatisfying(CryptoException.class,
                        e -> assertThat(e.code()).isEqualTo(CryptoException.Code.INVALID_KEY));
    }

    @Test
    void sha256_emptyAndAbc_matchFips180Examples() throws CryptoException {
        var sha = crypto.hash("SHA256");
        assertThat(HEX.formatHex(sha.digest()))
                .isEqualTo("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
        assertThat(HEX.formatHex(sha.digest("a".getBytes(), "bc".getBytes())))
                .isEqualTo("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    }

    @Test
    void hmacSha256_rfc4231Case2_matchesAndEmptyKeyEqualsZeroKey() throws CryptoException {
        var sha = crypto.hash("SHA256");
        assertThat(HEX.formatHex(sha.hmac("Jefe".getBytes(), "what do ya want ".getBytes(), "for nothing?".getBytes())))
                .isEqualTo("5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
        assertThat(sha.hmac(new byte[0], new byte[] {1})).isEqualTo(sha.hmac(new byte[64], new byte[] {1}));
    }

    @Test
    void blake2s_rfc7693AppendixB_abcMatches() throws CryptoException {
        assertThat(HEX.formatHex(crypto.hash("BLAKE2s").digest("abc".getBytes())))
                .isEqualTo("508c5e8c327c14e2e1a72ba34eeb452f37458b209ed63a294d999b4c86675982");
    }

    private Dh x25519() {
        try {
            return crypto.dh("25519");
        } catch (CryptoException e) {
            throw new AssertionError(e);
        }
    }
}
