package dev.zerok.adapters.transport.mock;

import dev.zerok.ports.testkit.ManualClock;
import dev.zerok.ports.testkit.SeededEntropy;
import dev.zerok.ports.testkit.TransportContract;
import dev.zerok.ports.transport.Endpoint;
import dev.zerok.ports.transport.Transport;
import java.time.Duration;
import java.time.Instant;
import java.util.function.BooleanSupplier;

/** The shared Transport contract, run on the mock in virtual time with a little delay and jitter. */
class MockTransportContractTest extends TransportContract {
    private final ManualClock clock = new ManualClock();
    private final MockNetwork network = new MockNetwork(clock, new SeededEntropy(42));
    private int hosts;

    MockTransportContractTest() {
        // A touch of latency and jitter on the links the suite uses, so ordering is really tested.
        for (int i = 1; i <= 8; i++) {
            network.setFaultsBothWays("host-" + i, "relay", LinkFaults.NONE
                    .withDelay(Duration.ofMillis(5), Duration.ofMillis(4)));
        }
    }

    @Override
    protected Transport newTransport(Duration idleTimeout) {
        return network.transport("host-" + (++hosts), idleTimeout, Duration.ofSeconds(5));
    }

    @Override
    protected Endpoint bindEndpoint() {
        return new Endpoint("relay", 0);
    }

    @Override
    protected Endpoint endpointWithoutListener() {
        return new Endpoint("relay", 9);
    }

    @Override
    protected boolean awaitCondition(BooleanSupplier condition, Duration within) {
        Instant deadline = clock.now().plus(within);
        clock.advance(Duration.ZERO);
        while (!condition.getAsBoolean()) {
            if (!clock.now().isBefore(deadline)) {
                return false;
            }
            clock.advance(Duration.ofMillis(10));
        }
        return true;
    }
}
