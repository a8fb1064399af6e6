package dev.zerok.cli;

import dev.zerok.kernel.noise.NoiseException;
import dev.zerok.kernel.noise.StaticIdentity;
import java.util.Arrays;
import java.util.HexFormat;

/**
 * A relay this device syncs through: where it listens and the static key the device pins.
 *
 * @param address {@code host:port}, {@code [ipv6]:port} for IPv6 literals; at most 255 UTF-8 bytes
 *     (the invite format's limit)
 * @param staticPublicKey the relay's 32-byte X25519 static public key
 */
record RelayEntry(String address, byte[] staticPublicKey) {
    /** Length of the hex form of the key: the 33-byte {@link StaticIdentity} public encoding. */
    static final int KEY_HEX_CHARS = 2 * StaticIdentity.ENCODED_BYTES;

    RelayEntry {
        staticPublicKey = staticPublicKey.clone();
    }

    @Override
    public byte[] staticPublicKey() {
        return staticPublicKey.clone();
    }

    /** The key as the relay prints it: 66 hex digits of the versioned 33-byte public encoding. */
    String keyHex() {
        return HexFormat.of().formatHex(StaticIdentity.encodePublic(staticPublicKey));
    }

    /**
     * Checks a {@code host:port} address.
     *
     * @param what names the value in the message (a property key or "the relay address")
     * @return the address, stripped
     * @throws CliFailure naming {@code what} if the host is empty or not a host name / IP literal,
     *     or the port is not 1..65535
     */
    static String parseAddress(String raw, String what) throws CliFailure {
        String text = raw.strip();
        int colon = text.lastIndexOf(':');
        if (colon <= 0 || colon == text.length() - 1) {
            throw CliFailure.of(what + " must be HOST:PORT, got '" + text + "'");
        }
        String host = text.substring(0, colon);
        String port = text.substring(colon + 1);
        boolean bracketedV6 = host.startsWith("[") && host.endsWith("]") && host.length() > 2
                && host.substring(1, host.length() - 1).chars().allMatch(c -> c == ':' || c == '.' || Character.digit(c, 16) >= 0);
        boolean name = host.chars().allMatch(c -> c < 128 && (Character.isLetterOrDigit(c) || c == '.' || c == '-'));
        if (!bracketedV6 && !name) {
            throw CliFailure.of(what + " has an invalid host '" + host + "' (a host name, an IPv4 address or [IPv6])");
        }
        int portNumber;
        try {
            portNumber = port.chars().allMatch(Character::isDigit) && port.length() <= 5 ? Integer.parseInt(port) : -1;
        } catch (NumberFormatException e) {
            portNumber = -1;
        }
        if (portNumber < 1 || portNumber > 65535) {
            throw CliFailure.of(what + " has an invalid port '" + port + "' (1..65535)");
        }
        if (text.length() > 255) {
            throw CliFailure.of(what + " is longer than 255 characters");
        }
        return text;
    }

    /**
     * Parses the 66-hex-digit key the relay prints ({@code relay public key (pin this): ...}).
     *
     * @param what names the value in the message
     * @return the 32-byte X25519 public key
     * @throws CliFailure naming {@code what} for a wrong length, a non-hex digit or an unknown version byte
     */
    static byte[] parseKey(String raw, String what) throws CliFailure {
        String text = raw.strip();
        if (text.length() != KEY_HEX_CHARS || !text.chars().allMatch(c -> Character.digit(c, 16) >= 0)) {
            throw CliFailure.of(what + " must be " + KEY_HEX_CHARS
                    + " hex digits (the relay's 'relay public key (pin this)' line), got " + text.length() + " characters");
        }
        try {
            return StaticIdentity.decodePublic(HexFormat.of().parseHex(text));
        } catch (NoiseException e) {
            throw CliFailure.of(what + " is not a relay key this build reads: " + e.getMessage());
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof RelayEntry r && address.equals(r.address) && Arrays.equals(staticPublicKey, r.staticPublicKey);
    }

    @Override
    public int hashCode() {
        return address.hashCode() * 31 + Arrays.hashCode(staticPublicKey);
    }

    @Override
    public String toString() {
        return "RelayEntry[" + address + "]";
    }
}
