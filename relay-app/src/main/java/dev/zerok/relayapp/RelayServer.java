package dev.zerok.relayapp;

import dev.zerok.kernel.noise.StaticIdentity;
import dev.zerok.kernel.noise.RekeyPolicy;
import dev.zerok.kernel.relay.RelayLimits;
import dev.zerok.kernel.relay.RelaySession;
import dev.zerok.kernel.relay.TokenBucketLimiter;
import dev.zerok.kernel.wire.FrameCodec;
import dev.zerok.kernel.wire.MessageCodec;
import dev.zerok.ports.Redacted;
import dev.zerok.ports.crypto.KeyExchange;
import dev.zerok.ports.crypto.KeyPair;
import dev.zerok.ports.entropy.Entropy;
import dev.zerok.ports.id.DeviceId;
import dev.zerok.ports.id.GroupId;
import dev.zerok.ports.relaystore.RelayStore;
import dev.zerok.ports.relaystore.RelayStoreException;
import dev.zerok.ports.relaystore.StoreStats;
import dev.zerok.ports.spi.ConfigException;
import dev.zerok.ports.spi.ProviderConfig;
import dev.zerok.ports.spi.ProviderContext;
import dev.zerok.ports.time.Clock;
import dev.zerok.ports.time.Timer;
import dev.zerok.ports.transport.Endpoint;
import dev.zerok.ports.transport.Server;
import dev.zerok.ports.transport.Transport;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A running relay: the transport server, the HTTP endpoints, the purge timer and every
 * connection. {@link #close()} is the graceful shutdown: stop accepting, let each session finish
 * the operation in flight and say UNAVAILABLE, wait for the connections to drain (bounded), then
 * close the transport and the store (every acknowledged append is already committed).
 */
public final class RelayServer implements AutoCloseable {
    static final String VERSION = "0.1.0";
    private static final Logger LOG = LoggerFactory.getLogger(RelayServer.class);

    private final RelayComponent component;
    private final RelayRuntime runtime;
    private final Server server;
    private final HttpEndpoints http;
    private final KeyPair identity;
    private final java.nio.file.Path identityFile;
    private final boolean identityCreated;
    private final Duration drainTimeout;
    private final Transport transport;
    private final RelayStore store;
    /** The executor this relay created and shuts down; null when an {@link Environment} supplied one. */
    private final ExecutorService ownedExecutor;
    private final Executor executor;
    private final AtomicLong connectionNumbers = new AtomicLong();
    private final Instant startedAt;
    private volatile Timer purgeTimer;
    private volatile boolean closing;

    /**
     * What an embedding host supplies instead of the providers the configuration names: the chaos
     * suite's deterministic mock topology runs relays in its own JVM on virtual time, seeded
     * entropy, its mock transport and its own single thread. The key exchange still comes from the
     * configured provider; the store is opened from the configuration with this clock and entropy.
     *
     * @param clock time and timers (every timeout, TTL, rate limit and the purge timer)
     * @param entropy the relay's identity (when first created), handshake ephemerals
     * @param transport where the relay listens ({@code listen} is bound on it); closed by the relay
     * @param executor runs each connection's serial lane and the purge; a direct executor
     *     ({@code Runnable::run}) makes the relay run on the caller's thread. Not shut down by the relay.
     * @param httpEnabled whether to serve {@code /health} and {@code /metrics} on {@code http.listen}
     */
    public record Environment(Clock clock, Entropy entropy, Transport transport, Executor executor, boolean httpEnabled) {
        public Environment {
            Objects.requireNonNull(clock, "clock");
            Objects.requireNonNull(entropy, "entropy");
            Objects.requireNonNull(transport, "transport");
            Objects.requireNonNull(executor, "executor");
        }
    }

    private RelayServer(RelayConfig config, Environment environment) throws Exception {
        component = RelayComponent.create(config);
        ProviderConfig top = config.topLevel();
        Clock clock;
        Entropy entropy;
        if (environment == null) {
            clock = component.clock();
            entropy = component.entropy();
            transport = component.transport();
            ownedExecutor = Executors.newVirtualThreadPerTaskExecutor();
            executor = ownedExecutor;
        } else {
            clock = environment.clock();
            entropy = environment.entropy();
            transport = environment.transport();
            ownedExecutor = null;
            executor = environment.executor();
        }
        KeyExchange keyExchange = component.keyExchange();
        startedAt = clock.now();
        // The identity first: it creates the data directory owner-only before the store puts files in it.
        identityFile = config.dataDir().resolve(RelayIdentityFile.FILE_NAME).toAbsolutePath();
        identityCreated = !java.nio.file.Files.exists(identityFile);
        identity = RelayIdentityFile.loadOrCreate(config.dataDir(), keyExchange.dh("25519"), entropy);
        store = environment == null ? component.relayStore()
                : PortsModule.relayStore(config, new ProviderContext(clock, entropy));
        RelayLimits limits = limits(top);
        TokenBucketLimiter<DeviceId> limiter = new TokenBucketLimiter<>(
                new TokenBucketLimiter.Rate(top.intValue("limits.rate.device.per.second", 10_000, 1, 1_000_000),
                        top.intValue("limits.rate.device.burst", 20_000, 1, 1_000_000)),
                new TokenBucketLimiter.Rate(top.intValue("limits.rate.group.per.second", 20_000, 1, 10_000_000),
                        top.intValue("limits.rate.group.burst", 40_000, 1, 10_000_000)),
                new TokenBucketLimiter.Rate(top.intValue("limits.rate.global.per.second", 50_000, 1, 10_000_000),
                        top.intValue("limits.rate.global.burst", 100_000, 1, 10_000_000)),
                top.intValue("limits.rate.max.keys", 100_000, 1, 10_000_000), clock.now());
        RelayRuntime.Admission admission = new RelayRuntime.Admission(
                top.intValue("limits.sessions.max", 1_000, 1, 1_000_000),
                top.intValue("limits.sessions.unauthenticated.max", 256, 1, 1_000_000),
                allowedGroups(top));
        drainTimeout = top.duration("shutdown.drain.timeout", Duration.ofSeconds(5));
        Duration purgeInterval = top.duration("purge.interval", Duration.ofMinutes(1));
        GroupRouterHolder routerHolder = new GroupRouterHolder();
        RelayMetrics metrics = new RelayMetrics(VERSION, () -> routerHolder.runtime.connections().size(),
                () -> routerHolder.runtime.router().activeGroups(), () -> stats(store).totalBlobs(),
                () -> stats(store).storageBytes(), () -> stats(store).groupsWithData(),
                () -> stats(store).rottenBlobsDetected(), () -> routerHolder.runtime.unauthenticatedCount());
        InboundBudget budget = new InboundBudget(top.longValue("limits.inbound.buffer.bytes",
                Math.max(16L << 20, Runtime.getRuntime().maxMemory() / 2), 1L << 20, 1L << 40));
        // Both peers must re-key at the same message: change these only together with the devices' setting (tests).
        RekeyPolicy rekey = new RekeyPolicy(
                top.longValue("noise.rekey.interval.messages", RekeyPolicy.DEFAULT.everyMessages(), 1, Long.MAX_VALUE),
                top.longValue("noise.rekey.interval.bytes", RekeyPolicy.DEFAULT.everyBytes(), 1, Long.MAX_VALUE));
        runtime = new RelayRuntime(clock, entropy, keyExchange, store, identity, limits, limiter, admission, budget, metrics,
                executor, rekey);
        routerHolder.runtime = runtime;

        server = transport.bind(Endpoint.parse(top.string("listen", "127.0.0.1:7443")), channel -> {
            RelayConnection connection = new RelayConnection(runtime, connectionNumbers.incrementAndGet());
            runtime.metrics().connectionsAccepted.inc();
            if (closing || !runtime.connectionOpened(connection)) {
                // Refusals are counted, not logged one by one: a flood must not flood the log.
                runtime.metrics().connectionsRefused.inc();
                LOG.debug("refusing a connection: {}", closing ? "shutting down" : "unauthenticated session cap reached");
                channel.close();
                return connection;
            }
            LOG.debug("connection {} accepted from {}", connection, Redacted.of(channel.remoteEndpoint()));
            connection.start(channel);
            return connection;
        });
        http = environment != null && !environment.httpEnabled() ? null
                : new HttpEndpoints(Endpoint.parse(top.string("http.listen", "127.0.0.1:7480")), this::health, metrics,
                        executor);
        schedulePurge(purgeInterval);
    }

    /**
     * The session limits from the configuration, cross-checked: a pull page of
     * {@code limits.pull.max.bytes} must fit one frame, or the relay would acknowledge what it
     * cannot serve.
     */
    static RelayLimits limits(ProviderConfig top) throws ConfigException {
        int frame = top.intValue("limits.frame.max.bytes", RelayLimits.DEFAULTS.maxFrameBytes(), 16 * 1024,
                FrameCodec.LIMIT_MAX_FRAME_BYTES);
        long pullBytes = top.longValue("limits.pull.max.bytes", RelayLimits.DEFAULTS.maxPullBytes(), 1024, 16L * 1024 * 1024);
        if (pullBytes > MessageCodec.maxBlobPayloadBytes(frame)) {
            throw new ConfigException("limits.pull.max.bytes (" + pullBytes + ") must leave room for the page envelope "
                    + "inside limits.frame.max.bytes (" + frame + "): at most " + MessageCodec.maxBlobPayloadBytes(frame));
        }
        return new RelayLimits(frame,
                top.duration("limits.ttl.max", RelayLimits.DEFAULTS.maxTtl()),
                top.intValue("limits.pull.max.blobs", RelayLimits.DEFAULTS.maxPullBlobs(), 1, 100_000),
                pullBytes,
                top.duration("limits.hello.timeout", RelayLimits.DEFAULTS.helloTimeout()),
                top.duration("limits.frame.timeout", RelayLimits.DEFAULTS.frameTimeout()),
                top.intValue("limits.session.max.queued", RelayLimits.DEFAULTS.maxQueuedRequests(), 1, 4096));
    }

    /** {@code groups.allow}: comma-separated group ids (hex); empty or absent serves every group. */
    static Set<GroupId> allowedGroups(ProviderConfig top) throws ConfigException {
        Set<GroupId> groups = new HashSet<>();
        for (String hex : top.string("groups.allow", "").split(",")) {
            if (hex.isBlank()) {
                continue;
            }
            try {
                groups.add(GroupId.fromHex(hex.strip()));
            } catch (IllegalArgumentException e) {
                throw new ConfigException("groups.allow: an entry is not a " + 2 * GroupId.LENGTH
                        + "-digit hex group id (entry " + (groups.size() + 1) + ")");
            }
        }
        return groups;
    }

    /**
     * Starts a relay from {@code config}: wires the providers, loads or creates the identity, opens
     * the store, binds QUIC and HTTP.
     *
     * @throws Exception with a one-line reason if any of that fails
     */
    public static RelayServer start(RelayConfig config) throws Exception {
        return new RelayServer(config, null);
    }

    /**
     * Starts a relay embedded in a host that supplies the clock, entropy, transport and executor
     * (see {@link Environment}); otherwise as {@link #start(RelayConfig)}. With a direct executor
     * the relay does all its work on the threads that call into it (the transport's and the
     * clock's), and {@link #close()} does not wait for connections to drain.
     *
     * @throws Exception with a one-line reason if the identity, the store or the bind fails
     */
    public static RelayServer start(RelayConfig config, Environment environment) throws Exception {
        return new RelayServer(config, Objects.requireNonNull(environment, "environment"));
    }

    /** Where devices connect. */
    public Endpoint endpoint() {
        return server.localEndpoint();
    }

    /**
     * Where {@code /health} and {@code /metrics} are served.
     *
     * @throws IllegalStateException if HTTP was disabled by the {@link Environment}
     */
    public Endpoint httpEndpoint() {
        if (http == null) {
            throw new IllegalStateException("HTTP is disabled for this relay");
        }
        return http.localEndpoint();
    }

    /**
     * The relay's metrics now, in Prometheus text format 0.0.4 (UTF-8): what {@code /metrics}
     * serves, readable also when HTTP is disabled by the {@link Environment} (an embedded relay).
     * Thread-safe.
     *
     * @throws java.io.UncheckedIOException never in practice (the writer targets memory)
     */
    public String metricsText() {
        try {
            return new String(runtime.metrics().scrape(), java.nio.charset.StandardCharsets.UTF_8);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** Where the relay's static identity is kept (absolute). */
    public java.nio.file.Path identityFile() {
        return identityFile;
    }

    /** True if this start created a new identity (no identity file existed in the data directory). */
    public boolean identityCreated() {
        return identityCreated;
    }

    /** The 33-byte versioned public key devices pin, as hex. */
    public String publicKeyHex() {
        return HexFormat.of().formatHex(StaticIdentity.encodePublic(identity.publicKey()));
    }

    /**
     * Connections the relay holds right now, from accept until it has closed them (authenticated
     * sessions and those still in the handshake or before Hello): the {@code connections} figure of
     * {@code /health}, for an embedding that has no HTTP (the mock chaos topology). Thread-safe.
     */
    public int openConnections() {
        return runtime.connections().size();
    }

    HttpEndpoints.Health health() {
        long uptime = Duration.between(startedAt, runtime.clock().now()).toSeconds();
        return new HttpEndpoints.Health(closing ? "draining" : "ok", VERSION, runtime.connections().size(),
                runtime.router().activeGroups(), uptime, stats(runtime.store()));
    }

    private static StoreStats stats(RelayStore store) {
        try {
            return store.stats();
        } catch (RelayStoreException e) {
            throw new IllegalStateException("store unavailable", e);
        }
    }

    private void schedulePurge(Duration interval) {
        purgeTimer = runtime.clock().schedule(interval, () -> executor.execute(() -> {
            try {
                long purged = runtime.store().purgeExpired(runtime.clock().now());
                LOG.debug("purged expired blobs: {}", purged > 0 ? "some" : "none");
            } catch (RelayStoreException e) {
                LOG.warn("purge failed: {}", e.code());
            }
            if (!closing) {
                schedulePurge(interval);
            }
        }));
    }

    @Override
    public void close() {
        if (closing) {
            return;
        }
        closing = true;
        LOG.info("shutting down: draining {} connection(s)", runtime.connections().size());
        server.close();
        if (purgeTimer != null) {
            purgeTimer.cancel();
        }
        for (RelayConnection c : runtime.connections()) {
            c.enqueue(new RelaySession.Input.Shutdown());
        }
        // An embedding host's executor may be the caller's own thread: waiting here would stall it.
        long deadline = System.nanoTime() + drainTimeout.toNanos();
        while (ownedExecutor != null && !runtime.connections().isEmpty() && System.nanoTime() < deadline) {
            Thread.onSpinWait();
            try {
                ownedExecutor.awaitTermination(10, java.util.concurrent.TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        if (http != null) {
            http.close();
        }
        transport.close();
        if (ownedExecutor != null) {
            ownedExecutor.shutdown();
        }
        store.close();
        LOG.info("shut down");
    }

    /** Lets the metric callbacks reach the runtime, which is built after them. */
    private static final class GroupRouterHolder {
        volatile RelayRuntime runtime;
    }
}
