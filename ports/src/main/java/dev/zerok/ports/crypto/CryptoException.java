package dev.zerok.ports.crypto;

/** A cryptographic failure with a stable {@link Code}. Messages never contain key or plaintext bytes. */
public final class CryptoException extends Exception {
    private static final long serialVersionUID = 1L;

    /** Stable failure codes. */
    public enum Code {
        /** An AEAD tag or a signature did not verify: the data was altered or the key is wrong. */
        AUTHENTICATION_FAILED(1),
        /** A key, nonce or ciphertext has the wrong length or is not a valid encoding. */
        INVALID_KEY(2),
        /** The adapter has no primitive of that name. */
        UNSUPPORTED(3);

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

    public CryptoException(Code code, String message) {
        super(message);
        this.code = code;
    }

    public CryptoException(Code code, String message, Throwable cause) {
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
