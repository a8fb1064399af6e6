package dev.zerok.chaos.adversary;

import dev.zerok.chaos.topology.ChaosException;
import dev.zerok.kernel.noise.HandshakeState;
import dev.zerok.kernel.noise.HybridHandshake;
import dev.zerok.kernel.noise.MembershipProof;
import dev.zerok.kernel.noise.NoiseException;
import dev.zerok.kernel.noise.StaticIdentity;
import dev.zerok.kernel.noise.TransportSession;
import dev.zerok.kernel.pairing.GroupKeys;
import dev.zerok.kernel.wire.FrameCodec;
import dev.zerok.kernel.wire.FrameDecoder;
import dev.zerok.kernel.wire.Message;
import dev.zerok.kernel.wire.MessageCodec;
import dev.zerok.kernel.wire.ProtocolException;
import dev.zerok.ports.crypto.KeyPair;
import dev.zerok.ports.id.DeviceId;
import dev.zerok.ports.transport.Channel;
import dev.zerok.ports.transport.ChannelHandler;
import dev.zerok.ports.transport.Endpoint;
import dev.zerok.ports.transport.Transport;
import dev.zerok.ports.transport.TransportException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Deque;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * An attacker's connection to a relay, speaking zerok's wire protocol with zerok's own parts: the
 * {@code quic} Transport's channel, {@link HybridHandshake} (Noise XXhfs, X25519+ML-KEM-768) as
 * initiator, {@link TransportSession} for the transport messages, {@link FrameCodec} and
 * {@link MessageCodec} for frames. Unlike {@code SecureChannel} it lets the attacker stop anywhere
 * (after handshake message 1, before Hello), seal arbitrary plaintext (a bare frame header, random
 * bytes), frame above the relay's limit, and record every transport message it sent for replay.
 *
 * <p>Blocking; one thread drives a session at a time. Messages from the relay queue up in an inbox
 * filled by the transport's thread.
 */
public final class RawSession implements AutoCloseable {
    /** Reported when the relay (or the transport) closed the channel. */
    public static final class ClosedByPeer extends ChaosException {
        private static final long serialVersionUID = 1L;

        ClosedByPeer(String message) {
            super(message);
        }
    }

    private static final Object ORDERLY = new Object();

    private final Adversary kit;
    private final Channel channel;
    private final BlockingQueue<Object> inbox = new LinkedBlockingQueue<>();
    private final List<byte[]> sent = Collections.synchronizedList(new ArrayList<>());
    private final Deque<Message> decoded = new ArrayDeque<>();
    private final List<Message.Error> errors = new ArrayList<>();
    private final FrameDecoder decoder = new FrameDecoder(FrameCodec.LIMIT_MAX_FRAME_BYTES);
    private HandshakeState handshake;
    private TransportSession session;
    private KeyPair identity;
    private DeviceId deviceId;
    private Object closedBy;

    private RawSession(Adversary kit, Transport transport, Endpoint relay, Duration timeout) {
        this.kit = kit;
        try {
            this.channel = transport.connect(relay, new ChannelHandler() {
                @Override
                public void onMessage(byte[] message) {
                    inbox.add(message);
                }

                @Override
                public void onClosed(Optional<TransportException> cause) {
                    inbox.add(cause.isPresent() ? cause.get() : ORDERLY);
                }
            }).toCompletableFuture().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ChaosException("interrupted while connecting", e);
        } catch (Exception e) {
            throw new ChaosException("connect to " + relay + " failed: " + e, e);
        }
    }

    /**
     * Opens a QUIC connection and its stream to {@code relay}. QUIC opens streams lazily: until the
     * first {@link #sendRaw}, the relay sees a bare QUIC connection.
     *
     * @throws ChaosException if the connection is refused or not established within {@code timeout}
     */
    public static RawSession connect(Adversary kit, Transport transport, Endpoint relay, Duration timeout) {
        return new RawSession(kit, transport, relay, timeout);
    }

    /** Sends {@code transportMessage} as it is (1..65535 bytes), recording it for replay. */
    public void sendRaw(byte[] transportMessage) {
        sent.add(transportMessage.clone());
        channel.send(transportMessage);
    }

    /** Every transport message this session sent, in order (handshake messages included). */
    public List<byte[]> sentTransportMessages() {
        synchronized (sent) {
            return List.copyOf(sent);
        }
    }

    /**
     * Sends Noise handshake message 1 as {@code identity} to a relay pinned by its 32-byte static
     * key, and stops there.
     */
    public void sendHandshakeMessage1(KeyPair identity, byte[] relayStatic) {
        this.identity = identity;
        try {
            deviceId = StaticIdentity.deviceId(kit.crypto().hash("SHA256"), identity.publicKey());
            handshake = HybridHandshake.initiator(kit.crypto(), kit.entropy(), identity, relayStatic);
            sendRaw(handshake.writeMessage(new byte[0]));
        } catch (Exception e) {
            throw new ChaosException("cannot write handshake message 1: " + e.getMessage(), e);
        }
    }

    /** Reads message 2, sends message 3, splits: the session is established. */
    public void finishHandshake(Duration timeout) {
        try {
            handshake.readMessage(nextRaw(timeout));
            sendRaw(handshake.writeMessage(new byte[0]));
            session = handshake.split();
        } catch (NoiseException e) {
            throw new ChaosException("handshake failed: " + e.getMessage(), e);
        }
    }

