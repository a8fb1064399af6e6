package dev.zerok.cli;

/** How the command line shows ids: a 16-hex-digit prefix in text, the full hex in JSON. */
final class Ids {
    /** Hex digits shown in text output (64 bits: unambiguous within a group). */
    static final int PREFIX_HEX_DIGITS = 16;

    private Ids() {}

    static String prefix(String hex) {
        return hex.length() <= PREFIX_HEX_DIGITS ? hex : hex.substring(0, PREFIX_HEX_DIGITS);
    }
}
