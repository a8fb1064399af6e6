package dev.zerok.adapters.transport.quic;

import dev.zerok.ports.spi.ConfigException;
import dev.zerok.ports.spi.ProviderConfig;
import java.time.Duration;
import java.util.Set;

/**
 * The QUIC transport's configuration, parsed from the provider's keys (see
 * {@link QuicTransportProvider} for their meaning and defaults).
 */
record QuicSettings(
        Duration idleTimeout,
        Duration readTimeout,
        Duration connectTimeout,
        int maxConnections,
        int maxStreamsPerConnection,
        int datagramSizeBytes,
        int eventLoopThreads,
        long streamWindowBytes,
        boolean retry,
        int maxConnectionsPerSource,
        int handshakeRatePerSourcePerSecond,
        int handshakeRatePerSourceBurst,
        int maxSourcesTracked,
        boolean logSourceAddresses,
        Duration firstStreamTimeout,
        Duration closeLinger,
        Duration handshakeTimeout,
        Duration retryTokenLifetime,
        io.netty.handler.codec.quic.QuicCongestionControlAlgorithm congestionControl) {

    static final Set<String> KEYS = Set.of("idle.timeout", "read.timeout", "connect.timeout", "max.connections",
            "max.streams.per.connection", "datagram.size", "event.loop.threads", "stream.window.bytes",
            "retry", "max.connections.per.source", "handshake.rate.per.source.per.second",
            "handshake.rate.per.source.burst", "max.sources.tracked", "log.source.addresses",
            "first.stream.timeout", "close.linger", "handshake.timeout", "retry.token.lifetime",
            "congestion.control");

    static QuicSettings parse(ProviderConfig config) throws ConfigException {
        config.requireOnly(KEYS);
        return new QuicSettings(
                positive(config, "idle.timeout", Duration.ofSeconds(30)),
                positive(config, "read.timeout", Duration.ofSeconds(10)),
                positive(config, "connect.timeout", Duration.ofSeconds(30)),
                config.intValue("max.connections", 1_024, 1, 1_000_000),
                config.intValue("max.streams.per.connection", 1, 1, 1_024),
                // RFC 9000 section 14: every QUIC path must carry 1200-byte datagrams; 65527 is UDP's limit.
                config.intValue("datagram.size", 1_350, 1_200, 65_527),
                config.intValue("event.loop.threads", 2, 1, 256),
                config.longValue("stream.window.bytes", 8L << 20, 65_537, 1L << 30),
                config.booleanValue("retry", true),
                config.intValue("max.connections.per.source", 32, 1, 1_000_000),
                config.intValue("handshake.rate.per.source.per.second", 20, 1, 1_000_000),
                config.intValue("handshake.rate.per.source.burst", 40, 1, 1_000_000),
                config.intValue("max.sources.tracked", 100_000, 1, 10_000_000),
                config.booleanValue("log.source.addresses", false),
                positive(config, "first.stream.timeout", Duration.ofSeconds(5)),
                positive(config, "close.linger", Duration.ofSeconds(3)),
                // Half the client's 30 s connect timeout: with Retry a client's connect spans two
                // round trips, the server's handshake (validated Initial to client Finished) one.
                positive(config, "handshake.timeout", Duration.ofSeconds(15)),
                // A token echoed one round trip after it was issued, or a PTO retransmission of that
                // Initial, must still validate: as long as a client's whole connect may take.
                positive(config, "retry.token.lifetime", Duration.ofSeconds(30)),
                congestionControl(config));
    }

    /**
     * {@code congestion.control}: {@code bbr} (default), {@code cubic} or {@code reno}, quiche's
     * algorithms. BBR by default: under seed 000's S-BLOB-01 faults (200 ms each way, 5% random loss)
     * loss-based CUBIC collapsed its window (6 of 97 MiB-sized blobs crossed in 10 min, every
     * answer later than 30 s) where BBR moved 86 in the same time.
     */
    private static io.netty.handler.codec.quic.QuicCongestionControlAlgorithm congestionControl(ProviderConfig config)
            throws ConfigException {
        String raw = config.string("congestion.control", "bbr");
        return switch (raw.toLowerCase(java.util.Locale.ROOT)) {
            case "bbr" -> io.netty.handler.codec.quic.QuicCongestionControlAlgorithm.BBR;
            case "cubic" -> io.netty.handler.codec.quic.QuicCongestionControlAlgorithm.CUBIC;
            case "reno" -> io.netty.handler.codec.quic.QuicCongestionControlAlgorithm.RENO;
            default -> throw new ConfigException("configuration key 'congestion.control' must be bbr, cubic or reno, got '"
                    + raw + "'");
        };
    }

    private static Duration positive(ProviderConfig config, String key, Duration fallback) throws ConfigException {
        Duration value = config.duration(key, fallback);
        if (value.isZero() || value.toMillis() == 0) {
            throw new ConfigException("configuration key '" + key + "' must be at least 1ms, got " + value);
        }
        return value;
    }
}
