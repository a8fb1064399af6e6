package dev.zerok.kernel.pairing;

import dev.zerok.ports.crypto.Aead;
import dev.zerok.ports.crypto.CryptoException;
import dev.zerok.ports.crypto.KeyExchange;
import dev.zerok.ports.crypto.Secret;
import dev.zerok.ports.entropy.Entropy;
import dev.zerok.ports.id.GroupId;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;

/**
 * Seals and opens invites. Sans-I/O: the caller passes {@code now} and moves the bytes.
 *
 * <p>The sealed invite (what a QR code or a relay mailbox carries) is integrity-protected and
 * confidential under a key derived from the {@link ShortCode}; its header is the AEAD's
 * associated data, so no field can be changed unnoticed. All integers big-endian.
 *
 * <pre>
 * envelope:
 *   "ZKIV" (4) | version 0x01 (1) | m KiB (4) | t (1) | p (1) | salt (16) | nonce (24) | sealed body
 *   key  = Argon2id(short code's 16 canonical ASCII symbols, salt, m, t, p)          32 bytes
 *   body = XChaCha20-Poly1305(key, nonce, AAD = the 51 header bytes before it)
 *
 * body plaintext:
 *   expires at, Unix seconds (8) | relay count n (1, 1..8)
 *   n x [ address length (1) | address UTF-8 | relay static key (32) ]
 *   group id (32) | kind (1):
 *     0x00 embedded:   group secret (32)
 *     0x01 passphrase: salt (16) | m KiB (4) | t (1) | p (1)
 *   (no trailing bytes)
 * </pre>
 *
 * Text form: {@code zerok-invite-1:} + unpadded base64url of the envelope. Opening never throws
 * an unchecked exception on bad input: every length is checked against the bytes remaining.
 * Stateless and thread-safe.
 */
public final class InviteCodec {
    /** Prefix of the text form. */
    public static final String TEXT_PREFIX = "zerok-invite-1:";
    private static final byte[] MAGIC = {'Z', 'K', 'I', 'V'};
    private static final byte VERSION = 1;
    private static final int SALT_BYTES = 16;
    private static final int NONCE_BYTES = 24;
    private static final int HEADER_BYTES = 4 + 1 + 4 + 1 + 1 + SALT_BYTES + NONCE_BYTES;
    private static final int MAX_ENVELOPE_BYTES = 4096;

    private InviteCodec() {}

    /**
     * A sealed invite and the short code that opens it; the two should travel by different
     * channels (e.g. QR on screen, code read aloud). {@link #toString()} shows neither.
     *
     * @param envelope the sealed bytes
     * @param shortCode XXXX-XXXX-XXXX-XXXX
     */
    public record Sealed(byte[] envelope, String shortCode) {
        public Sealed {
            envelope = envelope.clone();
        }

        @Override
        public byte[] envelope() {
            return envelope.clone();
        }

        /** The text form of the envelope. */
        public String text() {
            return TEXT_PREFIX + Base64.getUrlEncoder().withoutPadding().encodeToString(envelope);
        }

        @Override
        public String toString() {
            return "Sealed[" + envelope.length + " bytes, code=[REDACTED]]";
        }
    }

    /**
     * Seals {@code invite} under a fresh short code.
     *
     * @param envelopeParams the Argon2id parameters protecting the short code (normally {@link Argon2Params#DEFAULT})
     * @throws PairingException coded {@code MALFORMED} for an invite that breaks the format's
     *     limits, {@code WEAK_OR_EXCESSIVE_PARAMETERS}, {@code CRYPTO_UNAVAILABLE}
     */
    public static Sealed seal(Invite invite, KeyExchange crypto, Entropy entropy, Argon2Params envelopeParams)
            throws PairingException {
        envelopeParams.requireAcceptable();
        String code = ShortCode.generate(entropy);
        byte[] salt = entropy.bytes(SALT_BYTES);
        byte[] nonce = entropy.bytes(NONCE_BYTES);
        ByteBuffer header = ByteBuffer.allocate(HEADER_BYTES).put(MAGIC).put(VERSION).putInt(envelopeParams.memoryKib())
                .put((byte) envelopeParams.iterations()).put((byte) envelopeParams.parallelism()).put(salt).put(nonce);
        byte[] body = encodeBody(invite);
        try (Secret key = codeKey(crypto, ShortCode.normalize(code), salt, envelopeParams)) {
            byte[] sealedBody = aead(crypto).seal(key, nonce, header.array(), body);
            Arrays.fill(body, (byte) 0);
            byte[] envelope = ByteBuffer.allocate(HEADER_BYTES + sealedBody.length).put(header.array()).put(sealedBody)
                    .array();
            return new Sealed(envelope, code);
        } catch (CryptoException e) {
            throw new PairingException(PairingException.Code.CRYPTO_UNAVAILABLE, e.getMessage());
        }
    }

