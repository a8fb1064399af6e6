package dev.zerok.kernel.noise;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.zerok.ports.testkit.SeededEntropy;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class HybridHandshakeTest {
    private final HybridFixture fixture = new HybridFixture(42);

    @Test
    void handshake_twoInMemoryParties_completesWithMatchingSessions() throws Exception {
        HandshakeState initiator = fixture.initiator();
        HandshakeState responder = fixture.responder();

        byte[] m1 = initiator.writeMessage(new byte[0]);
        responder.readMessage(m1);
        byte[] m2 = responder.writeMessage(new byte[0]);
        initiator.readMessage(m2);
        byte[] m3 = initiator.writeMessage("hello".getBytes(StandardCharsets.US_ASCII));
        assertThat(responder.readMessage(m3)).asString(StandardCharsets.US_ASCII).isEqualTo("hello");

        assertThat(m1).hasSize(HybridHandshake.MESSAGE_1_OVERHEAD_BYTES).hasSize(1216);
        assertThat(m2).hasSize(HybridHandshake.MESSAGE_2_OVERHEAD_BYTES).hasSize(1200);
        assertThat(m3).hasSize(HybridHandshake.MESSAGE_3_OVERHEAD_BYTES + 5);
        assertThat(initiator.handshakeHash()).isEqualTo(responder.handshakeHash());
        assertThat(responder.remoteStatic()).contains(fixture.device.publicKey());

        TransportSession device = initiator.split();
        TransportSession relay = responder.split();
        assertThat(relay.decrypt(device.encrypt(new byte[] {1, 2, 3}))).containsExactly(1, 2, 3);
        assertThat(device.decrypt(relay.encrypt(new byte[] {4}))).containsExactly(4);
        assertThat(device.remoteStatic()).contains(fixture.relay.publicKey());
    }

    @Test
    void handshake_protocolNameIsFixed_andParsesToXxHfsWithMlKem768() throws Exception {
        NoiseProtocol protocol = HybridHandshake.protocol(fixture.crypto);
        assertThat(protocol.name()).isEqualTo("Noise_XXhfs_25519+MLKEM768_ChaChaPoly_SHA256");
        assertThat(protocol.pattern()).isEqualTo(HandshakePattern.XX_HFS);
        assertThat(protocol.kem()).get().extracting(k -> k.name()).isEqualTo("MLKEM768");
    }

    @Test
    void handshake_relayPresentsOtherStaticKey_failsWithPinMismatch() throws Exception {
        HandshakeState initiator = fixture.initiator();
        HandshakeState impostor = HybridHandshake.responder(fixture.crypto, new SeededEntropy(9),
                fixture.crypto.dh("25519").generateKeyPair(new SeededEntropy(10)));
        impostor.readMessage(initiator.writeMessage(new byte[0]));
        byte[] m2 = impostor.writeMessage(new byte[0]);
        assertThatThrownBy(() -> initiator.readMessage(m2)).isInstanceOfSatisfying(NoiseException.class,
                e -> assertThat(e.code()).isEqualTo(NoiseException.Code.UNEXPECTED_REMOTE_STATIC));
        assertThatThrownBy(initiator::split).isInstanceOf(NoiseException.class);
    }

    @Test
    void handshake_everySingleBitFlipOfEveryMessage_failsCleanly() throws Exception {
        int[] flipsChecked = new int[3];
        for (int message = 0; message < 3; message++) {
            int length = message == 0 ? 1216 : message == 1 ? 1200 : 64;
            for (int bit = 0; bit < length * 8; bit++) {
                assertFlipFails(message, bit);
                flipsChecked[message]++;
            }
        }
        assertThat(flipsChecked).containsExactly(1216 * 8, 1200 * 8, 64 * 8);
    }

    /** Runs a handshake with one bit of message {@code message} flipped; some step must throw NoiseException. */
    private void assertFlipFails(int message, int bit) throws NoiseException {
        HandshakeState initiator = fixture.initiator();
        HandshakeState responder = fixture.responder();
        HandshakeState[] writers = {initiator, responder, initiator};
        HandshakeState[] readers = {responder, initiator, responder};
        boolean failed = false;
        try {
            for (int i = 0; i < 3; i++) {
                byte[] bytes = writers[i].writeMessage(new byte[0]);
                if (i == message) {
                    bytes[bit / 8] ^= (byte) (1 << (bit % 8));
                }
                readers[i].readMessage(bytes);
            }
        } catch (NoiseException expected) {
            failed = true;
        }
        assertThat(failed).as("flip of bit %d in message %d must fail the handshake", bit, message + 1).isTrue();
        assertThat(initiator.isComplete() && responder.isComplete()).isFalse();
    }
}
