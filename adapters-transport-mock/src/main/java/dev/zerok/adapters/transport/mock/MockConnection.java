package dev.zerok.adapters.transport.mock;

import dev.zerok.ports.transport.Acceptor;
import dev.zerok.ports.transport.Channel;
import dev.zerok.ports.transport.ChannelHandler;
import dev.zerok.ports.transport.Endpoint;
import dev.zerok.ports.transport.Transport;
import dev.zerok.ports.transport.TransportException;
import dev.zerok.ports.transport.TransportException.Code;
import dev.zerok.ports.time.Timer;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * One mock connection carrying one channel: a client end and (once the connect frame arrives) a
 * server end, each sending numbered frames through its direction's {@link MockNetwork.Link}. The
 * receiver reassembles frames in sequence order and discards duplicates, which is how loss,
 * jitter, reordering and duplication become latency only.
 *
 * <p>Inbound flow control: a paused end keeps the in-order DATA frames (and a FIN behind them) in
 * its inbox and hands them to the handler, in order, after {@code resumeReading()}. The mock
 * models no credit, so the peer's sends keep completing while the receiver is paused; a failure
 * (cut, idle timeout) still closes the end at once and drops what it held.
 *
 * <p>All state is guarded by the network's lock; handler calls and future completions happen
 * after it is released, on clock tasks.
 */
final class MockConnection {
    private enum Kind { CONNECT, OPEN, REFUSE, DATA, FIN }

    /** How long a message held back for a {@link DeliveredFaults} swap waits for a next one. */
    private static final Duration REORDER_FLUSH = Duration.ofMillis(50);

    private record Frame(Kind kind, long seq, byte[] payload) {}

    /**
     * One transmission attempt of {@code frame}: first sent at {@code firstSent}, after
     * {@code losses} lost attempts; {@code retransmits} is false for a duplicate copy.
     */
    private record Attempt(Frame frame, Instant firstSent, long losses, boolean retransmits) {}

    private final MockNetwork network;
    private final long id;
    private final Endpoint serverEndpoint;
    private final Duration connectTimeout;
    final End client;
    End server;
    private final CompletableFuture<Channel> connected = new CompletableFuture<>();
    private Duration idleTimeout;
    private Instant lastActivity;
    private Timer idleTimer;
    private boolean finished;

    private MockConnection(MockNetwork network, MockTransport transport, Endpoint serverEndpoint,
            ChannelHandler handler) {
        this.network = network;
        this.id = network.newConnectionId();
        this.serverEndpoint = serverEndpoint;
        this.connectTimeout = transport.connectTimeout;
        this.idleTimeout = transport.idleTimeout;
        Endpoint clientEndpoint = new Endpoint(transport.host, network.ephemeralPort(transport.host));
        this.client = new End(transport, clientEndpoint, serverEndpoint, handler);
    }

    /** Starts a connect from {@code transport} to {@code remote}. Caller holds the network lock. */
    static CompletionStage<Channel> connect(MockNetwork network, MockTransport transport, Endpoint remote,
            ChannelHandler handler) {
        MockConnection connection = new MockConnection(network, transport, remote, handler);
        transport.ends.add(connection.client);
        connection.lastActivity = network.clock.now();
        connection.client.transmit(Kind.CONNECT, new byte[0]);
        network.clock.schedule(connection.connectTimeout, connection::onConnectTimeout);
        connection.scheduleIdleCheck();
        return connection.connected;
    }

    // ---------------------------------------------------------------- timers

    private void onConnectTimeout() {
        List<Runnable> after = new ArrayList<>();
        synchronized (network.lock) {
            if (connected.isDone() || finished) {
                return;
            }
            TransportException cause = new TransportException(Code.TIMEOUT,
                    "connect to " + serverEndpoint + " got no answer within " + connectTimeout
                            + "; retry with backoff");
            finishLocked(after, Optional.of(cause));
            after.add(() -> connected.completeExceptionally(cause));
        }
        after.forEach(Runnable::run);
    }

    private void scheduleIdleCheck() {
        idleTimer = network.clock.schedule(Duration.between(network.clock.now(), lastActivity.plus(idleTimeout)),
                this::onIdleCheck);
    }

    private void onIdleCheck() {
        List<Runnable> after = new ArrayList<>();
        synchronized (network.lock) {
            if (finished) {
                return;
            }
            Instant due = lastActivity.plus(idleTimeout);
            if (network.clock.now().isBefore(due)) {
                scheduleIdleCheck();
                return;
            }
            network.emit(FaultEvent.Kind.IDLE_TIMEOUT, client.host(), serverEndpoint.host(), id, 0);
            TransportException cause = new TransportException(Code.TIMEOUT,
                    "channel carried nothing for " + idleTimeout + " and timed out; reconnect");
            finishLocked(after, Optional.of(cause));
            if (!connected.isDone()) {
                after.add(() -> connected.completeExceptionally(cause));
            }
        }
        after.forEach(Runnable::run);
    }

