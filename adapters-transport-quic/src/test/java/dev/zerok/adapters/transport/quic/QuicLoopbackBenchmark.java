package dev.zerok.adapters.transport.quic;

import dev.zerok.ports.spi.ProviderConfig;
import dev.zerok.ports.spi.ProviderContext;
import dev.zerok.ports.testkit.SeededEntropy;
import dev.zerok.ports.transport.Channel;
import dev.zerok.ports.transport.ChannelHandler;
import dev.zerok.ports.transport.Endpoint;
import dev.zerok.ports.transport.Server;
import dev.zerok.ports.transport.Transport;
import dev.zerok.ports.transport.TransportException;
import java.util.ArrayDeque;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A bounded manual loopback measurement (not part of the test run): throughput of 65535-byte
 * messages on one channel, and sequential 1 KiB round trips per second. Every loop is bounded in
 * count and in time.
 *
 * <p>Arguments: {@code [datagram.size] [messages] [roundTrips] [congestion.control]}, defaults
 * 1350, 3000, 20000, bbr.
 */
final class QuicLoopbackBenchmark {
    private static final long DEADLINE_NANOS = TimeUnit.SECONDS.toNanos(60);

    private QuicLoopbackBenchmark() {}

    public static void main(String[] args) throws Exception {
        String datagram = args.length > 0 ? args[0] : "1350";
        int messages = args.length > 1 ? Integer.parseInt(args[1]) : 3_000;
        int roundTrips = args.length > 2 ? Integer.parseInt(args[2]) : 20_000;
        try (RealTimeClock clock = new RealTimeClock()) {
            ProviderContext context = new ProviderContext(clock, new SeededEntropy(1));
            String congestion = args.length > 3 ? args[3] : "bbr";
            ProviderConfig config = ProviderConfig.of("datagram.size", datagram, "congestion.control", congestion);
            try (Transport server = new QuicTransportProvider().open(config, context);
                    Transport client = new QuicTransportProvider().open(config, context)) {
                throughput(server, client, messages, datagram);
                roundTrips(server, client, roundTrips, datagram);
            }
        }
    }

    private static void throughput(Transport serverSide, Transport clientSide, int count, String datagram)
            throws Exception {
        AtomicLong receivedBytes = new AtomicLong();
        AtomicLong receivedMessages = new AtomicLong();
        CompletableFuture<Long> allIn = new CompletableFuture<>();
        try (Server server = serverSide.bind(new Endpoint("127.0.0.1", 0), ch -> new ChannelHandler() {
            @Override
            public void onMessage(byte[] message) {
                receivedBytes.addAndGet(message.length);
                if (receivedMessages.incrementAndGet() == count) {
                    allIn.complete(System.nanoTime());
                }
            }

            @Override
            public void onClosed(Optional<TransportException> cause) {}
        })) {
            Channel channel = clientSide.connect(server.localEndpoint(), ignoring()).toCompletableFuture()
                    .get(10, TimeUnit.SECONDS);
            byte[] message = new byte[Transport.MAX_MESSAGE_BYTES];
            ArrayDeque<CompletableFuture<Void>> inFlight = new ArrayDeque<>();
            long start = System.nanoTime();
            for (int i = 0; i < count && System.nanoTime() - start < DEADLINE_NANOS; i++) {
                // At most 64 sends (4 MiB) not yet taken by the stream: backpressure, bounded memory.
                while (inFlight.size() >= 64) {
                    inFlight.poll().get(30, TimeUnit.SECONDS);
                }
                inFlight.add(channel.send(message).toCompletableFuture());
            }
            long end = allIn.get(60, TimeUnit.SECONDS);
            double seconds = (end - start) / 1e9;
            System.out.printf("datagram.size=%s throughput: %d x %d B in %.2f s = %.1f MB/s (%.1f MiB/s)%n",
                    datagram, receivedMessages.get(), message.length, seconds,
                    receivedBytes.get() / seconds / 1e6, receivedBytes.get() / seconds / (1 << 20));
            channel.close();
        }
    }

    private static void roundTrips(Transport serverSide, Transport clientSide, int count, String datagram)
            throws Exception {
        try (Server server = serverSide.bind(new Endpoint("127.0.0.1", 0), ch -> new ChannelHandler() {
            @Override
            public void onMessage(byte[] message) {
                ch.send(message);
            }

            @Override
            public void onClosed(Optional<TransportException> cause) {}
        })) {
            LinkedBlockingQueue<byte[]> replies = new LinkedBlockingQueue<>();
            Channel channel = clientSide.connect(server.localEndpoint(), new ChannelHandler() {
                @Override
                public void onMessage(byte[] message) {
                    replies.add(message);
                }

                @Override
                public void onClosed(Optional<TransportException> cause) {}
            }).toCompletableFuture().get(10, TimeUnit.SECONDS);
            byte[] ping = new byte[1024];
            int warmup = Math.min(1_000, count);
            int done = 0;
            long start = 0;
            for (int i = 0; i < warmup + count; i++) {
                if (i == warmup) {
                    start = System.nanoTime();
                }
                channel.send(ping);
                if (replies.poll(10, TimeUnit.SECONDS) == null) {
                    throw new IllegalStateException("no echo within 10 s");
                }
                if (i >= warmup) {
                    done++;
                    if (System.nanoTime() - start > DEADLINE_NANOS) {
                        break;
                    }
                }
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            System.out.printf("datagram.size=%s round trips: %d x 1 KiB in %.2f s = %.0f round trips/s%n",
                    datagram, done, seconds, done / seconds);
            channel.close();
        }
    }

    private static ChannelHandler ignoring() {
        return new ChannelHandler() {
            @Override
            public void onMessage(byte[] message) {}

            @Override
            public void onClosed(Optional<TransportException> cause) {}
        };
    }
}
