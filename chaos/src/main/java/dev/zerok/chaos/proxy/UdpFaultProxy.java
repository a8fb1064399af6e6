package dev.zerok.chaos.proxy;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.FixedRecvByteBufAllocator;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.DatagramPacket;
import io.netty.channel.socket.nio.NioDatagramChannel;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.UnaryOperator;

/**
 * A UDP proxy that injects network faults between clients (devices) and one upstream (a relay),
 * standing in for netem on loopback. It listens on one UDP port; each client source address gets
 * a session with its own upstream-facing socket, so the upstream sees one peer per client and
 * replies route back to the right client. Sessions idle for longer than the idle timeout are
 * closed.
 *
 * <pre>
 *   client A ──┐                 ┌── session A socket ──┐
 *              ├─► listen port ──┤                      ├─► upstream (relay)
 *   client B ──┘   (direction UP)└── session B socket ──┘
 *              ◄── listen port ◄──── session socket ◄───── (direction DOWN)
 * </pre>
 *
 * <p>Every datagram goes through the {@link FaultEngine} (see {@link FaultProfile} for the stages)
 * and is sent when its verdict says. Profiles change live with {@link #setProfile}; the next
 * datagram sees the new profile. All I/O and all timers run on one Netty event-loop thread, so
 * the order of decisions is the order of arrival.
 *
 * <p>Thread-safety: every public method may be called from any thread.
 */
public final class UdpFaultProxy implements AutoCloseable {

    /** The largest UDP payload over IPv4 (65535 - 8 byte UDP header - 20 byte IP header). */
    private static final int MAX_DATAGRAM_BYTES = 65_507;

    private final FaultEngine engine;
    private final InetSocketAddress upstream;
    private final long idleTimeoutNanos;
    private final int maxSessions;
    private final int socketBufferBytes;
    private final FaultListener listener;
    private final Clock clock;
    private final DatagramCapture capturedUp;
    private final DatagramCapture capturedDown;
    /** Every client address seen and every local address of a session socket; guarded by itself. */
    private final java.util.Set<InetSocketAddress> peerAddresses = new java.util.LinkedHashSet<>();
    private final EventLoopGroup group;
    private final EventLoop loop;
    private final Channel listenChannel;
    /** Only touched on {@link #loop}. */
    private final Map<InetSocketAddress, Session> sessions = new HashMap<>();
    private volatile int activeSessions;
    private final AtomicLong sessionsOpened = new AtomicLong();
    private final AtomicLong sessionsExpired = new AtomicLong();
    private final AtomicLong sessionRejects = new AtomicLong();
    private final AtomicLong sendFailures = new AtomicLong();
    private final AtomicLong listenerFailures = new AtomicLong();
    private final ChannelFutureListener countSendFailure = f -> {
        if (!f.isSuccess()) {
            sendFailures.incrementAndGet();
        }
    };

    private UdpFaultProxy(Builder b) throws IOException {
        this.engine = new FaultEngine(b.seed);
        engine.setProfile(Direction.UP, b.up);
        engine.setProfile(Direction.DOWN, b.down);
        this.upstream = b.upstream;
        this.idleTimeoutNanos = b.idleTimeout.toNanos();
        this.maxSessions = b.maxSessions;
        this.socketBufferBytes = b.socketBufferBytes;
        this.listener = b.listener;
        this.clock = b.clock;
        this.capturedUp = new DatagramCapture(b.captureBytes);
        this.capturedDown = new DatagramCapture(b.captureBytes);
        this.group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        this.loop = group.next();
        ChannelFuture bound = datagramBootstrap(new ListenHandler()).bind(b.listen).awaitUninterruptibly();
        if (!bound.isSuccess()) {
            group.shutdownGracefully(0, 0, TimeUnit.MILLISECONDS);
            throw new IOException("fault proxy cannot listen on " + b.listen + ": " + bound.cause(), bound.cause());
        }
        this.listenChannel = bound.channel();
        long periodNanos = Math.clamp(idleTimeoutNanos / 4, TimeUnit.MILLISECONDS.toNanos(10),
                TimeUnit.SECONDS.toNanos(1));
        loop.scheduleAtFixedRate(this::expireIdleSessions, periodNanos, periodNanos, TimeUnit.NANOSECONDS);
    }