    /** Ends the connection: every end still open is closed with {@code cause}. Caller holds the lock. */
    private void finishLocked(List<Runnable> after, Optional<TransportException> cause) {
        if (finished) {
            return;
        }
        finished = true;
        if (idleTimer != null) {
            idleTimer.cancel();
        }
        for (End end : new End[] {client, server}) {
            if (end != null) {
                end.closeLocked(after, cause);
            }
        }
    }

    /**
     * One end of the connection, and the {@link Channel} its user holds. Sends numbered frames to
     * the other end; reassembles what it receives in order.
     */
    final class End implements Channel {
        private final MockTransport transport;
        private final Endpoint local;
        private final Endpoint remote;
        private ChannelHandler handler;
        private boolean open;
        private boolean closed;
        private long nextSendSeq;
        private long sentPayloadBytes;
        private boolean cut;
        private long nextReceiveSeq;
        private final TreeMap<Long, Frame> reassembly = new TreeMap<>();
        /** In-order DATA and FIN frames not yet handed to the handler (held while paused). */
        private final ArrayDeque<Frame> inbox = new ArrayDeque<>();
        private boolean paused;
        private boolean draining;
        /** {@link DeliveredFaults}: the last message sent (replay source) and one held back for a swap. */
        private byte[] lastSent;
        private byte[] heldForReorder;
        private long reorderGeneration;

        End(MockTransport transport, Endpoint local, Endpoint remote, ChannelHandler handler) {
            this.transport = transport;
            this.local = local;
            this.remote = remote;
            this.handler = handler;
        }

        String host() {
            return local.host();
        }

        /** Whether this is the accepted (server) end. Caller holds the lock. */
        boolean isServerSide() {
            return this == server;
        }

        /** {@link #isOpen()} for a caller that holds the lock. */
        boolean openLocked() {
            return open && !closed;
        }

        private End peer() {
            return this == client ? server : client;
        }

        private String peerHost() {
            return remote.host();
        }

        @Override
        public Endpoint remoteEndpoint() {
            return remote;
        }

        @Override
        public boolean isOpen() {
            synchronized (network.lock) {
                return open && !closed;
            }
        }

        @Override
        public CompletionStage<Void> send(byte[] message) {
            if (message == null || message.length == 0 || message.length > Transport.MAX_MESSAGE_BYTES) {
                return CompletableFuture.failedFuture(new TransportException(Code.TOO_LARGE,
                        "a message must be 1 to " + Transport.MAX_MESSAGE_BYTES + " bytes, got "
                                + (message == null ? "none" : message.length) + "; split it"));
            }
            synchronized (network.lock) {
                if (closed || !open) {
                    return CompletableFuture.failedFuture(new TransportException(Code.CLOSED,
                            "send on a closed channel to " + remote + "; open a new one"));
                }
                sendAboveTransport(message);
            }
            return CompletableFuture.completedFuture(null);
        }

        @Override
        public void pauseReading() {
            synchronized (network.lock) {
                paused = true;
            }
        }

        @Override
        public void resumeReading() {
            synchronized (network.lock) {
                if (!paused) {
                    return;
                }
                paused = false;
                if (closed || inbox.isEmpty()) {
                    return;
                }
            }
            // Through the clock: held messages reach the handler on the simulation's scheduler,
            // never on the caller's thread.
            network.clock.schedule(Duration.ZERO, this::drain);
        }

        /**
         * Hands the frames in {@link #inbox} to the handler in order, one at a time and outside
         * the lock, until it is empty or the channel is paused. A drain started from inside the
         * handler (a resume in {@code onMessage}) leaves the work to the drain already running.
         */
        private void drain() {
            while (true) {
                Frame next;
                ChannelHandler h;
                List<Runnable> after = new ArrayList<>();
                synchronized (network.lock) {
                    if (draining || paused || closed || inbox.isEmpty()) {
                        return;
                    }
                    next = inbox.poll();
                    h = handler;
                    if (next.kind() == Kind.FIN) {
                        closeLocked(after, Optional.empty());
                    } else {
                        draining = true;
                    }
                }
                if (next.kind() == Kind.FIN) {
                    after.forEach(Runnable::run);
                    return;
                }
                try {
                    if (h != null) {
                        h.onMessage(next.payload());
                    }
                } finally {
                    synchronized (network.lock) {
                        draining = false;
                    }
                }
            }
        }

