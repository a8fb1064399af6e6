package dev.zerok.kernel.session;

import dev.zerok.kernel.noise.HandshakeState;
import dev.zerok.kernel.noise.NoiseException;
import dev.zerok.kernel.noise.RekeyPolicy;
import dev.zerok.kernel.noise.TransportSession;
import dev.zerok.kernel.wire.FrameCodec;
import dev.zerok.kernel.wire.FrameDecoder;
import dev.zerok.kernel.wire.Message;
import dev.zerok.kernel.wire.MessageCodec;
import dev.zerok.kernel.wire.ProtocolException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * One end of a zerok connection above the Transport port, sans-I/O: the Noise handshake, then the
 * framed message stream cut into Noise transport messages (docs/PROTOCOL.md section 1).
 *
 * <p>Feed every transport message the peer sent to {@link #receive}; send every byte array it or
 * {@link #start()} / {@link #seal} returns as one transport message, in order. Any failure (a
 * handshake or decryption error, bad framing, a malformed message) is thrown once and the
 * receiving side is dead afterwards; after a {@link ProtocolException} the driver may still
 * {@link #seal} one in-band Error, then it must close the connection.
 *
 * <p>Not thread-safe: the connection's driver serialises calls.
 */
public final class SecureChannel {
    /** What one received transport message produced. */
    public record Received(List<byte[]> toSend, List<Message> messages, boolean handshakeCompleted) {}

    private final HandshakeState handshake;
    private final boolean initiator;
    private final int maxFrameBytes;
    private final FrameDecoder decoder;
    private TransportSession session;
    private byte[] handshakeHash;
    private byte[] remoteStatic;
    private boolean failed;
    private RekeyPolicy rekeyPolicy = RekeyPolicy.DEFAULT;
    private long sealedMessages;
    private long openedMessages;

    private SecureChannel(HandshakeState handshake, boolean initiator, int maxFrameBytes) {
        this.handshake = handshake;
        this.initiator = initiator;
        this.maxFrameBytes = maxFrameBytes;
        this.decoder = new FrameDecoder(maxFrameBytes);
    }

    /** The side that speaks first (the device), over an initialised initiator handshake. */
    public static SecureChannel initiator(HandshakeState handshake, int maxFrameBytes) {
        return new SecureChannel(handshake, true, maxFrameBytes);
    }

    /** The side that answers (the relay), over an initialised responder handshake. */
    public static SecureChannel responder(HandshakeState handshake, int maxFrameBytes) {
        return new SecureChannel(handshake, false, maxFrameBytes);
    }

    /**
     * The initiator's first handshake message (the responder returns nothing).
     *
     * @throws NoiseException if the handshake cannot produce it
     */
    public List<byte[]> start() throws NoiseException {
        if (!initiator) {
            return List.of();
        }
        return List.of(handshake.writeMessage(new byte[0]));
    }

    /** True once the handshake completed and messages can flow. */
    public boolean isEstablished() {
        return session != null;
    }

    /**
     * The Noise handshake hash, which membership proofs are bound to.
     *
     * @throws IllegalStateException before the handshake completed
     */
    public byte[] handshakeHash() {
        requireEstablished();
        return handshakeHash.clone();
    }

    /**
     * The peer's 32-byte static public key, as authenticated by the handshake.
     *
     * @throws IllegalStateException before the handshake completed
     */
    public byte[] remoteStatic() {
        requireEstablished();
        return remoteStatic.clone();
    }

    /**
     * Processes one transport message from the peer.
     *
     * @throws NoiseException if a handshake message or transport message fails (altered, replayed,
     *     reordered, wrong key)
     * @throws ProtocolException if the decrypted stream breaks the framing or the message codec
     */
    public Received receive(byte[] transportMessage) throws NoiseException, ProtocolException {
        if (failed) {
            throw new NoiseException(NoiseException.Code.SESSION_CLOSED, "the channel already failed");
        }
        try {
            if (session == null) {
                return advanceHandshake(transportMessage);
            }
            byte[] plaintext = session.decrypt(transportMessage);
            openedMessages++;
            List<Message> messages = new ArrayList<>();
            for (byte[] frame : decoder.feed(plaintext)) {
                messages.add(MessageCodec.decode(frame));
            }
            return new Received(List.of(), messages, false);
        } catch (ProtocolException e) {
            // The peer's stream is broken but our sending direction is intact: the driver can
            // still seal an in-band Error before it closes.
            failed = true;
            throw e;
        } catch (NoiseException | RuntimeException e) {
            failed = true;
            if (session != null) {
                session.close();
            }
            throw e;
        }
    }

    /**
     * Encodes, frames, splits and encrypts one message.
     *
     * @return the transport messages to send, in order
     * @throws NoiseException if the session is closed or its nonces are exhausted
     * @throws IllegalStateException before the handshake completed
     * @throws IllegalArgumentException if the message's frame exceeds the maximum frame size
     */
    public List<byte[]> seal(Message message) throws NoiseException {
        requireEstablished();
        byte[] framed = FrameCodec.frame(message, maxFrameBytes);
        List<byte[]> out = new ArrayList<>();
        for (int at = 0; at < framed.length; at += TransportSession.MAX_PAYLOAD_BYTES) {
            out.add(session.encrypt(Arrays.copyOfRange(framed, at, Math.min(framed.length, at + TransportSession.MAX_PAYLOAD_BYTES))));
            sealedMessages++;
        }
        return out;
    }

    /**
     * Sets the session's re-key policy ({@link RekeyPolicy#DEFAULT} unless set; docs/PROTOCOL.md
     * section 1). Call it before the handshake completes; the peer must use the same policy.
     */
    public void rekeyPolicy(RekeyPolicy policy) {
        rekeyPolicy = java.util.Objects.requireNonNull(policy, "policy");
        if (session != null) {
            session.rekeyPolicy(policy);
        }
    }

    /**
     * What the established session did so far (all zero before the handshake completed): transport
     * messages sealed and opened, which are also the next send and receive nonces when no nonce
     * was skipped or reused, and the re-keys of each direction.
     */
    public record Counters(long sealed, long opened, long sendNonce, long receiveNonce, long sendRekeys,
            long receiveRekeys) {}

    /** The session's {@link Counters}. */
    public Counters counters() {
        if (session == null) {
            return new Counters(0, 0, 0, 0, 0, 0);
        }
        return new Counters(sealedMessages, openedMessages, session.sendNonce(), session.receiveNonce(),
                session.sendRekeys(), session.receiveRekeys());
    }

    /**
     * Sets the largest frame accepted from the peer from its next frame header on; frames this
     * side seals keep the limit given at construction. A relay keeps it small until Hello is
     * verified, so an unauthenticated peer cannot make it buffer a large frame.
     *
     * @param maxFrameBytes 1 to {@link FrameCodec#LIMIT_MAX_FRAME_BYTES}
     * @throws IllegalArgumentException if out of range
     */
    public void inboundFrameLimit(int maxFrameBytes) {
        decoder.maxFrameBytes(maxFrameBytes);
    }

    /**
     * The body length the header of the partly received frame announced (0 between frames): what
     * the frame will cost once complete, known before its body arrives.
     */
    public int announcedInboundFrameBytes() {
        return decoder.announcedBytes();
    }

    /** Bytes of a partly received frame the channel holds (0 between frames). */
    public int bufferedInboundBytes() {
        return decoder.bufferedBytes();
    }

    /** Wipes the session keys. Idempotent. */
    public void close() {
        failed = true;
        if (session != null) {
            session.close();
        }
        handshake.destroy();
    }

    private Received advanceHandshake(byte[] message) throws NoiseException {
        handshake.readMessage(message);
        List<byte[]> toSend = new ArrayList<>();
        if (!handshake.isComplete() && handshake.isMyTurnToWrite()) {
            toSend.add(handshake.writeMessage(new byte[0]));
        }
        if (!handshake.isComplete()) {
            return new Received(toSend, List.of(), false);
        }
        handshakeHash = handshake.handshakeHash();
        remoteStatic = handshake.remoteStatic()
                .orElseThrow(() -> new NoiseException(NoiseException.Code.INVALID_STATE, "handshake ended without the peer's static key"));
        session = handshake.split();
        session.rekeyPolicy(rekeyPolicy);
        return new Received(toSend, List.of(), true);
    }

    private void requireEstablished() {
        if (session == null) {
            throw new IllegalStateException("the handshake has not completed");
        }
    }
}
