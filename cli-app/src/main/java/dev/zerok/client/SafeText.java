package dev.zerok.client;

/**
 * Text from outside this device (a relay's error text, names from a manifest, collection and file
 * names) made safe to print on a terminal: control characters that could move the cursor, rewrite
 * the line, inject escape sequences or reorder what the user reads are replaced with {@code ?}.
 * Pure; thread-safe.
 */
public final class SafeText {
    /** What replaces each unsafe character. */
    public static final char REPLACEMENT = '?';

    private SafeText() {}

    /**
     * {@code text} with every C0 control (U+0000..U+001F, including tab and newline), DEL (U+007F),
     * C1 control (U+0080..U+009F), bidi embedding/override (U+202A..U+202E) and bidi isolate
     * (U+2066..U+2069) replaced with {@link #REPLACEMENT}; {@code null} becomes {@code ""}.
     */
    public static String printable(String text) {
        if (text == null) {
            return "";
        }
        StringBuilder out = null;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (unsafe(c)) {
                if (out == null) {
                    out = new StringBuilder(text.length()).append(text, 0, i);
                }
                out.append(REPLACEMENT);
            } else if (out != null) {
                out.append(c);
            }
        }
        return out == null ? text : out.toString();
    }

    /**
     * As {@link #printable(String)} but keeps line feeds and tabs, for multi-line text a device
     * received as data (a pushed note); carriage returns and every other control are replaced.
     */
    public static String printableLines(String text) {
        if (text == null) {
            return "";
        }
        StringBuilder out = new StringBuilder(text.length());
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            out.append(c != '\n' && c != '\t' && unsafe(c) ? REPLACEMENT : c);
        }
        return out.toString();
    }

    /**
     * {@link #printable} cut to at most {@code maxChars} characters (the last three being
     * {@code ...} when cut), for text whose length an untrusted peer chooses.
     *
     * @param maxChars at least 3
     */
    public static String printable(String text, int maxChars) {
        if (maxChars < 3) {
            throw new IllegalArgumentException("maxChars must be at least 3");
        }
        String safe = printable(text);
        if (safe.length() <= maxChars) {
            return safe;
        }
        int end = maxChars - 3;
        if (Character.isHighSurrogate(safe.charAt(end - 1))) {
            end--; // never split a surrogate pair
        }
        return safe.substring(0, end) + "...";
    }

    /** True for the characters {@link #printable} replaces. */
    static boolean unsafe(char c) {
        return c <= 0x1F || (c >= 0x7F && c <= 0x9F) || (c >= 0x202A && c <= 0x202E) || (c >= 0x2066 && c <= 0x2069);
    }
}