        @Override
        public void close() {
            List<Runnable> after = new ArrayList<>();
            synchronized (network.lock) {
                if (closed) {
                    return;
                }
                if (open && !finished) {
                    transmit(Kind.FIN, new byte[0]);
                }
                closeLocked(after, Optional.empty());
            }
            after.forEach(Runnable::run);
        }

        /**
         * Marks this end closed and schedules its single {@code onClosed}. Caller holds the lock;
         * {@code after} runs once it is released.
         */
        void closeLocked(List<Runnable> after, Optional<TransportException> cause) {
            if (closed) {
                return;
            }
            closed = true;
            transport.ends.remove(this);
            reassembly.clear();
            inbox.clear();
            if (handler != null && (open || this == server)) {
                ChannelHandler h = handler;
                // Through the clock, so the close is serialized after the events already queued.
                after.add(() -> network.clock.schedule(Duration.ZERO, () -> h.onClosed(cause)));
            }
            if (this == client && !connected.isDone() && cause.isEmpty()) {
                after.add(() -> connected.completeExceptionally(new TransportException(Code.CLOSED,
                        "connect to " + remote + " abandoned: the transport was closed")));
            }
            End peer = peer();
            if (peer == null || peer.closed) {
                finished = true;
                if (idleTimer != null) {
                    idleTimer.cancel();
                }
            }
        }

        /**
         * Sends one user message, applying the direction's {@link DeliveredFaults} first: a message
         * held back goes out right after the next one (or alone after 50 ms), and a replay re-sends
         * the previous message as a new one. Caller holds the lock.
         */
        private void sendAboveTransport(byte[] message) {
            DeliveredFaults faults = network.link(host(), peerHost()).delivered;
            if (heldForReorder != null) {
                byte[] held = heldForReorder;
                heldForReorder = null;
                transmit(Kind.DATA, message);
                transmit(Kind.DATA, held);
                network.emit(FaultEvent.Kind.REORDER_DELIVERED, host(), peerHost(), id, held.length);
                lastSent = held;
                return;
            }
            if (network.chance(faults.reorderRate())) {
                heldForReorder = message;
                long generation = ++reorderGeneration;
                network.clock.schedule(REORDER_FLUSH, () -> flushHeld(generation));
                return;
            }
            transmit(Kind.DATA, message);
            if (lastSent != null && network.chance(faults.replayRate())) {
                transmit(Kind.DATA, lastSent);
                network.emit(FaultEvent.Kind.REPLAY_DELIVERED, host(), peerHost(), id, lastSent.length);
            }
            lastSent = message;
        }

        /** A message held back for a swap that no next message came for: send it late, alone. */
        private void flushHeld(long generation) {
            synchronized (network.lock) {
                if (heldForReorder == null || generation != reorderGeneration || closed || !open) {
                    return;
                }
                byte[] held = heldForReorder;
                heldForReorder = null;
                transmit(Kind.DATA, held);
                lastSent = held;
            }
        }

        /** Sends one frame through this direction's link, applying its faults. Caller holds the lock. */
        void transmit(Kind kind, byte[] payload) {
            if (cut) {
                return;
            }
            MockNetwork.Link link = network.link(host(), peerHost());
            LinkFaults faults = link.faults;
            Instant now = network.clock.now();
            long seq = nextSendSeq++;
            byte[] wire = payload;
            if (kind == Kind.DATA) {
                link.messagesSent++;
                link.bytesSent += payload.length;
                if (sentPayloadBytes + payload.length > faults.limitBytes()) {
                    cut = true;
                    link.cuts++;
                    long limit = faults.limitBytes();
                    network.departLocked(link, payload.length, () -> network.at(
                            network.clock.now().plus(sampledDelay(network.link(host(), peerHost()).faults)),
                            () -> onCut(limit)));
                    return;
                }
                sentPayloadBytes += payload.length;
                if (network.chance(faults.corruptRate())) {
                    wire = payload.clone();
                    int bit = (int) network.uniform(wire.length * 8L);
                    wire[bit / 8] ^= (byte) (1 << (bit % 8));
                    link.corrupted++;
                    network.emit(FaultEvent.Kind.CORRUPT, host(), peerHost(), id, payload.length);
                }
                if (wire.length > 1 && network.chance(faults.truncateRate())) {
                    int length = 1 + (int) network.uniform(wire.length - 1);
                    wire = java.util.Arrays.copyOf(wire, length);
                    link.truncated++;
                    network.emit(FaultEvent.Kind.TRUNCATE, host(), peerHost(), id, payload.length);
                }
            }
            Frame frame = new Frame(kind, seq, wire);
            network.departLocked(link, wire.length, () -> departLocked(frame));
        }

