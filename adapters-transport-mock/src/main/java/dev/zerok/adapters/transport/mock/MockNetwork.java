package dev.zerok.adapters.transport.mock;

import dev.zerok.ports.entropy.Entropy;
import dev.zerok.ports.time.Clock;
import dev.zerok.ports.transport.Endpoint;
import dev.zerok.ports.transport.Transport;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * An in-memory network of hosts in one JVM: the relay's and the devices' mock transports reach each
 * other by {@link Endpoint} through it, and the chaos suite injects faults into its links, per
 * direction, while a scenario runs.
 *
 * <p><b>Determinism.</b> Every delivery is a task on the network's {@link Clock} (a
 * {@code ManualClock} in tests and the mock chaos topology) and every random decision draws from its
 * {@link Entropy}, in an order fixed by the order of calls. So, with a virtual clock driven from one
 * thread and a seeded entropy, a run is fully determined by its seed; nothing here reads the system
 * clock or uses another random source. With no faults installed, no entropy is drawn.
 *
 * <p><b>Fault model.</b> See {@link LinkFaults} for each fault and how it surfaces: network faults
 * (loss, delay, jitter, duplication, reordering, bandwidth) are repaired by the mock's model of
 * QUIC's retransmission (probe timeout doubling per consecutive loss) and in-order reassembly and
 * show up as latency, until a message stays unacknowledged for the idle timeout: then the
 * connection closes with {@code TIMEOUT}, as does one on which nothing arrives for the idle
 * timeout (so a partition, total loss, breaks connections); the byte
 * limit cuts the connection ({@code RESET}); corruption and truncation deliver tampered messages, for
 * the layers above to detect.
 *
 * <p><b>Getting one.</b> Either construct it directly with {@link #MockNetwork(Clock, Entropy)} and
 * call {@link #transport}, or {@link #register} it under a name and open transports through the
 * {@code mock} provider with the configuration key {@code network} naming it (see
 * {@link MockTransportProvider}).
 *
 * <p>Thread-safe: one lock guards the network's state; handlers are called outside it, on clock
 * tasks. Events of one channel are serialized as long as the clock runs its tasks one at a time (the
 * {@code ManualClock} does).
 */
public final class MockNetwork {
    private static final Map<String, MockNetwork> REGISTRY = new ConcurrentHashMap<>();
    private static final int FIRST_EPHEMERAL_PORT = 49_152;

    final Object lock = new Object();
    final Clock clock;
    final Entropy entropy;
    private final Map<Endpoint, MockServer> servers = new HashMap<>();
    private final Map<String, Integer> nextPort = new HashMap<>();
    private final Map<String, Link> links = new HashMap<>();
    private final List<Consumer<FaultEvent>> listeners = new CopyOnWriteArrayList<>();
    private long nextConnectionId = 1;
    /** Every transport made on this network, for {@link #openChannels}. */
    private final List<MockTransport> transports = new ArrayList<>();
    private int nextHost = 1;

    /**
     * A network without hosts, links or faults.
     *
     * @param clock schedules every delivery and timeout
     * @param entropy decides every fault
     */
    public MockNetwork(Clock clock, Entropy entropy) {
        if (clock == null || entropy == null) {
            throw new IllegalArgumentException("a mock network needs a clock and an entropy source");
        }
        this.clock = clock;
        this.entropy = entropy;
    }

    /**
     * Makes {@code network} findable by the {@code mock} provider under {@code name}.
     *
     * @throws IllegalArgumentException if another network already has that name
     */
    public static void register(String name, MockNetwork network) {
        if (REGISTRY.putIfAbsent(name, network) != null) {
            throw new IllegalArgumentException("a mock network named '" + name + "' is already registered");
        }
    }

    /** Removes the network registered under {@code name}, if any. */
    public static void unregister(String name) {
        REGISTRY.remove(name);
    }

    /** The network registered under {@code name}. */
    public static Optional<MockNetwork> lookup(String name) {
        return Optional.ofNullable(REGISTRY.get(name));
    }

    /** The names registered right now, for error messages. */
    static List<String> registeredNames() {
        return REGISTRY.keySet().stream().sorted().toList();
    }

    /** The clock this network runs on. */
    public Clock clock() {
        return clock;
    }

    /**
     * A transport on this network for the node named {@code host} (the name the fault API uses
     * for its links). Several transports may share a host name.
     *
     * @param host the node's name, not blank
     * @param idleTimeout a channel that carries nothing for this long closes with {@code TIMEOUT}
     *     (a channel uses the shorter of its two ends' timeouts, like QUIC's negotiation)
     * @param connectTimeout a connect not answered within this fails with {@code TIMEOUT}
     */
    public Transport transport(String host, Duration idleTimeout, Duration connectTimeout) {
        if (host == null || host.isBlank()) {
            throw new IllegalArgumentException("host must not be blank");
        }
        if (idleTimeout.isNegative() || idleTimeout.isZero() || connectTimeout.isNegative() || connectTimeout.isZero()) {
            throw new IllegalArgumentException("timeouts must be positive");
        }
        MockTransport transport = new MockTransport(this, host, idleTimeout, connectTimeout);
        synchronized (lock) {
            transports.add(transport);
        }
        return transport;
    }

    /** A transport on a generated host name ({@code node-1}, {@code node-2}, ...), 30 s idle, 10 s connect. */
    public Transport transport() {
        return transport(nextHostName(), Duration.ofSeconds(30), Duration.ofSeconds(10));
    }

    /** A fresh generated host name. */
    String nextHostName() {
        synchronized (lock) {
            return "node-" + nextHost++;
        }
    }

    /**
     * Installs the faults of the direction {@code fromHost -> toHost}, replacing the previous ones.
     * Lifting a partition lets the next retransmission of each lost message through (see
     * {@link LinkFaults}: retransmissions follow a doubling probe timeout).
     */
    public void setFaults(String fromHost, String toHost, LinkFaults faults) {
        if (faults == null) {
            throw new IllegalArgumentException("faults must not be null; use LinkFaults.NONE");
        }
        synchronized (lock) {
            link(fromHost, toHost).faults = faults;
        }
    }

    /**
     * Message bytes of the direction {@code fromHost -> toHost} that have left its bandwidth queue
     * so far (first transmissions, retransmissions not counted): what a rate-limited link has
     * forwarded, as opposed to {@link LinkStats#bytesSent()}, which counts at send time.
     */
    public long departedBytes(String fromHost, String toHost) {
        synchronized (lock) {
            return link(fromHost, toHost).departedBytes;
        }
    }

    /**
     * How many channels accepted by a server on {@code host} are open right now (the server side
     * of each live connection: what a relay on that host still holds).
     */
    public int openAcceptedChannels(String host) {
        synchronized (lock) {
            java.util.Set<MockTransport> transports = new java.util.LinkedHashSet<>();
            for (MockServer s : servers.values()) {
                if (s.transport().host.equals(host)) {
                    transports.add(s.transport());
                }
            }
            int n = 0;
            for (MockTransport t : transports) {
                for (MockConnection.End e : t.ends) {
                    if (e.isServerSide() && e.openLocked()) {
                        n++;
                    }
                }
            }
            return n;
        }
    }

    /** Installs {@code faults} on both directions between {@code hostA} and {@code hostB}. */
    public void setFaultsBothWays(String hostA, String hostB, LinkFaults faults) {
        setFaults(hostA, hostB, faults);
        setFaults(hostB, hostA, faults);
    }

    /**
     * Installs the above-transport faults of the direction {@code fromHost -> toHost} (see
     * {@link DeliveredFaults}), replacing the previous ones; they apply to messages sent from now on.
     */
    public void setDeliveredFaults(String fromHost, String toHost, DeliveredFaults faults) {
        if (faults == null) {
            throw new IllegalArgumentException("faults must not be null; use DeliveredFaults.NONE");
        }
        synchronized (lock) {
            link(fromHost, toHost).delivered = faults;
        }
    }

    /**
     * Channels open right now at the transports of {@code host} (both ends of a connection count at
     * their own host): what a host holds, for leak checks.
     */
    public int openChannels(String host) {
        synchronized (lock) {
            return transports.stream().filter(t -> t.host.equals(host)).mapToInt(t -> t.ends.size()).sum();
        }
    }

    /** The faults of the direction {@code fromHost -> toHost}; {@link LinkFaults#NONE} if never set. */
    public LinkFaults faults(String fromHost, String toHost) {
        synchronized (lock) {
            return link(fromHost, toHost).faults;
        }
    }

    /** The counters of the direction {@code fromHost -> toHost}. */
    public LinkStats stats(String fromHost, String toHost) {
        synchronized (lock) {
            return link(fromHost, toHost).stats();
        }
    }

    /**
     * Calls {@code listener} for every fault the network injects, on the thread that made the
     * decision, in order. Listeners must not call back into the network.
     */
    public void addListener(Consumer<FaultEvent> listener) {
        listeners.add(listener);
    }

    // ---------------------------------------------------------------- package-private machinery

    void emit(FaultEvent.Kind kind, String from, String to, long connectionId, int sizeBytes) {
        if (listeners.isEmpty()) {
            return;
        }
        FaultEvent event = new FaultEvent(clock.now(), kind, from, to, connectionId, sizeBytes);
        for (Consumer<FaultEvent> l : listeners) {
            l.accept(event);
        }
    }

    /** Caller holds {@link #lock}. */
    Link link(String from, String to) {
        return links.computeIfAbsent(from + "\u0000" + to, k -> new Link());
    }

    /** Caller holds {@link #lock}. */
    long newConnectionId() {
        return nextConnectionId++;
    }

    /** Caller holds {@link #lock}. Picks a free port on {@code host}. */
    int ephemeralPort(String host) {
        for (int attempt = 0; attempt < 16_384; attempt++) {
            int port = nextPort.merge(host, 1, Integer::sum) - 1 + FIRST_EPHEMERAL_PORT;
            if (port > 65_535) {
                nextPort.put(host, 0);
                continue;
            }
            if (!servers.containsKey(new Endpoint(host, port))) {
                return port;
            }
        }
        throw new IllegalStateException("no free mock port on " + host);
    }

    /** Caller holds {@link #lock}. */
    boolean bindServer(Endpoint endpoint, MockServer server) {
        return servers.putIfAbsent(endpoint, server) == null;
    }

    /** Caller holds {@link #lock}. */
    void unbindServer(Endpoint endpoint, MockServer server) {
        servers.remove(endpoint, server);
    }

    /** Caller holds {@link #lock}. */
    MockServer server(Endpoint endpoint) {
        return servers.get(endpoint);
    }

    /** Schedules {@code task} at virtual time {@code at} (or now, if that has passed). */
    void at(Instant at, Runnable task) {
        Duration delay = Duration.between(clock.now(), at);
        clock.schedule(delay.isNegative() ? Duration.ZERO : delay, task);
    }

    /** A message waiting in a link's bandwidth queue; {@code departure} runs (under the lock) when it has left. */
    record Queued(int sizeBytes, Runnable departure) {}

    /**
     * Puts a message of {@code sizeBytes} through the bandwidth queue of {@code link}: messages
     * leave one after another, each taking {@code size / rate} at the rate in force when it
     * starts, so a live bandwidth change acts from the next message on (a message is at most
     * 65,535 bytes). With no limit and nothing queued, {@code departure} runs at once. Caller
     * holds {@link #lock}.
     */
    void departLocked(Link link, int sizeBytes, Runnable departure) {
        if (!link.serializing && link.faults.bandwidthBytesPerSecond() == 0) {
            link.departedBytes += sizeBytes;
            departure.run();
            return;
        }
        link.queue.add(new Queued(sizeBytes, departure));
        if (!link.serializing) {
            serializeNextLocked(link);
        }
    }

    private void serializeNextLocked(Link link) {
        Queued next = link.queue.poll();
        if (next == null) {
            link.serializing = false;
            return;
        }
        link.serializing = true;
        long rate = link.faults.bandwidthBytesPerSecond();
        long nanos = rate == 0 ? 0 : Math.max(1, next.sizeBytes()) * 1_000_000_000L / rate;
        clock.schedule(Duration.ofNanos(nanos), () -> {
            synchronized (lock) {
                link.departedBytes += next.sizeBytes();
                next.departure().run();
                serializeNextLocked(link);
            }
        });
    }

    /** Caller holds {@link #lock}. True with probability {@code rate}; draws nothing when rate is 0 or 1. */
    boolean chance(double rate) {
        if (rate <= 0) {
            return false;
        }
        if (rate >= 1) {
            return true;
        }
        return entropy.nextLong(1L << 53) < (long) (rate * (1L << 53));
    }

    /** Caller holds {@link #lock}. Uniform in [0, bound). */
    long uniform(long bound) {
        return bound <= 1 ? 0 : entropy.nextLong(bound);
    }

    /** One direction of a link: its faults, counters and bandwidth queue. */
    static final class Link {
        LinkFaults faults = LinkFaults.NONE;
        /** Faults above the transport (reorder, replay of whole messages); apart from {@link #faults}. */
        DeliveredFaults delivered = DeliveredFaults.NONE;
        final List<Runnable> held = new ArrayList<>();
        /** Messages waiting to be serialized onto the link, in send order. */
        final java.util.ArrayDeque<Queued> queue = new java.util.ArrayDeque<>();
        boolean serializing;
        /** Message bytes that have left the bandwidth queue (the proxy's "forwarded bytes"). */
        long departedBytes;
        long messagesSent;
        long bytesSent;
        long attempts;
        long dropped;
        long duplicated;
        long reordered;
        long corrupted;
        long truncated;
        long heldByPartition;
        long cuts;

        LinkStats stats() {
            return new LinkStats(messagesSent, bytesSent, attempts, dropped, duplicated, reordered, corrupted,
                    truncated, heldByPartition, cuts);
        }
    }
}
