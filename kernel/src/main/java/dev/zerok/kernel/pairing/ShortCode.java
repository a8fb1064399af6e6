package dev.zerok.kernel.pairing;

import dev.zerok.ports.entropy.Entropy;

/**
 * The human-typable invite code {@code XXXX-XXXX-XXXX-XXXX}: 16 symbols of Crockford's base-32
 * alphabet (no I, L, O, U), 80 random bits drawn from the Entropy port. It is independent of every
 * secret: it only unlocks the sealed invite (as Argon2id input), so reading it reveals no key bytes.
 * Parsing is case-insensitive, ignores dashes and spaces, and reads O as 0 and I/L as 1.
 */
public final class ShortCode {
    /** Number of code symbols. */
    public static final int SYMBOLS = 16;
    private static final String ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

    private ShortCode() {}

    /** A fresh random code, formatted with dashes. */
    public static String generate(Entropy entropy) {
        StringBuilder out = new StringBuilder(SYMBOLS + 3);
        for (int i = 0; i < SYMBOLS; i++) {
            if (i > 0 && i % 4 == 0) {
                out.append('-');
            }
            out.append(ALPHABET.charAt((int) entropy.nextLong(32)));
        }
        return out.toString();
    }

    /**
     * The canonical 16-symbol form (upper case, no dashes).
     *
     * @throws PairingException coded {@code BAD_SHORT_CODE} for a wrong length or symbol
     */
    public static String normalize(String code) throws PairingException {
        StringBuilder out = new StringBuilder(SYMBOLS);
        for (int i = 0; i < code.length(); i++) {
            char c = Character.toUpperCase(code.charAt(i));
            if (c == '-' || c == ' ') {
                continue;
            }
            c = switch (c) {
                case 'O' -> '0';
                case 'I', 'L' -> '1';
                default -> c;
            };
            if (ALPHABET.indexOf(c) < 0) {
                throw new PairingException(PairingException.Code.BAD_SHORT_CODE,
                        "the invite code contains a character that is not in the code alphabet; retype it");
            }
            out.append(c);
        }
        if (out.length() != SYMBOLS) {
            throw new PairingException(PairingException.Code.BAD_SHORT_CODE,
                    "the invite code must have 16 symbols (XXXX-XXXX-XXXX-XXXX), got " + out.length());
        }
        return out.toString();
    }
}
