package dev.zerok.chaos.mock;

import dev.zerok.chaos.topology.DuplicateConnection;
import dev.zerok.kernel.noise.HybridHandshake;
import dev.zerok.kernel.noise.MembershipProof;
import dev.zerok.kernel.noise.NoiseException;
import dev.zerok.kernel.pairing.GroupKeys;
import dev.zerok.kernel.session.SecureChannel;
import dev.zerok.kernel.wire.FrameCodec;
import dev.zerok.kernel.wire.Message;
import dev.zerok.kernel.wire.ProtocolException;
import dev.zerok.ports.crypto.CryptoException;
import dev.zerok.ports.crypto.KeyExchange;
import dev.zerok.ports.crypto.KeyPair;
import dev.zerok.ports.entropy.Entropy;
import dev.zerok.ports.id.DeviceId;
import dev.zerok.ports.id.RelayId;
import dev.zerok.ports.transport.Channel;
import dev.zerok.ports.transport.ChannelHandler;
import dev.zerok.ports.transport.Endpoint;
import dev.zerok.ports.transport.Transport;
import dev.zerok.ports.transport.TransportException;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * The second connection of {@link MockTopology#openDuplicateIdentity}: a device's identity, group
 * keys and transport host, but its own Noise session; handshake, one Hello, then it only listens.
 * Runs on the simulation thread like everything in the mock.
 */
final class MockDuplicateConnection implements DuplicateConnection, ChannelHandler {
    private final SecureChannel secure;
    private final GroupKeys keys;
    private final KeyExchange crypto;
    private final DeviceId device;
    private final Consumer<String> note;
    private final java.util.function.IntSupplier relayConnections;
    private Channel channel;
    private boolean welcomed;
    private String errorCode;
    private boolean open;
    private boolean closed;

    private MockDuplicateConnection(SecureChannel secure, GroupKeys keys, KeyExchange crypto, DeviceId device,
            Consumer<String> note, java.util.function.IntSupplier relayConnections) {
        this.relayConnections = relayConnections;
        this.secure = secure;
        this.keys = keys;
        this.crypto = crypto;
        this.device = device;
        this.note = note;
    }

    /** Starts the connect now; the handshake follows as the transport delivers. */
    static MockDuplicateConnection open(Transport transport, Endpoint endpoint, RelayId relay, KeyPair identity,
            GroupKeys keys, KeyExchange crypto, Entropy entropy, DeviceId device, Consumer<String> note,
            java.util.function.IntSupplier relayConnections) throws NoiseException {
        SecureChannel secure = SecureChannel.initiator(HybridHandshake.initiator(crypto, entropy, identity, relay.bytes()),
                FrameCodec.DEFAULT_MAX_FRAME_BYTES);
        MockDuplicateConnection c = new MockDuplicateConnection(secure, keys, crypto, device, note, relayConnections);
        transport.connect(endpoint, c).whenComplete((ch, failure) -> {
            if (failure != null || c.closed) {
                if (ch != null) {
                    ch.close();
                }
                note.accept("connect failed");
                return;
            }
            c.channel = ch;
            c.open = true;
            try {
                for (byte[] m : secure.start()) {
                    ch.send(m);
                }
            } catch (NoiseException e) {
                c.fail("handshake start failed (" + e.code() + ")");
            }
        });
        return c;
    }

    @Override
    public void onMessage(byte[] message) {
        if (closed) {
            return;
        }
        SecureChannel.Received received;
        try {
            received = secure.receive(message);
            for (byte[] out : received.toSend()) {
                channel.send(out);
            }
            if (received.handshakeCompleted()) {
                MembershipProof proof = MembershipProof.create(crypto.signer("Ed25519"), keys.signingKey(), keys.groupId(),
                        secure.handshakeHash());
                for (byte[] out : secure.seal(new Message.Hello(Message.PROTOCOL_VERSION, device, keys.groupId(),
                        proof.encode()))) {
                    channel.send(out);
                }
                note.accept("hello sent");
            }
        } catch (NoiseException | ProtocolException | CryptoException e) {
            fail("secure channel failed");
            return;
        }
        for (Message m : received.messages()) {
            switch (m) {
                case Message.Welcome w -> {
                    welcomed = true;
                    note.accept("welcomed");
                }
                case Message.Error e -> {
                    errorCode = e.code().name();
                    note.accept("error " + errorCode);
                }
                default -> { }
            }
        }
    }

    @Override
    public void onClosed(Optional<TransportException> cause) {
        open = false;
        note.accept("closed " + cause.map(c -> c.code().name()).orElse("by the relay"));
    }

    private void fail(String why) {
        note.accept(why);
        close();
    }

    @Override
    public boolean welcomed() {
        return welcomed;
    }

    @Override
    public Optional<String> errorCode() {
        return Optional.ofNullable(errorCode);
    }

    @Override
    public boolean open() {
        return open;
    }

    @Override
    public int relayConnections() {
        return relayConnections.getAsInt();
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        open = false;
        if (channel != null) {
            channel.close();
        }
        secure.close();
        keys.close();
    }
}
