package dev.zerok.chaos.real;

import dev.zerok.chaos.assertions.PlaintextWindows;
import dev.zerok.chaos.assertions.RelayLogLeaks;
import dev.zerok.chaos.sim.CapturingTransport;
import dev.zerok.chaos.topology.ClientAddress;
import dev.zerok.chaos.topology.RelayStoreTamper;
import dev.zerok.chaos.sim.DeliveredFaultTransport;
import dev.zerok.chaos.sim.DuplicateIdentityConnection;
import dev.zerok.chaos.sim.InstrumentedKeyExchange;
import dev.zerok.chaos.topology.ChannelCounters;
import dev.zerok.chaos.topology.DuplicateConnection;
import dev.zerok.chaos.topology.KeyExchangeFault;
import dev.zerok.kernel.noise.RekeyPolicy;
import dev.zerok.chaos.proxy.BurstLoss;
import dev.zerok.chaos.proxy.Direction;
import dev.zerok.chaos.proxy.FaultEvent;
import dev.zerok.chaos.proxy.FaultProfile;
import dev.zerok.chaos.proxy.UdpFaultProxy;
import dev.zerok.chaos.report.Timeline;
import dev.zerok.chaos.runner.ResourceWitness;
import dev.zerok.chaos.topology.DeviceHarness;
import dev.zerok.chaos.topology.RelayResources;
import dev.zerok.chaos.sim.OffsetClock;
import dev.zerok.chaos.sim.SeededEntropy;
import dev.zerok.chaos.topology.Capability;
import dev.zerok.chaos.topology.ChaosException;
import dev.zerok.chaos.topology.Device;
import dev.zerok.chaos.topology.Group;
import dev.zerok.chaos.topology.LinkDirection;
import dev.zerok.chaos.topology.LinkFaults;
import dev.zerok.chaos.topology.NotRunException;
import dev.zerok.chaos.topology.Relay;
import dev.zerok.chaos.topology.RelayCounterSource;
import dev.zerok.chaos.topology.RelayCounters;
import dev.zerok.chaos.topology.TempDirs;
import dev.zerok.chaos.topology.Topology;
import dev.zerok.client.SyncClient;
import dev.zerok.kernel.noise.StaticIdentity;
import dev.zerok.kernel.pairing.GroupKeys;
import dev.zerok.kernel.sync.SyncConfig;
import dev.zerok.kernel.sync.SyncEvent;
import dev.zerok.kernel.sync.SyncPayload;
import dev.zerok.kernel.sync.SyncStatus;
import dev.zerok.kernel.wire.FrameCodec;
import dev.zerok.ports.clientstate.ClientStateStore;
import dev.zerok.ports.clientstate.ClientStateStoreProvider;
import dev.zerok.ports.clientstate.VersionVector;
import dev.zerok.ports.crypto.KeyExchange;
import dev.zerok.ports.crypto.KeyExchangeProvider;
import dev.zerok.ports.crypto.KeyPair;
import dev.zerok.ports.crypto.Secret;
import dev.zerok.ports.entropy.Entropy;
import dev.zerok.ports.entropy.EntropyProvider;
import dev.zerok.ports.id.BlobId;
import dev.zerok.ports.id.Cursor;
import dev.zerok.ports.id.DeviceId;
import dev.zerok.ports.id.GroupId;
import dev.zerok.ports.id.RelayId;
import dev.zerok.ports.spi.ProviderConfig;
import dev.zerok.ports.spi.ProviderContext;
import dev.zerok.ports.spi.Providers;
import dev.zerok.ports.time.Clock;
import dev.zerok.ports.time.ClockProvider;
import dev.zerok.ports.transport.Endpoint;
import dev.zerok.ports.transport.Transport;
import dev.zerok.ports.transport.TransportProvider;
import dev.zerok.adapters.storage.sqlite.SqliteRelayStoreAccess;
import dev.zerok.relayapp.RelayMain;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;

/**
 * The real topology: every relay is a separate OS process ({@code relay-app}'s {@link RelayMain}
 * started from this JVM's class path, logging at TRACE into a per-relay log file), every device is
 * an in-process {@link SyncClient} over the {@code quic} transport with its own SQLite store and a
 * single-thread lane (as in production), and every device-relay link goes through its own
 * {@link UdpFaultProxy}: the device connects to the proxy's loopback port, the proxy forwards to
 * the relay's. Faults are the proxy's {@link FaultProfile}s, set live per direction.
 *
 * <h2>What "real" means here</h2>
 * <ul>
 *   <li>Time is wall-clock time: {@link #runFor} sleeps, {@link #await} polls every
 *       {@value #POLL_MILLIS} ms up to its timeout. Runs are not reproducible; the seed fixes only
 *       the proxies' fault decisions (each proxy's seed derives from it) and the bits
 *       {@link #corruptStoredBlobs} flips.</li>
 *   <li>{@link #killRelay} is SIGKILL, {@link #stopRelay} SIGTERM (graceful drain) and a wait,
 *       {@link #pauseRelay}/{@link #resumeRelay} SIGSTOP/SIGCONT. A relay keeps its loopback port
 *       (chosen free when it is added), its data directory and so its identity across restarts.</li>
 *   <li>Corruption and truncation act above QUIC, as on the mock: each in-process device's
 *       transport is wrapped in a {@link DeliveredFaultTransport} (seeded from the topology's
 *       seed) that flips a bit of ({@link LinkFaults#corruptRate()}) or shortens
 *       ({@link LinkFaults#truncateRate()}) whole messages the device sends (UP) or is delivered
 *       (DOWN), so Noise's AEAD sees them ({@link Capability#CORRUPT_DELIVERED},
 *       {@link Capability#TRUNCATE_DELIVERED}); {@link #setDeliveredFaults} reorders and replays
 *       whole messages there. With device processes the decorator is absent: corruption acts on
 *       UDP datagrams in the proxy, where QUIC's own packet protection rejects a flipped packet
 *       (it surfaces as loss, {@link Capability#CORRUPT_PACKET}), and truncation is
 *       {@link NotRunException}.</li>
 *   <li>In-process devices use an {@link InstrumentedKeyExchange} (their AEAD seals counted, a
 *       hybrid component breakable: {@link Capability#FAULTY_KEY_EXCHANGE},
 *       {@link Capability#CHANNEL_COUNTERS}) and the relays' {@code noise.rekey.interval.*}
 *       settings, so both ends of a session re-key at the same message.</li>
 *   <li>{@link LinkFaults#limitBytes()} counts UDP payload bytes (QUIC headers, handshake and
 *       acknowledgements included) from the moment the limit is set, over every connection of the
 *       link, and the cut lasts until the link's faults change (the proxy's limit-data). The mock
 *       counts message bytes per connection.</li>
 *   <li>{@link #capturedFrames} are the messages each device's transport carried (Noise
 *       ciphertext), captured in the device; each proxy also keeps the first
 *       {@link WireAudit#CAPTURE_BYTES} bytes of UDP datagrams it forwarded per direction, which
 *       {@link #verifyRelayLogs} searches for plaintext (invariant 3 on the wire).</li>
 * </ul>
 *
 * <p>Not thread-safe: the scenario's thread calls everything. Device callbacks arrive on each
 * device's lane and are recorded under locks.
 */
public final class RealTopology implements Topology, ResourceWitness {
    /** What the real topology can do; see docs/CHAOS.md "Fault model". */
    public static final Set<Capability> CAPABILITIES = Collections.unmodifiableSet(EnumSet.of(Capability.LATENCY,
            Capability.JITTER, Capability.LOSS, Capability.BURST_LOSS, Capability.DUPLICATE, Capability.REORDER,
            Capability.CORRUPT_PACKET, Capability.LIMIT_DATA, Capability.BANDWIDTH, Capability.PARTITION,
            Capability.KILL_RELAY, Capability.STOP_RELAY, Capability.RESTART_RELAY, Capability.PAUSE_RELAY,
            Capability.CRASH_DEVICE, Capability.TAMPER_RELAY_STORE, Capability.RELAY_STORAGE_FILES,
            Capability.RELAY_LOGS, Capability.CAPTURE_FRAMES, Capability.CLOCK_SKEW,
            Capability.RELAY_RESOURCES, Capability.RELAY_COUNTERS));

    /**
     * The capabilities of a real topology with {@code settings}: {@link #CAPABILITIES}, with device
     * processes also {@link Capability#DEVICE_PROCESSES} and {@link Capability#PAUSE_DEVICE}, with tmpfs mounts (and root) also {@link Capability#DISK_FULL}.
     */
    static Set<Capability> capabilities(RealTopologyFactory.Settings settings) {
        EnumSet<Capability> c = EnumSet.copyOf(CAPABILITIES);
        c.add(Capability.DUPLICATE_IDENTITY);
        if (settings.deviceProcesses()) {
            c.add(Capability.DEVICE_PROCESSES);
            c.add(Capability.PAUSE_DEVICE);
        } else {
            // The device's transport and crypto are in this JVM: faults above QUIC and a watched KeyExchange.
            c.remove(Capability.CORRUPT_PACKET);
            c.addAll(IN_PROCESS_DEVICE_CAPABILITIES);
        }
        if (settings.diskFull() && TmpfsMount.unavailableReason() == null) {
            c.add(Capability.DISK_FULL);
        }
        return Collections.unmodifiableSet(c);
    }

    /** What in-process devices add: faults above QUIC ({@link DeliveredFaultTransport}) and an {@link InstrumentedKeyExchange}. */
    static final Set<Capability> IN_PROCESS_DEVICE_CAPABILITIES = Collections.unmodifiableSet(EnumSet.of(
            Capability.CORRUPT_DELIVERED, Capability.TRUNCATE_DELIVERED, Capability.REORDER_DELIVERED,
            Capability.REPLAY_DELIVERED, Capability.FAULTY_KEY_EXCHANGE, Capability.CHANNEL_COUNTERS));

    /** Size of each tmpfs under a relay's data directory or a device's home with {@code withDiskFull()}. */
    public static final long DISK_FULL_MOUNT_BYTES = 16L << 20;
    /** JVM options of a device process: C1 only, serial GC, a small heap (a device holds a few MiB). */
    private static final List<String> AGENT_JVM_OPTIONS = List.of("-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC",
            "-Xmx128m", "-Xss512k");
    private static final Duration AGENT_START_TIMEOUT = Duration.ofSeconds(60);

