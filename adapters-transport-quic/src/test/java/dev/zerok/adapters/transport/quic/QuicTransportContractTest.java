package dev.zerok.adapters.transport.quic;

import dev.zerok.ports.spi.ProviderConfig;
import dev.zerok.ports.spi.ProviderContext;
import dev.zerok.ports.testkit.SeededEntropy;
import dev.zerok.ports.testkit.TransportContract;
import dev.zerok.ports.transport.Endpoint;
import dev.zerok.ports.transport.Transport;
import dev.zerok.ports.transport.TransportException.Code;
import java.net.DatagramSocket;
import java.time.Duration;
import java.util.EnumSet;
import java.util.Set;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;

/** The shared Transport contract over real loopback QUIC, polled against real deadlines. */
class QuicTransportContractTest extends TransportContract {
    private final RealTimeClock clock = new RealTimeClock();

    @AfterEach
    void stopClock() {
        clock.close();
    }

    @Override
    protected Transport newTransport(Duration idleTimeout) throws Exception {
        return new QuicTransportProvider().open(
                ProviderConfig.of("idle.timeout", idleTimeout.toMillis() + "ms", "connect.timeout", "3s",
                        "event.loop.threads", "1"),
                new ProviderContext(clock, new SeededEntropy(1)));
    }

    @Override
    protected Endpoint bindEndpoint() {
        return new Endpoint("127.0.0.1", 0);
    }

    @Override
    protected Endpoint endpointWithoutListener() throws Exception {
        // A port that was free a moment ago; nobody binds it in between on this test machine.
        try (DatagramSocket socket = new DatagramSocket(0, java.net.InetAddress.getLoopbackAddress())) {
            return new Endpoint("127.0.0.1", socket.getLocalPort());
        }
    }

    /** ICMP port-unreachable gives REFUSED; if the kernel drops it, the connect times out. */
    @Override
    protected Set<Code> nobodyListeningCodes() {
        return EnumSet.of(Code.REFUSED, Code.TIMEOUT);
    }

    @Override
    protected boolean awaitCondition(BooleanSupplier condition, Duration within) {
        long deadline = System.nanoTime() + within.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                return false;
            }
            // A short park between polls; the condition is re-checked, never assumed.
            java.util.concurrent.locks.LockSupport.parkNanos(1_000_000);
        }
        return true;
    }
}
