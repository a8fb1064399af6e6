package dev.zerok.kernel.noise;

import java.util.Optional;

/**
 * An established Noise session: the two {@link CipherState}s from Split() (Noise spec rev 34
 * section 5.2) with the transport rules zerok relies on.
 *
 * <p>Nonces are implicit 64-bit counters (section 5.1): message {@code i} in one direction is
 * sealed under nonce {@code i}. The session runs over an ordered, reliable stream, so a message
 * that is replayed, reordered, dropped-then-followed, truncated or altered fails authentication.
 * Such a failure is never skipped: it {@linkplain #close() closes} the session (both keys wiped)
 * and every later call fails with {@code SESSION_CLOSED}. A nonce is never reused: after 2^64-1
 * messages in one direction the session refuses to continue ({@code NONCE_EXHAUSTED}).
 *
 * <p>Re-keying: each direction's key is replaced by Rekey() (section 11.3) as its
 * {@link RekeyPolicy} says, right after the message that reaches the interval, on the sending
 * side after sealing and on the receiving side after opening it; both sides count the same
 * messages, so they stay in lockstep with no message exchanged.
 *
 * <p>Not thread-safe: the connection's driver serialises calls.
 */
public final class TransportSession {
    /** Largest payload per transport message: 65535 - 16 tag bytes. */
    public static final int MAX_PAYLOAD_BYTES = HandshakeState.MAX_MESSAGE_BYTES - 16;

    private final CipherState send;
    private final CipherState receive;
    private final boolean canSend;
    private final boolean canReceive;
    private final byte[] handshakeHash;
    private final Optional<byte[]> remoteStatic;
    private boolean closed;
    private RekeyPolicy rekeyPolicy = RekeyPolicy.DEFAULT;
    private long sentSinceRekey;
    private long sentBytesSinceRekey;
    private long receivedSinceRekey;
    private long receivedBytesSinceRekey;
    private long sendRekeys;
    private long receiveRekeys;

    TransportSession(CipherState send, CipherState receive, boolean canSend, boolean canReceive, byte[] handshakeHash,
            Optional<byte[]> remoteStatic) {
        this.send = send;
        this.receive = receive;
        this.canSend = canSend;
        this.canReceive = canReceive;
        this.handshakeHash = handshakeHash.clone();
        this.remoteStatic = remoteStatic.map(byte[]::clone);
    }

    /**
     * Seals one transport message.
     *
     * @param payload at most {@link #MAX_PAYLOAD_BYTES} bytes
     * @return {@code payload.length + 16} bytes
     * @throws NoiseException coded {@code SESSION_CLOSED} after a failure or {@link #close()},
     *     {@code MALFORMED_MESSAGE} for an oversized payload, {@code NONCE_EXHAUSTED} at 2^64-1,
     *     {@code INVALID_STATE} on the receiving side of a one-way pattern
     */
    public byte[] encrypt(byte[] payload) throws NoiseException {
        checkOpen();
        if (!canSend) {
            throw new NoiseException(NoiseException.Code.INVALID_STATE, "a one-way pattern's responder cannot send");
        }
        if (payload.length > MAX_PAYLOAD_BYTES) {
            throw new NoiseException(NoiseException.Code.MALFORMED_MESSAGE,
                    "payload of " + payload.length + " bytes exceeds " + MAX_PAYLOAD_BYTES);
        }
        try {
            byte[] sealed = send.encryptWithAd(new byte[0], payload);
            sentSinceRekey++;
            sentBytesSinceRekey += payload.length;
            if (sentSinceRekey >= rekeyPolicy.everyMessages() || sentBytesSinceRekey >= rekeyPolicy.everyBytes()) {
                send.rekey();
                sendRekeys++;
                sentSinceRekey = 0;
                sentBytesSinceRekey = 0;
            }
            return sealed;
        } catch (NoiseException e) {
            close();
            throw e;
        }
    }

