package dev.zerok.kernel.content;

/**
 * A sealed blob or sealed chunk could not be opened or built, with a stable {@link Code}. Never
 * carries key or plaintext bytes.
 */
public final class SealingException extends Exception {
    private static final long serialVersionUID = 1L;

    /** Stable failure codes. */
    public enum Code {
        /** The AEAD tag did not verify: altered bytes, wrong key, or a blob moved to another group/id/sender. */
        AUTHENTICATION_FAILED(1),
        /** Too short to hold the header and tag, or (for a chunk) longer than a chunk can be. */
        MALFORMED(2),
        /** The format version byte is not one this build reads. */
        UNSUPPORTED_VERSION(3),
        /** The crypto adapter lacks XChaChaPoly or SHA256, or rejected a key. */
        CRYPTO_UNAVAILABLE(4),
        /**
         * A sealed chunk's SHA-256 is not the content address it was fetched under: bit rot in
         * storage or bytes altered in transit. Checked before any decryption.
         */
        HASH_MISMATCH(5),
        /**
         * A sealed chunk authenticated but its nonce is not the one its plaintext derives: it was
         * sealed by a key holder who did not follow the convergent construction, so another
         * member sealing the same plaintext would get different bytes and a different address.
         */
        NONCE_MISMATCH(6);

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
     * @param message what happened; never secret bytes
     */
    public SealingException(Code code, String message) {
        super(message);
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