    /**
     * Starts building a proxy that forwards to {@code upstream}.
     *
     * @param upstream the relay's UDP address
     */
    public static Builder builder(InetSocketAddress upstream) {
        return new Builder(upstream);
    }

    /** The address the proxy listens on (with the actual port when 0 was asked). */
    public InetSocketAddress listenAddress() {
        return (InetSocketAddress) listenChannel.localAddress();
    }

    /** The upstream address datagrams are forwarded to. */
    public InetSocketAddress upstreamAddress() {
        return upstream;
    }

    /** The seed of every random decision; log it so a run can be replayed. */
    public long seed() {
        return engine.seed();
    }

    /** The profile in force for {@code direction}. */
    public FaultProfile profile(Direction direction) {
        return engine.profile(direction);
    }

    /** Replaces the profile of {@code direction} live; see {@link FaultEngine#setProfile}. */
    public void setProfile(Direction direction, FaultProfile profile) {
        engine.setProfile(direction, profile);
    }

    /** Changes the profile of {@code direction} atomically; see {@link FaultEngine#updateProfile}. */
    public FaultProfile updateProfile(Direction direction, UnaryOperator<FaultProfile> change) {
        return engine.updateProfile(direction, change);
    }

    /** Partitions both directions (drop all), keeping the rest of each profile. */
    public void partition() {
        for (Direction d : Direction.values()) {
            engine.updateProfile(d, p -> p.withPartitioned(true));
        }
    }

    /** Lifts the partition in both directions, keeping the rest of each profile. */
    public void heal() {
        for (Direction d : Direction.values()) {
            engine.updateProfile(d, p -> p.withPartitioned(false));
        }
    }

    /** Both directions back to {@link FaultProfile#NONE}; see {@link FaultEngine#resetProfiles}. */
    public void resetProfiles() {
        engine.resetProfiles();
    }

    /** A snapshot of the counters. */
    public ProxyStats stats() {
        return new ProxyStats(engine.seed(), engine.stats(Direction.UP), engine.stats(Direction.DOWN),
                activeSessions, sessionsOpened.get(), sessionsExpired.get(), sessionRejects.get(),
                sendFailures.get(), listenerFailures.get());
    }

    /**
     * The datagrams forwarded in {@code direction} so far (after faults: what the far side was sent),
     * up to the builder's {@link Builder#captureBytes}; empty if capture is off. Still readable
     * after {@link #close()}.
     */
    public DatagramCapture.Snapshot captured(Direction direction) {
        return switch (direction) {
            case UP -> capturedUp.snapshot();
            case DOWN -> capturedDown.snapshot();
        };
    }

    /**
     * Every address the link's peers had as the other side saw them: each client's source address
     * (what the proxy received from) and each session socket's local address (what the upstream
     * received from), in order of first use. Still readable after {@link #close()}.
     */
    public List<InetSocketAddress> peerAddresses() {
        synchronized (peerAddresses) {
            return List.copyOf(peerAddresses);
        }
    }

    /**
     * Stops the proxy: closes every socket and drops datagrams still waiting for their send time.
     * Waits up to 5 s for the listen socket to close, 5 s for the session sockets and 10 s for the
     * I/O thread to end. Idempotent.
     */
    @Override
    public void close() {
        // The sockets first, each awaited: the event loop group's shutdown alone, awaited 5 s, left
        // a listen port bound after close() twice in about 600 real iterations (T-LAT-02, S-BLOB-03).
        listenChannel.close().awaitUninterruptibly(5, TimeUnit.SECONDS);
        if (!loop.isShuttingDown()) {
            try {
                loop.submit(() -> sessions.values().forEach(s -> s.bound.channel().close()))
                        .awaitUninterruptibly(5, TimeUnit.SECONDS);
            } catch (java.util.concurrent.RejectedExecutionException e) {
                // the loop is already shutting down: its shutdown closes what is left
            }
        }
        group.shutdownGracefully(0, 200, TimeUnit.MILLISECONDS).awaitUninterruptibly(10, TimeUnit.SECONDS);
    }

    private Bootstrap datagramBootstrap(SimpleChannelInboundHandler<DatagramPacket> handler) {
        return new Bootstrap().group(loop).channel(NioDatagramChannel.class)
                .option(ChannelOption.SO_RCVBUF, socketBufferBytes)
                .option(ChannelOption.SO_SNDBUF, socketBufferBytes)
                .option(ChannelOption.RECVBUF_ALLOCATOR, new FixedRecvByteBufAllocator(MAX_DATAGRAM_BYTES))
                .handler(handler);
    }

