package dev.zerok.kernel.session;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.zerok.adapters.crypto.BouncyCastleKeyExchangeProvider;
import dev.zerok.kernel.noise.HybridHandshake;
import dev.zerok.kernel.noise.NoiseException;
import dev.zerok.kernel.noise.StaticIdentity;
import dev.zerok.kernel.wire.ErrorCode;
import dev.zerok.kernel.wire.FrameCodec;
import dev.zerok.kernel.wire.Message;
import dev.zerok.kernel.wire.ProtocolException;
import dev.zerok.ports.crypto.KeyExchange;
import dev.zerok.ports.crypto.KeyPair;
import dev.zerok.ports.id.BlobId;
import dev.zerok.ports.spi.ProviderConfig;
import dev.zerok.ports.testkit.SeededEntropy;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class SecureChannelTest {
    private KeyExchange crypto;
    private SeededEntropy entropy;
    private SecureChannel device;
    private SecureChannel relay;
    private KeyPair deviceKey;

    @BeforeEach
    void handshake() throws Exception {
        crypto = new BouncyCastleKeyExchangeProvider().open(ProviderConfig.EMPTY);
        entropy = new SeededEntropy(42);
        KeyPair relayKey = StaticIdentity.generate(crypto.dh("25519"), entropy);
        deviceKey = StaticIdentity.generate(crypto.dh("25519"), entropy);
        device = SecureChannel.initiator(HybridHandshake.initiator(crypto, entropy, deviceKey, relayKey.publicKey()), 4 * 1024 * 1024);
        relay = SecureChannel.responder(HybridHandshake.responder(crypto, entropy, relayKey), 4 * 1024 * 1024);
        List<byte[]> toRelay = device.start();
        while (!device.isEstablished() || !relay.isEstablished()) {
            List<byte[]> toDevice = new ArrayList<>();
            for (byte[] m : toRelay) {
                toDevice.addAll(relay.receive(m).toSend());
            }
            toRelay = new ArrayList<>();
            for (byte[] m : toDevice) {
                toRelay.addAll(device.receive(m).toSend());
            }
        }
    }

    @Test
    void handshake_givesBothSidesTheSameHashAndTheRelayTheDevicesKey() {
        assertThat(relay.handshakeHash()).isEqualTo(device.handshakeHash());
        assertThat(relay.remoteStatic()).isEqualTo(deviceKey.publicKey());
    }

    @Test
    void seal_ofAMessageLargerThanOneNoiseMessage_isSplitAndReassembled() throws Exception {
        Message push = new Message.Push(new BlobId(entropy.bytes(16)), 60, entropy.bytes(1_000_000));

        List<byte[]> parts = device.seal(push);
        List<Message> received = new ArrayList<>();
        for (byte[] part : parts) {
            assertThat(part.length).isLessThanOrEqualTo(65_535);
            received.addAll(relay.receive(part).messages());
        }

        assertThat(parts).hasSizeGreaterThan(15);
        assertThat(received).containsExactly(push);
    }

    @Test
    void receive_ofAReplayedTransportMessage_failsAndTheChannelStaysDead() throws Exception {
        byte[] first = device.seal(new Message.Bye()).get(0);
        relay.receive(first);

        assertThatThrownBy(() -> relay.receive(first)).isInstanceOf(NoiseException.class);
        assertThatThrownBy(() -> relay.receive(device.seal(new Message.Bye()).get(0))).isInstanceOf(NoiseException.class);
    }

    @Test
    void receive_ofAnOversizeFrameHeader_failsTyped_butAnErrorCanStillBeSent() throws Exception {
        // a frame announcing more than the relay's maximum: 2^32-1 bytes
        byte[] sealed = sealRaw(new byte[] {(byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff});

        assertThatThrownBy(() -> relay.receive(sealed)).isInstanceOfSatisfying(ProtocolException.class,
                e -> assertThat(e.code()).isEqualTo(ProtocolException.Code.OVERSIZE));
        List<byte[]> error = relay.seal(new Message.Error(ErrorCode.BAD_REQUEST, "bad frame", 0));

        assertThat(device.receive(error.get(0)).messages()).singleElement().isInstanceOf(Message.Error.class);
    }

    /**
     * Encrypts raw plaintext as the device's next transport message, bypassing the framing (the
     * channel has no API for that on purpose, so the test reaches its session directly).
     */
    private byte[] sealRaw(byte[] plaintext) throws Exception {
        java.lang.reflect.Field field = SecureChannel.class.getDeclaredField("session");
        field.setAccessible(true);
        return ((dev.zerok.kernel.noise.TransportSession) field.get(device)).encrypt(plaintext);
    }

    @Test
    void seal_beforeTheHandshake_isRefused() throws Exception {
        SecureChannel fresh = SecureChannel.responder(HybridHandshake.responder(crypto, entropy,
                StaticIdentity.generate(crypto.dh("25519"), entropy)), FrameCodec.DEFAULT_MAX_FRAME_BYTES);

        assertThatThrownBy(() -> fresh.seal(new Message.Bye())).isInstanceOf(IllegalStateException.class);
    }
}