        /**
         * The frame leaves the sender (after the link's bandwidth queue): a sampled one-way delay,
         * maybe a reorder hold-back or a duplicate copy, with the link's faults of now. Caller
         * holds the lock.
         */
        private void departLocked(Frame frame) {
            MockNetwork.Link link = network.link(host(), peerHost());
            LinkFaults faults = link.faults;
            Instant now = network.clock.now();
            int size = frame.payload().length;
            Instant arrival = now.plus(sampledDelay(faults));
            if (network.chance(faults.reorderRate())) {
                arrival = arrival.plus(faults.reorderDelay());
                link.reordered++;
                network.emit(FaultEvent.Kind.REORDER, host(), peerHost(), id, size);
            }
            scheduleAttempt(arrival, new Attempt(frame, now, 0, true));
            if (network.chance(faults.duplicateRate())) {
                link.duplicated++;
                network.emit(FaultEvent.Kind.DUPLICATE, host(), peerHost(), id, size);
                scheduleAttempt(arrival.plus(sampledDelay(faults)), new Attempt(frame, now, 0, false));
            }
        }

        private Duration sampledDelay(LinkFaults faults) {
            long meanNanos = faults.delay().toNanos();
            long spreadNanos = faults.jitter().toNanos();
            if (spreadNanos == 0) {
                return faults.delay();
            }
            long offset = network.uniform(2 * spreadNanos + 1) - spreadNanos;
            return Duration.ofNanos(Math.max(0, meanNanos + offset));
        }

        private void scheduleAttempt(Instant at, Attempt attempt) {
            End sender = this;
            network.at(at, () -> sender.arrive(attempt));
        }

        /**
         * One transmission attempt of a frame reaches the far side, unless the direction is
         * partitioned or the attempt is lost ({@code dropRate}, drawn now, with the link's faults
         * of now). A lost attempt is retransmitted one probe timeout later; the probe timeout
         * starts at {@link LinkFaults#retransmitTimeout()} and doubles with each consecutive loss
         * of the same frame (RFC 9002 section 6.2 PTO backoff). If the next attempt would come
         * later than the idle timeout after the frame was first sent, the sender gives up at that
         * moment and the connection closes with {@code TIMEOUT} (RFC 9000 section 10.1: nothing
         * acknowledged for the idle timeout). A duplicate copy is never retransmitted.
         */
        private void arrive(Attempt attempt) {
            List<Runnable> after = new ArrayList<>();
            synchronized (network.lock) {
                if (finished) {
                    return;
                }
                Frame frame = attempt.frame();
                MockNetwork.Link link = network.link(host(), peerHost());
                LinkFaults faults = link.faults;
                link.attempts++;
                boolean partitioned = faults.partitioned();
                if (partitioned || network.chance(faults.dropRate())) {
                    if (partitioned) {
                        link.heldByPartition++;
                        network.emit(FaultEvent.Kind.HOLD, host(), peerHost(), id, frame.payload().length);
                    } else {
                        link.dropped++;
                        network.emit(FaultEvent.Kind.DROP, host(), peerHost(), id, frame.payload().length);
                    }
                    if (attempt.retransmits()) {
                        retransmitLocked(attempt, faults);
                    }
                    return;
                }
                if (frame.kind() == Kind.CONNECT) {
                    acceptLocked(after);
                } else {
                    End receiver = peer();
                    if (receiver != null) {
                        receiver.receiveLocked(frame, after);
                    }
                }
            }
            after.forEach(Runnable::run);
        }

        /** Schedules the next attempt of a lost frame, or the give-up. Caller holds the lock. */
        private void retransmitLocked(Attempt lost, LinkFaults faults) {
            Instant now = network.clock.now();
            Duration pto = faults.retransmitTimeout().multipliedBy(1L << Math.min(lost.losses(), 20));
            Instant next = now.plus(pto);
            Instant giveUp = lost.firstSent().plus(idleTimeout);
            if (next.isAfter(giveUp)) {
                long losses = lost.losses() + 1;
                network.at(giveUp, () -> onUnacknowledged(losses));
                return;
            }
            scheduleAttempt(next, new Attempt(lost.frame(), lost.firstSent(), lost.losses() + 1, true));
        }

