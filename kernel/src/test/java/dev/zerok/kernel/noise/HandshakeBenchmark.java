package dev.zerok.kernel.noise;

import dev.zerok.adapters.crypto.BouncyCastleKeyExchangeProvider;
import dev.zerok.adapters.crypto.DrbgEntropyProvider;
import dev.zerok.ports.crypto.KeyExchange;
import dev.zerok.ports.crypto.KeyPair;
import dev.zerok.ports.entropy.Entropy;
import dev.zerok.ports.spi.ProviderConfig;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

/**
 * Complete hybrid handshakes (initiator and responder, all three messages, Split) per second on
 * one thread, with the production DRBG. Lives in the kernel's tests because adapters may not
 * depend on the kernel. Not part of the test run. Run with JDK 25's java directly (see docs/SECURITY.md);
 * the outline is:
 * <pre>
 * ./mvnw -q -pl kernel -am install -DskipTests
 * ./mvnw -q -pl kernel exec:java -Dexec.classpathScope=test -Dexec.mainClass=dev.zerok.kernel.noise.HandshakeBenchmark
 * </pre>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class HandshakeBenchmark {
    private KeyExchange crypto;
    private Entropy entropy;
    private KeyPair device;
    private KeyPair relay;

    @Setup
    public void setUp() throws Exception {
        crypto = new BouncyCastleKeyExchangeProvider().open(ProviderConfig.EMPTY);
        entropy = new DrbgEntropyProvider().open(ProviderConfig.EMPTY);
        device = crypto.dh("25519").generateKeyPair(entropy);
        relay = crypto.dh("25519").generateKeyPair(entropy);
    }

    @Benchmark
    public TransportSession hybridHandshakeBothSides() throws NoiseException {
        HandshakeState initiator = HybridHandshake.initiator(crypto, entropy, device, relay.publicKey());
        HandshakeState responder = HybridHandshake.responder(crypto, entropy, relay);
        return HybridFixture.complete(initiator, responder)[0];
    }

    /** Bounded run in this JVM. */
    public static void main(String[] args) throws Exception {
        new Runner(new OptionsBuilder().include(HandshakeBenchmark.class.getName()).forks(0).warmupIterations(2)
                .warmupTime(TimeValue.seconds(2)).measurementIterations(3).measurementTime(TimeValue.seconds(2))
                .threads(1).build()).run();
    }
}
