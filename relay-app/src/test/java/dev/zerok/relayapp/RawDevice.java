package dev.zerok.relayapp;

import dev.zerok.kernel.noise.HybridHandshake;
import dev.zerok.kernel.noise.MembershipProof;
import dev.zerok.kernel.noise.StaticIdentity;
import dev.zerok.kernel.pairing.GroupKeys;
import dev.zerok.kernel.session.SecureChannel;
import dev.zerok.kernel.wire.FrameCodec;
import dev.zerok.kernel.wire.Message;
import dev.zerok.ports.crypto.KeyExchange;
import dev.zerok.ports.crypto.KeyPair;
import dev.zerok.ports.entropy.Entropy;
import dev.zerok.ports.id.DeviceId;
import dev.zerok.ports.transport.Channel;
import dev.zerok.ports.transport.ChannelHandler;
import dev.zerok.ports.transport.Endpoint;
import dev.zerok.ports.transport.Transport;
import dev.zerok.ports.transport.TransportException;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A device that speaks the raw protocol to a relay (handshake, Hello, then any message), for
 * relay tests before the client library exists. Blocking, test-only.
 */
final class RawDevice implements AutoCloseable {
    private final BlockingQueue<Object> inbox = new LinkedBlockingQueue<>();
    private final SecureChannel secure;
    private final Channel channel;
    final DeviceId deviceId;

    RawDevice(Transport transport, Endpoint relay, byte[] relayPublicKey, KeyExchange crypto, Entropy entropy)
            throws Exception {
        this(transport, relay, relayPublicKey, crypto, entropy, StaticIdentity.generate(crypto.dh("25519"), entropy));
    }

    /** A device with the given static identity (two of them share one identity in the stolen-key test). */
    RawDevice(Transport transport, Endpoint relay, byte[] relayPublicKey, KeyExchange crypto, Entropy entropy,
            KeyPair identity) throws Exception {
        deviceId = StaticIdentity.deviceId(crypto.hash("SHA256"), identity.publicKey());
        secure = SecureChannel.initiator(HybridHandshake.initiator(crypto, entropy, identity, relayPublicKey),
                FrameCodec.DEFAULT_MAX_FRAME_BYTES);
        channel = transport.connect(relay, new ChannelHandler() {
            @Override
            public void onMessage(byte[] message) {
                inbox.add(message);
            }

            @Override
            public void onClosed(Optional<TransportException> cause) {
                inbox.add(cause.isPresent() ? cause.get() : "closed");
            }
        }).toCompletableFuture().get(10, TimeUnit.SECONDS);
        for (byte[] m : secure.start()) {
            channel.send(m);
        }
        while (!secure.isEstablished()) {
            SecureChannel.Received r = secure.receive(nextRaw(Duration.ofSeconds(10)));
            for (byte[] m : r.toSend()) {
                channel.send(m);
            }
        }
    }

    /** Sends Hello with a valid proof for {@code group}; returns the relay's answer. */
    Message hello(KeyExchange crypto, GroupKeys group) throws Exception {
        MembershipProof proof = MembershipProof.create(crypto.signer("Ed25519"), group.signingKey(), group.groupId(),
                secure.handshakeHash());
        send(new Message.Hello(1, deviceId, group.groupId(), proof.encode()));
        return receive(Duration.ofSeconds(10));
    }

    void send(Message message) throws Exception {
        for (byte[] m : secure.seal(message)) {
            channel.send(m);
        }
    }

    /** The next message, or throws if the channel closed or nothing came in time. */
    Message receive(Duration timeout) throws Exception {
        while (true) {
            SecureChannel.Received r = secure.receive(nextRaw(timeout));
            if (!r.messages().isEmpty()) {
                if (r.messages().size() > 1) {
                    throw new IllegalStateException("test device expects one message per transport message");
                }
                return r.messages().get(0);
            }
        }
    }

    /** Stops reading at the transport: the relay's sends to this device stall once the QUIC window is used up. */
    void stopReading() {
        channel.pauseReading();
    }

    /** The next message that is not a Notify (another member's pushes announce themselves). */
    Message receiveSkippingNotify(Duration timeout) throws Exception {
        while (true) {
            Message m = receive(timeout);
            if (!(m instanceof Message.Notify)) {
                return m;
            }
        }
    }

    /** True if the relay closed the channel within {@code timeout}. */
    boolean awaitClosed(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            Object next = inbox.poll(50, TimeUnit.MILLISECONDS);
            if (next != null && !(next instanceof byte[])) {
                return true;
            }
        }
        return false;
    }

    private byte[] nextRaw(Duration timeout) throws Exception {
        Object next = inbox.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
        if (next == null) {
            throw new IllegalStateException("no message from the relay within " + timeout);
        }
        if (next instanceof byte[] bytes) {
            return bytes;
        }
        throw new IllegalStateException("channel closed: " + next);
    }

    @Override
    public void close() {
        channel.close();
    }
}
