package dev.zerok.adapters.crypto;

import dev.zerok.ports.crypto.CryptoException;
import dev.zerok.ports.crypto.Secret;
import dev.zerok.ports.testkit.SeededEntropy;
import java.util.concurrent.TimeUnit;
import org.bouncycastle.crypto.digests.Blake3Digest;
import org.bouncycastle.crypto.modes.XChaCha20Poly1305;
import org.bouncycastle.crypto.params.AEADParameters;
import org.bouncycastle.crypto.params.KeyParameter;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.Options;
import org.openjdk.jmh.runner.options.OptionsBuilder;

/**
 * Throughput of the primitives zerok's data path uses, one thread. Not part of the test run
 * (surefire does not match *Benchmark). Run, bounded to about two minutes:
 * <pre>
 * ./mvnw -q -pl adapters-crypto -am test-compile
 * ./mvnw -q -pl adapters-crypto exec:java -Dexec.classpathScope=test \
 *     -Dexec.mainClass=dev.zerok.adapters.crypto.CryptoBenchmark
 * </pre>
 * Scores are operations per second; MB/s = ops/s x size / 10^6.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class CryptoBenchmark {
    @Param({"1024", "1048576"})
    public int sizeBytes;

    private final XChaChaPoly xChaChaPoly = new XChaChaPoly(new JdkChaChaPoly());
    private final JdkSha256 sha256 = new JdkSha256();
    private Secret key;
    private byte[] nonce;
    private byte[] plaintext;
    private byte[] sealed;
    private byte[] aad;

    @Setup
    public void setUp() throws CryptoException {
        SeededEntropy entropy = new SeededEntropy(1);
        key = Secret.adopt(entropy.bytes(32));
        nonce = entropy.bytes(24);
        aad = entropy.bytes(90);
        plaintext = entropy.bytes(sizeBytes);
        sealed = xChaChaPoly.seal(key, nonce, aad, plaintext);
    }

    @Benchmark
    public byte[] xChaChaPolySealJdk() throws CryptoException {
        nonce[0]++; // a fresh nonce each time, as production does
        return xChaChaPoly.seal(key, nonce, aad, plaintext);
    }

    @Benchmark
    public byte[] xChaChaPolyOpenJdk() throws CryptoException {
        return xChaChaPoly.open(key, nonce0(), aad, sealed);
    }

    @Benchmark
    public byte[] xChaChaPolySealBouncyCastle() throws Exception {
        XChaCha20Poly1305 cipher = new XChaCha20Poly1305();
        cipher.init(true, new AEADParameters(new KeyParameter(key.expose()), 128, nonce, aad));
        byte[] out = new byte[cipher.getOutputSize(plaintext.length)];
        int written = cipher.processBytes(plaintext, 0, plaintext.length, out, 0);
        cipher.doFinal(out, written);
        return out;
    }

    @Benchmark
    public byte[] contentHashSha256Jdk() {
        return sha256.digest(plaintext);
    }

    @Benchmark
    public byte[] contentHashBlake3BouncyCastle() {
        Blake3Digest digest = new Blake3Digest(256);
        digest.update(plaintext, 0, plaintext.length);
        byte[] out = new byte[32];
        digest.doFinal(out, 0);
        return out;
    }

    private byte[] nonce0;

    private byte[] nonce0() {
        if (nonce0 == null) {
            nonce0 = nonce.clone();
        }
        return nonce0;
    }

    /** Runs every benchmark in this JVM (forks 0, so exec:java's class path works), bounded iterations. */
    public static void main(String[] args) throws RunnerException {
        Options options = new OptionsBuilder().include(CryptoBenchmark.class.getName())
                .forks(0).warmupIterations(2).warmupTime(org.openjdk.jmh.runner.options.TimeValue.seconds(1))
                .measurementIterations(3).measurementTime(org.openjdk.jmh.runner.options.TimeValue.seconds(1))
                .threads(1).build();
        new Runner(options).run();
    }
}
