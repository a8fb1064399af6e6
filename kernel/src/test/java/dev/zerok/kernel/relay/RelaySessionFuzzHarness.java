package dev.zerok.kernel.relay;

import dev.zerok.adapters.crypto.BouncyCastleKeyExchangeProvider;
import dev.zerok.kernel.noise.HandshakeState;
import dev.zerok.kernel.noise.HybridHandshake;
import dev.zerok.kernel.noise.NoiseException;
import dev.zerok.kernel.noise.StaticIdentity;
import dev.zerok.kernel.noise.TransportSession;
import dev.zerok.kernel.relay.RelaySession.Action;
import dev.zerok.kernel.relay.RelaySession.Input;
import dev.zerok.kernel.relay.RelaySession.State;
import dev.zerok.kernel.session.SecureChannel;
import dev.zerok.kernel.wire.ErrorCode;
import dev.zerok.kernel.wire.FrameCodec;
import dev.zerok.kernel.wire.FrameDecoder;
import dev.zerok.kernel.wire.Message;
import dev.zerok.kernel.wire.MessageCodec;
import dev.zerok.kernel.wire.ProtocolException;
import dev.zerok.ports.crypto.KeyExchange;
import dev.zerok.ports.crypto.KeyPair;
import dev.zerok.ports.id.BlobId;
import dev.zerok.ports.id.Cursor;
import dev.zerok.ports.id.DeviceId;
import dev.zerok.ports.id.GroupId;
import dev.zerok.ports.spi.ProviderConfig;
import dev.zerok.ports.testkit.SeededEntropy;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * One relay connection under attack, in memory and deterministic: a genuine hybrid Noise
 * handshake (fixed keys, {@link SeededEntropy}) between a hostile device and the relay's
 * {@link SecureChannel} responder, then a script of operations. The relay side is driven the way
 * relay-app's {@code RelayConnection} drives it (a {@link ProtocolException} becomes
 * {@link Input.ProtocolViolation}, a {@link NoiseException} closes the transport, each
 * {@link Action.Send} is sealed and sent); the store is an honest in-memory log whose results
 * the script delivers late, in any order, failed, or unasked for.
 *
 * <p>Invariants, checked after every step (a violation throws {@link AssertionError}):
 * <ol>
 *   <li>{@link SecureChannel#receive} throws nothing but {@link NoiseException} and
 *       {@link ProtocolException}; {@link RelaySession#handle} throws nothing.</li>
 *   <li>Every {@link Action.Send} message frames within the relay's frame limit
 *       ({@code FrameCodec.frame(message, maxFrameBytes)} does not throw), and the device reads it
 *       back, decrypted and decoded, as an equal message.</li>
 *   <li>No {@link Action.Send} after an {@link Action.Close}.</li>
 *   <li>Once {@link State#CLOSED}, no input produces an action or leaves that state.</li>
 * </ol>
 *
 * <p>Script layout, read front to back; when the bytes run out the script ends (every read past
 * the end yields 0). Each step is an opcode byte ({@code op % 14}) and its operands:
 *
 * <pre>
 *  op  step                         operands
 *   0  Hello                        variant u8: 0 genuine, 1 bad version, 2 other device,
 *                                   3 other group, 4 bad proof
 *   1  Push                         blob u8, ttlSeconds u16 (0 means 1), size u16: below
 *                                   0x8000 the payload bytes (0 means 1), from 0x8000 the frame
 *                                   limit minus the low 7 bits (frames over the limit still go out)
 *   2  Pull                         after u8, maxBlobs u8 (+1), maxBytes u16 (+1)
 *   3  Bye
 *   4  Error from the device        code u8
 *   5  relay-only message           kind u8: Welcome, PushAck, PullResponse, Notify
 *   6  hostile plaintext            length u16 (% 8192), then that many bytes, sealed as
 *                                   transport messages of at most 65519 bytes
 *   7  tampered transport message   length u8, bytes, flip u8 (which byte to corrupt)
 *   8  complete a pending store op  index u8, outcome u8: 0 success, 1 unavailable, 2 quota
 *   9  unsolicited input            kind u8 (% 11): HeadRead, AppendCompleted, PageRead,
 *                                   StoreUnavailable, AppendRefusedQuota, OutboundBlocked,
 *                                   OutboundDrained, ReadingHeld, Superseded, SessionCapReached,
 *                                   a page of withheld rows; value u8
 *  10  Tick                         advance u16 milliseconds (u16 = 0xffff: to the deadline)
 *  11  GroupAdvanced                head u8
 *  12  Shutdown
 *  13  TransportClosed
 * </pre>
 *
 * <p>Limits are the defaults scaled down (4 KiB frames, 16 blobs and 2 KiB per page) so that the
 * fuzzer reaches the frame limit with small inputs; their proportions are those of
 * {@link RelayLimits#DEFAULTS}.
 *
 * <p>Not thread-safe; one harness per execution.
 */
final class RelaySessionFuzzHarness {
    static final RelayLimits LIMITS = new RelayLimits(4096, Duration.ofDays(7), 16, 2048, Duration.ofSeconds(10),
            Duration.ofSeconds(30), 4);
    static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
    static final GroupId GROUP = new GroupId(filled(GroupId.LENGTH, 3));
    static final GroupId OTHER_GROUP = new GroupId(filled(GroupId.LENGTH, 4));
    static final byte[] GOOD_PROOF = {42};
    static final int OPS = 14;

    private static final KeyExchange CRYPTO;
    private static final KeyPair RELAY_KEY;
    private static final KeyPair DEVICE_KEY;
    private static final DeviceId DEVICE;

    static {
        try {
            CRYPTO = new BouncyCastleKeyExchangeProvider().open(ProviderConfig.EMPTY);
            SeededEntropy keys = new SeededEntropy(7);
            RELAY_KEY = StaticIdentity.generate(CRYPTO.dh("25519"), keys);
            DEVICE_KEY = StaticIdentity.generate(CRYPTO.dh("25519"), keys);
            DEVICE = StaticIdentity.deviceId(CRYPTO.hash("SHA256"), DEVICE_KEY.publicKey());
        } catch (Exception e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final Script script;
    private final SecureChannel relay;
    private final TransportSession device;
    private final FrameDecoder deviceDecoder = new FrameDecoder(LIMITS.maxFrameBytes());
    private final byte[] handshakeHash;
    private final RelaySession session;
    private final List<Action> pending = new ArrayList<>();
    private final List<Message.PulledBlob> log = new ArrayList<>();
    private Instant now = T0;
    private boolean closeSeen;
    private boolean transportClosed;
    private byte[] lastTransportMessage;

    private RelaySessionFuzzHarness(byte[] script) throws Exception {
        this.script = new Script(script);
        SeededEntropy entropy = new SeededEntropy(42);
        HandshakeState initiator = HybridHandshake.initiator(CRYPTO, entropy, DEVICE_KEY, RELAY_KEY.publicKey());
        relay = SecureChannel.responder(HybridHandshake.responder(CRYPTO, entropy, RELAY_KEY), LIMITS.maxFrameBytes());
        relay.inboundFrameLimit(RelayLimits.HELLO_FRAME_BYTES); // as the relay app does until Hello is verified
        MembershipVerifier verifier = (group, claimed, proof, hash) -> group.equals(GROUP) && claimed.equals(DEVICE)
                && Arrays.equals(proof, GOOD_PROOF) && Arrays.equals(hash, relay.handshakeHash());
        session = new RelaySession(LIMITS, verifier, new TokenBucketLimiter<>(5, 5, 1000, 1000, 100, T0), T0);

        // XX: device -> relay, relay -> device, device -> relay; the relay completes on message 3.
        List<byte[]> message2 = relay.receive(initiator.writeMessage(new byte[0])).toSend();
        check(message2.size() == 1, "the responder answers message 1 with message 2");
        initiator.readMessage(message2.get(0));
        SecureChannel.Received completed = relay.receive(initiator.writeMessage(new byte[0]));
        check(completed.handshakeCompleted() && initiator.isComplete(), "the handshake completes after message 3");
        device = initiator.split();
        handshakeHash = relay.handshakeHash();
        check(Arrays.equals(relay.remoteStatic(), DEVICE_KEY.publicKey()), "the relay learns the device's key");
        handle(new Input.HandshakeCompleted(StaticIdentity.deviceId(CRYPTO.hash("SHA256"), relay.remoteStatic()),
                handshakeHash));
    }

    /**
     * Runs one script against a fresh connection.
     *
     * @param script the fuzzer's bytes, layout in the class comment
     * @throws AssertionError if an invariant breaks; any other unchecked exception is a finding too
     */
    static void run(byte[] script) throws Exception {
        RelaySessionFuzzHarness harness = new RelaySessionFuzzHarness(script);
        int steps = 0;
        while (harness.script.hasMore() && steps++ < 256) {
            harness.step();
        }
    }

    private void step() throws Exception {
        int op = script.u8() % OPS;
        switch (op) {
            case 0 -> sendMessage(hello(script.u8() % 5));
            case 1 -> {
                BlobId blob = new BlobId(filled(BlobId.LENGTH, script.u8()));
                long ttlSeconds = Math.max(1, script.u16());
                int sizeField = script.u16();
                // Half the size space sits just under the frame limit, where overheads decide.
                int payloadBytes = sizeField >= 0x8000 ? LIMITS.maxFrameBytes() - (sizeField & 0x7f) : Math.max(1, sizeField);
                sendMessage(new Message.Push(blob, ttlSeconds, filled(payloadBytes, 0x5a)));
            }
            case 2 -> sendMessage(new Message.Pull(new Cursor(script.u8()), script.u8() + 1L, script.u16() + 1L));
            case 3 -> sendMessage(new Message.Bye());
            case 4 -> {
                ErrorCode[] codes = ErrorCode.values();
                sendMessage(new Message.Error(codes[script.u8() % codes.length], "device says no", 0));
            }
            case 5 -> sendMessage(relayOnlyMessage(script.u8() % 4));
            case 6 -> sendPlaintext(script.bytes(script.u16() % 8192));
            case 7 -> sendTampered(script.bytes(script.u8()), script.u8());
            case 8 -> completePending(script.u8(), script.u8() % 3);
            case 9 -> unsolicitedResult(script.u8() % 11, script.u8());
            case 10 -> {
                int advanceMillis = script.u16();
                if (advanceMillis == 0xffff) {
                    now = session.nextDeadline().filter(now::isBefore).orElse(now);
                } else {
                    now = now.plusMillis(advanceMillis);
                }
                handle(new Input.Tick());
            }
            case 11 -> handle(new Input.GroupAdvanced(new Cursor(script.u8())));
            case 12 -> handle(new Input.Shutdown());
            case 13 -> closeTransport();
            default -> throw new AssertionError("op " + op);
        }
    }

    private Message hello(int variant) {
        return switch (variant) {
            case 0 -> new Message.Hello(Message.PROTOCOL_VERSION, DEVICE, GROUP, GOOD_PROOF);
            case 1 -> new Message.Hello(Message.PROTOCOL_VERSION + 1, DEVICE, GROUP, GOOD_PROOF);
            case 2 -> new Message.Hello(Message.PROTOCOL_VERSION, new DeviceId(filled(DeviceId.LENGTH, 1)), GROUP, GOOD_PROOF);
            case 3 -> new Message.Hello(Message.PROTOCOL_VERSION, DEVICE, OTHER_GROUP, GOOD_PROOF);
            default -> new Message.Hello(Message.PROTOCOL_VERSION, DEVICE, GROUP, new byte[] {43});
        };
    }

    private Message relayOnlyMessage(int kind) {
        return switch (kind) {
            case 0 -> new Message.Welcome(Message.PROTOCOL_VERSION, new Cursor(1), new Cursor(2), LIMITS.maxFrameBytes(), 60);
            case 1 -> new Message.PushAck(new BlobId(filled(BlobId.LENGTH, 1)), new Cursor(1));
            case 2 -> new Message.PullResponse(List.of(), false);
            default -> new Message.Notify(new Cursor(1));
        };
    }

    /** Frames {@code message} by hand, so an oversized one still goes out as a hostile device would send it. */
    private void sendMessage(Message message) throws Exception {
        byte[] body = MessageCodec.encode(message);
        byte[] framed = new byte[FrameCodec.HEADER_BYTES + body.length];
        framed[0] = (byte) (body.length >>> 24);
        framed[1] = (byte) (body.length >>> 16);
        framed[2] = (byte) (body.length >>> 8);
        framed[3] = (byte) body.length;
        System.arraycopy(body, 0, framed, FrameCodec.HEADER_BYTES, body.length);
        sendPlaintext(framed);
    }

    private void sendPlaintext(byte[] plaintext) throws Exception {
        for (int at = 0; at == 0 || at < plaintext.length; at += TransportSession.MAX_PAYLOAD_BYTES) {
            byte[] piece = Arrays.copyOfRange(plaintext, at, Math.min(plaintext.length, at + TransportSession.MAX_PAYLOAD_BYTES));
            lastTransportMessage = device.encrypt(piece);
            deliver(lastTransportMessage);
        }
    }

    private void sendTampered(byte[] plaintext, int flip) throws Exception {
        byte[] message = plaintext.length == 0 && lastTransportMessage != null
                ? lastTransportMessage.clone() // a replay
                : device.encrypt(plaintext);
        message[flip % message.length] ^= (byte) (1 << (flip % 8));
        deliver(message);
    }

    /** What relay-app's RelayConnection does with one transport message. */
    private void deliver(byte[] transportMessage) {
        if (transportClosed) {
            return;
        }
        SecureChannel.Received received;
        try {
            received = relay.receive(transportMessage);
        } catch (NoiseException e) {
            closeTransport();
            return;
        } catch (ProtocolException e) {
            handle(new Input.ProtocolViolation("malformed frame or message: " + e.code()));
            return;
        }
        check(received.toSend().isEmpty() && !received.handshakeCompleted(), "an established channel sends nothing by itself");
        for (Message message : received.messages()) {
            handle(new Input.Received(message));
        }
        handle(new Input.StreamProgress(received.messages().size(), relay.bufferedInboundBytes()));
    }

    private void closeTransport() {
        transportClosed = true;
        relay.close();
        handle(new Input.TransportClosed());
    }

    private void completePending(int index, int outcome) {
        if (pending.isEmpty()) {
            return;
        }
        Action action = pending.remove(index % pending.size());
        Input result = switch (action) {
            case Action.ReadHead read -> outcome == 0 ? new Input.HeadRead(head(), new Cursor(1)) : new Input.StoreUnavailable();
            case Action.Append append -> switch (outcome) {
                case 0 -> append(append.blob(), append.sender(), append.payload());
                case 1 -> new Input.StoreUnavailable();
                case 2 -> new Input.AppendRefusedQuota(append.blob(), false);
                default -> new Input.AppendRefusedQuota(append.blob(), true);
            };
            case Action.AppendAll all -> switch (outcome) {
                case 0 -> new Input.AppendsCompleted(all.appends().stream()
                        .map(a -> (Input.PushOutcome) append(a.blob(), a.sender(), a.payload())).toList());
                case 1 -> new Input.StoreUnavailable();
                default -> {
                    // Every other push refused (group quota, or the relay's capacity): the rest still stored.
                    List<Input.PushOutcome> outcomes = new ArrayList<>();
                    for (int i = 0; i < all.appends().size(); i++) {
                        Action.Append a = all.appends().get(i);
                        outcomes.add(i % 2 == 1 ? new Input.AppendRefusedQuota(a.blob(), outcome == 3)
                                : (Input.PushOutcome) append(a.blob(), a.sender(), a.payload()));
                    }
                    yield new Input.AppendsCompleted(outcomes);
                }
            };
            case Action.ReadPage read -> outcome == 0 ? page(read.after(), read.maxBlobs(), read.maxBytes())
                    : new Input.StoreUnavailable();
            default -> throw new AssertionError("not a store action: " + action);
        };
        handle(result);
    }

    private void unsolicitedResult(int kind, int value) {
        handle(switch (kind) {
            case 0 -> new Input.HeadRead(new Cursor(value), new Cursor(value % 3 == 0 ? 0 : value + value % 3));
            case 1 -> append(new BlobId(filled(BlobId.LENGTH, value)), DEVICE, filled(1 + value, 0x33));
            case 2 -> page(new Cursor(value), 1 + value % LIMITS.maxPullBlobs(), 1 + value * 16L);
            case 3 -> new Input.StoreUnavailable();
            case 4 -> new Input.AppendRefusedQuota(new BlobId(filled(BlobId.LENGTH, value)), value % 2 == 0);
            case 5 -> new Input.OutboundBlocked();
            case 6 -> new Input.OutboundDrained();
            case 7 -> new Input.ReadingHeld(value % 2 == 0);
            case 8 -> new Input.Superseded();
            case 9 -> new Input.SessionCapReached();
            default -> new Input.PageRead(List.of(), value % 2 == 0, List.of(new Cursor(value)));
        });
    }

    private Cursor head() {
        return log.isEmpty() ? Cursor.ZERO : log.get(log.size() - 1).cursor();
    }

    /** An honest store append: idempotent per blob id, cursors strictly increasing. */
    private Input.AppendCompleted append(BlobId blob, DeviceId sender, byte[] payload) {
        for (Message.PulledBlob stored : log) {
            if (stored.blob().equals(blob)) {
                return new Input.AppendCompleted(blob, stored.cursor(), true);
            }
        }
        Cursor cursor = new Cursor(log.size() + 1L);
        log.add(new Message.PulledBlob(cursor, blob, sender, payload));
        return new Input.AppendCompleted(blob, cursor, false);
    }

    /** An honest page (RelayStore#pageAfter): bounded by count and bytes, but the first blob always. */
    private Input page(Cursor after, int maxBlobs, long maxBytes) {
        List<Message.PulledBlob> blobs = new ArrayList<>();
        long bytes = 0;
        boolean hasMore = false;
        for (Message.PulledBlob stored : log) {
            if (!stored.cursor().isAfter(after)) {
                continue;
            }
            if (blobs.size() == maxBlobs || (!blobs.isEmpty() && bytes + stored.payloadBytes() > maxBytes)) {
                hasMore = true;
                break;
            }
            blobs.add(stored);
            bytes += stored.payloadBytes();
        }
        return new Input.PageRead(blobs, hasMore, List.of());
    }

    /** Feeds one input and checks what comes out (invariants 2 to 4 of the class comment). */
    private void handle(Input input) {
        boolean wasClosed = session.state() == State.CLOSED;
        session.handle(input, now);
        List<Action> actions = session.drainActions();
        if (wasClosed) {
            check(actions.isEmpty() && session.state() == State.CLOSED,
                    "a CLOSED session reacted to " + input.getClass().getSimpleName() + ": " + actions);
        }
        for (Action action : actions) {
            switch (action) {
                case Action.Send send -> {
                    check(!closeSeen, "Send after Close: " + send.message().type() + " in reply to "
                            + input.getClass().getSimpleName());
                    checkSendable(send.message());
                }
                case Action.Close close -> closeSeen = true;
                case Action.ReadHead read -> pending.add(read);
                case Action.Append append -> pending.add(append);
                case Action.AppendAll all -> pending.add(all);
                case Action.ReadPage read -> pending.add(read);
                case Action.JoinGroup join -> { }
                case Action.LeaveGroup leave -> { }
                case Action.Broadcast broadcast -> { }
                case Action.AcceptFrames accept -> relay.inboundFrameLimit(accept.maxFrameBytes());
                case Action.PauseReading pause -> { }
                case Action.ResumeReading resume -> { }
                case Action.Withheld withheld -> check(withheld.count() > 0, "Withheld(0)");
            }
        }
        if (closeSeen) {
            check(session.state() == State.CLOSING || session.state() == State.CLOSED,
                    "Close was emitted but the session is " + session.state());
        }
    }

    /** The message fits one frame, and the device reads exactly it back over the channel. */
    private void checkSendable(Message message) {
        byte[] framed;
        try {
            framed = FrameCodec.frame(message, LIMITS.maxFrameBytes());
        } catch (IllegalArgumentException e) {
            throw new AssertionError("the relay emitted a " + message.type() + " that does not fit its own frame limit of "
                    + LIMITS.maxFrameBytes() + " bytes: " + e.getMessage(), e);
        }
        check(framed.length > FrameCodec.HEADER_BYTES, "framed");
        if (transportClosed) {
            return;
        }
        List<Message> received = new ArrayList<>();
        try {
            for (byte[] part : relay.seal(message)) {
                for (byte[] frame : deviceDecoder.feed(device.decrypt(part))) {
                    received.add(MessageCodec.decode(frame));
                }
            }
        } catch (NoiseException | ProtocolException e) {
            throw new AssertionError("the device cannot read the relay's " + message.type() + ": " + e.getMessage(), e);
        }
        check(received.equals(List.of(message)), "the device read " + received + " for " + message);
    }

    private static void check(boolean condition, String what) {
        if (!condition) {
            throw new AssertionError(what);
        }
    }

    static byte[] filled(int length, int value) {
        byte[] bytes = new byte[length];
        Arrays.fill(bytes, (byte) value);
        return bytes;
    }

    /** A forgiving front-to-back reader: past the end every value is 0. */
    static final class Script {
        private final byte[] bytes;
        private int at;

        Script(byte[] bytes) {
            this.bytes = bytes;
        }

        boolean hasMore() {
            return at < bytes.length;
        }

        int u8() {
            return at < bytes.length ? bytes[at++] & 0xff : 0;
        }

        int u16() {
            return (u8() << 8) | u8();
        }

        byte[] bytes(int length) {
            int n = Math.max(0, Math.min(length, bytes.length - at));
            byte[] out = Arrays.copyOfRange(bytes, at, at + n);
            at += n;
            return out;
        }
    }
}
