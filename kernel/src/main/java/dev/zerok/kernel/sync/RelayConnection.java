package dev.zerok.kernel.sync;

import dev.zerok.ports.id.BlobId;
import dev.zerok.ports.id.Cursor;
import dev.zerok.ports.id.RelayId;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;

/**
 * The life of the engine's connection to one relay, and the bookkeeping of the session that is
 * up. {@link SyncEngine} owns one per configured relay and drives it; the driver only ever sees
 * the engine's actions.
 *
 * <pre>
 *  DISCONNECTED --start--> CONNECTING --TransportConnected--> HANDSHAKING --Welcome--> CONNECTED
 *                             |   ^                              |                        |
 *                             |   | backoff elapsed              |   Disconnected, Error,  |
 *                             v   |                              v   timeout, violation    v
 *                          RECONNECTING <------------------------+------------------------+
 *  any state --close / refused (UNKNOWN_GROUP, UNAUTHORIZED, UNSUPPORTED_VERSION)--> CLOSED
 * </pre>
 *
 * The table is {@link #TRANSITIONS}; every state change is checked against it. HANDSHAKING
 * covers the Noise handshake and the Hello/Welcome exchange. In RECONNECTING the relay waits for
 * {@link Backoff#delay} after its n-th consecutive failure; a Welcome resets the count.
 *
 * <p>Each connection attempt has a number ({@link #connection()}): inputs about an older attempt
 * are stale and the engine ignores them. Not thread-safe (the engine's driver serialises calls).
 */
public final class RelayConnection {
    /** Where the connection to the relay is. */
    public enum State { DISCONNECTED, CONNECTING, HANDSHAKING, CONNECTED, RECONNECTING, CLOSED }

    /** The allowed state changes, as data. */
    public static final Map<State, Set<State>> TRANSITIONS = transitions();

    /** A request sent on the session that waits for its answer; the relay answers in order. */
    sealed interface Request {
        Instant sentAt();

        record Push(BlobId blob, Instant sentAt) implements Request {}

        /** @param redelivery true for a page of a {@link SyncEngine.Input.Redeliver} pass */
        record Pull(Cursor after, Instant sentAt, boolean redelivery) implements Request {}
    }

    private final RelayId relay;
    private State state = State.DISCONNECTED;
    /** The number of the current or last attempt; empty before the first. */
    private OptionalLong connection = OptionalLong.empty();
    private int consecutiveFailures;
    private boolean everFailed;
    private Optional<String> lastFailure = Optional.empty();
    private Instant deadline;
    private Instant failedAt;
    /** While CONNECTING/HANDSHAKING: the attempt's absolute deadline, whatever its progress. */
    private Instant handshakeCap;
    /** While CONNECTING/HANDSHAKING: the step the deadline waits for, for the failure message. */
    private String awaiting = "";

    // The session's bookkeeping; reset on every new attempt.
    final ArrayDeque<Request> outstanding = new ArrayDeque<>();
    /** Pushes sent and not yet answered, with their payload sizes in bytes. */
    final java.util.Map<BlobId, Integer> pushesInFlight = new java.util.HashMap<>();
    final Set<BlobId> tooLarge = new HashSet<>();
    boolean helloSent;
    /**
     * Mean payload size of the outbox entries last read for this relay, in bytes: the next read
     * asks for only as many as the push window's free bytes take (large chunks are read one by
     * one, small blobs by the slice).
     */
    long typicalPushBytes = 1;

    /** Payload bytes of the pushes in flight. */
    long pushBytesInFlight() {
        long sum = 0;
        for (int size : pushesInFlight.values()) {
            sum += size;
        }
        return sum;
    }

    boolean backlog;
    boolean pushBlocked;
    /**
     * A push was refused with RATE_LIMITED: no push is sent until every push in flight is answered,
     * so the refused one is sent again first (the relay refuses the later ones until it is) and a
     * sender's blobs keep their push order in the relay's log.
     */
    boolean pushRefused;
    /** A Pull was sent and its page is not yet committed (or redelivered). */
    boolean pullInFlight;
    /** The push window wants an outbox read from the store lane. */
    boolean outboxWanted;
    /** The session's first pull waits for its first outbox read (see {@code SyncEngine.onWelcome}). */
    boolean pullAfterOutboxRead;
    boolean hasMore;
    Cursor head = Cursor.ZERO;
    Optional<Cursor> notifiedDuringPull = Optional.empty();
    /**
     * A sync was requested while a pull was in flight: that pull may have been served before what
     * the request must see was committed, so one more pull follows it.
     */
    boolean syncRequestedDuringPull;
    Optional<Instant> pausedUntil = Optional.empty();
    /** When the relay last sent this session a message (Welcome, an answer, a Notify). */
    Instant lastReceived = Instant.MIN;
    /** The pull in flight is a keep-alive (sent after silence, not because anything is known to be new). */
    boolean keepAliveInFlight;
    long maxFrameBytes;
    long maxTtlSeconds;

    RelayConnection(RelayId relay) {
        this.relay = relay;
    }

    /** The relay this connection goes to. */
    public RelayId relay() {
        return relay;
    }

    /** The current state. */
    public State state() {
        return state;
    }

    /** The number of the current (or last) connection attempt; empty before the first. */
    public OptionalLong connection() {
        return connection;
    }

    /** The number of the attempt under way. @throws IllegalStateException before the first attempt */
    long liveConnection() {
        return connection.orElseThrow(() -> new IllegalStateException("no connection attempt yet"));
    }

    /** Failures since the last Welcome (0 once a session is up). */
    public int consecutiveFailures() {
        return consecutiveFailures;
    }

    /** True once any attempt to this relay failed. */
    public boolean everFailed() {
        return everFailed;
    }

