package dev.zerok.chaos.mock;

import dev.zerok.adapters.storage.sqlite.SqliteRelayStoreAccess;
import dev.zerok.chaos.sim.CapturingTransport;
import dev.zerok.chaos.sim.DuplicateIdentityConnection;
import dev.zerok.chaos.sim.InstrumentedKeyExchange;
import dev.zerok.adapters.transport.mock.DeliveredFaults;
import dev.zerok.adapters.transport.mock.FaultEvent;
import dev.zerok.adapters.transport.mock.MockNetwork;
import dev.zerok.chaos.report.Timeline;
import dev.zerok.chaos.sim.OffsetClock;
import dev.zerok.chaos.sim.SeededEntropy;
import dev.zerok.chaos.sim.VirtualClock;
import dev.zerok.chaos.topology.Capability;
import dev.zerok.chaos.topology.RelayStoreTamper;
import dev.zerok.chaos.topology.ChannelCounters;
import dev.zerok.chaos.topology.ChaosException;
import dev.zerok.chaos.topology.Device;
import dev.zerok.chaos.topology.DeviceHarness;
import dev.zerok.chaos.topology.DuplicateConnection;
import dev.zerok.chaos.topology.Group;
import dev.zerok.chaos.topology.KeyExchangeFault;
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
import dev.zerok.ports.id.BlobId;
import dev.zerok.ports.id.Cursor;
import dev.zerok.ports.id.DeviceId;
import dev.zerok.ports.id.GroupId;
import dev.zerok.ports.id.RelayId;
import dev.zerok.ports.spi.ProviderConfig;
import dev.zerok.ports.spi.ProviderContext;
import dev.zerok.ports.spi.Providers;
import dev.zerok.ports.transport.Endpoint;
import dev.zerok.ports.transport.Transport;
import dev.zerok.relayapp.RelayConfig;
import dev.zerok.relayapp.RelayServer;
import java.io.IOException;
import java.io.UncheckedIOException;
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
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;

/**
 * The deterministic mock topology: every relay and device in this JVM, on one thread, over
 * {@code adapters-transport-mock}, with a {@link VirtualClock}, {@link SeededEntropy} derived from
 * the run's seed, and the real adapters for everything else (SQLite stores in a temporary
 * directory, Bouncy Castle crypto). Relays are {@link RelayServer}s embedded through
 * {@link RelayServer.Environment} with a direct executor; devices are {@link SyncClient}s with the
 * lane {@code Runnable::run}. Nothing reads the system clock or another random source, so a run is
 * fully determined by its seed and its timeline replays byte for byte.
 *
 * <h2>How kills and crashes look</h2>
 * A killed relay or crashed device first has every link partitioned, then its transport and stores
 * closed: its peers hear nothing (no goodbye, no close) and find out by their own timeouts, as with
 * kill -9 on QUIC. Anything its closing sockets sent stays held by the partition; when the member
 * restarts (same host name, endpoint, identity and stores) the links heal and those held closes
 * reach connections of the old incarnation, like a QUIC stateless reset after a restart.
 *
 * <p>Not thread-safe: the scenario's thread drives everything.
 */
public final class MockTopology implements Topology {
    /** What the mock can do; see docs/CHAOS.md "Fault model". */
    public static final Set<Capability> CAPABILITIES = Collections.unmodifiableSet(EnumSet.of(Capability.LATENCY,
            Capability.JITTER, Capability.LOSS, Capability.DUPLICATE, Capability.REORDER, Capability.CORRUPT_DELIVERED,
            Capability.TRUNCATE_DELIVERED, Capability.LIMIT_DATA, Capability.BANDWIDTH, Capability.PARTITION,
            Capability.KILL_RELAY, Capability.STOP_RELAY, Capability.RESTART_RELAY, Capability.CRASH_DEVICE,
            Capability.TAMPER_RELAY_STORE, Capability.RELAY_STORAGE_FILES, Capability.RELAY_LOGS,
            Capability.CAPTURE_FRAMES, Capability.DETERMINISTIC, Capability.CLOCK_SKEW, Capability.REORDER_DELIVERED,
            Capability.REPLAY_DELIVERED, Capability.DUPLICATE_IDENTITY, Capability.FAULTY_KEY_EXCHANGE,
            Capability.CHANNEL_COUNTERS, Capability.RELAY_COUNTERS, Capability.DISK_FULL, Capability.RELAY_RESOURCES));

