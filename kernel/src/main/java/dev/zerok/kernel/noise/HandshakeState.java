package dev.zerok.kernel.noise;

import dev.zerok.ports.crypto.CryptoException;
import dev.zerok.ports.crypto.Kem;
import dev.zerok.ports.crypto.KeyPair;
import dev.zerok.ports.crypto.Secret;
import dev.zerok.ports.entropy.Entropy;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * Noise spec rev 34 section 5.3, interpreting a {@link HandshakePattern} token table, with the
 * {@code e1}/{@code ekem1} tokens of the Noise HFS extension (section 3). Sans-I/O: the caller
 * moves the bytes; keys come from the {@link Entropy} port through the {@code Dh}/{@code Kem}
 * primitives of the {@link NoiseProtocol}.
 *
 * <p>Life cycle: {@link #writeMessage} and {@link #readMessage} alternate as the pattern says
 * (check {@link #isMyTurnToWrite()}); when {@link #isComplete()}, {@link #split()} yields the
 * {@link TransportSession}. Any failure (bad tag, short message, invalid key, pin mismatch) moves
 * the state to failed, wipes every secret, and every later call throws {@code INVALID_STATE}:
 * a handshake is never resumed after an error.
 *
 * <p>Every message, handshake or transport, is at most {@value #MAX_MESSAGE_BYTES} bytes (section 3).
 *
 * <p>Not thread-safe: one connection's driver owns it.
 */
public final class HandshakeState {
    /** Noise's maximum message length in bytes (spec rev 34 section 3). */
    public static final int MAX_MESSAGE_BYTES = 65535;
    private static final int TAG_BYTES = 16;

    private enum Status { RUNNING, COMPLETE, SPLIT, FAILED }

    private final NoiseProtocol protocol;
    private final boolean initiator;
    private final Entropy entropy;
    private final SymmetricState symmetricState;
    private final Optional<KeyPair> localStatic;
    private final Optional<byte[]> pinnedRemoteStatic;
    private KeyPair localEphemeral;
    private KeyPair localKemEphemeral;
    private byte[] remoteStatic;
    private byte[] remoteEphemeral;
    private byte[] remoteKemEphemeral;
    private int messageIndex;
    private Status status = Status.RUNNING;

    private HandshakeState(NoiseProtocol protocol, boolean initiator, Entropy entropy, Optional<KeyPair> localStatic,
            Optional<byte[]> remoteStatic) {
        this.protocol = protocol;
        this.initiator = initiator;
        this.entropy = entropy;
        this.symmetricState = new SymmetricState(protocol);
        this.localStatic = localStatic;
        this.pinnedRemoteStatic = remoteStatic.map(byte[]::clone);
    }

    /**
     * Initialize(handshake_pattern, initiator, prologue, s, e, rs, re) of section 5.3, with
     * ephemerals always generated (through {@code entropy}) rather than passed in.
     *
     * @param protocol the parsed protocol
     * @param initiator true for the party that writes the first message
     * @param prologue bytes both parties must agree on (mixed into {@code h}); may be empty
     * @param entropy source of the ephemeral keys
     * @param localStatic this party's static DH key pair, required if the pattern uses it
     * @param remoteStatic the peer's {@code dhLen}-byte static public key: required when the
     *     pattern pre-shares it (e.g. the responder's key in IK); when the pattern transmits it
     *     (e.g. XX), a given key is a <em>pin</em> and any other received key fails the handshake
     * @throws NoiseException coded {@code INVALID_STATE} if a key the pattern needs is missing,
     *     {@code INVALID_KEY} if a key has the wrong length
     */
    public static HandshakeState initialize(NoiseProtocol protocol, boolean initiator, byte[] prologue, Entropy entropy,
            Optional<KeyPair> localStatic, Optional<byte[]> remoteStatic) throws NoiseException {
        HandshakeState state = new HandshakeState(protocol, initiator, entropy, localStatic, remoteStatic);
        int dhLen = protocol.dh().dhLen();
        if (localStatic.isPresent() && localStatic.get().publicKey().length != dhLen) {
            throw new NoiseException(NoiseException.Code.INVALID_KEY, "local static public key must be " + dhLen + " bytes");
        }
        if (remoteStatic.isPresent() && remoteStatic.get().length != dhLen) {
            throw new NoiseException(NoiseException.Code.INVALID_KEY, "remote static public key must be " + dhLen + " bytes");
        }
        state.symmetricState.mixHash(prologue);
        HandshakePattern pattern = protocol.pattern();
        List<Token> theirPre = initiator ? pattern.responderPreMessage() : pattern.initiatorPreMessage();
        // Pre-messages are hashed initiator's first, whichever side we are (section 7.1).
        for (Token token : pattern.initiatorPreMessage()) {
            state.mixPreMessage(token, initiator);
        }
        for (Token token : pattern.responderPreMessage()) {
            state.mixPreMessage(token, !initiator);
        }
        if (theirPre.contains(Token.S)) {
            state.remoteStatic = remoteStatic.orElseThrow().clone();
        }
        return state;
    }

    private void mixPreMessage(Token token, boolean ours) throws NoiseException {
        if (token != Token.S) {
            throw new NoiseException(NoiseException.Code.UNSUPPORTED_PROTOCOL, "only s pre-messages are supported");
        }
        if (ours) {
            symmetricState.mixHash(localStatic.orElseThrow(() -> missing("local static key")).publicKey());
        } else {
            symmetricState.mixHash(pinnedRemoteStatic.orElseThrow(() -> missing("remote static key")));
        }
    }

    /** True if the next handshake call must be {@link #writeMessage}. */
    public boolean isMyTurnToWrite() {
        return status == Status.RUNNING && (messageIndex % 2 == 0) == initiator;
    }

    /** True once every handshake message was written or read. */
    public boolean isComplete() {
        return status == Status.COMPLETE || status == Status.SPLIT;
    }

    /** The protocol this handshake runs. */
    public NoiseProtocol protocol() {
        return protocol;
    }

    /** GetHandshakeHash(): HASHLEN bytes binding the whole transcript; final once complete. */
    public byte[] handshakeHash() {
        return symmetricState.handshakeHash();
    }

    /** The peer's static public key, once received or if pre-shared. */
    public Optional<byte[]> remoteStatic() {
        return Optional.ofNullable(remoteStatic).map(byte[]::clone);
    }

    /**
     * WriteMessage(payload, message_buffer).
     *
     * @param payload application bytes for this message (may be empty)
     * @return the message to send
     * @throws NoiseException coded {@code INVALID_STATE} when it is not this party's turn or the
     *     handshake failed or completed, {@code MALFORMED_MESSAGE} if the message would exceed
     *     65535 bytes, {@code INVALID_KEY} if the peer's key was rejected by a primitive
     */
    public byte[] writeMessage(byte[] payload) throws NoiseException {
        if (!isMyTurnToWrite()) {
            throw new NoiseException(NoiseException.Code.INVALID_STATE, status == Status.RUNNING
                    ? "it is the peer's turn to send handshake message " + (messageIndex + 1)
                    : "the handshake is " + status.name().toLowerCase());
        }
        try {
            List<byte[]> out = new ArrayList<>();
            for (Token token : protocol.pattern().messages().get(messageIndex)) {
                writeToken(token, out);
            }
            out.add(symmetricState.encryptAndHash(payload));
            byte[] message = ConstantTime.concat(out);
            if (message.length > MAX_MESSAGE_BYTES) {
                throw new NoiseException(NoiseException.Code.MALFORMED_MESSAGE,
                        "handshake message would be " + message.length + " bytes, over the Noise limit of 65535");
            }
            advance();
            return message;
        } catch (NoiseException | RuntimeException e) {
            fail();
            throw e;
        }
    }

    /**
     * ReadMessage(message, payload_buffer).
     *
     * @param message the received handshake message
     * @return the payload the peer sent with it
     * @throws NoiseException coded {@code DECRYPT_FAILED} for an altered message,
     *     {@code MALFORMED_MESSAGE} for a short or oversized one, {@code INVALID_KEY} for a
     *     rejected public key, {@code UNEXPECTED_REMOTE_STATIC} if a pinned key differs,
     *     {@code INVALID_STATE} out of turn
     */
    public byte[] readMessage(byte[] message) throws NoiseException {
        if (status != Status.RUNNING || isMyTurnToWrite()) {
            throw new NoiseException(NoiseException.Code.INVALID_STATE, status == Status.RUNNING
                    ? "it is this party's turn to send handshake message " + (messageIndex + 1)
                    : "the handshake is " + status.name().toLowerCase());
        }
        try {
            if (message.length > MAX_MESSAGE_BYTES) {
                throw new NoiseException(NoiseException.Code.MALFORMED_MESSAGE,
                        "handshake message of " + message.length + " bytes exceeds the Noise limit of 65535");
            }
            Reader reader = new Reader(message);
            for (Token token : protocol.pattern().messages().get(messageIndex)) {
                readToken(token, reader);
            }
            byte[] payload = symmetricState.decryptAndHash(reader.rest());
            advance();
            return payload;
        } catch (NoiseException | RuntimeException e) {
            fail();
            throw e;
        }
    }

    /**
     * Split(): the transport session. Wipes the handshake's remaining secrets.
     *
     * @throws NoiseException coded {@code INVALID_STATE} before completion or on a second call
     */
    public TransportSession split() throws NoiseException {
        if (status != Status.COMPLETE) {
            throw new NoiseException(NoiseException.Code.INVALID_STATE,
                    "split needs a complete handshake; it is " + status.name().toLowerCase());
        }
        byte[] hash = symmetricState.handshakeHash();
        CipherState[] pair = symmetricState.split();
        status = Status.SPLIT;
        destroyEphemerals();
        boolean oneWay = protocol.pattern().oneWay();
        CipherState send = initiator ? pair[0] : pair[1];
        CipherState receive = initiator ? pair[1] : pair[0];
        if (oneWay) {
            (initiator ? receive : send).destroy();
        }
        return new TransportSession(send, receive, !oneWay || initiator, !oneWay || !initiator, hash,
                Optional.ofNullable(remoteStatic));
    }

    /** Abandons the handshake (e.g. the connection dropped): wipes every secret it holds. */
    public void destroy() {
        fail();
    }

    private void writeToken(Token token, List<byte[]> out) throws NoiseException {
        switch (token) {
            case E -> {
                localEphemeral = protocol.dh().generateKeyPair(entropy);
                byte[] publicKey = localEphemeral.publicKey();
                out.add(publicKey);
                symmetricState.mixHash(publicKey);
            }
            case S -> out.add(symmetricState.encryptAndHash(
                    localStatic.orElseThrow(() -> missing("local static key")).publicKey()));
            case EE, ES, SE, SS -> mixDh(token);
            case E1 -> {
                localKemEphemeral = kem().generateKeyPair(entropy);
                out.add(symmetricState.encryptAndHash(localKemEphemeral.publicKey()));
            }
            case EKEM1 -> {
                Kem.Encapsulation encapsulation;
                try {
                    encapsulation = kem().encapsulate(required(remoteKemEphemeral, "remote e1"), entropy);
                } catch (CryptoException e) {
                    throw new NoiseException(NoiseException.Code.INVALID_KEY, "the peer's e1 KEM key was rejected", e);
                }
                out.add(symmetricState.encryptAndHash(encapsulation.ciphertext()));
                try (Secret shared = encapsulation.sharedSecret()) {
                    symmetricState.mixKey(shared.expose());
                }
            }
        }
    }

    private void readToken(Token token, Reader reader) throws NoiseException {
        int tag = symmetricState.hasKey() ? TAG_BYTES : 0;
        switch (token) {
            case E -> {
                remoteEphemeral = reader.take(protocol.dh().dhLen(), "e");
                symmetricState.mixHash(remoteEphemeral);
            }
            case S -> {
                byte[] received = symmetricState.decryptAndHash(reader.take(protocol.dh().dhLen() + tag, "s"));
                if (pinnedRemoteStatic.isPresent() && !ConstantTime.equals(pinnedRemoteStatic.get(), received)) {
                    throw new NoiseException(NoiseException.Code.UNEXPECTED_REMOTE_STATIC,
                            "the peer's static key is not the pinned one");
                }
                remoteStatic = received;
            }
            case EE, ES, SE, SS -> mixDh(token);
            case E1 -> remoteKemEphemeral = symmetricState.decryptAndHash(
                    reader.take(kem().publicKeyBytes() + tag, "e1"));
            case EKEM1 -> {
                byte[] ciphertext = symmetricState.decryptAndHash(reader.take(kem().ciphertextBytes() + tag, "ekem1"));
                Secret shared;
                try {
                    shared = kem().decapsulate(required(localKemEphemeral, "local e1").privateKey(), ciphertext);
                } catch (CryptoException e) {
                    throw new NoiseException(NoiseException.Code.INVALID_KEY, "the ekem1 ciphertext was rejected", e);
                }
                try (shared) {
                    symmetricState.mixKey(shared.expose());
                }
            }
        }
    }

    private void mixDh(Token token) throws NoiseException {
        boolean localEphemeralSide = switch (token) {
            case EE -> true;
            case ES -> initiator;
            case SE -> !initiator;
            default -> false;
        };
        boolean remoteEphemeralSide = switch (token) {
            case EE -> true;
            case ES -> !initiator;
            case SE -> initiator;
            default -> false;
        };
        KeyPair local = localEphemeralSide ? required(localEphemeral, "local e")
                : localStatic.orElseThrow(() -> missing("local static key"));
        byte[] remote = remoteEphemeralSide ? required(remoteEphemeral, "remote e") : required(remoteStatic, "remote s");
        Secret shared;
        try {
            shared = protocol.dh().agree(local.privateKey(), remote);
        } catch (CryptoException e) {
            throw new NoiseException(NoiseException.Code.INVALID_KEY, "DH for token " + token + " rejected the peer's key", e);
        }
        try (shared) {
            symmetricState.mixKey(shared.expose());
        }
    }

    private Kem kem() throws NoiseException {
        return protocol.kem().orElseThrow(() -> new NoiseException(NoiseException.Code.UNSUPPORTED_PROTOCOL,
                "pattern uses a KEM token but the protocol names no KEM"));
    }

    private void advance() {
        messageIndex++;
        if (messageIndex == protocol.pattern().messages().size()) {
            status = Status.COMPLETE;
        }
    }

    private void fail() {
        if (status != Status.SPLIT) {
            symmetricState.destroy();
        }
        status = Status.FAILED;
        destroyEphemerals();
    }

    private void destroyEphemerals() {
        if (localEphemeral != null) {
            localEphemeral.privateKey().destroy();
        }
        if (localKemEphemeral != null) {
            localKemEphemeral.privateKey().destroy();
        }
    }

    private static <T> T required(T value, String what) throws NoiseException {
        if (value == null) {
            throw missing(what);
        }
        return value;
    }

    private static NoiseException missing(String what) {
        return new NoiseException(NoiseException.Code.INVALID_STATE, "the pattern needs a " + what + " that is not set");
    }

    /** Reads fixed-length fields off a received message, failing cleanly when it is short. */
    private static final class Reader {
        private final byte[] message;
        private int position;

        Reader(byte[] message) {
            this.message = message;
        }

        byte[] take(int length, String field) throws NoiseException {
            if (message.length - position < length) {
                throw new NoiseException(NoiseException.Code.MALFORMED_MESSAGE, "handshake message ends inside field "
                        + field + ": needs " + length + " bytes, " + (message.length - position) + " left");
            }
            byte[] out = Arrays.copyOfRange(message, position, position + length);
            position += length;
            return out;
        }

        byte[] rest() {
            byte[] out = Arrays.copyOfRange(message, position, message.length);
            position = message.length;
            return out;
        }
    }

    @Override
    public String toString() {
        return "HandshakeState[" + protocol.name() + ", " + (initiator ? "initiator" : "responder") + ", message "
                + messageIndex + ", " + status.name().toLowerCase() + "]";
    }
}
