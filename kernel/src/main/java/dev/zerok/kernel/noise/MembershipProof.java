package dev.zerok.kernel.noise;

import dev.zerok.ports.crypto.CryptoException;
import dev.zerok.ports.crypto.Hash;
import dev.zerok.ports.crypto.KeyPair;
import dev.zerok.ports.crypto.Signer;
import dev.zerok.ports.id.GroupId;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Proof that a device holds the group secret, checkable by a relay that never learns it.
 *
 * <p>Construction: every member derives the same Ed25519 <em>group signing key</em> from the group
 * secret (HKDF, see the pairing package's {@code GroupKeys}); the group id is SHA-256 of its public
 * key. In its Hello, sent inside the Noise session, the device presents
 *
 * <pre>
 *   group public key (32) | Ed25519 signature (64) over
 *       lengthPrefixed("zerok/1", "membership", group id (32), handshake hash (32))
 * </pre>
 *
 * The relay checks SHA-256(public key) == the claimed group id, then the signature against its own
 * copy of the handshake hash. Knowing the group id (or even the public key) is not enough to sign;
 * the signature covers this session's handshake hash, so it cannot be replayed into another
 * session; the relay stores only the public key's hash (the group id it already knows).
 *
 * @param groupPublicKey the 32-byte Ed25519 group public key
 * @param signature the 64-byte signature
 */
public record MembershipProof(byte[] groupPublicKey, byte[] signature) {
    /** Length of the proof's two fields together, in bytes. */
    public static final int ENCODED_BYTES = 32 + 64;

    public MembershipProof {
        groupPublicKey = groupPublicKey.clone();
        signature = signature.clone();
    }

    @Override
    public byte[] groupPublicKey() {
        return groupPublicKey.clone();
    }

    @Override
    public byte[] signature() {
        return signature.clone();
    }

    /**
     * Signs this session's handshake hash with the group signing key.
     *
     * @param groupSigningKey the Ed25519 pair derived from the group secret
     * @param handshakeHash the session's {@link TransportSession#handshakeHash()}
     * @throws NoiseException coded {@code INVALID_KEY} if the signer rejects the key
     */
    public static MembershipProof create(Signer ed25519, KeyPair groupSigningKey, GroupId groupId, byte[] handshakeHash)
            throws NoiseException {
        try {
            byte[] signature = ed25519.sign(groupSigningKey.privateKey(), signedMessage(groupId, handshakeHash));
            return new MembershipProof(groupSigningKey.publicKey(), signature);
        } catch (CryptoException e) {
            throw new NoiseException(NoiseException.Code.INVALID_KEY, "the group signing key was rejected", e);
        }
    }

    /**
     * The relay's check. Never throws on bad input.
     *
     * @param claimedGroupId the group the device asks to use
     * @param handshakeHash the relay's own handshake hash of this session
     * @return true only if the key hashes to the group id and the signature verifies
     */
    public boolean verify(Signer ed25519, Hash sha256, GroupId claimedGroupId, byte[] handshakeHash) {
        if (groupPublicKey.length != ed25519.publicKeyBytes()) {
            return false;
        }
        if (!ConstantTime.equals(sha256.digest(groupPublicKey), claimedGroupId.bytes())) {
            return false;
        }
        return ed25519.verify(groupPublicKey, signedMessage(claimedGroupId, handshakeHash), signature);
    }

    /** The wire form carried in Hello: group public key (32) then signature (64). */
    public byte[] encode() {
        byte[] out = new byte[groupPublicKey.length + signature.length];
        System.arraycopy(groupPublicKey, 0, out, 0, groupPublicKey.length);
        System.arraycopy(signature, 0, out, groupPublicKey.length, signature.length);
        return out;
    }

    /**
     * Parses {@link #encode()}'s output.
     *
     * @return empty unless {@code encoded} is exactly {@value #ENCODED_BYTES} bytes
     */
    public static java.util.Optional<MembershipProof> decode(byte[] encoded) {
        if (encoded.length != ENCODED_BYTES) {
            return java.util.Optional.empty();
        }
        return java.util.Optional.of(new MembershipProof(Arrays.copyOfRange(encoded, 0, 32), Arrays.copyOfRange(encoded, 32, ENCODED_BYTES)));
    }

    private static byte[] signedMessage(GroupId groupId, byte[] handshakeHash) {
        return KeyDerivation.lengthPrefixed(KeyDerivation.LABEL_PREFIX.getBytes(StandardCharsets.US_ASCII),
                "membership".getBytes(StandardCharsets.US_ASCII), groupId.bytes(), handshakeHash);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof MembershipProof p && Arrays.equals(groupPublicKey, p.groupPublicKey)
                && Arrays.equals(signature, p.signature);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(signature);
    }

    @Override
    public String toString() {
        return "MembershipProof[" + groupPublicKey.length + "+" + signature.length + " bytes]";
    }
}