    /** How often {@link #await} re-checks its condition, in virtual time. */
    static {
        // jOOQ (inside the SQLite adapters) prints a banner and tips on first use; keep reports readable.
        System.setProperty("org.jooq.no-logo", "true");
        System.setProperty("org.jooq.no-tips", "true");
    }

    static final Duration POLL_STEP = Duration.ofMillis(100);
    private static final Duration IDLE_TIMEOUT = Duration.ofSeconds(30);
    /** The QUIC transport's default (adapters-transport-quic README: a 5 s one-way link connects). */
    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(30);
    /** Captured frames are kept up to this many bytes (the no-plaintext check reads them). */
    private static final long CAPTURE_LIMIT_BYTES = 256L << 20;

    /** Relay configuration keys a scenario may set for every relay (e.g. {@code limits.frame.max.bytes}). */
    private final Map<String, String> relaySettings;
    private final long seed;
    private final Path workDir;
    private final VirtualClock clock = new VirtualClock();
    private final SeededEntropy master;
    private final MockNetwork network;
    private final KeyExchange crypto;
    private final Timeline timeline;
    private final RelayLogCapture logs;
    private final List<MockRelay> relays = new ArrayList<>();
    private final List<MockDevice> devices = new ArrayList<>();
    private final List<MockGroup> groups = new ArrayList<>();
    private final Map<String, LinkFaults> userFaults = new HashMap<>();
    private final Map<BlobId, String> blobLabels = new HashMap<>();
    private final List<byte[]> frames = new ArrayList<>();
    private long frameBytes;
    private boolean closed;

    /**
     * Opens an empty topology.
     *
     * @param seed every random decision derives from it
     * @param workDir an empty directory for the stores (deleted by {@link #close()})
     * @param relaySettings extra relay configuration keys for every relay, empty for defaults
     */
    public MockTopology(long seed, Path workDir, Map<String, String> relaySettings) {
        this.seed = seed;
        this.workDir = workDir;
        this.relaySettings = Map.copyOf(relaySettings);
        this.master = new SeededEntropy(seed);
        this.network = new MockNetwork(clock, new SeededEntropy(master.childSeed()));
        this.timeline = new Timeline(clock::now);
        try {
            this.crypto = Providers.select(KeyExchangeProvider.class, "bouncycastle").open(ProviderConfig.EMPTY);
        } catch (Exception e) {
            throw new ChaosException("cannot open the bouncycastle key exchange: " + e.getMessage(), e);
        }
        this.logs = new RelayLogCapture();
        network.addListener(this::onFault);
        timeline.note("topology", "mock seed=" + seed);
    }

    /** An empty topology with default relay settings. */
    public MockTopology(long seed, Path workDir) {
        this(seed, workDir, Map.of());
    }

    @Override
    public String kind() {
        return "mock";
    }

    @Override
    public long seed() {
        return seed;
    }

    @Override
    public Set<Capability> capabilities() {
        return CAPABILITIES;
    }

    @Override
    public Timeline timeline() {
        return timeline;
    }

    @Override
    public Instant now() {
        return clock.now();
    }

    /** The virtual clock (for scenario code that schedules its own steps). */
    public VirtualClock clock() {
        return clock;
    }

    // ------------------------------------------------------------------ members

    @Override
    public Group newGroup() {
        byte[] secret = master.bytes(GroupKeys.SECRET_BYTES);
        GroupId id;
        try (GroupKeys keys = GroupKeys.derive(crypto, Secret.copyOf(secret))) {
            id = keys.groupId();
        } catch (Exception e) {
            throw new ChaosException("cannot derive the group keys: " + e.getMessage(), e);
        }
        MockGroup g = new MockGroup("group-" + (groups.size() + 1), secret, id);
        groups.add(g);
        timeline.inject("new-group", g.name);
        return g;
    }

    @Override
    public Relay addRelay() {
        String name = "relay-" + (relays.size() + 1);
        MockRelay r = new MockRelay(name, workDir.resolve(name));
        relays.add(r);
        startRelay(r, new Endpoint(name, 0));
        timeline.inject("add-relay", name);
        return r;
    }

    @Override
    public Device addDevice(Group group, List<Relay> relaysInOrder) {
        return addDevice(group, relaysInOrder, Duration.ZERO);
    }

    @Override
    public Device addDevice(Group group, List<Relay> relaysInOrder, KeyExchangeFault fault) {
        return addDevice(group, relaysInOrder, Duration.ZERO, Optional.of(fault));
    }