        /** A frame went unacknowledged for the idle timeout: the sender closes the connection. */
        private void onUnacknowledged(long losses) {
            List<Runnable> after = new ArrayList<>();
            synchronized (network.lock) {
                if (finished) {
                    return;
                }
                network.emit(FaultEvent.Kind.IDLE_TIMEOUT, host(), peerHost(), id, 0);
                TransportException cause = new TransportException(Code.TIMEOUT, "a message to " + remote
                        + " was not acknowledged within " + idleTimeout + " (" + losses
                        + " attempts lost); the connection timed out, reconnect");
                finishLocked(after, Optional.of(cause));
                if (!connected.isDone()) {
                    after.add(() -> connected.completeExceptionally(cause));
                }
            }
            after.forEach(Runnable::run);
        }

        /** The server side of a connect arrives: find the server, make the server end, answer. */
        private void acceptLocked(List<Runnable> after) {
            if (server != null) {
                return; // a duplicate connect frame
            }
            lastActivity = network.clock.now();
            MockServer listener = network.server(serverEndpoint);
            if (listener == null || !listener.accepting()) {
                End refusal = new End(null, serverEndpoint, local, null);
                refusal.nextSendSeq = 0;
                server = refusal;
                refusal.open = true;
                refusal.transmit(Kind.REFUSE, new byte[0]);
                refusal.closed = true;
                return;
            }
            MockTransport serverTransport = listener.transport();
            End accepted = new End(serverTransport, serverEndpoint, local, null);
            accepted.nextReceiveSeq = 1;
            accepted.open = true;
            server = accepted;
            serverTransport.ends.add(accepted);
            if (serverTransport.idleTimeout.compareTo(idleTimeout) < 0) {
                idleTimeout = serverTransport.idleTimeout;
                idleTimer.cancel();
                scheduleIdleCheck();
            }
            // OPEN takes sequence number 0 before the acceptor can send anything.
            accepted.transmit(Kind.OPEN, new byte[0]);
            Acceptor acceptor = listener.acceptor();
            // The acceptor runs outside the lock but within this clock task; every later frame is a
            // later task, so the handler is in place before any message is delivered.
            after.add(() -> {
                ChannelHandler h = acceptor.onAccept(accepted);
                synchronized (network.lock) {
                    accepted.handler = h;
                }
            });
        }

        /** Reassembles in order; delivers what is now contiguous. Caller holds the lock. */
        private void receiveLocked(Frame frame, List<Runnable> after) {
            if (closed && frame.kind() != Kind.OPEN) {
                return;
            }
            if (frame.seq() < nextReceiveSeq || reassembly.containsKey(frame.seq())) {
                return; // duplicate
            }
            lastActivity = network.clock.now();
            reassembly.put(frame.seq(), frame);
            boolean queued = false;
            while (!reassembly.isEmpty() && reassembly.firstKey() == nextReceiveSeq) {
                Frame next = reassembly.pollFirstEntry().getValue();
                nextReceiveSeq++;
                switch (next.kind()) {
                    case OPEN -> {
                        if (closed) {
                            // Given up locally before the answer came: tell the server end.
                            transmitFinFromClosed();
                            return;
                        }
                        open = true;
                        after.add(() -> connected.complete(this));
                    }
                    case REFUSE -> {
                        finished = true;
                        closed = true;
                        transport.ends.remove(this);
                        if (idleTimer != null) {
                            idleTimer.cancel();
                        }
                        after.add(() -> connected.completeExceptionally(new TransportException(Code.REFUSED,
                                "nobody accepts connections at " + remote + "; retry later")));
                        return;
                    }
                    case DATA -> {
                        // Through the inbox, so a pause (even one made inside onMessage) holds
                        // every later message, and the FIN waits behind them.
                        inbox.add(next);
                        queued = true;
                    }
                    case FIN -> {
                        inbox.add(next);
                        after.add(this::drain);
                        return;
                    }
                    case CONNECT -> throw new IllegalStateException("connect frame in a data direction");
                }
            }
            if (queued) {
                after.add(this::drain);
            }
        }

        private void transmitFinFromClosed() {
            cut = false;
            transmit(Kind.FIN, new byte[0]);
        }

        private void onCut(long limitBytes) {
            List<Runnable> after = new ArrayList<>();
            synchronized (network.lock) {
                if (finished) {
                    return;
                }
                network.emit(FaultEvent.Kind.CUT, host(), peerHost(), id, 0);
                finishLocked(after, Optional.of(new TransportException(Code.RESET,
                        "connection cut after " + limitBytes + " bytes in one direction; reconnect")));
            }
            after.forEach(Runnable::run);
        }

        @Override
        public String toString() {
            return "MockChannel[" + local + " -> " + remote + (isOpen() ? "" : ", closed") + "]";
        }
    }
}
