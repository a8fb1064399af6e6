package dev.zerok.kernel.noise;

/**
 * When a {@link TransportSession} applies Noise's Rekey() (spec rev 34 section 11.3) to a
 * direction's {@link CipherState}: after every {@code everyMessages} transport messages or once
 * {@code everyBytes} payload bytes (plaintext, before the 16-byte tag) were carried since the last
 * rekey, whichever comes first. Both peers count the same messages and bytes of a direction, so
 * they rekey at the same message position without exchanging anything (section 11.3: "applied
 * deterministically by both parties"); the nonce keeps counting across rekeys. Both peers must use
 * the same policy: a mismatch makes the first message after one side's rekey fail authentication.
 *
 * @param everyMessages rekey after this many messages in a direction, at least 1
 * @param everyBytes rekey once this many payload bytes were carried in a direction, at least 1
 */
public record RekeyPolicy(long everyMessages, long everyBytes) {
    /**
     * The protocol's policy (docs/PROTOCOL.md section 1): every 2^16 messages or 1 GiB. Far below
     * ChaCha20-Poly1305's limits; it bounds what one key protects if it ever leaks from memory.
     */
    public static final RekeyPolicy DEFAULT = new RekeyPolicy(1L << 16, 1L << 30);

    /** @throws IllegalArgumentException if a bound is below 1 */
    public RekeyPolicy {
        if (everyMessages < 1 || everyBytes < 1) {
            throw new IllegalArgumentException("rekey intervals must be at least 1 message and 1 byte");
        }
    }
}
