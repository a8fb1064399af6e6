package dev.zerok.kernel.noise;

import dev.zerok.ports.crypto.Hash;
import dev.zerok.ports.crypto.Secret;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Noise spec rev 34 section 5.2: the chaining key {@code ck}, the handshake hash {@code h} and a
 * {@link CipherState}. Not thread-safe.
 */
public final class SymmetricState {
    private final NoiseProtocol protocol;
    private final Hash hash;
    private final CipherState cipherState;
    private byte[] chainingKey;
    private byte[] handshakeHash;

    /** InitializeSymmetric(protocol_name). */
    SymmetricState(NoiseProtocol protocol) {
        this.protocol = protocol;
        this.hash = protocol.hash();
        this.cipherState = new CipherState(protocol.aead());
        byte[] name = protocol.name().getBytes(StandardCharsets.US_ASCII);
        handshakeHash = name.length <= hash.hashLen() ? Arrays.copyOf(name, hash.hashLen()) : hash.digest(name);
        chainingKey = handshakeHash.clone();
    }

    /** MixKey(input_key_material): {@code ck, temp_k = HKDF(ck, ikm, 2)}; InitializeKey(temp_k). */
    void mixKey(byte[] inputKeyMaterial) {
        byte[][] outputs = hkdf(chainingKey, inputKeyMaterial, 2);
        Arrays.fill(chainingKey, (byte) 0);
        chainingKey = outputs[0];
        cipherState.initializeKey(Secret.adopt(truncateToKey(outputs[1])));
    }

    /** MixHash(data): {@code h = HASH(h || data)}. */
    void mixHash(byte[] data) {
        handshakeHash = hash.digest(handshakeHash, data);
    }

    /** GetHandshakeHash(): a copy of {@code h} (HASHLEN bytes). */
    public byte[] handshakeHash() {
        return handshakeHash.clone();
    }

    /** EncryptAndHash(plaintext). */
    byte[] encryptAndHash(byte[] plaintext) throws NoiseException {
        byte[] ciphertext = cipherState.encryptWithAd(handshakeHash, plaintext);
        mixHash(ciphertext);
        return ciphertext;
    }

    /** DecryptAndHash(ciphertext). */
    byte[] decryptAndHash(byte[] ciphertext) throws NoiseException {
        byte[] plaintext = cipherState.decryptWithAd(handshakeHash, ciphertext);
        mixHash(ciphertext);
        return plaintext;
    }

    /** True once MixKey ran (so EncryptAndHash adds a 16-byte tag). */
    boolean hasKey() {
        return cipherState.hasKey();
    }

    /**
     * Split(): two CipherStates, initiator-to-responder first. Wipes {@code ck} and this
     * state's key.
     */
    CipherState[] split() {
        byte[][] outputs = hkdf(chainingKey, new byte[0], 2);
        CipherState first = new CipherState(protocol.aead());
        first.initializeKey(Secret.adopt(truncateToKey(outputs[0])));
        CipherState second = new CipherState(protocol.aead());
        second.initializeKey(Secret.adopt(truncateToKey(outputs[1])));
        destroy();
        return new CipherState[] {first, second};
    }

    /** Wipes the chaining key and the cipher key. */
    void destroy() {
        Arrays.fill(chainingKey, (byte) 0);
        cipherState.destroy();
    }

    /** HKDF(chaining_key, input_key_material, num_outputs) of section 4.3. */
    private byte[][] hkdf(byte[] key, byte[] inputKeyMaterial, int outputs) {
        byte[] temp = hash.hmac(key, inputKeyMaterial);
        byte[][] out = new byte[outputs][];
        byte[] previous = new byte[0];
        for (int i = 0; i < outputs; i++) {
            previous = hash.hmac(temp, previous, new byte[] {(byte) (i + 1)});
            out[i] = previous;
        }
        Arrays.fill(temp, (byte) 0);
        return out;
    }

    private static byte[] truncateToKey(byte[] output) {
        if (output.length == 32) {
            return output;
        }
        byte[] key = Arrays.copyOf(output, 32);
        Arrays.fill(output, (byte) 0);
        return key;
    }

    @Override
    public String toString() {
        return "SymmetricState[" + protocol.name() + ", ck=[REDACTED]]";
    }
}