    /** The whole genuine handshake as {@code identity}. */
    public RawSession handshake(KeyPair identity, byte[] relayStatic, Duration timeout) {
        sendHandshakeMessage1(identity, relayStatic);
        finishHandshake(timeout);
        return this;
    }

    /** The device id the relay derives from this session's static key. */
    public DeviceId deviceId() {
        return deviceId;
    }

    /** Sends Hello with a valid membership proof for {@code group}; returns the relay's answer. */
    public Message hello(GroupKeys group, Duration timeout) {
        try {
            MembershipProof proof = MembershipProof.create(kit.crypto().signer("Ed25519"), group.signingKey(),
                    group.groupId(), session.handshakeHash());
            send(new Message.Hello(1, deviceId, group.groupId(), proof.encode()));
        } catch (Exception e) {
            throw new ChaosException("cannot sign the membership proof: " + e.getMessage(), e);
        }
        return receive(timeout);
    }

    /**
     * Frames (up to the protocol's 16 MiB limit, not the relay's), splits and encrypts
     * {@code message}, and sends it.
     */
    public void send(Message message) {
        sealAndSend(FrameCodec.frame(message, FrameCodec.LIMIT_MAX_FRAME_BYTES));
    }

    /** Encrypts {@code plaintext} as consecutive Noise transport messages of at most 65,519 bytes each and sends them. */
    public void sealAndSend(byte[] plaintext) {
        for (int at = 0; at < plaintext.length; at += TransportSession.MAX_PAYLOAD_BYTES) {
            sendRaw(seal(Arrays.copyOfRange(plaintext, at, Math.min(plaintext.length,
                    at + TransportSession.MAX_PAYLOAD_BYTES))));
        }
    }

    /** One Noise transport message carrying {@code plaintext} (at most 65,519 bytes), not sent. */
    public byte[] seal(byte[] plaintext) {
        requireSession();
        try {
            return session.encrypt(plaintext);
        } catch (NoiseException e) {
            throw new ChaosException("cannot encrypt: " + e.getMessage(), e);
        }
    }

    /**
     * The relay's next message.
     *
     * @throws ClosedByPeer if the channel closed first
     * @throws ChaosException if nothing came within {@code timeout} or the relay's bytes do not decrypt
     */
    public Message receive(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (decoded.isEmpty()) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                throw new ChaosException("no message from the relay within " + timeout);
            }
            absorb(nextRaw(Duration.ofNanos(left)));
        }
        return decoded.removeFirst();
    }

    /**
     * Waits until the relay closes the channel, reading (and keeping) whatever it sends before.
     *
     * @return true if the channel closed within {@code timeout}
     */
    public boolean awaitClosed(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (closedBy == null) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return false;
            }
            try {
                Object next = inbox.poll(Math.max(1, TimeUnit.NANOSECONDS.toMillis(left)), TimeUnit.MILLISECONDS);
                if (next instanceof byte[] bytes) {
                    if (session != null && !session.isClosed()) {
                        absorbQuietly(bytes);
                    }
                } else if (next != null) {
                    closedBy = next;
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new ChaosException("interrupted", e);
            }
        }
        return true;
    }

    /** True once the relay or the transport closed the channel (as far as this session has read). */
    public boolean closed() {
        return closedBy != null;
    }

    /** Why the channel closed: "orderly", the transport's code, or empty while open. */
    public Optional<String> closeReason() {
        return closedBy == null ? Optional.empty() : Optional.of(closedBy == ORDERLY ? "orderly"
                : closedBy instanceof TransportException t ? t.code().name() : String.valueOf(closedBy));
    }

    /** In-band Errors the relay sent on this session, in order (also returned by {@link #receive}). */
    public List<Message.Error> errors() {
        return List.copyOf(errors);
    }

    /** Every decoded message not yet taken by {@link #receive}. */
    public List<Message> pending() {
        return List.copyOf(decoded);
    }

    private void absorbQuietly(byte[] transportMessage) {
        try {
            absorb(transportMessage);
        } catch (ChaosException e) {
            // a relay message we cannot read while waiting for the close: the close is what we wait for
        }
    }

    private void absorb(byte[] transportMessage) {
        requireSession();
        try {
            for (byte[] frame : decoder.feed(session.decrypt(transportMessage))) {
                Message m = MessageCodec.decode(frame);
                if (m instanceof Message.Error e) {
                    errors.add(e);
                }
                decoded.addLast(m);
            }
        } catch (NoiseException | ProtocolException e) {
            throw new ChaosException("cannot read the relay's message: " + e.getMessage(), e);
        }
    }

    private byte[] nextRaw(Duration timeout) {
        if (closedBy != null) {
            throw new ClosedByPeer("the channel is closed: " + closeReason().orElseThrow());
        }
        Object next;
        try {
            next = inbox.poll(Math.max(1, timeout.toMillis()), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ChaosException("interrupted", e);
        }
        if (next == null) {
            throw new ChaosException("no message from the relay within " + timeout);
        }
        if (next instanceof byte[] bytes) {
            return bytes;
        }
        closedBy = next;
        throw new ClosedByPeer("the relay closed the channel: " + closeReason().orElseThrow());
    }

    private void requireSession() {
        if (session == null) {
            throw new ChaosException("the handshake has not completed");
        }
    }

    /** Closes the channel (a QUIC FIN); the attacker's keys are dropped. */
    @Override
    public void close() {
        channel.close();
        if (session != null) {
            session.close();
        }
        if (handshake != null) {
            handshake.destroy();
        }
    }
}