    private void onClientDatagram(InetSocketAddress client, byte[] payload) {
        Session session = sessions.get(client);
        if (session == null) {
            if (sessions.size() >= maxSessions) {
                sessionRejects.incrementAndGet();
                return;
            }
            session = new Session(client);
            sessions.put(client, session);
            synchronized (peerAddresses) {
                peerAddresses.add(client);
            }
            activeSessions = sessions.size();
            sessionsOpened.incrementAndGet();
        }
        session.lastActiveNanos = System.nanoTime();
        forward(Direction.UP, session, payload, session.lastActiveNanos);
    }

    private void forward(Direction direction, Session session, byte[] payload, long nowNanos) {
        Verdict verdict = engine.onDatagram(direction, payload, nowNanos);
        switch (verdict) {
            case Verdict.Dropped dropped -> report(direction, session, dropped.cause(), payload.length);
            case Verdict.Forwarded forwarded -> {
                for (Fault f : forwarded.injected()) {
                    report(direction, session, f, payload.length);
                }
                for (Verdict.Delivery d : forwarded.deliveries()) {
                    long delayNanos = d.sendAtNanos() - System.nanoTime();
                    if (delayNanos <= 0) {
                        send(direction, session, d.payload());
                    } else {
                        loop.schedule(() -> send(direction, session, d.payload()), delayNanos,
                                TimeUnit.NANOSECONDS);
                    }
                }
            }
        }
    }

    private void send(Direction direction, Session session, byte[] payload) {
        (direction == Direction.UP ? capturedUp : capturedDown).add(payload);
        switch (direction) {
            case UP -> session.sendUpstream(payload);
            case DOWN -> listenChannel.writeAndFlush(
                    new DatagramPacket(Unpooled.wrappedBuffer(payload), session.client))
                    .addListener(countSendFailure);
        }
    }

    private void report(Direction direction, Session session, Fault fault, int sizeBytes) {
        try {
            listener.onFault(new FaultEvent(clock.instant(), direction, fault, session.client, sizeBytes));
        } catch (RuntimeException e) {
            listenerFailures.incrementAndGet();
        }
    }

    private void expireIdleSessions() {
        long now = System.nanoTime();
        Iterator<Session> it = sessions.values().iterator();
        while (it.hasNext()) {
            Session s = it.next();
            if (now - s.lastActiveNanos > idleTimeoutNanos) {
                it.remove();
                s.bound.channel().close();
                sessionsExpired.incrementAndGet();
            }
        }
        activeSessions = sessions.size();
    }

    /** Receives from clients on the listen socket. Runs on {@link #loop}. */
    private final class ListenHandler extends SimpleChannelInboundHandler<DatagramPacket> {
        @Override
        protected void channelRead0(ChannelHandlerContext ctx, DatagramPacket packet) {
            onClientDatagram(packet.sender(), ByteBufUtil.getBytes(packet.content()));
        }
    }

    /** One client's upstream-facing socket. Fields are touched only on {@link #loop}. */
    private final class Session {
        final InetSocketAddress client;
        final ChannelFuture bound;
        long lastActiveNanos;
        /** Datagrams decided before the socket finished binding, in order. */
        private List<byte[]> pending = new ArrayList<>();

        Session(InetSocketAddress client) {
            this.client = client;
            InetSocketAddress local = new InetSocketAddress(listenAddress().getAddress(), 0);
            this.bound = datagramBootstrap(new UpstreamHandler(this)).bind(local);
            bound.addListener(f -> {
                if (f.isSuccess()) {
                    synchronized (peerAddresses) {
                        peerAddresses.add((InetSocketAddress) bound.channel().localAddress());
                    }
                }
                List<byte[]> waiting = pending;
                pending = null;
                for (byte[] p : waiting) {
                    writeUpstream(p);
                }
            });
        }

        void sendUpstream(byte[] payload) {
            if (pending != null) {
                pending.add(payload);
            } else {
                writeUpstream(payload);
            }
        }

        private void writeUpstream(byte[] payload) {
            if (!bound.isSuccess()) {
                sendFailures.incrementAndGet();
                return;
            }
            bound.channel().writeAndFlush(new DatagramPacket(Unpooled.wrappedBuffer(payload), upstream))
                    .addListener(countSendFailure);
        }
    }