    @Override
    public Device addDevice(Group group, List<Relay> relaysInOrder, Duration clockOffset) {
        return addDevice(group, relaysInOrder, clockOffset, Optional.empty());
    }

    private Device addDevice(Group group, List<Relay> relaysInOrder, Duration clockOffset,
            Optional<KeyExchangeFault> keyFault) {
        if (relaysInOrder.isEmpty()) {
            throw new IllegalArgumentException("a device needs at least one relay");
        }
        String name = "device-" + (devices.size() + 1);
        List<MockRelay> rs = relaysInOrder.stream().map(r -> (MockRelay) r).toList();
        KeyPair identity = StaticIdentity.generate(dh(), new SeededEntropy(master.childSeed()));
        MockDevice d = new MockDevice(name, (MockGroup) group, rs, workDir.resolve(name), identity, clockOffset,
                new InstrumentedKeyExchange(crypto, keyFault, f -> timeline.observe("fault", "KEY_EXCHANGE " + f + " " + name)));
        devices.add(d);
        timeline.inject("add-device", name + " " + ((MockGroup) group).name + " relays="
                + rs.stream().map(r -> r.name).toList() + (clockOffset.isZero() ? "" : " clock-offset=" + clockOffset)
                + keyFault.map(f -> " key-exchange-fault=" + f).orElse(""));
        startDevice(d);
        return d;
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
        if (faults.burstLength() > 0) {
            throw new NotRunException("the mock transport has no burst (Gilbert-Elliott) loss model");
        }
        MockDevice d = (MockDevice) device;
        MockRelay r = (MockRelay) relay;
        timeline.inject("faults", d.name + (direction == LinkDirection.UP ? "->" : direction == LinkDirection.DOWN
                ? "<-" : "<->") + r.name + " " + describe(faults));
        if (direction != LinkDirection.DOWN) {
            userFaults.put(d.name + ">" + r.name, faults);
        }
        if (direction != LinkDirection.UP) {
            userFaults.put(r.name + ">" + d.name, faults);
        }
        applyLink(d, r);
    }

    private void applyLink(MockDevice d, MockRelay r) {
        boolean dead = !d.running || !r.running;
        network.setFaults(d.name, r.name, effective(d.name + ">" + r.name, dead));
        network.setFaults(r.name, d.name, effective(r.name + ">" + d.name, dead));
    }

    private dev.zerok.adapters.transport.mock.LinkFaults effective(String key, boolean dead) {
        LinkFaults f = userFaults.getOrDefault(key, LinkFaults.NONE);
        return dev.zerok.adapters.transport.mock.LinkFaults.NONE
                .withDelay(f.delay(), f.jitter())
                .withDropRate(f.lossRate())
                .withDuplicateRate(f.duplicateRate())
                .withReorder(f.reorderRate(), Duration.ofMillis(50))
                .withCorruptRate(f.corruptRate())
                .withTruncateRate(f.truncateRate())
                .withLimitBytes(f.limitBytes())
                .withBandwidth(f.bandwidthBytesPerSecond())
                .withPartitioned(f.partitioned() || dead);
    }

