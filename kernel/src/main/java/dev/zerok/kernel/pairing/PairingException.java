package dev.zerok.kernel.pairing;

/** An invite or group-key failure with a stable {@link Code}; messages say what to do and never hold secret bytes. */
public final class PairingException extends Exception {
    private static final long serialVersionUID = 1L;

    /** Stable failure codes. */
    public enum Code {
        /** The invite bytes or text are not a zerok invite, or a field is out of range. */
        MALFORMED(1),
        /** The invite did not authenticate under the short code: altered, or the wrong code. */
        TAMPERED_OR_WRONG_CODE(2),
        /** The invite's expiry time has passed. */
        EXPIRED(3),
        /** Argon2id parameters below the floor or above the ceiling. */
        WEAK_OR_EXCESSIVE_PARAMETERS(4),
        /** The short code is not XXXX-XXXX-XXXX-XXXX in the code alphabet. */
        BAD_SHORT_CODE(5),
        /** The passphrase does not derive the invite's group. */
        WRONG_PASSPHRASE(6),
        /** The crypto adapter lacks a primitive or rejected a key. */
        CRYPTO_UNAVAILABLE(7);

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
     * @param message what happened and what to do; never secret bytes
     */
    public PairingException(Code code, String message) {
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