    /** What ended the last failed attempt or session; empty if none failed. Never ids. */
    public Optional<String> lastFailure() {
        return lastFailure;
    }

    /**
     * While CONNECTING/HANDSHAKING the deadline of the handshake step awaited (progress-based, see
     * {@link SyncConfig#connectTimeout()}), while RECONNECTING the retry time.
     */
    public Optional<Instant> deadline() {
        return Optional.ofNullable(deadline);
    }

    /** True while a transport connection exists or is being made (CONNECTING, HANDSHAKING, CONNECTED). */
    public boolean isLive() {
        return state == State.CONNECTING || state == State.HANDSHAKING || state == State.CONNECTED;
    }

    void startAttempt(long connectionNumber, Instant now, Duration connectTimeout) {
        moveTo(State.CONNECTING);
        connection = OptionalLong.of(connectionNumber);
        handshakeCap = now.plus(connectTimeout.multipliedBy(SyncConfig.HANDSHAKE_CAP_FACTOR));
        deadline = now.plus(connectTimeout.multipliedBy(SyncConfig.TRANSPORT_CONNECT_ROUND_TRIPS));
        awaiting = "transport connection";
        outstanding.clear();
        pushesInFlight.clear();
        tooLarge.clear();
        helloSent = false;
        backlog = false;
        pushBlocked = false;
        pushRefused = false;
        pullInFlight = false;
        keepAliveInFlight = false;
        outboxWanted = false;
        pullAfterOutboxRead = false;
        hasMore = false;
        head = Cursor.ZERO;
        notifiedDuringPull = Optional.empty();
        pausedUntil = Optional.empty();
    }

    void transportConnected() {
        moveTo(State.HANDSHAKING);
    }

    /**
     * A handshake step arrived at {@code now}: the next one ({@code next}, for messages) is due
     * within {@code stepTimeout}, and never after the attempt's absolute cap.
     */
    void handshakeProgress(Instant now, Duration stepTimeout, String next) {
        Instant step = now.plus(stepTimeout);
        deadline = step.isBefore(handshakeCap) ? step : handshakeCap;
        awaiting = next;
    }

    /** The handshake step the CONNECTING/HANDSHAKING deadline waits for ("" otherwise). */
    String awaiting() {
        return state == State.CONNECTING || state == State.HANDSHAKING ? awaiting : "";
    }

    /** True if the CONNECTING/HANDSHAKING deadline is the absolute cap (the steps were slow but kept coming). */
    boolean atHandshakeCap() {
        return deadline != null && deadline.equals(handshakeCap);
    }

    void welcomed(Cursor relayHead, long relayMaxFrameBytes, long relayMaxTtlSeconds) {
        moveTo(State.CONNECTED);
        consecutiveFailures = 0;
        deadline = null;
        head = relayHead;
        maxFrameBytes = relayMaxFrameBytes;
        maxTtlSeconds = relayMaxTtlSeconds;
    }

    /** Moves to RECONNECTING with the retry time {@code now + delay}. */
    void failed(String cause, Instant now, Duration delay) {
        moveTo(State.RECONNECTING);
        consecutiveFailures++;
        everFailed = true;
        lastFailure = Optional.of(cause);
        deadline = now.plus(delay);
        failedAt = now;
        outstanding.clear();
        pushesInFlight.clear();
        pullInFlight = false;
        outboxWanted = false;
    }

    /** Moves to CLOSED for good after a failure or refusal: {@code cause} says what happened. */
    void closed(String cause) {
        closedOrderly();
        everFailed = true;
        lastFailure = Optional.of(cause);
    }

    /** Moves to CLOSED for good: this device closed. */
    void closedOrderly() {
        moveTo(State.CLOSED);
        deadline = null;
        outstanding.clear();
        pushesInFlight.clear();
        pullInFlight = false;
        outboxWanted = false;
    }

    /** The work outstanding on a CONNECTED session. */
    boolean busy(Cursor pullCursor) {
        boolean onlyKeepAlive = keepAliveInFlight && outstanding.size() == 1;
        return (!outstanding.isEmpty() && !onlyKeepAlive) || backlog || hasMore || head.isAfter(pullCursor)
                || pausedUntil.isPresent();
    }

    /** When the last failure happened (RECONNECTING only). */
    Optional<Instant> failedAt() {
        return state == State.RECONNECTING ? Optional.of(failedAt) : Optional.empty();
    }

    private void moveTo(State next) {
        if (!TRANSITIONS.get(state).contains(next)) {
            throw new IllegalStateException("relay connection cannot go from " + state + " to " + next);
        }
        state = next;
    }

    private static Map<State, Set<State>> transitions() {
        EnumMap<State, Set<State>> t = new EnumMap<>(State.class);
        t.put(State.DISCONNECTED, EnumSet.of(State.CONNECTING, State.CLOSED));
        t.put(State.CONNECTING, EnumSet.of(State.HANDSHAKING, State.RECONNECTING, State.CLOSED));
        t.put(State.HANDSHAKING, EnumSet.of(State.CONNECTED, State.RECONNECTING, State.CLOSED));
        t.put(State.CONNECTED, EnumSet.of(State.RECONNECTING, State.CLOSED));
        t.put(State.RECONNECTING, EnumSet.of(State.CONNECTING, State.CLOSED));
        t.put(State.CLOSED, EnumSet.noneOf(State.class));
        for (Map.Entry<State, Set<State>> e : t.entrySet()) {
            e.setValue(java.util.Collections.unmodifiableSet(e.getValue()));
        }
        return java.util.Collections.unmodifiableMap(t);
    }

    @Override
    public String toString() {
        return "RelayConnection[" + state + ", failures=" + consecutiveFailures + "]";
    }
}