    static final long POLL_MILLIS = 25;
    /** How long a relay process may take to print its endpoint and key. */
    private static final Duration RELAY_START_TIMEOUT = Duration.ofSeconds(60);
    private static final Duration RELAY_STOP_TIMEOUT = Duration.ofSeconds(30);
    /** A lane task (push, cursor read, crash) must finish within this. */
    private static final Duration LANE_TIMEOUT = Duration.ofSeconds(30);
    private static final long CAPTURE_LIMIT_BYTES = 256L << 20;
    /** Fault events recorded one by one in the timeline; later ones are only counted. */
    private static final int FAULT_EVENTS_RECORDED = 20_000;
    /** Extra delay of a reordered datagram (the mock holds reordered messages back as long). */
    private static final Duration REORDER_HOLD = Duration.ofMillis(50);

    private final long seed;
    private final Path workDir;
    private final RealTopologyFactory.Settings settings;
    private final SeededEntropy master;
    private final Clock clock;
    private final Entropy entropy;
    private final KeyExchange crypto;
    private final Timeline timeline;
    private final List<RealRelay> relays = new ArrayList<>();
    private final List<RealDevice> devices = new ArrayList<>();
    private final List<RealGroup> groups = new ArrayList<>();
    /** Every tmpfs this topology mounted ({@code withDiskFull()}); unmounted by {@link #close()}. */
    private final List<TmpfsMount> mounts = new ArrayList<>();
    private final Map<BlobId, String> blobLabels = new ConcurrentHashMap<>();
    private final List<byte[]> frames = new ArrayList<>();
    private long frameBytes;
    private final AtomicLong faultEvents = new AtomicLong();
    /** Transports of duplicate-identity connections still open; closed by {@link #close()}. */
    private final List<Transport> twins = new java.util.concurrent.CopyOnWriteArrayList<>();
    /** Relay log lines the scenario declared expected; see {@link #expectRelayLog}. */
    private final List<ExpectedLogLine> expectedLogLines = new ArrayList<>();
    private boolean logsVerified;
    private boolean closed;

    /**
     * Opens an empty topology; relays and devices come with {@link #addRelay} and {@link #addDevice}.
     *
     * @param seed the proxies' fault seeds derive from it
     * @param workDir an empty directory for relay data, logs, configuration and device stores
     *     (deleted by {@link #close()})
     * @param settings relay configuration and device transport settings
     * @throws ChaosException if the crypto, clock or entropy provider cannot open
     */
    public RealTopology(long seed, Path workDir, RealTopologyFactory.Settings settings) {
        this.seed = seed;
        this.workDir = workDir;
        this.settings = settings;
        this.master = new SeededEntropy(seed);
        try {
            this.crypto = Providers.select(KeyExchangeProvider.class, "bouncycastle").open(ProviderConfig.EMPTY);
            this.clock = Providers.select(ClockProvider.class, "system").open(ProviderConfig.EMPTY);
            this.entropy = Providers.select(EntropyProvider.class, "drbg").open(ProviderConfig.EMPTY);
            Files.createDirectories(workDir);
        } catch (Exception e) {
            throw new ChaosException("cannot open the real topology's providers: " + e.getMessage(), e);
        }
        this.timeline = new Timeline(clock::now);
        timeline.note("topology", "real seed=" + seed);
    }

    @Override
    public String kind() {
        return "real";
    }

    @Override
    public long seed() {
        return seed;
    }

    @Override
    public Set<Capability> capabilities() {
        return capabilities(settings);
    }

    @Override
    public Timeline timeline() {
        return timeline;
    }

    @Override
    public Instant now() {
        return clock.now();
    }

    // ------------------------------------------------------------------ members

    @Override
    public Group newGroup() {
        RealGroup g = new RealGroup("group-" + (groups.size() + 1), entropy.bytes(GroupKeys.SECRET_BYTES));
        g.id = new GroupId(groupId(g));
        groups.add(g);
        timeline.inject("new-group", g.name);
        return g;
    }

    @Override
    public Relay addRelay() {
        String name = "relay-" + (relays.size() + 1);
        Path dir = workDir.resolve(name);
        RealRelay r = new RealRelay(name, dir.resolve("data"), dir.resolve("relay.properties"), dir.resolve("relay.log"));
        relays.add(r);
        try {
            Files.createDirectories(dir);
            if (settings.diskFull()) {
                r.mount = mountFor(r.dataDir);
            }
            Map<String, String> config = new TreeMap<>(settings.relaySettings());
            // Port 0: the relay binds a free port itself (a port probed free here could be taken by another
            // lane's socket before the relay binds it: "ADDRESS_IN_USE"); its first start fixes the port.
            config.put("listen", "127.0.0.1:0");
            config.put("http.listen", "127.0.0.1:0");
            config.put("data.dir", r.dataDir.toString());
            StringBuilder text = new StringBuilder();
            config.forEach((k, v) -> text.append(k).append('=').append(v).append('\n'));
            Files.writeString(r.configFile, text.toString());
        } catch (IOException e) {
            throw new ChaosException("cannot write the configuration of " + name + ": " + e.getMessage(), e);
        }
        timeline.inject("add-relay", name);
        startRelay(r);
        return r;
    }

    @Override
    public Device addDevice(Group group, List<Relay> relaysInOrder) {
        return addDevice(group, relaysInOrder, Duration.ZERO);
    }

    @Override
    public Device addDevice(Group group, List<Relay> relaysInOrder, Duration clockOffset) {
        return addDevice(group, relaysInOrder, clockOffset, Optional.empty());
    }

    /** An in-process device whose KeyExchange port breaks {@code fault} ({@link InstrumentedKeyExchange}). */
    @Override
    public Device addDevice(Group group, List<Relay> relaysInOrder, KeyExchangeFault fault) {
        requireInProcess("break a device's key exchange");
        return addDevice(group, relaysInOrder, Duration.ZERO, Optional.of(fault));
    }

    private void requireInProcess(String what) {
        if (settings.deviceProcesses()) {
            throw new NotRunException("the real topology can " + what + " only for in-process devices (the device "
                    + "processes' transport and crypto are out of reach of the topology)");
        }
    }

    private Device addDevice(Group group, List<Relay> relaysInOrder, Duration clockOffset,
            Optional<KeyExchangeFault> keyFault) {
        if (relaysInOrder.isEmpty()) {
            throw new IllegalArgumentException("a device needs at least one relay");
        }
        String name = "device-" + (devices.size() + 1);
        List<RealRelay> rs = relaysInOrder.stream().map(r -> (RealRelay) r).toList();
        KeyPair identity;
        try {
            identity = StaticIdentity.generate(crypto.dh("25519"), entropy);
        } catch (Exception e) {
            throw new ChaosException("X25519 unavailable: " + e.getMessage(), e);
        }
        RealDevice d = new RealDevice(name, (RealGroup) group, rs, workDir.resolve(name), identity, clockOffset,
                new InstrumentedKeyExchange(crypto, keyFault, f -> onFault(name, "KEY_EXCHANGE " + f)));
        devices.add(d);
        if (settings.diskFull()) {
            d.mount = mountFor(d.home);
        }
        for (RealRelay r : rs) {
            d.proxies.put(r, startProxy(d, r));
        }
        d.faultSeed = master.childSeed();
        timeline.inject("add-device", name + " " + d.group.name + " relays=" + rs.stream().map(r -> r.name).toList()
                + (clockOffset.isZero() ? "" : " clock-offset=" + clockOffset)
                + keyFault.map(f -> " key-exchange-fault=" + f).orElse(""));
        startDevice(d);
        return d;
    }