    private static String describe(LinkFaults f) {
        if (f.equals(LinkFaults.NONE)) {
            return "none";
        }
        List<String> parts = new ArrayList<>();
        if (!f.delay().isZero() || !f.jitter().isZero()) {
            parts.add("delay=" + f.delay().toMillis() + "ms+-" + f.jitter().toMillis() + "ms");
        }
        if (f.lossRate() > 0) {
            parts.add("loss=" + f.lossRate());
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

    @Override
    public void killRelay(Relay relay) {
        MockRelay r = (MockRelay) relay;
        requireRunning(r);
        timeline.inject("kill-relay", r.name);
        r.keepCounters();
        r.running = false;
        devices.stream().filter(d -> d.relays.contains(r)).forEach(d -> applyLink(d, r));
        // The transport first: every connection dies without the graceful UNAVAILABLE.
        r.transport.close();
        r.server.close();
        r.server = null;
        r.transport = null;
    }

    @Override
    public void stopRelay(Relay relay) {
        MockRelay r = (MockRelay) relay;
        requireRunning(r);
        timeline.inject("stop-relay", r.name);
        // Before the close: a scrape after it would query the closed store for the gauges. Exact on
        // the mock: the relay runs on this thread, so nothing is served between here and the close.
        r.keepCounters();
        r.server.close();
        r.running = false;
        r.server = null;
        r.transport = null;
    }

    @Override
    public void restartRelay(Relay relay) {
        MockRelay r = (MockRelay) relay;
        if (r.running) {
            throw new ChaosException(r.name + " is running");
        }
        timeline.inject("restart-relay", r.name);
        startRelay(r, r.endpoint);
        devices.stream().filter(d -> d.relays.contains(r)).forEach(d -> applyLink(d, r));
    }

    private void startRelay(MockRelay r, Endpoint listen) {
        Map<String, String> settings = new TreeMap<>(relaySettings);
        settings.put("listen", listen.host() + ":" + listen.port());
        settings.put("data.dir", r.dataDir.toString());
        if (!settings.containsKey("store")) {
            // The sqlite store behind a disk-full switch (setRelayDiskFull); a pass-through while off.
            settings.put("store", DiskFullRelayStoreProvider.NAME);
            settings.put("store.path", r.dataDir.resolve("relay.db").toString());
            r.diskFull = DiskFullRelayStoreProvider.diskFull(r.dataDir.resolve("relay.db"));
        }
        try {
            Transport transport = network.transport(r.name, IDLE_TIMEOUT, CONNECT_TIMEOUT);
            RelayServer server = RelayServer.start(RelayConfig.of(settings), new RelayServer.Environment(clock,
                    new SeededEntropy(master.childSeed()), transport, Runnable::run, false));
            r.transport = transport;
            r.server = server;
            r.endpoint = server.endpoint();
            r.id = new RelayId(StaticIdentity.decodePublic(HexFormat.of().parseHex(server.publicKeyHex())));
            r.running = true;
        } catch (Exception e) {
            throw new ChaosException("cannot start " + r.name + ": " + e.getMessage(), e);
        }
    }

    @Override
    public void crashDevice(Device device) {
        MockDevice d = (MockDevice) device;
        if (!d.running) {
            throw new ChaosException(d.name + " is not running");
        }
        timeline.inject("crash-device", d.name);
        d.running = false;
        d.relays.forEach(r -> applyLink(d, r));
        d.client.abort();
        d.transport.close();
        d.store.close();
        d.groupKeys.close();
        d.client = null;
    }

    @Override
    public void restartDevice(Device device) {
        MockDevice d = (MockDevice) device;
        if (d.running) {
            throw new ChaosException(d.name + " is running");
        }
        timeline.inject("restart-device", d.name);
        startDevice(d);
    }

    private void startDevice(MockDevice d) {
        try {
            Files.createDirectories(d.dir);
            Map<RelayId, Endpoint> endpoints = new LinkedHashMap<>();
            for (MockRelay r : d.relays) {
                endpoints.put(r.id, r.endpoint);
            }
            DeviceId deviceId = StaticIdentity.deviceId(crypto.hash("SHA256"), d.identity.publicKey());
            d.deviceId = deviceId;
            SeededEntropy entropy = new SeededEntropy(master.childSeed());
            var clockOfDevice = d.clockOffset.isZero() ? clock : new OffsetClock(clock, d.clockOffset);
            d.store = new DiskFullClientStateStore(Providers.select(ClientStateStoreProvider.class, "sqlite").open(
                    ProviderConfig.of("path", d.dir.resolve("state.db").toString()),
                    new ProviderContext(clockOfDevice, entropy)), d.diskFull);
            d.groupKeys = GroupKeys.derive(crypto, Secret.copyOf(d.group.secret));
            d.transport = new CapturingTransport(network.transport(d.name, IDLE_TIMEOUT, CONNECT_TIMEOUT), this::capture);
            SyncConfig config = SyncConfig.defaults(deviceId, List.copyOf(endpoints.keySet()));
            d.client = new SyncClient(config, d.identity, d.groupKeys, endpoints, d.transport, clockOfDevice, d.crypto,
                    entropy, d.store, blob -> {
                        d.deliveries++;
                        boolean first = d.received.putIfAbsent(blob.blob(), blob.data()) == null;
                        timeline.observe(first ? "deliver" : "redeliver", d.name + " " + label(blob.blob()));
                    }, Runnable::run, FrameCodec.DEFAULT_MAX_FRAME_BYTES);
            d.client.addListener(event -> onEvent(d, event));
            d.client.rekeyPolicy(rekeyPolicy());
            d.running = true;
            d.relays.forEach(r -> applyLink(d, r));
            d.client.start();
        } catch (Exception e) {
            throw new ChaosException("cannot start " + d.name + ": " + e.getMessage(), e);
        }
    }

    /**
     * The relays' {@code noise.rekey.interval.*} settings, for the devices too: both ends of a
     * session must re-key at the same message (E-ENC-05 sets a small interval).
     */
    private dev.zerok.kernel.noise.RekeyPolicy rekeyPolicy() {
        dev.zerok.kernel.noise.RekeyPolicy d = dev.zerok.kernel.noise.RekeyPolicy.DEFAULT;
        return new dev.zerok.kernel.noise.RekeyPolicy(
                Long.parseLong(relaySettings.getOrDefault("noise.rekey.interval.messages", String.valueOf(d.everyMessages()))),
                Long.parseLong(relaySettings.getOrDefault("noise.rekey.interval.bytes", String.valueOf(d.everyBytes()))));
    }

    // ------------------------------------------------------------------ encryption faults

    @Override
    public void setDeliveredFaults(Device device, Relay relay, LinkDirection direction, double reorderRate,
            double replayRate) {
        MockDevice d = (MockDevice) device;
        MockRelay r = (MockRelay) relay;
        DeliveredFaults faults = new DeliveredFaults(reorderRate, replayRate);
        timeline.inject("delivered-faults", d.name + (direction == LinkDirection.UP ? "->" : direction == LinkDirection.DOWN
                ? "<-" : "<->") + r.name + " reorder=" + reorderRate + " replay=" + replayRate);
        if (direction != LinkDirection.DOWN) {
            network.setDeliveredFaults(d.name, r.name, faults);
        }
        if (direction != LinkDirection.UP) {
            network.setDeliveredFaults(r.name, d.name, faults);
        }
    }

    @Override
    public DuplicateConnection openDuplicateIdentity(Device device, Relay relay) {
        MockDevice d = (MockDevice) device;
        MockRelay r = (MockRelay) relay;
        requireRunning(r);
        String label = d.name + "-twin";
        timeline.inject("duplicate-identity", label + " -> " + r.name);
        try {
            GroupKeys keys = GroupKeys.derive(crypto, Secret.copyOf(d.group.secret));
            Transport transport = new CapturingTransport(network.transport(d.name, IDLE_TIMEOUT, CONNECT_TIMEOUT),
                    this::capture);
            return DuplicateIdentityConnection.open(transport, r.endpoint, r.id, d.identity, keys, crypto,
                    new SeededEntropy(master.childSeed()), StaticIdentity.deviceId(crypto.hash("SHA256"),
                            d.identity.publicKey()), what -> timeline.observe("twin", label + " " + what),
                    () -> network.openChannels(r.name));
        } catch (Exception e) {
            throw new ChaosException("cannot open a second connection for " + d.name + ": " + e.getMessage(), e);
        }
    }

    @Override
    public ChannelCounters channelCounters(Device device) {
        MockDevice d = (MockDevice) device;
        if (!d.running) {
            throw new ChaosException(d.name + " is not running");
        }
        SyncClient.ChannelTotals c = d.client.channelTotals().join();
        return new ChannelCounters(c.sessions(), c.sealed(), c.opened(), c.sendRekeys(), c.receiveRekeys(),
                c.nonceMismatches(), d.crypto.seals(), d.crypto.keyNonceReuses());
    }

    /** Switches the relay store's disk-full state: writes fail with STORAGE_FULL (as SQLite's SQLITE_FULL) while on. */
    @Override
    public void setRelayDiskFull(Relay relay, boolean full) {
        MockRelay r = (MockRelay) relay;
        if (r.diskFull == null) {
            throw new NotRunException("this mock's relays use the store the scenario configured, without a disk-full switch");
        }
        timeline.inject(full ? "relay-disk-full" : "relay-disk-freed", r.name);
        r.diskFull.set(full);
    }

    /** Switches the device state store's disk-full state: writes fail with STORAGE_FULL while on. */
    @Override
    public void setDeviceDiskFull(Device device, boolean full) {
        MockDevice d = (MockDevice) device;
        timeline.inject(full ? "device-disk-full" : "device-disk-freed", d.name);
        d.diskFull.set(full);
    }

    @Override
    public int corruptStoredBlobs(Relay relay) {
        MockRelay r = (MockRelay) relay;
        int altered;
        try {
            altered = SqliteRelayStoreAccess.flipPayloadBits(r.dataDir.resolve("relay.db"), master::nextLong, false);
        } catch (SQLException e) {
            throw new ChaosException("cannot tamper with the store of " + r.name + ": " + e.getMessage(), e);
        }
        timeline.inject("corrupt-stored-blobs", r.name + " altered=" + altered);
        return altered;
    }

    @Override
    public boolean deleteStoredBlob(Relay relay, long cursor) {
        MockRelay r = (MockRelay) relay;
        return RelayStoreTamper.deleteStoredBlob(r.dataDir.resolve("relay.db"), r.name, cursor, timeline);
    }

    // ------------------------------------------------------------------ time

    @Override
    public void runFor(Duration duration) {
        clock.advance(duration);
    }

    @Override
    public boolean await(BooleanSupplier condition, Duration timeout) {
        Instant deadline = clock.now().plus(timeout);
        while (true) {
            if (condition.getAsBoolean()) {
                return true;
            }
            if (!clock.now().isBefore(deadline)) {
                return false;
            }
            Instant next = clock.now().plus(POLL_STEP);
            clock.runUntil(next.isAfter(deadline) ? deadline : next);
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
        try (Stream<Path> files = Files.walk(((MockRelay) relay).dataDir)) {
            return files.filter(Files::isRegularFile).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public List<String> relayLogLines(Relay relay) {
        return logs.lines();
    }

    /**
     * Served blobs and pull requests from the embedded relay's own metrics, summed over its
     * incarnations (each kill or stop adds the counts of the server it ends; nothing is lost, the
     * server is in this JVM); stored rows from its SQLite file, read-only.
     */
    @Override
    public RelayCounters relayCounters(Relay relay) {
        MockRelay r = (MockRelay) relay;
        long served = r.servedBefore;
        long pulls = r.pullsBefore;
        long rateLimited = r.rateLimitedBefore;
        if (r.server != null) {
            String text = r.server.metricsText();
            served += RelayCounterSource.metric(text, RelayCounterSource.BLOBS_SERVED);
            pulls += RelayCounterSource.metric(text, RelayCounterSource.PULLS);
            rateLimited += RelayCounterSource.metric(text, RelayCounterSource.RATE_LIMITED);
        }
        return new RelayCounters(RelayCounterSource.rowsStored(r.dataDir.resolve("relay.db")), served, pulls, rateLimited);
    }

    /**
     * The same rule as on real processes: an ERROR record or an IllegalStateException /
     * IllegalArgumentException in a relay's log is a relay bug, never an expected outcome of a
     * mock scenario; and no relay log line carries metadata of the scenario (invariant 5,
     * {@link dev.zerok.chaos.assertions.RelayLogLeaks}).
     *
     * @throws AssertionError listing the offending lines, or naming the leak
     */
    @Override
    public void verifyRelayLogs() {
        List<String> flagged = logs.lines().stream().filter(l -> l.startsWith("ERROR ")
                || l.contains("IllegalStateException") || l.contains("IllegalArgumentException")).toList();
        timeline.observe("relay-log-audit", flagged.isEmpty() ? "clean" : flagged.size() + " unexpected line(s)");
        if (!flagged.isEmpty()) {
            throw new AssertionError("relay log has " + flagged.size() + " ERROR/IllegalStateException/"
                    + "IllegalArgumentException line(s) [mock -Dzerok.chaos.seed=" + seed + "]:\n"
                    + String.join("\n", flagged.subList(0, Math.min(12, flagged.size()))));
        }
        try {
            dev.zerok.chaos.assertions.RelayLogLeaks.assertNone(this);
        } catch (AssertionError e) {
            throw new AssertionError(e.getMessage() + " [mock -Dzerok.chaos.seed=" + seed + "]", e);
        }
    }

    /** Each device's host on the mock network, any port (its connections get ephemeral ports). */
    @Override
    public List<dev.zerok.chaos.topology.ClientAddress> clientAddresses() {
        return devices.stream().map(d -> new dev.zerok.chaos.topology.ClientAddress(d.name(), -1, d.name())).toList();
    }

    /**
     * {@inheritDoc}
     *
     * <p>On the mock: {@code sessions} is the relay's own count of the connections it holds
     * ({@code RelayServer.openConnections()}, the {@code /health} figure), and it must agree with the
     * connections its transport has accepted and not closed (a mismatch fails the scenario: a
     * connection the relay forgot, or a session it keeps after its transport closed);
     * {@code openFds} and {@code rssBytes} are -1 (the relay lives in the test JVM). A relay that is
     * not running holds 0.
     *
     * @throws AssertionError if the relay's count and its transport's disagree
     */
    @Override
    public dev.zerok.chaos.topology.RelayResources relayResources(Relay relay) {
        MockRelay r = (MockRelay) relay;
        if (!r.running) {
            return new dev.zerok.chaos.topology.RelayResources(-1, -1, 0);
        }
        clock.runUntil(clock.now()); // closes already due reach the relay first
        int held = r.server.openConnections();
        int open = network.openAcceptedChannels(r.name);
        if (held != open) {
            throw new AssertionError(r.name + " holds " + held + " connection(s) but its transport has " + open
                    + " open: a session outlived its connection or a connection was forgotten");
        }
        return new dev.zerok.chaos.topology.RelayResources(-1, -1, held);
    }

    /**
     * The mock network's counters of one direction of the link between {@code device} and
     * {@code relay} (messages and payload bytes handed to it, lost attempts, partition losses), since
     * the topology opened. {@code BOTH} is not a direction here.
     *
     * @throws IllegalArgumentException for {@link LinkDirection#BOTH}
     */
    public dev.zerok.adapters.transport.mock.LinkStats linkStats(Device device, Relay relay, LinkDirection direction) {
        String d = device.name();
        String r = relay.name();
        return switch (direction) {
            case UP -> network.stats(d, r);
            case DOWN -> network.stats(r, d);
            case BOTH -> throw new IllegalArgumentException("linkStats takes UP or DOWN");
        };
    }

    /**
     * Message bytes that have left the bandwidth queue of one direction of the link between
     * {@code device} and {@code relay} (the mock's counterpart of the proxy's forwarded bytes).
     *
     * @throws IllegalArgumentException for {@link LinkDirection#BOTH}
     */
    public long departedBytes(Device device, Relay relay, LinkDirection direction) {
        String d = device.name();
        String r = relay.name();
        return switch (direction) {
            case UP -> network.departedBytes(d, r);
            case DOWN -> network.departedBytes(r, d);
            case BOTH -> throw new IllegalArgumentException("departedBytes takes UP or DOWN");
        };
    }

    @Override
    public List<byte[]> capturedFrames() {
        return List.copyOf(frames);
    }

    private void capture(byte[] frame) {
        if (frameBytes + frame.length <= CAPTURE_LIMIT_BYTES) {
            frames.add(frame);
            frameBytes += frame.length;
        }
    }

    private void onFault(FaultEvent e) {
        timeline.observe("fault", e.kind() + " " + e.fromHost() + "->" + e.toHost() + " conn=" + e.connectionId());
    }

    private void onEvent(MockDevice d, SyncEvent event) {
        d.events.add(event);
        DeviceHarness.recordEvent(timeline, d.name, event, this::relayName, this::label);
    }

    private String relayName(RelayId id) {
        return relays.stream().filter(r -> id.equals(r.id)).map(r -> r.name).findFirst().orElse("relay-?");
    }

    private String label(BlobId blob) {
        return blobLabels.getOrDefault(blob, "blob-?");
    }

    private KeyExchange crypto() {
        return crypto;
    }

    private dev.zerok.ports.crypto.Dh dh() {
        try {
            return crypto.dh("25519");
        } catch (Exception e) {
            throw new ChaosException("X25519 unavailable", e);
        }
    }

    private static void requireRunning(MockRelay r) {
        if (!r.running) {
            throw new ChaosException(r.name + " is not running");
        }
    }

    // ------------------------------------------------------------------ close

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        for (MockDevice d : devices) {
            if (d.running) {
                d.client.abort();
                d.transport.close();
                d.store.close();
                d.groupKeys.close();
                d.running = false;
            }
        }
        for (MockRelay r : relays) {
            if (r.running) {
                r.transport.close();
                r.server.close();
                r.running = false;
            }
        }
        logs.close();
        relays.forEach(r -> DiskFullRelayStoreProvider.forget(r.dataDir.resolve("relay.db")));
        TempDirs.deleteRecursively(workDir);
    }

    // ------------------------------------------------------------------ members

    private static final class MockGroup implements Group {
        final String name;
        final byte[] secret;
        final GroupId id;

        MockGroup(String name, byte[] secret, GroupId id) {
            this.name = name;
            this.secret = secret;
            this.id = id;
        }

        @Override
        public Optional<GroupId> groupId() {
            return Optional.of(id);
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

    private static final class MockRelay implements Relay {
        final String name;
        final Path dataDir;
        Endpoint endpoint;
        RelayId id;
        RelayServer server;
        Transport transport;
        boolean running;
        /** Counts of the servers this relay ran before the current one. */
        long servedBefore;
        long pullsBefore;
        long rateLimitedBefore;
        /** On: the relay's store fails writes as on a full disk; null if a scenario chose its own store. */
        java.util.concurrent.atomic.AtomicBoolean diskFull;

        MockRelay(String name, Path dataDir) {
            this.name = name;
            this.dataDir = dataDir;
        }

        @Override
        public String name() {
            return name;
        }

        @Override
        public boolean running() {
            return running;
        }

        /** Adds the current server's counts to those of earlier incarnations, before it ends. */
        void keepCounters() {
            String text = server.metricsText();
            servedBefore += RelayCounterSource.metric(text, RelayCounterSource.BLOBS_SERVED);
            pullsBefore += RelayCounterSource.metric(text, RelayCounterSource.PULLS);
            rateLimitedBefore += RelayCounterSource.metric(text, RelayCounterSource.RATE_LIMITED);
        }

        @Override
        public String toString() {
            return name;
        }
    }

    private final class MockDevice implements Device {
        final String name;
        final MockGroup group;
        final List<MockRelay> relays;
        final Path dir;
        final KeyPair identity;
        final Duration clockOffset;
        /** The device's KeyExchange port: the real one, watched, maybe with a broken component. */
        final InstrumentedKeyExchange crypto;
        DeviceId deviceId;
        final Map<BlobId, byte[]> pushed = new LinkedHashMap<>();
        final Map<BlobId, byte[]> received = new LinkedHashMap<>();
        final List<SyncEvent> events = new ArrayList<>();
        long deliveries;
        SyncClient client;
        ClientStateStore store;
        GroupKeys groupKeys;
        Transport transport;
        boolean running;
        /** On: the device's state store fails writes as on a full disk (kept across restarts). */
        final java.util.concurrent.atomic.AtomicBoolean diskFull = new java.util.concurrent.atomic.AtomicBoolean();

        MockDevice(String name, MockGroup group, List<MockRelay> relays, Path dir, KeyPair identity,
                Duration clockOffset, InstrumentedKeyExchange crypto) {
            this.crypto = crypto;
            this.name = name;
            this.group = group;
            this.relays = relays;
            this.dir = dir;
            this.identity = identity;
            this.clockOffset = clockOffset;
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
        public Optional<DeviceId> deviceId() {
            return Optional.ofNullable(deviceId);
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
            if (!running) {
                throw new ChaosException(name + " is not running");
            }
            CompletableFuture<BlobId> result = client.push(kind, data);
            if (!result.isDone()) {
                throw new ChaosException("push did not complete on the simulation thread");
            }
            BlobId id;
            try {
                id = result.join();
            } catch (RuntimeException e) {
                throw new ChaosException(name + ": push refused: " + e.getCause(), e);
            }
            pushed.put(id, data.clone());
            String label = name + "#" + pushed.size();
            blobLabels.put(id, label);
            timeline.inject("push", label + " " + data.length + "B");
            return id;
        }

        @Override
        public int maxPayloadBytes() {
            return DeviceHarness.maxPayloadBytes(relaySettings);
        }

        @Override
        public void syncNow() {
            if (!running) {
                throw new ChaosException(name + " is not running");
            }
            timeline.inject("sync-now", name);
            client.syncNow();
        }

        @Override
        public SyncStatus status() {
            return running ? client.status() : SyncStatus.OFFLINE;
        }

        @Override
        public VersionVector versionVector() {
            if (running) {
                return client.versionVector();
            }
            throw new ChaosException(name + " is not running");
        }

        @Override
        public Cursor pullCursor(Relay relay) {
            if (!running) {
                throw new ChaosException(name + " is not running");
            }
            CompletableFuture<Cursor> c = client.pullCursor(((MockRelay) relay).id);
            return c.join();
        }

        @Override
        public Map<BlobId, byte[]> pushed() {
            return Collections.unmodifiableMap(new LinkedHashMap<>(pushed));
        }

        @Override
        public Map<BlobId, byte[]> received() {
            return Collections.unmodifiableMap(new LinkedHashMap<>(received));
        }

        @Override
        public long deliveries() {
            return deliveries;
        }

        @Override
        public List<SyncEvent> events() {
            return List.copyOf(events);
        }

        @Override
        public String toString() {
            return name;
        }
    }
}
