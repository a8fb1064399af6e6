package dev.zerok.chaos.sim;

import dev.zerok.adapters.transport.mock.DeliveredFaults;
import dev.zerok.adapters.transport.mock.FaultEvent;
import dev.zerok.chaos.topology.LinkDirection;
import dev.zerok.ports.transport.Acceptor;
import dev.zerok.ports.transport.Channel;
import dev.zerok.ports.transport.ChannelHandler;
import dev.zerok.ports.transport.Endpoint;
import dev.zerok.ports.transport.Server;
import dev.zerok.ports.transport.Transport;
import dev.zerok.ports.transport.TransportException;
import java.util.Arrays;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * A device-side {@link Transport} decorator that tampers with whole messages <b>above</b> the
 * transport: what it produces is what the device's secure channel (Noise) receives, or what the
 * relay's receives from the device, after the transport (QUIC on the real topology) carried it
 * faithfully. It is the real topology's on-path attacker past the transport's own integrity check,
 * the fault model of the mock network's delivered faults, message for message:
 *
 * <ul>
 *   <li>{@code corruptRate}: one random bit of the message is flipped (mock: {@code LinkFaults.corruptRate});
 *   <li>{@code truncateRate}: a message of 2 or more bytes is cut to a random length in
 *       [1, length - 1] (mock: {@code LinkFaults.truncateRate});
 *   <li>{@code reorderRate}: the message is held back and goes right after the next one of its
 *       channel's direction, or alone after {@value #REORDER_FLUSH_MILLIS} ms
 *       ({@link DeliveredFaults#reorderRate()});
 *   <li>{@code replayRate}: after a message, the previous one of its channel's direction goes
 *       again ({@link DeliveredFaults#replayRate()}).
 * </ul>
 * Reorder and replay act first, then corruption and truncation act on each message that leaves
 * (a replayed copy may be corrupted too), as in the mock. Faults are set per link (the remote
 * endpoint the device connects to) and direction: {@link LinkDirection#UP} acts on what the device
 * sends, {@link LinkDirection#DOWN} on what is delivered to it. Every decision draws from one
 * {@link SplittableRandom} seeded at construction; every act is reported to the listener with the
 * mock's {@link FaultEvent.Kind} names ({@code CORRUPT}, {@code TRUNCATE}, {@code REORDER_DELIVERED},
 * {@code REPLAY_DELIVERED}) and never the bytes. Which message a decision falls on depends on the
 * wall-clock interleaving of the device's traffic, so runs are seeded, not reproducible.
 *
 * <p>Thread-safe: sends (device lane) and deliveries (transport threads) of one channel direction
 * are serialised on that direction's lock, so the inner channel and the handler see one order.
 */
public final class DeliveredFaultTransport implements Transport {
    /** How long a message held back for a swap waits for a next one (the mock's value). */
    public static final long REORDER_FLUSH_MILLIS = 50;

    /**
     * The faults of one link direction. Rates are probabilities in [0, 1] per message.
     *
     * @param corruptRate a bit flipped
     * @param truncateRate shortened
     * @param reorderRate swapped with the next message
     * @param replayRate the previous message sent again after this one
     */
    public record Faults(double corruptRate, double truncateRate, double reorderRate, double replayRate) {
        /** Nothing tampered with. */
        public static final Faults NONE = new Faults(0, 0, 0, 0);

        /** @throws IllegalArgumentException if a rate is outside [0, 1] */
        public Faults {
            for (double rate : new double[] {corruptRate, truncateRate, reorderRate, replayRate}) {
                if (!(rate >= 0 && rate <= 1)) {
                    throw new IllegalArgumentException("delivered-fault rates must be in [0, 1], got corrupt "
                            + corruptRate + ", truncate " + truncateRate + ", reorder " + reorderRate + ", replay "
                            + replayRate);
                }
            }
        }

        /** These faults with corruption and truncation replaced. */
        public Faults withTamper(double corrupt, double truncate) {
            return new Faults(corrupt, truncate, reorderRate, replayRate);
        }

        /** These faults with reordering and replay replaced. */
        public Faults withDelivered(double reorder, double replay) {
            return new Faults(corruptRate, truncateRate, reorder, replay);
        }
    }

    /** Receives one report per act: what, on which link direction, the message size in bytes. */
    @FunctionalInterface
    public interface Listener {
        void onFault(FaultEvent.Kind kind, Endpoint link, LinkDirection direction, int sizeBytes);
    }

    private final Transport inner;
    private final Listener listener;
    private final SplittableRandom random;
    private final Map<Endpoint, Faults> up = new ConcurrentHashMap<>();
    private final Map<Endpoint, Faults> down = new ConcurrentHashMap<>();
    private final ScheduledExecutorService flusher;

    /**
     * Wraps {@code inner}.
     *
     * @param seed every fault decision draws from a generator seeded with it
     * @param listener told of every act (on the thread that acted)
     */
    public DeliveredFaultTransport(Transport inner, long seed, Listener listener) {
        this.inner = inner;
        this.listener = listener;
        this.random = new SplittableRandom(seed);
        this.flusher = Executors.newSingleThreadScheduledExecutor(task -> {
            Thread t = new Thread(task, "delivered-faults-flush");
            t.setDaemon(true);
            return t;
        });
    }

    /**
     * Sets the faults of the link to {@code remote} for {@code direction} ({@link LinkDirection#BOTH}
     * for both), replacing the previous ones; applies live, from the next message.
     */
    public void setFaults(Endpoint remote, LinkDirection direction, Faults faults) {
        if (direction != LinkDirection.DOWN) {
            up.put(remote, faults);
        }
        if (direction != LinkDirection.UP) {
            down.put(remote, faults);
        }
    }

    /** The faults in force on the link to {@code remote} for {@code direction} (UP or DOWN). */
    public Faults faults(Endpoint remote, LinkDirection direction) {
        return (direction == LinkDirection.UP ? up : down).getOrDefault(remote, Faults.NONE);
    }

    private boolean chance(double rate) {
        if (rate <= 0) {
            return false;
        }
        synchronized (random) {
            return random.nextDouble() < rate;
        }
    }

    private int uniform(int bound) {
        synchronized (random) {
            return random.nextInt(bound);
        }
    }

    @Override
    public CompletionStage<Channel> connect(Endpoint remote, ChannelHandler handler) {
        Direction downward = new Direction(remote, LinkDirection.DOWN, m -> {
            handler.onMessage(m);
            return CompletableFuture.completedFuture(null);
        });
        ChannelHandler tampering = new ChannelHandler() {
            @Override
            public void onMessage(byte[] message) {
                downward.pass(message);
            }

            @Override
            public void onClosed(Optional<TransportException> cause) {
                downward.close();
                handler.onClosed(cause);
            }
        };
        return inner.connect(remote, tampering).thenApply(channel -> new TamperingChannel(channel, remote));
    }

    /** One direction of one channel: its reorder hold-back and replay source. */
    private final class Direction {
        private final Endpoint link;
        private final LinkDirection direction;
        private byte[] lastPassed;
        private byte[] held;
        private CompletableFuture<Void> heldSent;
        private long generation;
        private boolean closed;
        /** Where messages go: the inner channel (UP) or the device's handler (DOWN). */
        private final Function<byte[], CompletionStage<Void>> out;

        Direction(Endpoint link, LinkDirection direction, Function<byte[], CompletionStage<Void>> out) {
            this.link = link;
            this.direction = direction;
            this.out = out;
        }

        /**
         * Passes {@code message} on, applying this direction's faults; the result completes when
         * the message itself went out (later, if held back).
         */
        synchronized CompletionStage<Void> pass(byte[] message) {
            if (closed) {
                return out.apply(message);
            }
            Faults f = faults(link, direction);
            if (held != null) {
                byte[] late = held;
                CompletableFuture<Void> lateSent = heldSent;
                held = null;
                heldSent = null;
                CompletionStage<Void> sent = emit(message, f);
                forward(emit(late, f), lateSent);
                listener.onFault(FaultEvent.Kind.REORDER_DELIVERED, link, direction, late.length);
                lastPassed = late;
                return sent;
            }
            if (chance(f.reorderRate())) {
                held = message;
                heldSent = new CompletableFuture<>();
                long mine = ++generation;
                flusher.schedule(() -> flush(mine), REORDER_FLUSH_MILLIS, TimeUnit.MILLISECONDS);
                return heldSent;
            }
            CompletionStage<Void> sent = emit(message, f);
            if (lastPassed != null && chance(f.replayRate())) {
                emit(lastPassed, f);
                listener.onFault(FaultEvent.Kind.REPLAY_DELIVERED, link, direction, lastPassed.length);
            }
            lastPassed = message;
            return sent;
        }

        /** A held message that no next one came for: it goes late, alone (then it was only late). */
        private synchronized void flush(long mine) {
            if (held == null || mine != generation) {
                return;
            }
            byte[] late = held;
            CompletableFuture<Void> lateSent = heldSent;
            held = null;
            heldSent = null;
            if (closed) {
                lateSent.complete(null);
                return;
            }
            forward(emit(late, faults(link, direction)), lateSent);
            lastPassed = late;
        }

        /** Corruption and truncation, then out. */
        private CompletionStage<Void> emit(byte[] message, Faults f) {
            byte[] wire = message;
            if (wire.length > 0 && chance(f.corruptRate())) {
                wire = wire.clone();
                int bit = uniform(wire.length * 8);
                wire[bit / 8] ^= (byte) (1 << (bit % 8));
                listener.onFault(FaultEvent.Kind.CORRUPT, link, direction, message.length);
            }
            if (wire.length > 1 && chance(f.truncateRate())) {
                wire = Arrays.copyOf(wire, 1 + uniform(wire.length - 1));
                listener.onFault(FaultEvent.Kind.TRUNCATE, link, direction, message.length);
            }
            try {
                return out.apply(wire);
            } catch (RuntimeException e) {
                return CompletableFuture.failedFuture(e);
            }
        }

        private static void forward(CompletionStage<Void> from, CompletableFuture<Void> to) {
            from.whenComplete((v, e) -> {
                if (e != null) {
                    to.completeExceptionally(e);
                } else {
                    to.complete(null);
                }
            });
        }

        /** The channel closed: a held message is dropped with it (as on the mock). */
        synchronized void close() {
            closed = true;
            if (heldSent != null) {
                heldSent.complete(null);
            }
            held = null;
            heldSent = null;
        }
    }

    private final class TamperingChannel extends ForwardingChannel {
        private final Direction upward;

        TamperingChannel(Channel channel, Endpoint remote) {
            super(channel);
            this.upward = new Direction(remote, LinkDirection.UP, channel::send);
        }

        @Override
        public CompletionStage<Void> send(byte[] message) {
            return upward.pass(message);
        }

        @Override
        public void close() {
            upward.close();
            delegate.close();
        }
    }

    @Override
    public Server bind(Endpoint local, Acceptor acceptor) throws TransportException {
        return inner.bind(local, acceptor);
    }

    @Override
    public void close() {
        flusher.shutdownNow();
        inner.close();
    }

}