    /**
     * Opens the next transport message. Any failure closes the session.
     *
     * @throws NoiseException coded {@code DECRYPT_FAILED} for an altered, truncated, replayed or
     *     reordered message, {@code MALFORMED_MESSAGE} for an oversized one,
     *     {@code SESSION_CLOSED} after a failure, {@code NONCE_EXHAUSTED} at 2^64-1
     */
    public byte[] decrypt(byte[] message) throws NoiseException {
        checkOpen();
        if (!canReceive) {
            throw new NoiseException(NoiseException.Code.INVALID_STATE, "a one-way pattern's initiator cannot receive");
        }
        try {
            if (message.length > HandshakeState.MAX_MESSAGE_BYTES) {
                throw new NoiseException(NoiseException.Code.MALFORMED_MESSAGE,
                        "transport message of " + message.length + " bytes exceeds 65535");
            }
            byte[] plaintext = receive.decryptWithAd(new byte[0], message);
            receivedSinceRekey++;
            receivedBytesSinceRekey += plaintext.length;
            if (receivedSinceRekey >= rekeyPolicy.everyMessages() || receivedBytesSinceRekey >= rekeyPolicy.everyBytes()) {
                receive.rekey();
                receiveRekeys++;
                receivedSinceRekey = 0;
                receivedBytesSinceRekey = 0;
            }
            return plaintext;
        } catch (NoiseException e) {
            close();
            throw e;
        }
    }

    /**
     * Sets when the directions re-key from now on ({@link RekeyPolicy#DEFAULT} unless set). Set it
     * before the first message; the peer must use the same policy.
     */
    public void rekeyPolicy(RekeyPolicy policy) {
        this.rekeyPolicy = java.util.Objects.requireNonNull(policy, "policy");
    }

    /** Rekeys applied to the sending direction so far (policy-driven and explicit). */
    public long sendRekeys() {
        return sendRekeys;
    }

    /** Rekeys applied to the receiving direction so far (policy-driven and explicit). */
    public long receiveRekeys() {
        return receiveRekeys;
    }

    /** Rekey() of the sending CipherState (section 11.3); the peer must call {@link #rekeyReceive()} at the same point. */
    public void rekeySend() throws NoiseException {
        checkOpen();
        send.rekey();
        sendRekeys++;
    }

    /** Rekey() of the receiving CipherState (section 11.3). */
    public void rekeyReceive() throws NoiseException {
        checkOpen();
        receive.rekey();
        receiveRekeys++;
    }

    /** The handshake hash (HASHLEN bytes): unique per session, what channel-binding signatures sign. */
    public byte[] handshakeHash() {
        return handshakeHash.clone();
    }

    /** The peer's authenticated static public key, if the pattern carried one. */
    public Optional<byte[]> remoteStatic() {
        return remoteStatic.map(byte[]::clone);
    }

    /** The next sending nonce (number of messages sent), unsigned. */
    public long sendNonce() {
        return send.nonce();
    }

    /** The next receiving nonce (number of messages received), unsigned. */
    public long receiveNonce() {
        return receive.nonce();
    }

    /** True after a failure or {@link #close()}. */
    public boolean isClosed() {
        return closed;
    }

    /** Wipes both keys; idempotent. */
    public void close() {
        closed = true;
        send.destroy();
        receive.destroy();
    }

    /** Test hook: moves the sending nonce, to exercise exhaustion without 2^64 messages. */
    void setSendNonceForTest(long nonce) {
        send.setNonce(nonce);
    }

    private void checkOpen() throws NoiseException {
        if (closed) {
            throw new NoiseException(NoiseException.Code.SESSION_CLOSED,
                    "the session was closed after an earlier failure or by its owner; reconnect");
        }
    }

    @Override
    public String toString() {
        return "TransportSession[" + (closed ? "closed" : "open") + ", sent=" + Long.toUnsignedString(send.nonce())
                + ", received=" + Long.toUnsignedString(receive.nonce()) + ", keys=[REDACTED]]";
    }
}