    /** Receives the upstream's replies on one session's socket. Runs on {@link #loop}. */
    private final class UpstreamHandler extends SimpleChannelInboundHandler<DatagramPacket> {
        private final Session session;

        UpstreamHandler(Session session) {
            this.session = session;
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, DatagramPacket packet) {
            if (!packet.sender().equals(upstream)) {
                return; // not the relay: a stray datagram to an ephemeral port is not part of the path
            }
            session.lastActiveNanos = System.nanoTime();
            forward(Direction.DOWN, session, ByteBufUtil.getBytes(packet.content()), session.lastActiveNanos);
        }
    }

    /** Settings of a proxy; {@link #start()} binds it. Not thread-safe. */
    public static final class Builder {
        private final InetSocketAddress upstream;
        private InetSocketAddress listen = new InetSocketAddress("127.0.0.1", 0);
        private long seed = new SecureRandom().nextLong();
        private Duration idleTimeout = Duration.ofSeconds(120);
        private int maxSessions = 1024;
        private int socketBufferBytes = 4 << 20;
        private FaultProfile up = FaultProfile.NONE;
        private FaultProfile down = FaultProfile.NONE;
        private FaultListener listener = FaultListener.NONE;
        private Clock clock = Clock.systemUTC();
        private long captureBytes;

        private Builder(InetSocketAddress upstream) {
            this.upstream = Objects.requireNonNull(upstream, "upstream");
        }

        /**
         * Where to listen for clients; default {@code 127.0.0.1:0} (any free port). The session
         * sockets towards the upstream bind to the same host (with a free port), so it must be
         * able to reach the upstream (same address family).
         */
        public Builder listen(InetSocketAddress address) {
            this.listen = Objects.requireNonNull(address, "listen");
            return this;
        }

        /** The seed of every random decision; default a fresh one from {@link SecureRandom}. */
        public Builder seed(long value) {
            this.seed = value;
            return this;
        }

        /** How long a client session may see no datagram either way before it closes; default 120 s. */
        public Builder idleTimeout(Duration timeout) {
            if (timeout.isNegative() || timeout.isZero()) {
                throw new IllegalArgumentException("idleTimeout must be positive, was " + timeout);
            }
            this.idleTimeout = timeout;
            return this;
        }

        /** Most client sessions open at once (one socket each); default 1024. */
        public Builder maxSessions(int count) {
            if (count < 1) {
                throw new IllegalArgumentException("maxSessions must be at least 1, was " + count);
            }
            this.maxSessions = count;
            return this;
        }

        /**
         * SO_RCVBUF and SO_SNDBUF asked for every socket, in bytes; default 4 MiB (the kernel may
         * grant less, see {@code net.core.rmem_max}).
         */
        public Builder socketBufferBytes(int bytes) {
            if (bytes < 1) {
                throw new IllegalArgumentException("socketBufferBytes must be at least 1, was " + bytes);
            }
            this.socketBufferBytes = bytes;
            return this;
        }

        /** The initial profile of {@code direction}; default {@link FaultProfile#NONE}. */
        public Builder profile(Direction direction, FaultProfile profile) {
            Objects.requireNonNull(profile, "profile");
            switch (direction) {
                case UP -> up = profile;
                case DOWN -> down = profile;
            }
            return this;
        }

        /** The injection log hook; default none. */
        public Builder listener(FaultListener value) {
            this.listener = Objects.requireNonNull(value, "listener");
            return this;
        }

        /** The clock stamping {@link FaultEvent}s; default {@link Clock#systemUTC()}. */
        public Builder clock(Clock value) {
            this.clock = Objects.requireNonNull(value, "clock");
            return this;
        }

        /**
         * Keep the first {@code bytes} payload bytes forwarded in each direction for
         * {@link #captured}; default 0 (capture off).
         */
        public Builder captureBytes(long bytes) {
            new DatagramCapture(bytes); // validates the range
            this.captureBytes = bytes;
            return this;
        }

        /**
         * Binds the listen socket and starts the I/O thread.
         *
         * @throws IOException if the listen address cannot be bound
         */
        public UdpFaultProxy start() throws IOException {
            return new UdpFaultProxy(this);
        }
    }
}
