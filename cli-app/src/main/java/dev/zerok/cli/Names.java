package dev.zerok.cli;

/** Names from the group made safe to print: control and bidi-override characters become '?'. */
final class Names {
    private Names() {}

    static String printable(String name) {
        StringBuilder out = new StringBuilder(name.length());
        name.codePoints().forEach(c -> out.appendCodePoint(Character.isISOControl(c)
                || (c >= 0x202A && c <= 0x202E) || (c >= 0x2066 && c <= 0x2069) ? '?' : c));
        return out.toString();
    }
}