    /**
     * Opens the text form.
     *
     * @throws PairingException as {@link #open(byte[], String, Instant, KeyExchange)}, and
     *     {@code MALFORMED} if the text is not {@code zerok-invite-1:} + base64url
     */
    public static Invite openText(String text, String shortCode, Instant now, KeyExchange crypto)
            throws PairingException {
        String trimmed = text.strip();
        if (!trimmed.startsWith(TEXT_PREFIX) || trimmed.length() > TEXT_PREFIX.length() + MAX_ENVELOPE_BYTES * 2) {
            throw malformed("the invite text must start with " + TEXT_PREFIX);
        }
        byte[] envelope;
        try {
            envelope = Base64.getUrlDecoder().decode(trimmed.substring(TEXT_PREFIX.length()));
        } catch (IllegalArgumentException e) {
            throw malformed("the invite text is not valid base64url");
        }
        return open(envelope, shortCode, now, crypto);
    }

    /**
     * Verifies, decrypts and decodes a sealed invite.
     *
     * @param now the joining device's current time, for the expiry check
     * @throws PairingException coded {@code BAD_SHORT_CODE}, {@code MALFORMED} (not an invite, bad
     *     field), {@code WEAK_OR_EXCESSIVE_PARAMETERS}, {@code TAMPERED_OR_WRONG_CODE} (the tag did
     *     not verify), {@code EXPIRED}, {@code CRYPTO_UNAVAILABLE}
     */
    public static Invite open(byte[] envelope, String shortCode, Instant now, KeyExchange crypto)
            throws PairingException {
        String code = ShortCode.normalize(shortCode);
        if (envelope.length < HEADER_BYTES + 16 || envelope.length > MAX_ENVELOPE_BYTES) {
            throw malformed("an invite is " + (HEADER_BYTES + 16) + " to " + MAX_ENVELOPE_BYTES + " bytes, got "
                    + envelope.length);
        }
        ByteBuffer in = ByteBuffer.wrap(envelope);
        byte[] magic = new byte[4];
        in.get(magic);
        if (!Arrays.equals(magic, MAGIC)) {
            throw malformed("these bytes are not a zerok invite");
        }
        if (in.get() != VERSION) {
            throw malformed("the invite has a format version this build cannot read; update zerok");
        }
        Argon2Params params = new Argon2Params(in.getInt(), in.get() & 0xff, in.get() & 0xff).requireAcceptable();
        byte[] salt = new byte[SALT_BYTES];
        in.get(salt);
        byte[] nonce = new byte[NONCE_BYTES];
        in.get(nonce);
        byte[] header = Arrays.copyOf(envelope, HEADER_BYTES);
        byte[] sealedBody = Arrays.copyOfRange(envelope, HEADER_BYTES, envelope.length);
        byte[] body;
        try (Secret key = codeKey(crypto, code, salt, params)) {
            body = aead(crypto).open(key, nonce, header, sealedBody);
        } catch (CryptoException e) {
            if (e.code() == CryptoException.Code.AUTHENTICATION_FAILED) {
                throw new PairingException(PairingException.Code.TAMPERED_OR_WRONG_CODE,
                        "the invite did not verify: it was altered, or the code is wrong; check the code or ask for a new invite");
            }
            throw new PairingException(PairingException.Code.CRYPTO_UNAVAILABLE, e.getMessage());
        }
        try {
            Invite invite = decodeBody(ByteBuffer.wrap(body));
            if (!now.isBefore(invite.expiresAt())) {
                throw new PairingException(PairingException.Code.EXPIRED,
                        "the invite expired at " + invite.expiresAt() + "; ask for a new invite");
            }
            return invite;
        } finally {
            Arrays.fill(body, (byte) 0);
        }
    }

