package dev.zerok.chaos.sim;

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
 * The second connection of {@code Topology.openDuplicateIdentity} (seed 000 E-HS-06) on both
 * topologies: a device's identity and group keys over any {@link Transport} (the mock network, or
 * a fresh {@code quic} transport to the device's link on real), with its own Noise session
 * ({@link SecureChannel} with the device's {@link HybridHandshake}); handshake, one Hello, then it
 * only listens and records what the relay answered. Thread-safe: transport callbacks and the
 * scenario's reads are serialised on this object.
 */
public final class DuplicateIdentityConnection implements DuplicateConnection, ChannelHandler {
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

    private DuplicateIdentityConnection(SecureChannel secure, GroupKeys keys, KeyExchange crypto, DeviceId device,
            Consumer<String> note, java.util.function.IntSupplier relayConnections) {
        this.relayConnections = relayConnections;
        this.secure = secure;
        this.keys = keys;
        this.crypto = crypto;
        this.device = device;
        this.note = note;
    }

    /**
     * Starts the connect now; the handshake follows as the transport delivers.
     *
     * @param transport the transport to connect with (closed by nobody here: the caller owns it)
     * @param endpoint where the relay (or the device's link to it) listens
     * @param relay the relay's identity: its static key is the handshake's responder key
     * @param identity the device's static key pair (the twin's identity)
     * @param keys the device's group keys (its Hello's membership proof)
     * @param note told what happened, in words ("welcomed", "error UNAUTHORIZED", "closed ...")
     * @param relayConnections counts the relay's open connections now
     * @throws NoiseException if the handshake cannot start
     */
    public static DuplicateIdentityConnection open(Transport transport, Endpoint endpoint, RelayId relay, KeyPair identity,
            GroupKeys keys, KeyExchange crypto, Entropy entropy, DeviceId device, Consumer<String> note,
            java.util.function.IntSupplier relayConnections) throws NoiseException {
        SecureChannel secure = SecureChannel.initiator(HybridHandshake.initiator(crypto, entropy, identity, relay.bytes()),
                FrameCodec.DEFAULT_MAX_FRAME_BYTES);
        DuplicateIdentityConnection c = new DuplicateIdentityConnection(secure, keys, crypto, device, note, relayConnections);
        transport.connect(endpoint, c).whenComplete((ch, failure) -> c.connected(ch, failure));
        return c;
    }

    private synchronized void connected(Channel ch, Throwable failure) {
        if (failure != null || closed) {
            if (ch != null) {
                ch.close();
            }
            note.accept("connect failed");
            return;
        }
        channel = ch;
        open = true;
        try {
            for (byte[] m : secure.start()) {
                ch.send(m);
            }
        } catch (NoiseException e) {
            fail("handshake start failed (" + e.code() + ")");
        }
    }

    @Override
    public synchronized void onMessage(byte[] message) {
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
    public synchronized void onClosed(Optional<TransportException> cause) {
        open = false;
        note.accept("closed " + cause.map(c -> c.code().name()).orElse("by the relay"));
    }

    private void fail(String why) {
        note.accept(why);
        close();
    }

    @Override
    public synchronized boolean welcomed() {
        return welcomed;
    }

    @Override
    public synchronized Optional<String> errorCode() {
        return Optional.ofNullable(errorCode);
    }

    @Override
    public synchronized boolean open() {
        return open;
    }

    @Override
    public int relayConnections() {
        return relayConnections.getAsInt();
    }

    @Override
    public synchronized void close() {
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