    private UdpFaultProxy startProxy(RealDevice d, RealRelay r) {
        String link = d.name + "<->" + r.name;
        try {
            return UdpFaultProxy.builder(new InetSocketAddress(InetAddress.getLoopbackAddress(), r.port))
                    .listen(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))
                    .seed(master.childSeed())
                    .captureBytes(WireAudit.CAPTURE_BYTES)
                    .listener(event -> onFault(link, event))
                    .start();
        } catch (IOException e) {
            throw new ChaosException("cannot start the fault proxy of " + link + ": " + e.getMessage(), e);
        }
    }

    @Override
    public List<Relay> relays() {
        return List.copyOf(relays);
    }

    @Override
    public List<Device> devices() {
        return List.copyOf(devices);
    }

    // ------------------------------------------------------------------ faults

    @Override
    public void setFaults(Device device, Relay relay, LinkDirection direction, LinkFaults faults) {
        RealDevice d = (RealDevice) device;
        RealRelay r = (RealRelay) relay;
        UdpFaultProxy proxy = d.proxies.get(r);
        if (proxy == null) {
            throw new IllegalArgumentException(d.name + " does not sync with " + r.name);
        }
        FaultProfile profile;
        if (settings.deviceProcesses()) {
            profile = toProfile(faults);
        } else {
            // Corruption and truncation act above QUIC, in the device (as on the mock), not on datagrams.
            profile = toProfile(faults.withCorrupt(0).withTruncate(0));
            if (direction != LinkDirection.DOWN) {
                d.deliveredUp.merge(r, DeliveredFaultTransport.Faults.NONE.withTamper(faults.corruptRate(),
                        faults.truncateRate()), (old, now) -> old.withTamper(now.corruptRate(), now.truncateRate()));
            }
            if (direction != LinkDirection.UP) {
                d.deliveredDown.merge(r, DeliveredFaultTransport.Faults.NONE.withTamper(faults.corruptRate(),
                        faults.truncateRate()), (old, now) -> old.withTamper(now.corruptRate(), now.truncateRate()));
            }
            applyDelivered(d, r);
        }
        timeline.inject("faults", d.name + (direction == LinkDirection.UP ? "->" : direction == LinkDirection.DOWN
                ? "<-" : "<->") + r.name + " " + describe(faults));
        if (direction != LinkDirection.DOWN) {
            proxy.setProfile(Direction.UP, profile);
        }
        if (direction != LinkDirection.UP) {
            proxy.setProfile(Direction.DOWN, profile);
        }
    }

    /**
     * The proxy profile for {@code faults}.
     *
     * @throws NotRunException for message truncation, which the wire cannot do above QUIC
     */
    static FaultProfile toProfile(LinkFaults faults) {
        if (faults.truncateRate() > 0) {
            throw new NotRunException("the UDP fault proxy cannot truncate messages above QUIC "
                    + "(a shortened datagram fails QUIC's packet protection: it is loss)");
        }
        FaultProfile p = FaultProfile.NONE.withLatency(faults.delay(), faults.jitter());
        if (faults.burstLength() > 0 && faults.lossRate() > 0) {
            // Gilbert-Elliott with certain loss in the bad state: mean burst = 1 / badToGood, and
            // the stationary bad-state share (the overall loss rate) = g / (g + b).
            double badToGood = 1.0 / Math.max(1.0, faults.burstLength());
            double goodToBad = Math.min(1.0, faults.lossRate() * badToGood / (1.0 - faults.lossRate()));
            p = p.withBurstLoss(new BurstLoss(goodToBad, badToGood, 1.0));
        } else {
            p = p.withLoss(faults.lossRate());
        }
        if (faults.reorderRate() > 0) {
            p = p.withReorder(faults.reorderRate(), REORDER_HOLD);
        }
        p = p.withDuplicate(faults.duplicateRate()).withCorrupt(faults.corruptRate());
        if (faults.bandwidthBytesPerSecond() > 0) {
            p = p.withBandwidth(faults.bandwidthBytesPerSecond());
        }
        if (faults.limitBytes() != Long.MAX_VALUE) {
            p = p.withLimitData(faults.limitBytes());
        }
        return p.withPartitioned(faults.partitioned());
    }

    static String describe(LinkFaults f) {
        if (f.equals(LinkFaults.NONE)) {
            return "none";
        }
        List<String> parts = new ArrayList<>();
        if (!f.delay().isZero() || !f.jitter().isZero()) {
            parts.add("delay=" + f.delay().toMillis() + "ms+-" + f.jitter().toMillis() + "ms");
        }
        if (f.lossRate() > 0) {
            parts.add("loss=" + f.lossRate() + (f.burstLength() > 0 ? " burst=" + f.burstLength() : ""));
        }
        if (f.duplicateRate() > 0) {
            parts.add("duplicate=" + f.duplicateRate());
        }
        if (f.reorderRate() > 0) {
            parts.add("reorder=" + f.reorderRate());
        }
        if (f.corruptRate() > 0) {
            parts.add("corrupt=" + f.corruptRate());
        }
        if (f.truncateRate() > 0) {
            parts.add("truncate=" + f.truncateRate());
        }
        if (f.limitBytes() != Long.MAX_VALUE) {
            parts.add("limit=" + f.limitBytes() + "B");
        }
        if (f.bandwidthBytesPerSecond() > 0) {
            parts.add("bandwidth=" + f.bandwidthBytesPerSecond() + "B/s");
        }
        if (f.partitioned()) {
            parts.add("partitioned");
        }
        return String.join(",", parts);
    }

    private void onFault(String link, FaultEvent event) {
        onFault(link, event.fault() + " " + event.direction());
    }

    /** One fault that acted ({@code what}: its kind and direction), on {@code where}. */
    private void onFault(String where, String what) {
        long n = faultEvents.incrementAndGet();
        if (n <= FAULT_EVENTS_RECORDED) {
            timeline.observe("fault", what.contains(" ") ? what.substring(0, what.indexOf(' ')) + " " + where
                    + what.substring(what.indexOf(' ')) : what + " " + where);
        } else if (n == FAULT_EVENTS_RECORDED + 1) {
            timeline.note("faults", "more than " + FAULT_EVENTS_RECORDED + " injections: later ones are not listed");
        }
    }

    /** Hands the device's current delivered faults of the link to {@code r} to its running decorator. */
    private void applyDelivered(RealDevice d, RealRelay r) {
        if (d.delivered != null) {
            Endpoint link = d.linkEndpoint(r);
            d.delivered.setFaults(link, LinkDirection.UP, d.deliveredUp.getOrDefault(r, DeliveredFaultTransport.Faults.NONE));
            d.delivered.setFaults(link, LinkDirection.DOWN, d.deliveredDown.getOrDefault(r,
                    DeliveredFaultTransport.Faults.NONE));
        }
    }

    /**
     * Reorders and replays whole messages above QUIC in {@code device}'s transport
     * ({@link DeliveredFaultTransport}); kept across device restarts.
     *
     * @throws NotRunException with device processes
     */
    @Override
    public void setDeliveredFaults(Device device, Relay relay, LinkDirection direction, double reorderRate,
            double replayRate) {
        requireInProcess("reorder or replay messages above QUIC");
        RealDevice d = (RealDevice) device;
        RealRelay r = (RealRelay) relay;
        if (!d.proxies.containsKey(r)) {
            throw new IllegalArgumentException(d.name + " does not sync with " + r.name);
        }
        DeliveredFaultTransport.Faults faults = DeliveredFaultTransport.Faults.NONE.withDelivered(reorderRate, replayRate);
        timeline.inject("delivered-faults", d.name + (direction == LinkDirection.UP ? "->" : direction == LinkDirection.DOWN
                ? "<-" : "<->") + r.name + " reorder=" + reorderRate + " replay=" + replayRate);
        if (direction != LinkDirection.DOWN) {
            d.deliveredUp.merge(r, faults, (old, now) -> old.withDelivered(reorderRate, replayRate));
        }
        if (direction != LinkDirection.UP) {
            d.deliveredDown.merge(r, faults, (old, now) -> old.withDelivered(reorderRate, replayRate));
        }
        applyDelivered(d, r);
    }

    /**
     * A second connection with {@code device}'s identity and group keys, over a fresh {@code quic}
     * transport through the device's link to {@code relay} (its proxy: the link's faults apply to
     * both), doing the handshake and one Hello now ({@link DuplicateIdentityConnection}). Its open
     * connections are the relay's {@code zerok_relay_connections_active} plus
     * {@code _unauthenticated} gauges. Works with in-process devices and device processes alike.
     */
    @Override
    public DuplicateConnection openDuplicateIdentity(Device device, Relay relay) {
        RealDevice d = (RealDevice) device;
        RealRelay r = (RealRelay) relay;
        requireRunning(r);
        if (!d.proxies.containsKey(r)) {
            throw new IllegalArgumentException(d.name + " does not sync with " + r.name);
        }
        String label = d.name + "-twin";
        timeline.inject("duplicate-identity", label + " -> " + r.name);
        Transport transport = null;
        try {
            ProviderContext context = new ProviderContext(clock, entropy);
            transport = new CapturingTransport(Providers.select(TransportProvider.class, "quic").open(
                    new ProviderConfig(new TreeMap<>(settings.deviceTransportSettings())), context), this::capture);
            GroupKeys keys = GroupKeys.derive(crypto, Secret.copyOf(d.group.secret));
            DuplicateIdentityConnection twin = DuplicateIdentityConnection.open(transport, d.linkEndpoint(r), r.id,
                    d.identity, keys, crypto, entropy, StaticIdentity.deviceId(crypto.hash("SHA256"), d.identity.publicKey()),
                    what -> timeline.observe("twin", label + " " + what), () -> relayConnections(r));
            Transport owned = transport;
            twins.add(owned);
            return new DuplicateConnection() {
                @Override
                public boolean welcomed() {
                    return twin.welcomed();
                }

                @Override
                public Optional<String> errorCode() {
                    return twin.errorCode();
                }

                @Override
                public boolean open() {
                    return twin.open();
                }

                @Override
                public int relayConnections() {
                    return twin.relayConnections();
                }

                @Override
                public void close() {
                    twin.close();
                    owned.close();
                    twins.remove(owned);
                }
            };
        } catch (Exception e) {
            if (transport != null) {
                transport.close();
            }
            throw new ChaosException("cannot open a second connection for " + d.name + ": " + e.getMessage(), e);
        }
    }

    /** Connections {@code r} holds open now (authenticated or not), from its /metrics gauges. */
    private int relayConnections(RealRelay r) {
        Map<String, Double> metrics = scrapeMetrics(r);
        Double active = metrics.get("zerok_relay_connections_active");
        Double unauthenticated = metrics.get("zerok_relay_connections_unauthenticated");
        if (active == null || unauthenticated == null) {
            throw new ChaosException(r.name + "'s /metrics has no zerok_relay_connections_active/_unauthenticated gauge");
        }
        return (int) (active + unauthenticated);
    }

    /**
     * What an in-process device's Noise sessions did (its {@code SyncClient}'s totals, read on its
     * lane) and what its watched AEAD sealed.
     *
     * @throws NotRunException with device processes
     */
    @Override
    public ChannelCounters channelCounters(Device device) {
        requireInProcess("count a device's Noise messages");
        RealDevice d = (RealDevice) device;
        if (!d.running) {
            throw new ChaosException(d.name + " is not running");
        }
        SyncClient.ChannelTotals c;
        try {
            c = d.client.channelTotals().get(LANE_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException | TimeoutException e) {
            throw new ChaosException(d.name + ": cannot read its channel totals: " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ChaosException("interrupted", e);
        }
        return new ChannelCounters(c.sessions(), c.sealed(), c.opened(), c.sendRekeys(), c.receiveRekeys(),
                c.nonceMismatches(), d.crypto.seals(), d.crypto.keyNonceReuses());
    }

    /**
     * The relays' {@code noise.rekey.interval.*} settings, for in-process devices too: both ends of a
     * session must re-key at the same message (E-ENC-05 sets a small interval).
     */
    private RekeyPolicy rekeyPolicy() {
        RekeyPolicy d = RekeyPolicy.DEFAULT;
        Map<String, String> relay = settings.relaySettings();
        return new RekeyPolicy(
                Long.parseLong(relay.getOrDefault("noise.rekey.interval.messages", String.valueOf(d.everyMessages()))),
                Long.parseLong(relay.getOrDefault("noise.rekey.interval.bytes", String.valueOf(d.everyBytes()))));
    }

    // ------------------------------------------------------------------ relays

    @Override
    public void killRelay(Relay relay) {
        RealRelay r = (RealRelay) relay;
        requireRunning(r);
        timeline.inject("kill-relay", r.name);
        // Relay counters: read before the process and its counts are gone, with its links cut from the
        // read to the kill, so that no page is served after the read and received (a SIGKILL drops what
        // is in flight anyway). Under load a page served in that gap made "served" lag the cursors.
        Map<UdpFaultProxy, boolean[]> cut = cutLinks(r);
        try {
            keepRelayCounters(r);
            r.process.destroyForcibly();
            awaitExit(r, RELAY_STOP_TIMEOUT);
        } finally {
            restoreLinks(cut);
        }
        r.running = false;
        r.paused = false;
    }

    /** Partitions both directions of every device's link to {@code r}; returns each proxy's previous flags (UP, DOWN). */
    private Map<UdpFaultProxy, boolean[]> cutLinks(RealRelay r) {
        Map<UdpFaultProxy, boolean[]> before = new HashMap<>();
        for (RealDevice d : devices) {
            UdpFaultProxy p = d.proxies.get(r);
            if (p != null) {
                before.put(p, new boolean[] {p.profile(Direction.UP).partitioned(), p.profile(Direction.DOWN).partitioned()});
                p.partition();
            }
        }
        return before;
    }

    /** Undoes {@link #cutLinks}: each direction partitioned again exactly if it was before. */
    private static void restoreLinks(Map<UdpFaultProxy, boolean[]> before) {
        before.forEach((p, flags) -> {
            p.updateProfile(Direction.UP, f -> f.withPartitioned(flags[0]));
            p.updateProfile(Direction.DOWN, f -> f.withPartitioned(flags[1]));
        });
    }

    @Override
    public void stopRelay(Relay relay) {
        RealRelay r = (RealRelay) relay;
        requireRunning(r);
        timeline.inject("stop-relay", r.name);
        if (r.paused) {
            signal(r, "CONT");
            r.paused = false;
        }
        keepRelayCounters(r); // relay counters: before the process and its counts are gone
        r.process.destroy();
        if (!awaitExit(r, RELAY_STOP_TIMEOUT)) {
            r.process.destroyForcibly();
            awaitExit(r, RELAY_STOP_TIMEOUT);
            r.running = false;
            throw new ChaosException(r.name + " did not stop within " + RELAY_STOP_TIMEOUT + " of SIGTERM; killed");
        }
        r.running = false;
        timeline.observe("relay-exit", r.name + " code=" + r.process.exitValue());
    }

    @Override
    public void restartRelay(Relay relay) {
        RealRelay r = (RealRelay) relay;
        if (r.running) {
            throw new ChaosException(r.name + " is running");
        }
        timeline.inject("restart-relay", r.name);
        startRelay(r);
    }

    @Override
    public void pauseRelay(Relay relay) {
        RealRelay r = (RealRelay) relay;
        requireRunning(r);
        if (r.paused) {
            throw new ChaosException(r.name + " is paused already");
        }
        timeline.inject("pause-relay", r.name);
        signal(r, "STOP");
        r.paused = true;
    }

    @Override
    public void resumeRelay(Relay relay) {
        RealRelay r = (RealRelay) relay;
        requireRunning(r);
        if (!r.paused) {
            throw new ChaosException(r.name + " is not paused");
        }
        timeline.inject("resume-relay", r.name);
        signal(r, "CONT");
        r.paused = false;
    }

    /** Sends SIGSTOP or SIGCONT through kill(1): the JDK can only send TERM and KILL. */
    private static void signal(RealRelay r, String signal) {
        signal(r.process.pid(), r.name, signal);
    }

    /**
     * Sends the signal and returns once the process shows its effect in /proc: stopped ("T") after
     * STOP, running again after CONT. kill(1) returns when the signal is sent; the kernel stops a
     * process's threads after that, so a caller that looked at once could see it still running.
     */
    private static void signal(long pid, String name, String signal) {
        try {
            Process kill = new ProcessBuilder("kill", "-" + signal, String.valueOf(pid))
                    .redirectErrorStream(true).start();
            if (!kill.waitFor(10, TimeUnit.SECONDS) || kill.exitValue() != 0) {
                throw new ChaosException("kill -" + signal + " " + name + " failed: "
                        + new String(kill.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip());
            }
            boolean wantStopped = signal.equals("STOP");
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (stopped(pid) != wantStopped) {
                if (System.nanoTime() > deadline) {
                    throw new ChaosException(name + " did not " + (wantStopped ? "stop" : "continue")
                            + " within 5 s of kill -" + signal);
                }
                Thread.sleep(1);
            }
        } catch (IOException e) {
            throw new ChaosException("cannot run kill -" + signal + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ChaosException("interrupted while signalling " + name, e);
        }
    }

    /** True if /proc says process {@code pid} is stopped (state T); false if it runs or is gone. */
    private static boolean stopped(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
            int close = stat.lastIndexOf(')');
            return close > 0 && close + 2 < stat.length() && stat.charAt(close + 2) == 'T';
        } catch (IOException e) {
            return false;
        }
    }

    private static boolean awaitExit(RealRelay r, Duration timeout) {
        try {
            return r.process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ChaosException("interrupted while waiting for " + r.name + " to exit", e);
        }
    }

    private void startRelay(RealRelay r) {
        long logOffset;
        try {
            logOffset = Files.exists(r.logFile) ? Files.size(r.logFile) : 0;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        List<String> command = new ArrayList<>();
        command.add(ProcessHandle.current().info().command().orElse("java"));
        command.add("--enable-native-access=ALL-UNNAMED");
        command.addAll(settings.relayJvmOptions());
        command.add("-Dzerok.log.level=TRACE");
        // The test class path may hold a quieter logback-test.xml; the relay must log as shipped.
        command.add("-Dlogback.configurationFile=" + relayLogbackConfig());
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(RelayMain.class.getName());
        command.add("--config");
        command.add(r.configFile.toString());
        try {
            r.process = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(r.logFile.toFile())).start();
        } catch (IOException e) {
            throw new ChaosException("cannot start " + r.name + ": " + e.getMessage(), e);
        }
        Instant deadline = Instant.now().plus(RELAY_START_TIMEOUT);
        String key = null;
        Endpoint listening = null;
        // The health line comes last of the three start-up lines; a new process has a new HTTP port.
        r.httpBase = null;
        while (key == null || listening == null || r.httpBase == null) {
            for (String line : readLines(r.logFile, logOffset)) {
                if (line.contains("listening on quic://")) {
                    listening = Endpoint.parse(line.substring(line.indexOf("quic://") + 7).trim());
                } else if (line.startsWith("relay public key")) {
                    key = line.substring(line.lastIndexOf(' ') + 1).trim();
                } else if (line.startsWith("health: http://")) {
                    r.httpBase = line.substring("health: ".length(), line.indexOf("/health"));
                }
            }
            if (key != null && listening != null && r.httpBase != null) {
                break;
            }
            if (!r.process.isAlive()) {
                throw new ChaosException(r.name + " exited with code " + r.process.exitValue() + " at start:\n"
                        + String.join("\n", tail(readLines(r.logFile, logOffset), 20)));
            }
            if (Instant.now().isAfter(deadline)) {
                r.process.destroyForcibly();
                throw new ChaosException(r.name + " printed no endpoint within " + RELAY_START_TIMEOUT);
            }
            pause(POLL_MILLIS);
        }
        if (r.port == 0) {
            r.port = listening.port(); // the first start: restarts listen on the same port
            try {
                String config = Files.readString(r.configFile).replace("listen=127.0.0.1:0\n",
                        "listen=127.0.0.1:" + r.port + "\n");
                Files.writeString(r.configFile, config);
            } catch (IOException e) {
                r.process.destroyForcibly();
                throw new ChaosException("cannot fix the port in the configuration of " + r.name + ": " + e.getMessage(), e);
            }
        } else if (listening.port() != r.port) {
            r.process.destroyForcibly();
            throw new ChaosException(r.name + " listens on port " + listening.port() + ", expected " + r.port);
        }
        RelayId id;
        try {
            id = new RelayId(StaticIdentity.decodePublic(HexFormat.of().parseHex(key)));
        } catch (Exception e) {
            r.process.destroyForcibly();
            throw new ChaosException(r.name + " printed an unreadable public key", e);
        }
        if (r.id != null && !r.id.equals(id)) {
            r.process.destroyForcibly();
            throw new ChaosException(r.name + " came back with a different identity");
        }
        r.id = id;
        r.running = true;
        r.paused = false;
        r.starts++;
        recordStartedProcess(r); // relay resources / cleanup proof (section "relay resources")
        timeline.observe("relay-up", r.name + " start=" + r.starts);
    }

    private static String relayLogbackConfig() {
        URL location = RelayMain.class.getProtectionDomain().getCodeSource().getLocation();
        String base = location.toString();
        return base.endsWith(".jar") ? "jar:" + base + "!/logback.xml" : base + (base.endsWith("/") ? "" : "/")
                + "logback.xml";
    }

    private static void requireRunning(RealRelay r) {
        if (!r.running) {
            throw new ChaosException(r.name + " is not running");
        }
    }

    // ------------------------------------------------------------------ devices

    @Override
    public void crashDevice(Device device) {
        RealDevice d = (RealDevice) device;
        if (!d.running) {
            throw new ChaosException(d.name + " is not running");
        }
        timeline.inject("crash-device", d.name);
        d.running = false;
        d.paused = false;
        if (d.agent != null) {
            d.agent.kill(LANE_TIMEOUT);
            timeline.observe("device-exit", d.name + " pid=" + d.agent.pid() + " code=" + d.agent.exitCode());
            return;
        }
        d.client.abort();
        stopDevice(d);
    }

    /** SIGSTOP of the device's process: its sockets stay open and silent (a laptop lid closed). */
    @Override
    public void pauseDevice(Device device) {
        RealDevice d = requireProcess(device);
        if (d.paused) {
            throw new ChaosException(d.name + " is paused already");
        }
        timeline.inject("pause-device", d.name);
        signal(d.agent.pid(), d.name, "STOP");
        d.paused = true;
    }

    /** SIGCONT of a paused device's process. */
    @Override
    public void resumeDevice(Device device) {
        RealDevice d = requireProcess(device);
        if (!d.paused) {
            throw new ChaosException(d.name + " is not paused");
        }
        timeline.inject("resume-device", d.name);
        signal(d.agent.pid(), d.name, "CONT");
        d.paused = false;
    }

    private RealDevice requireProcess(Device device) {
        RealDevice d = (RealDevice) device;
        if (!settings.deviceProcesses()) {
            throw new NotRunException("the real topology pauses devices only as processes (Settings.withDeviceProcesses)");
        }
        if (!d.running) {
            throw new ChaosException(d.name + " is not running");
        }
        return d;
    }

    /** The exit status of the device's last process (137: SIGKILL), -1 while it runs; empty in-process. */
    public OptionalLong deviceExitCode(Device device) {
        ProcessDevice agent = ((RealDevice) device).agent;
        return agent == null ? OptionalLong.empty() : OptionalLong.of(agent.exitCode());
    }

    /** The OS process id of the device's current (or last) process; empty for in-process devices. */
    public OptionalLong devicePid(Device device) {
        ProcessDevice agent = ((RealDevice) device).agent;
        return agent == null ? OptionalLong.empty() : OptionalLong.of(agent.pid());
    }

    /** Waits for the lane to run what was queued (the abort), then closes the device's resources. */
    private void stopDevice(RealDevice d) {
        try {
            d.executor.submit(() -> { }).get(LANE_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException e) {
            // the lane is stuck or gone: close what we can, the device is dead either way
        }
        d.laneOpen = false;
        d.executor.shutdown();
        try {
            d.executor.awaitTermination(LANE_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        d.transport.close();
        d.store.close();
        d.groupKeys.close();
        d.client = null;
    }

    @Override
    public void restartDevice(Device device) {
        RealDevice d = (RealDevice) device;
        if (d.running) {
            throw new ChaosException(d.name + " is running");
        }
        timeline.inject("restart-device", d.name);
        startDevice(d);
    }

    private void startDevice(RealDevice d) {
        if (settings.deviceProcesses()) {
            startProcessDevice(d);
            return;
        }
        try {
            Files.createDirectories(d.home);
            Map<RelayId, Endpoint> endpoints = new LinkedHashMap<>();
            for (RealRelay r : d.relays) {
                endpoints.put(r.id, new Endpoint("127.0.0.1", d.proxies.get(r).listenAddress().getPort()));
            }
            DeviceId deviceId = StaticIdentity.deviceId(crypto.hash("SHA256"), d.identity.publicKey());
            Clock clockOfDevice = d.clockOffset.isZero() ? clock : new OffsetClock(clock, d.clockOffset);
            ProviderContext context = new ProviderContext(clockOfDevice, entropy);
            d.store = Providers.select(ClientStateStoreProvider.class, "sqlite").open(
                    ProviderConfig.of("path", d.home.resolve("state.db").toString()), context);
            d.groupKeys = GroupKeys.derive(crypto, Secret.copyOf(d.group.secret));
            Map<String, String> transportSettings = new TreeMap<>(settings.deviceTransportSettings());
            // Captured as QUIC carries it; tampered with above that, next to the device's Noise.
            Map<Endpoint, String> links = new HashMap<>();
            d.relays.forEach(r -> links.put(d.linkEndpoint(r), d.name + "<->" + r.name));
            d.delivered = new DeliveredFaultTransport(new CapturingTransport(Providers.select(TransportProvider.class,
                    "quic").open(new ProviderConfig(transportSettings), context), this::capture), d.faultSeed + d.starts++,
                    (kind, link, direction, size) -> onFault(links.getOrDefault(link, d.name), kind + " " + direction));
            d.relays.forEach(r -> applyDelivered(d, r));
            d.transport = d.delivered;
            AtomicInteger threads = new AtomicInteger();
            d.executor = Executors.newSingleThreadExecutor(task -> {
                Thread t = new Thread(task, d.name + "-lane-" + threads.incrementAndGet());
                t.setDaemon(true);
                return t;
            });
            d.laneOpen = true;
            ExecutorService executor = d.executor;
            SyncConfig config = SyncConfig.defaults(deviceId, List.copyOf(endpoints.keySet()));
            d.client = new SyncClient(config, d.identity, d.groupKeys, endpoints, d.transport, clockOfDevice, d.crypto,
                    entropy, d.store, blob -> {
                        d.deliveries.incrementAndGet();
                        boolean first;
                        synchronized (d) {
                            first = d.received.putIfAbsent(blob.blob(), blob.data()) == null;
                        }
                        timeline.observe(first ? "deliver" : "redeliver", d.name + " " + label(blob.blob()));
                    }, task -> {
                        // Transport and timer callbacks after a crash find the lane closed: a
                        // crashed process runs nothing.
                        if (d.laneOpen) {
                            try {
                                executor.execute(task);
                            } catch (RejectedExecutionException afterCrash) {
                                // same: the device is gone
                            }
                        }
                    }, FrameCodec.DEFAULT_MAX_FRAME_BYTES);
            d.client.addListener(event -> onEvent(d, event));
            d.client.rekeyPolicy(rekeyPolicy());
            d.running = true;
            d.client.start();
        } catch (ChaosException e) {
            throw e;
        } catch (Exception e) {
            throw new ChaosException("cannot start " + d.name + ": " + e.getMessage(), e);
        }
    }

    /**
     * Starts {@code d} as a {@link DeviceAgentMain} process on its home (same identity, stores and
     * received log as before a crash) and waits for its ready line.
     */
    private void startProcessDevice(RealDevice d) {
        Path config = d.dir.resolve("agent.properties");
        try {
            Files.createDirectories(d.home);
            StringBuilder text = new StringBuilder();
            text.append("name=").append(d.name).append('\n');
            text.append("home=").append(d.home).append('\n');
            text.append("frames=").append(d.dir.resolve("frames.bin")).append('\n');
            try (Secret key = StaticIdentity.encodePrivate(d.identity)) {
                text.append("identity=").append(HexFormat.of().formatHex(key.expose())).append('\n');
            }
            text.append("group.secret=").append(HexFormat.of().formatHex(d.group.secret)).append('\n');
            List<String> relayList = new ArrayList<>();
            for (RealRelay r : d.relays) {
                relayList.add(r.id.hex() + "@127.0.0.1:" + d.proxies.get(r).listenAddress().getPort());
            }
            text.append("relays=").append(String.join(",", relayList)).append('\n');
            text.append("clock.offset.ms=").append(d.clockOffset.toMillis()).append('\n');
            settings.deviceTransportSettings().forEach((k, v) -> text.append("transport.").append(k).append('=')
                    .append(v).append('\n'));
            // Key material: owner-only, inside the work directory the topology deletes.
            Files.deleteIfExists(config);
            Files.createFile(config, java.nio.file.attribute.PosixFilePermissions.asFileAttribute(
                    java.nio.file.attribute.PosixFilePermissions.fromString("rw-------")));
            Files.writeString(config, text.toString());
        } catch (IOException e) {
            throw new ChaosException("cannot write the configuration of " + d.name + ": " + e.getMessage(), e);
        }
        List<String> command = new ArrayList<>();
        command.add(ProcessHandle.current().info().command().orElse("java"));
        command.add("--enable-native-access=ALL-UNNAMED");
        command.addAll(AGENT_JVM_OPTIONS);
        command.add("-Dorg.jooq.no-logo=true");
        command.add("-Dorg.jooq.no-tips=true");
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(DeviceAgentMain.class.getName());
        command.add(config.toString());
        d.agent = ProcessDevice.start(d.name, command, d.dir.resolve("agent.log"), AGENT_START_TIMEOUT,
                event -> onEvent(d, event), (blob, first) -> {
                    d.deliveries.incrementAndGet();
                    timeline.observe(first ? "deliver" : "redeliver", d.name + " " + label(blob));
                });
        d.running = true;
        timeline.observe("device-up", d.name + " pid=" + d.agent.pid());
    }

    private TmpfsMount mountFor(Path dir) {
        String why = TmpfsMount.unavailableReason();
        if (why != null) {
            throw new NotRunException(why);
        }
        TmpfsMount m = TmpfsMount.mount(dir, DISK_FULL_MOUNT_BYTES);
        mounts.add(m);
        return m;
    }

    /** Fills (or empties) the tmpfs under the relay's data directory with a ballast file. */
    @Override
    public void setRelayDiskFull(Relay relay, boolean full) {
        RealRelay r = (RealRelay) relay;
        fillOrFree(r.mount, r.name, "relay", full);
    }

    /** Fills (or empties) the tmpfs under the device's home (its state store and received log). */
    @Override
    public void setDeviceDiskFull(Device device, boolean full) {
        RealDevice d = (RealDevice) device;
        fillOrFree(d.mount, d.name, "device", full);
    }

    private void fillOrFree(TmpfsMount mount, String name, String kind, boolean full) {
        if (mount == null) {
            throw new NotRunException("the real topology fills disks only with Settings.withDiskFull() as root: "
                    + java.util.Objects.requireNonNullElse(TmpfsMount.unavailableReason(), "not enabled"));
        }
        if (full) {
            long ballast = mount.fill();
            timeline.inject(kind + "-disk-full", name + " ballast=" + ballast + "B");
        } else {
            mount.free();
            timeline.inject(kind + "-disk-freed", name);
        }
    }

    // ------------------------------------------------------------------ relay store

    @Override
    public int corruptStoredBlobs(Relay relay) {
        return flipStoredBits(relay, false);
    }

    /**
     * A modified relay (seed 000 A-PROTO-01): flips one bit in every stored payload and rewrites
     * the store's own SHA-256 of it to match, as a relay binary changed to tamper would, so the
     * relay's bit-rot check passes and the altered bytes are served. Only the devices' AEAD can
     * catch this. Call while the relay runs (SQLite allows the second writer).
     *
     * @return how many stored payloads were altered
     */
    public int tamperStoredBlobsConsistently(Relay relay) {
        return flipStoredBits(relay, true);
    }

    /** Flips one bit of every stored payload; with {@code rewriteHash} also the store's SHA-256 of it. */
    private int flipStoredBits(Relay relay, boolean rewriteHash) {
        RealRelay r = (RealRelay) relay;
        int altered;
        try {
            altered = SqliteRelayStoreAccess.flipPayloadBits(r.dataDir.resolve("relay.db"), master::nextLong, rewriteHash);
        } catch (SQLException e) {
            throw new ChaosException("cannot tamper with the store of " + r.name + ": " + e.getMessage(), e);
        }
        timeline.inject(rewriteHash ? "tamper-stored-blobs" : "corrupt-stored-blobs",
                r.name + " altered=" + altered + (rewriteHash ? " (hashes rewritten)" : ""));
        return altered;
    }

    @Override
    public boolean deleteStoredBlob(Relay relay, long cursor) {
        RealRelay r = (RealRelay) relay;
        return RelayStoreTamper.deleteStoredBlob(r.dataDir.resolve("relay.db"), r.name, cursor, timeline);
    }

    // ------------------------------------------------------------------ time

    @Override
    public void runFor(Duration duration) {
        pause(duration.toMillis());
    }

    @Override
    public boolean await(BooleanSupplier condition, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            if (condition.getAsBoolean()) {
                return true;
            }
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return false;
            }
            pause(Math.min(POLL_MILLIS, TimeUnit.NANOSECONDS.toMillis(left) + 1));
        }
    }

    private static void pause(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ChaosException("interrupted", e);
        }
    }

    @Override
    public boolean awaitConvergence(Duration timeout) {
        boolean converged = await(() -> DeviceHarness.converged(devices), timeout);
        timeline.observe(converged ? "converged" : "not-converged", "after up to " + timeout);
        return converged;
    }

    // ------------------------------------------------------------------ observations

    @Override
    public List<Path> relayStorageFiles(Relay relay) {
        try (Stream<Path> files = Files.walk(((RealRelay) relay).dataDir)) {
            return files.filter(Files::isRegularFile).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Every line the relay process printed (start-up lines and log records), over all its starts. */
    @Override
    public List<String> relayLogLines(Relay relay) {
        return readLines(((RealRelay) relay).logFile, 0);
    }

    // ------------------------------------------------------------------ relay counters (issue 11, helper "honest")

    /** Per relay: served blobs, pull requests and rate-limit refusals of its processes that ended, as {served, pulls, rate-limited}. */
    private final Map<RealRelay, long[]> countersOfEndedProcesses = new HashMap<>();

    /**
     * Served blobs and pull requests as the relay process counts them ({@code /metrics}, see
     * docs/OPERATIONS.md), summed over its processes: {@link #killRelay} and {@link #stopRelay} read
     * the counts of the process they end first. Stored rows from the relay's SQLite file opened
     * read-only. Limitation: a process that dies on its own (not through this topology), or that is
     * paused when it is killed, loses the counts since the last read; the sum is then low, which can
     * only make a "served at most N" check pass spuriously, never fail spuriously. A paused relay's
     * current process is not asked (it would not answer); its counts since the last read are left out.
     */
    @Override
    public RelayCounters relayCounters(Relay relay) {
        RealRelay r = (RealRelay) relay;
        long[] ended = countersOfEndedProcesses.getOrDefault(r, new long[3]);
        long[] current = r.running && !r.paused ? scrapeRelayCounters(r) : new long[3];
        return new RelayCounters(RelayCounterSource.rowsStored(relayDatabase(r)), ended[0] + current[0],
                ended[1] + current[1], ended[2] + current[2]);
    }

    /** Adds the counts of {@code r}'s current process to those of its ended ones; called just before it ends. */
    private void keepRelayCounters(RealRelay r) {
        if (r.paused) {
            return; // it would not answer; see relayCounters
        }
        long[] current;
        try {
            current = scrapeRelayCounters(r);
        } catch (ChaosException e) {
            timeline.observe("relay-counters-lost", r.name + " " + e.getMessage());
            return;
        }
        long[] sum = countersOfEndedProcesses.computeIfAbsent(r, k -> new long[3]);
        sum[0] += current[0];
        sum[1] += current[1];
        sum[2] += current[2];
    }

    /** {served, pulls, rate-limited} from the relay process's /metrics. */
    private long[] scrapeRelayCounters(RealRelay r) {
        Map<String, Double> metrics = scrapeMetrics(r);
        Double served = metrics.get(RelayCounterSource.BLOBS_SERVED);
        Double pulls = metrics.get(RelayCounterSource.PULLS);
        Double rateLimited = metrics.get(RelayCounterSource.RATE_LIMITED);
        if (served == null || pulls == null || rateLimited == null) {
            throw new ChaosException(r.name + "'s /metrics has no " + RelayCounterSource.BLOBS_SERVED + "/"
                    + RelayCounterSource.PULLS + "/" + RelayCounterSource.RATE_LIMITED);
        }
        return new long[] {served.longValue(), pulls.longValue(), rateLimited.longValue()};
    }

    // ------------------------------------------------------------------ end of relay counters

    /** The relay's log file (for failure captures). */
    public Path relayLogFile(Relay relay) {
        return ((RealRelay) relay).logFile;
    }

    /** The relay's UDP port on loopback (kept across restarts). */
    public int relayPort(Relay relay) {
        return ((RealRelay) relay).port;
    }

    /** The relay's identity as it printed it. */
    public RelayId relayId(Relay relay) {
        return ((RealRelay) relay).id;
    }

    /** The OS process id of the relay's current (or last) process. */
    public long relayPid(Relay relay) {
        return ((RealRelay) relay).process.pid();
    }

    /** The fault proxy on the link between {@code device} and {@code relay} (its stats, for reports). */
    public UdpFaultProxy proxy(Device device, Relay relay) {
        return ((RealDevice) device).proxies.get((RealRelay) relay);
    }

    /**
     * {@code http://host:port} where the relay's current process serves {@code /health} and
     * {@code /metrics} (printed at start-up; the port changes with each start).
     *
     * @throws ChaosException if the relay did not print it
     */
    public String relayHttpBase(Relay relay) {
        String base = ((RealRelay) relay).httpBase;
        if (base == null) {
            throw new ChaosException(relay.name() + " printed no health endpoint");
        }
        return base;
    }

    /** The relay's configuration file (the settings plus listen, http.listen, data.dir). */
    public Path relayConfigFile(Relay relay) {
        return ((RealRelay) relay).configFile;
    }

    /** The relay's SQLite database file (its {@code -wal} and {@code -shm} lie beside it). */
    public Path relayDatabase(Relay relay) {
        return ((RealRelay) relay).dataDir.resolve("relay.db");
    }

    /** The device's id, as the relay derives it from the device's static key. */
    public DeviceId deviceId(Device device) {
        try {
            return StaticIdentity.deviceId(crypto.hash("SHA256"), ((RealDevice) device).identity.publicKey());
        } catch (Exception e) {
            throw new ChaosException("SHA-256 unavailable: " + e.getMessage(), e);
        }
    }

    /** The group's 32-byte id (SHA-256 of its signing key), as relays store it. */
    public byte[] groupId(Group group) {
        try (GroupKeys keys = GroupKeys.derive(crypto, Secret.copyOf(((RealGroup) group).secret))) {
            return keys.groupId().bytes();
        } catch (Exception e) {
            throw new ChaosException("cannot derive the id of " + group.name() + ": " + e.getMessage(), e);
        }
    }

    // ------------------------------------------------------------------ relay log audit

    /** A relay log line the scenario provokes on purpose, and why (printed if the audit fails). */
    public record ExpectedLogLine(java.util.regex.Pattern pattern, String reason) {}

    /**
     * What the audit flags: a log record at ERROR, or an {@code IllegalStateException} /
     * {@code IllegalArgumentException} anywhere (a stack trace line, a message). Both mean the relay
     * hit a case its code did not handle, whatever the scenario did to it.
     */
    static final java.util.regex.Pattern ALARMING_LOG_LINE = java.util.regex.Pattern.compile(
            "(^|\\s)ERROR\\s|IllegalStateException|IllegalArgumentException");

    /**
     * Declares relay log lines matching {@code regex} expected in this scenario, so the audit at
     * {@link #verifyRelayLogs()} / {@link #close()} does not fail on them. Keep the pattern as
     * narrow as the provoked failure and say why in {@code reason}.
     */
    public void expectRelayLog(String regex, String reason) {
        expectedLogLines.add(new ExpectedLogLine(java.util.regex.Pattern.compile(regex), reason));
        timeline.note("expect-relay-log", regex + " (" + reason + ")");
    }

    /** The relay log lines the audit flags: alarming ({@link #ALARMING_LOG_LINE}) and not declared expected. */
    public List<String> unexpectedRelayLogLines() {
        List<String> flagged = new ArrayList<>();
        for (RealRelay r : relays) {
            for (String line : readLines(r.logFile, 0)) {
                if (ALARMING_LOG_LINE.matcher(line).find()
                        && expectedLogLines.stream().noneMatch(e -> e.pattern().matcher(line).find())) {
                    flagged.add(r.name + ": " + line);
                }
            }
        }
        return flagged;
    }

    /**
     * The global real-topology rule, run at the end of every scenario: fails if any relay logged an
     * ERROR record or an IllegalStateException/IllegalArgumentException that the scenario did not
     * declare with {@link #expectRelayLog}; if a relay log line carries metadata of the scenario
     * (invariant 5, {@link RelayLogLeaks}); if a fault proxy forwarded a datagram holding a slice of
     * a pushed blob's plaintext or of a group key (invariant 3 on the wire, {@link WireAudit}).
     * Runs once; {@link #close()} runs it if the scenario did not.
     *
     * @throws AssertionError listing the first offending lines, or naming the leak
     */
    @Override
    public void verifyRelayLogs() {
        if (logsVerified) {
            return;
        }
        logsVerified = true;
        List<String> flagged = unexpectedRelayLogLines();
        timeline.observe("relay-log-audit", flagged.isEmpty() ? "clean" : flagged.size() + " unexpected line(s)");
        if (!flagged.isEmpty()) {
            throw new AssertionError("relay log has " + flagged.size() + " unexpected ERROR/IllegalStateException/"
                    + "IllegalArgumentException line(s) [real -Dzerok.chaos.seed=" + seed + "]; declare provoked ones "
                    + "with RealTopology.expectRelayLog:\n" + String.join("\n", tail(flagged, 12)));
        }
        try {
            RelayLogLeaks.assertNone(this);
            timeline.observe("relay-log-leaks", "clean");
        } catch (AssertionError e) {
            timeline.observe("relay-log-leaks", "LEAK");
            throw new AssertionError(e.getMessage() + " [real -Dzerok.chaos.seed=" + seed + "]", e);
        }
        Optional<String> wireLeak = WireAudit.check(wireSecrets(), links(), timeline);
        if (wireLeak.isPresent()) {
            throw new AssertionError(wireLeak.get() + " [real -Dzerok.chaos.seed=" + seed + "]");
        }
    }

    /** Every device's pushed payloads and every group's secret, content key and chunk key. */
    private PlaintextWindows wireSecrets() {
        PlaintextWindows secrets = new PlaintextWindows();
        for (RealGroup g : groups) {
            secrets.add("the group secret of " + g.name, g.secret, 2);
            try (GroupKeys keys = GroupKeys.derive(crypto, Secret.copyOf(g.secret))) {
                secrets.add("the content key of " + g.name, keys.contentKey().expose().clone(), 2);
                secrets.add("the chunk key of " + g.name, keys.chunkKey().expose().clone(), 2);
            } catch (Exception e) {
                throw new ChaosException("cannot derive the keys of " + g.name + ": " + e.getMessage(), e);
            }
        }
        for (RealDevice d : devices) {
            d.pushed().forEach((id, data) -> secrets.add("the plaintext of " + blobLabels.getOrDefault(id, d.name
                    + "'s blob"), data, WireAudit.WINDOWS_PER_PAYLOAD));
        }
        return secrets;
    }

    /** Every device-relay link's proxy, by link name. */
    private Map<String, UdpFaultProxy> links() {
        Map<String, UdpFaultProxy> links = new LinkedHashMap<>();
        for (RealDevice d : devices) {
            d.proxies.forEach((r, p) -> links.put(d.name + "<->" + r.name, p));
        }
        return links;
    }

    /** Each device's own socket and each proxy session's socket towards the relay, as the proxies saw them. */
    @Override
    public List<ClientAddress> clientAddresses() {
        List<ClientAddress> out = new ArrayList<>();
        for (RealDevice d : devices) {
            d.proxies.forEach((r, p) -> p.peerAddresses().forEach(a -> out.add(new ClientAddress(
                    a.getAddress().getHostAddress(), a.getPort(), d.name + " (link to " + r.name + ")"))));
        }
        return out;
    }

    @Override
    public synchronized List<byte[]> capturedFrames() {
        List<byte[]> all = new ArrayList<>(frames);
        if (settings.deviceProcesses()) {
            for (RealDevice d : devices) {
                all.addAll(readFrames(d.dir.resolve("frames.bin")));
            }
        }
        return all;
    }

    /** The messages a device process appended to its frame file (a torn last record is skipped). */
    private static List<byte[]> readFrames(Path file) {
        List<byte[]> out = new ArrayList<>();
        if (!Files.exists(file)) {
            return out;
        }
        try (java.io.DataInputStream in = new java.io.DataInputStream(new java.io.BufferedInputStream(
                Files.newInputStream(file)))) {
            while (true) {
                int length = in.readInt();
                byte[] frame = new byte[length];
                in.readFully(frame);
                out.add(frame);
            }
        } catch (java.io.EOFException end) {
            return out;
        } catch (IOException e) {
            throw new ChaosException("cannot read the captured frames in " + file + ": " + e.getMessage(), e);
        }
    }

    private synchronized void capture(byte[] frame) {
        if (frameBytes + frame.length <= CAPTURE_LIMIT_BYTES) {
            frames.add(frame);
            frameBytes += frame.length;
        }
    }

    private static List<String> readLines(Path file, long fromOffset) {
        try {
            if (!Files.exists(file)) {
                return List.of();
            }
            byte[] all = Files.readAllBytes(file);
            int from = (int) Math.min(fromOffset, all.length);
            String text = new String(all, from, all.length - from, StandardCharsets.UTF_8);
            return text.isEmpty() ? List.of() : List.of(text.split("\n", -1)).stream()
                    .filter(line -> !line.isEmpty()).toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static List<String> tail(List<String> lines, int count) {
        return lines.subList(Math.max(0, lines.size() - count), lines.size());
    }

    private void onEvent(RealDevice d, SyncEvent event) {
        synchronized (d) {
            d.events.add(event);
        }
        DeviceHarness.recordEvent(timeline, d.name, event, this::relayName, this::label);
    }

    private String relayName(RelayId id) {
        return relays.stream().filter(r -> id.equals(r.id)).map(r -> r.name).findFirst().orElse("relay-?");
    }

    private String label(BlobId blob) {
        return blobLabels.getOrDefault(blob, "blob-?");
    }

    // ------------------------------------------------------------------ relay resources (issue 11 item 5)
    // Owned by the catalogue work: relayResources, the ResourceWitness methods and the start hook.

    /** Every relay process id started, the dead ones included (the cleanup proof checks them all). */
    private final Set<Long> startedPids = ConcurrentHashMap.newKeySet();
    /** Open descriptors of each relay's first process, right after it printed its endpoint. */
    private final Map<RealRelay, Long> fdsAtFirstStart = new ConcurrentHashMap<>();
    /**
     * How long a scrape of a relay's /metrics may take (paused relays are never asked). 30 s: with
     * 12 lanes on 2 cores a running relay took more than 5 s to answer (S-SM-01, nightly).
     */
    private static final Duration METRICS_TIMEOUT = Duration.ofSeconds(30);

    private void recordStartedProcess(RealRelay r) {
        startedPids.add(r.process.pid());
        if (!fdsAtFirstStart.containsKey(r)) {
            long fds = openFds(r.process.pid());
            if (fds >= 0) {
                fdsAtFirstStart.put(r, fds);
            }
        }
    }

    /**
     * The relay process's open descriptors ({@code /proc/<pid>/fd} entries), resident memory
     * ({@code VmRSS} of {@code /proc/<pid>/status}, bytes) and sessions (the relay's own gauges
     * {@code zerok_relay_connections_active} + {@code zerok_relay_connections_unauthenticated},
     * scraped from {@code /metrics}).
     *
     * @throws ChaosException if the relay is not running (or paused: it cannot answer /metrics), or
     *     /proc or /metrics cannot be read
     */
    @Override
    public RelayResources relayResources(Relay relay) {
        RealRelay r = (RealRelay) relay;
        requireRunning(r);
        if (r.paused) {
            throw new ChaosException(r.name + " is paused: its /metrics cannot answer");
        }
        long pid = r.process.pid();
        long fds = openFds(pid);
        long rss = procStatusKibibytes(pid, "VmRSS:");
        if (fds < 0 || rss < 0) {
            throw new ChaosException("cannot read /proc/" + pid + " of " + r.name);
        }
        Map<String, Double> metrics = scrapeMetrics(r);
        Double active = metrics.get("zerok_relay_connections_active");
        Double unauthenticated = metrics.get("zerok_relay_connections_unauthenticated");
        if (active == null || unauthenticated == null) {
            throw new ChaosException(r.name + "'s /metrics has no zerok_relay_connections_active/_unauthenticated gauge");
        }
        RelayResources now = new RelayResources((int) fds, rss * 1024, (int) (active + unauthenticated));
        timeline.observe("relay-resources", r.name + " fds=" + now.openFds() + " rss=" + (now.rssBytes() >> 20)
                + "MiB sessions=" + now.sessions());
        return now;
    }

    @Override
    public OptionalLong relayPeakRssBytes(Relay relay) {
        RealRelay r = (RealRelay) relay;
        if (r.process == null || !r.process.isAlive()) {
            return OptionalLong.empty();
        }
        long hwm = procStatusKibibytes(r.process.pid(), "VmHWM:");
        return hwm < 0 ? OptionalLong.empty() : OptionalLong.of(hwm * 1024);
    }

    @Override
    public OptionalLong relayOpenFdsAtStart(Relay relay) {
        Long fds = fdsAtFirstStart.get((RealRelay) relay);
        return fds == null ? OptionalLong.empty() : OptionalLong.of(fds);
    }

    @Override
    public ResourceWitness.Footprint footprint() {
        Set<Integer> ports = new java.util.TreeSet<>();
        Set<Path> dirs = new java.util.HashSet<>();
        dirs.add(workDir);
        for (RealRelay r : relays) {
            if (r.port != 0) {
                ports.add(r.port);
            }
            dirs.add(r.dataDir);
        }
        for (RealDevice d : devices) {
            d.proxies.values().forEach(p -> ports.add(p.listenAddress().getPort()));
            dirs.add(d.dir);
        }
        return new ResourceWitness.Footprint(Set.copyOf(startedPids), ports, dirs);
    }

    @Override
    public List<String> linkStates() {
        List<String> lines = new ArrayList<>();
        for (RealDevice d : devices) {
            for (Map.Entry<RealRelay, UdpFaultProxy> e : d.proxies.entrySet()) {
                UdpFaultProxy p = e.getValue();
                lines.add(d.name + "<->" + e.getKey().name + " up=" + p.profile(Direction.UP) + " down="
                        + p.profile(Direction.DOWN) + " stats=" + p.stats());
            }
        }
        return lines;
    }

    /** Entries of {@code /proc/<pid>/fd}, or -1 if unreadable. */
    static long openFds(long pid) {
        try (Stream<Path> fds = Files.list(Path.of("/proc", String.valueOf(pid), "fd"))) {
            return fds.count();
        } catch (IOException | UncheckedIOException e) {
            return -1;
        }
    }

    /** The kB value of {@code key} in {@code /proc/<pid>/status}, or -1. */
    static long procStatusKibibytes(long pid, String key) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc", String.valueOf(pid), "status"))) {
                if (line.startsWith(key)) {
                    return Long.parseLong(line.substring(key.length()).replace("kB", "").trim());
                }
            }
        } catch (IOException | NumberFormatException e) {
            return -1;
        }
        return -1;
    }

    /** The relay's gauges and counters without labels: Prometheus text format name and value. */
    private Map<String, Double> scrapeMetrics(RealRelay r) {
        java.net.http.HttpClient http = java.net.http.HttpClient.newBuilder().connectTimeout(METRICS_TIMEOUT).build();
        try {
            java.net.http.HttpResponse<String> response = http.send(java.net.http.HttpRequest
                    .newBuilder(java.net.URI.create(relayHttpBase(r) + "/metrics")).timeout(METRICS_TIMEOUT).build(),
                    java.net.http.HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() != 200) {
                throw new ChaosException(r.name + " /metrics answered " + response.statusCode());
            }
            return parseMetrics(response.body());
        } catch (IOException e) {
            throw new ChaosException("cannot scrape " + r.name + " /metrics: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ChaosException("interrupted while scraping " + r.name, e);
        } finally {
            http.close();
        }
    }

    /** Unlabelled samples of a Prometheus text exposition (comments and labelled samples skipped). */
    static Map<String, Double> parseMetrics(String text) {
        Map<String, Double> out = new HashMap<>();
        for (String line : text.split("\n")) {
            if (line.isBlank() || line.startsWith("#") || line.contains("{")) {
                continue;
            }
            String[] parts = line.trim().split("\\s+");
            if (parts.length >= 2) {
                try {
                    out.put(parts[0], Double.parseDouble(parts[1]));
                } catch (NumberFormatException ignored) {
                    // not a sample line
                }
            }
        }
        return out;
    }

    // ------------------------------------------------------------------ close

    /**
     * Aborts every device (SIGKILL of device processes), closes every proxy, kills every relay
     * process, audits the relay logs (unless {@link #verifyRelayLogs()} ran already), unmounts every
     * tmpfs and deletes the work directory. Each step runs even if an earlier one failed.
     *
     * @throws AssertionError after the clean-up, if the relay log audit fails
     * @throws ChaosException after the clean-up, if a device process or a mount outlived it
     */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        List<String> leaks = new ArrayList<>();
        try {
            for (RealDevice d : devices) {
                try {
                    if (d.agent != null) {
                        d.running = false;
                        d.agent.kill(LANE_TIMEOUT);
                    } else if (d.running) {
                        d.running = false;
                        d.client.abort();
                        stopDevice(d);
                    }
                } catch (RuntimeException e) {
                    leaks.add(d.name + ": " + e.getMessage());
                } finally {
                    d.proxies.values().forEach(UdpFaultProxy::close);
                }
                if (d.agent != null && ProcessHandle.of(d.agent.pid()).map(ProcessHandle::isAlive).orElse(false)) {
                    leaks.add(d.name + "'s process " + d.agent.pid() + " is still alive");
                }
            }
            for (Transport twin : twins) {
                twin.close();
            }
            for (RealRelay r : relays) {
                if (r.process != null && r.process.isAlive()) {
                    r.process.destroyForcibly();
                    awaitExit(r, RELAY_STOP_TIMEOUT);
                }
                r.running = false;
            }
        } finally {
            AssertionError audit = null;
            try {
                if (!logsVerified) {
                    verifyRelayLogs();
                }
            } catch (AssertionError e) {
                audit = e;
            } finally {
                for (TmpfsMount m : mounts) {
                    try {
                        m.close();
                    } catch (RuntimeException e) {
                        leaks.add(e.getMessage());
                    }
                }
                TempDirs.deleteRecursively(workDir);
            }
            if (audit != null) {
                throw audit;
            }
            if (!leaks.isEmpty()) {
                throw new ChaosException("the real topology leaked: " + String.join("; ", leaks));
            }
        }
    }

    // ------------------------------------------------------------------ members

    private static final class RealGroup implements Group {
        final String name;
        final byte[] secret;
        GroupId id;

        @Override
        public Optional<GroupId> groupId() {
            return Optional.ofNullable(id);
        }

        RealGroup(String name, byte[] secret) {
            this.name = name;
            this.secret = secret;
        }

        @Override
        public String name() {
            return name;
        }

        @Override
        public String toString() {
            return name;
        }
    }

    private static final class RealRelay implements Relay {
        final String name;
        final Path dataDir;
        final Path configFile;
        final Path logFile;
        /** The relay's UDP port: 0 until its first start binds one, then the same on every restart. */
        int port;
        Process process;
        RelayId id;
        /** {@code http://host:port} of /health and /metrics, from the start-up line (null if not printed). */
        volatile String httpBase;
        int starts;
        volatile boolean running;
        boolean paused;
        /** The tmpfs under {@link #dataDir} with {@code withDiskFull()}; else null. */
        TmpfsMount mount;

        RealRelay(String name, Path dataDir, Path configFile, Path logFile) {
            this.name = name;
            this.dataDir = dataDir;
            this.configFile = configFile;
            this.logFile = logFile;
        }

        @Override
        public String name() {
            return name;
        }

        /** False after kill or stop, and if the process died on its own. */
        @Override
        public boolean running() {
            return running && process != null && process.isAlive();
        }

        @Override
        public String toString() {
            return name;
        }
    }

    private final class RealDevice implements Device {
        final String name;
        final RealGroup group;
        final List<RealRelay> relays;
        final Path dir;
        final KeyPair identity;
        final Duration clockOffset;
        final Map<RealRelay, UdpFaultProxy> proxies = new HashMap<>();
        /** Guarded by {@code this}. */
        final Map<BlobId, byte[]> pushed = new LinkedHashMap<>();
        /** Guarded by {@code this}. */
        final Map<BlobId, byte[]> received = new LinkedHashMap<>();
        /** Guarded by {@code this}. */
        final List<SyncEvent> events = new ArrayList<>();
        final AtomicLong deliveries = new AtomicLong();
        volatile boolean laneOpen;
        ExecutorService executor;
        SyncClient client;
        ClientStateStore store;
        GroupKeys groupKeys;
        Transport transport;
        volatile boolean running;
        /** Where the device's stores live (a tmpfs with {@code withDiskFull()}). */
        final Path home;
        TmpfsMount mount;
        /** The current process with {@code withDeviceProcesses()}; else null. */
        volatile ProcessDevice agent;
        boolean paused;
        /** How far {@code home/received.log} has been read into {@link #received}; guarded by {@code this}. */
        long receivedOffset;

        /** The in-process device's KeyExchange port: the real one, watched, maybe with a broken component. */
        final InstrumentedKeyExchange crypto;
        /** The faults above QUIC per link, set by the scenario; handed to each start's decorator. */
        final Map<RealRelay, DeliveredFaultTransport.Faults> deliveredUp = new HashMap<>();
        final Map<RealRelay, DeliveredFaultTransport.Faults> deliveredDown = new HashMap<>();
        /** The running in-process device's decorator; null before the first start and for device processes. */
        DeliveredFaultTransport delivered;
        long faultSeed;
        long starts;

        RealDevice(String name, RealGroup group, List<RealRelay> relays, Path dir, KeyPair identity,
                Duration clockOffset, InstrumentedKeyExchange crypto) {
            this.crypto = crypto;
            this.name = name;
            this.group = group;
            this.relays = relays;
            this.dir = dir;
            this.home = dir.resolve("home");
            this.identity = identity;
            this.clockOffset = clockOffset;
        }

        /** Where this device connects to reach {@code r}: its proxy's loopback port. */
        Endpoint linkEndpoint(RealRelay r) {
            return new Endpoint("127.0.0.1", proxies.get(r).listenAddress().getPort());
        }

        @Override
        public String name() {
            return name;
        }

        @Override
        public Group group() {
            return group;
        }

        @Override
        public List<Relay> relays() {
            return List.copyOf(relays);
        }

        @Override
        public boolean running() {
            return running;
        }

        @Override
        public BlobId push(byte[] data) {
            return push(SyncPayload.Kind.DATA, data);
        }

        @Override
        public BlobId push(SyncPayload.Kind kind, byte[] data) {
            requireRunning();
            BlobId id;
            if (agent != null) {
                id = agent.push(kind, data, LANE_TIMEOUT);
                return recordPush(id, data);
            }
            try {
                id = client.push(kind, data).get(LANE_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            } catch (ExecutionException e) {
                throw new ChaosException(name + ": push refused: " + e.getCause(), e.getCause());
            } catch (TimeoutException e) {
                throw new ChaosException(name + ": push not durable within " + LANE_TIMEOUT, e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new ChaosException("interrupted", e);
            }
            return recordPush(id, data);
        }

        /** The application's record of a push, made once the device reported it durable. */
        private BlobId recordPush(BlobId id, byte[] data) {
            String label;
            synchronized (this) {
                pushed.put(id, data.clone());
                label = name + "#" + pushed.size();
            }
            blobLabels.put(id, label);
            timeline.inject("push", label + " " + data.length + "B");
            return id;
        }

        @Override
        public int maxPayloadBytes() {
            return DeviceHarness.maxPayloadBytes(settings.relaySettings());
        }

        @Override
        public void syncNow() {
            requireRunning();
            timeline.inject("sync-now", name);
            if (agent != null) {
                agent.syncNow(LANE_TIMEOUT);
                return;
            }
            client.syncNow();
        }

        @Override
        public SyncStatus status() {
            ProcessDevice p = agent;
            if (p != null) {
                return running ? p.status() : SyncStatus.OFFLINE;
            }
            SyncClient c = client;
            return running && c != null ? c.status() : SyncStatus.OFFLINE;
        }

        @Override
        public VersionVector versionVector() {
            requireRunning();
            if (agent != null) {
                return agent.versionVector();
            }
            return client.versionVector();
        }

        @Override
        public Cursor pullCursor(Relay relay) {
            requireRunning();
            if (agent != null) {
                return agent.pullCursor(((RealRelay) relay).id, LANE_TIMEOUT);
            }
            try {
                return client.pullCursor(((RealRelay) relay).id).get(LANE_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            } catch (ExecutionException | TimeoutException e) {
                throw new ChaosException(name + ": cannot read the pull cursor: " + e, e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new ChaosException("interrupted", e);
            }
        }

        @Override
        public Optional<DeviceId> deviceId() {
            return Optional.of(RealTopology.this.deviceId(this));
        }

        @Override
        public synchronized Map<BlobId, byte[]> pushed() {
            return Collections.unmodifiableMap(new LinkedHashMap<>(pushed));
        }

        @Override
        public synchronized Map<BlobId, byte[]> received() {
            refreshReceived();
            return Collections.unmodifiableMap(new LinkedHashMap<>(received));
        }

        /** Reads what a device process appended to its received log since the last call (no-op in-process). */
        private void refreshReceived() {
            if (!settings.deviceProcesses()) {
                return;
            }
            try {
                receivedOffset = ReceivedLog.read(home.resolve("received.log"), receivedOffset,
                        (blob, data) -> received.putIfAbsent(blob, data));
            } catch (IOException e) {
                throw new ChaosException(name + ": cannot read its received log: " + e.getMessage(), e);
            }
        }

        @Override
        public long deliveries() {
            return deliveries.get();
        }

        @Override
        public synchronized List<SyncEvent> events() {
            return List.copyOf(events);
        }

        private void requireRunning() {
            if (!running) {
                throw new ChaosException(name + " is not running");
            }
        }

        @Override
        public String toString() {
            return name;
        }
    }
}