    private static byte[] encodeBody(Invite invite) throws PairingException {
        if (invite.relays().isEmpty() || invite.relays().size() > Invite.MAX_RELAYS) {
            throw malformed("an invite lists 1 to " + Invite.MAX_RELAYS + " relays, got " + invite.relays().size());
        }
        List<byte[]> parts = new ArrayList<>();
        parts.add(ByteBuffer.allocate(9).putLong(invite.expiresAt().getEpochSecond()).put((byte) invite.relays().size())
                .array());
        for (Invite.RelayPin relay : invite.relays()) {
            byte[] address = relay.address().getBytes(StandardCharsets.UTF_8);
            if (address.length == 0 || address.length > 255 || relay.staticPublicKey().length != 32) {
                throw malformed("a relay address must be 1..255 UTF-8 bytes and its key 32 bytes");
            }
            parts.add(new byte[] {(byte) address.length});
            parts.add(address);
            parts.add(relay.staticPublicKey());
        }
        parts.add(invite.groupId().bytes());
        switch (invite.secret()) {
            case Invite.GroupSecretSource.Embedded embedded -> {
                if (embedded.groupSecret().length() != GroupKeys.SECRET_BYTES) {
                    throw malformed("the group secret must be 32 bytes");
                }
                parts.add(new byte[] {0});
                parts.add(embedded.groupSecret().expose());
            }
            case Invite.GroupSecretSource.Passphrase passphrase -> {
                passphrase.params().requireAcceptable();
                if (passphrase.salt().length != SALT_BYTES) {
                    throw malformed("the group salt must be 16 bytes");
                }
                parts.add(new byte[] {1});
                parts.add(passphrase.salt());
                parts.add(ByteBuffer.allocate(6).putInt(passphrase.params().memoryKib())
                        .put((byte) passphrase.params().iterations()).put((byte) passphrase.params().parallelism())
                        .array());
            }
        }
        return dev.zerok.kernel.noise.ConstantTime.concat(parts);
    }

    private static Invite decodeBody(ByteBuffer in) throws PairingException {
        need(in, 9, "expiry and relay count");
        long expiresAtSeconds = in.getLong();
        int relayCount = in.get() & 0xff;
        if (relayCount < 1 || relayCount > Invite.MAX_RELAYS) {
            throw malformed("relay count " + relayCount + " is outside 1.." + Invite.MAX_RELAYS);
        }
        List<Invite.RelayPin> relays = new ArrayList<>();
        for (int i = 0; i < relayCount; i++) {
            need(in, 1, "relay address length");
            int addressLength = in.get() & 0xff;
            need(in, addressLength + 32, "relay address and key");
            byte[] address = new byte[addressLength];
            in.get(address);
            byte[] key = new byte[32];
            in.get(key);
            relays.add(new Invite.RelayPin(utf8(address), key));
        }
        need(in, 33, "group id and secret kind");
        byte[] groupId = new byte[32];
        in.get(groupId);
        int kind = in.get() & 0xff;
        Invite.GroupSecretSource secret;
        if (kind == 0) {
            need(in, 32, "group secret");
            byte[] groupSecret = new byte[32];
            in.get(groupSecret);
            secret = new Invite.GroupSecretSource.Embedded(Secret.adopt(groupSecret));
        } else if (kind == 1) {
            need(in, SALT_BYTES + 6, "passphrase salt and parameters");
            byte[] salt = new byte[SALT_BYTES];
            in.get(salt);
            Argon2Params params = new Argon2Params(in.getInt(), in.get() & 0xff, in.get() & 0xff).requireAcceptable();
            secret = new Invite.GroupSecretSource.Passphrase(salt, params);
        } else {
            throw malformed("unknown group secret kind " + kind);
        }
        if (in.hasRemaining()) {
            throw malformed(in.remaining() + " trailing bytes after the invite body");
        }
        if (expiresAtSeconds < Instant.MIN.getEpochSecond() || expiresAtSeconds > Instant.MAX.getEpochSecond()) {
            throw malformed("expiry time out of range");
        }
        return new Invite(relays, new GroupId(groupId), secret, Instant.ofEpochSecond(expiresAtSeconds));
    }

    private static String utf8(byte[] bytes) throws PairingException {
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            throw malformed("a relay address is not valid UTF-8");
        }
    }

    private static void need(ByteBuffer in, int bytes, String field) throws PairingException {
        if (in.remaining() < bytes) {
            throw malformed("the invite body ends inside " + field);
        }
    }

    private static Secret codeKey(KeyExchange crypto, String canonicalCode, byte[] salt, Argon2Params params)
            throws CryptoException {
        return crypto.passwordHash("Argon2id").derive(canonicalCode.getBytes(StandardCharsets.US_ASCII), salt,
                params.memoryKib(), params.iterations(), params.parallelism(), 32);
    }

    private static Aead aead(KeyExchange crypto) throws CryptoException {
        return crypto.aead("XChaChaPoly");
    }

    private static PairingException malformed(String message) {
        return new PairingException(PairingException.Code.MALFORMED, message);
    }
}
