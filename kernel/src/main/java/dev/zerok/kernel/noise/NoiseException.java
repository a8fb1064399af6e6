package dev.zerok.kernel.noise;

/**
 * A Noise handshake or transport failure with a stable {@link Code}. Messages never contain key,
 * handshake-hash or plaintext bytes. After any of these the {@link HandshakeState} or
 * {@link TransportSession} that threw is unusable: the caller closes the connection.
 */
public final class NoiseException extends Exception {
    private static final long serialVersionUID = 1L;

    /** Stable failure codes. */
    public enum Code {
        /** An AEAD tag did not verify: altered, truncated, replayed or reordered data, or a wrong key. */
        DECRYPT_FAILED(1),
        /** The message is shorter than its pattern requires, or longer than 65535 bytes. */
        MALFORMED_MESSAGE(2),
        /** A 64-bit nonce reached 2^64-1: the session must be replaced (Noise spec rev 34 section 5.1). */
        NONCE_EXHAUSTED(3),
        /** Called out of turn, after completion, or after an earlier failure. */
        INVALID_STATE(4),
        /** The protocol name names a pattern or primitive this implementation does not have. */
        UNSUPPORTED_PROTOCOL(5),
        /** A received public key is invalid (wrong length, low-order point, failed KEM key check). */
        INVALID_KEY(6),
        /** The peer's static key is not the pinned one. */
        UNEXPECTED_REMOTE_STATIC(7),
        /** The transport session was closed by an earlier failure or by its owner. */
        SESSION_CLOSED(8);

        private final int value;

        Code(int value) {
            this.value = value;
        }

        /** The stable numeric code. */
        public int value() {
            return value;
        }
    }

    private final Code code;

    /**
     * @param code what went wrong
     * @param message what happened and to what; never secret bytes
     */
    public NoiseException(Code code, String message) {
        super(message);
        this.code = code;
    }

    /**
     * @param code what went wrong
     * @param message what happened and to what; never secret bytes
     * @param cause the underlying failure
     */
    public NoiseException(Code code, String message, Throwable cause) {
        super(message, cause);
        this.code = code;
    }

    /** What went wrong, as a stable code. */
    public Code code() {
        return code;
    }

    @Override
    public String getMessage() {
        return code + ": " + super.getMessage();
    }
}
