package dev.zerok.kernel.noise;

import static org.assertj.core.api.Assertions.assertThat;

import dev.zerok.kernel.pairing.GroupKeys;
import dev.zerok.ports.crypto.Hash;
import dev.zerok.ports.crypto.KeyPair;
import dev.zerok.ports.crypto.Secret;
import dev.zerok.ports.crypto.Signer;
import dev.zerok.ports.id.GroupId;
import dev.zerok.ports.testkit.SeededEntropy;
import org.junit.jupiter.api.Test;

class MembershipProofTest {
    private final HybridFixture fixture = new HybridFixture(5);

    @Test
    void proof_boundToSession_relayAcceptsHereOnlyAndRefusesIdOnlyDevice() throws Exception {
        Signer ed25519 = fixture.crypto.signer("Ed25519");
        Hash sha256 = fixture.crypto.hash("SHA256");
        GroupKeys group = GroupKeys.derive(fixture.crypto, Secret.adopt(new SeededEntropy(1).bytes(32)));
        assertThat(group.groupId().bytes()).isEqualTo(sha256.digest(group.signingKey().publicKey()));

        TransportSession[] session = HybridFixture.complete(fixture.initiator(), fixture.responder());
        TransportSession[] other = HybridFixture.complete(fixture.initiator(), fixture.responder());
        MembershipProof proof = MembershipProof.create(ed25519, group.signingKey(), group.groupId(),
                session[0].handshakeHash());

        assertThat(proof.verify(ed25519, sha256, group.groupId(), session[1].handshakeHash())).isTrue();
        // Replayed into another session: the relay's handshake hash differs.
        assertThat(proof.verify(ed25519, sha256, group.groupId(), other[1].handshakeHash())).isFalse();
        // Claimed for another group id.
        assertThat(proof.verify(ed25519, sha256, new GroupId(new byte[32]), session[1].handshakeHash())).isFalse();
        // A device that knows only the group id (and even the public key) cannot sign.
        KeyPair forged = ed25519.keyPairFromSeed(Secret.adopt(new byte[32]));
        MembershipProof guess = new MembershipProof(group.signingKey().publicKey(),
                MembershipProof.create(ed25519, forged, group.groupId(), session[0].handshakeHash()).signature());
        assertThat(guess.verify(ed25519, sha256, group.groupId(), session[1].handshakeHash())).isFalse();
        assertThat(new MembershipProof(new byte[3], new byte[64])
                .verify(ed25519, sha256, group.groupId(), session[1].handshakeHash())).isFalse();
        assertThat(group.toString()).isEqualTo("GroupKeys[REDACTED]");
    }

    @Test
    void staticIdentity_encodeDecode_roundTripsAndRejectsBadVersion() throws Exception {
        KeyPair identity = StaticIdentity.generate(fixture.crypto.dh("25519"), new SeededEntropy(2));
        Secret encoded = StaticIdentity.encodePrivate(identity);
        assertThat(encoded.length()).isEqualTo(33);
        assertThat(encoded.expose()[0]).isEqualTo(StaticIdentity.VERSION);
        assertThat(encoded.toString()).isEqualTo("[REDACTED]");
        KeyPair loaded = StaticIdentity.decodePrivate(fixture.crypto.dh("25519"), encoded.expose());
        assertThat(loaded).isEqualTo(identity);
        assertThat(StaticIdentity.decodePublic(StaticIdentity.encodePublic(identity.publicKey())))
                .isEqualTo(identity.publicKey());
        byte[] future = encoded.expose().clone();
        future[0] = 2;
        org.assertj.core.api.Assertions.assertThatThrownBy(
                () -> StaticIdentity.decodePrivate(fixture.crypto.dh("25519"), future))
                .isInstanceOfSatisfying(NoiseException.class,
                        e -> assertThat(e.code()).isEqualTo(NoiseException.Code.INVALID_KEY));
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> StaticIdentity.decodePublic(new byte[32]))
                .isInstanceOf(NoiseException.class);
        assertThat(StaticIdentity.deviceId(fixture.crypto.hash("SHA256"), identity.publicKey()).bytes())
                .isEqualTo(fixture.crypto.hash("SHA256").digest(identity.publicKey()));
    }
}
