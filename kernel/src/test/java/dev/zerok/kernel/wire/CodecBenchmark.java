package dev.zerok.kernel.wire;

import dev.zerok.adapters.crypto.BouncyCastleKeyExchangeProvider;
import dev.zerok.adapters.crypto.DrbgEntropyProvider;
import dev.zerok.kernel.content.BlobSealer;
import dev.zerok.kernel.pairing.GroupKeys;
import dev.zerok.ports.crypto.KeyExchange;
import dev.zerok.ports.crypto.Secret;
import dev.zerok.ports.entropy.Entropy;
import dev.zerok.ports.id.BlobId;
import dev.zerok.ports.id.Cursor;
import dev.zerok.ports.id.DeviceId;
import dev.zerok.ports.spi.ProviderConfig;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

/**
 * The per-blob CPU of sync on one thread: sealing and opening a blob ({@link BlobSealer}: XChaCha20-Poly1305
 * plus the header), and encoding and decoding the wire messages that carry it (a Push, and a
 * PullResponse page of 256 blobs). Operations per second for payloads of 1 KiB and 1 MiB. Not part
 * of the test run; docs/PERFORMANCE.md says how to run it and what it measured.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class CodecBenchmark {
    @Param({"1024", "1048576"})
    public int payloadBytes;

    private BlobSealer sealer;
    private GroupKeys keys;
    private BlobId blob;
    private DeviceId sender;
    private byte[] plaintext;
    private byte[] sealed;
    private byte[] pushBytes;
    private byte[] pageBytes;
    private Message.Push push;
    private Message.PullResponse page;

    @Setup
    public void setUp() throws Exception {
        KeyExchange crypto = new BouncyCastleKeyExchangeProvider().open(ProviderConfig.EMPTY);
        Entropy entropy = new DrbgEntropyProvider().open(ProviderConfig.EMPTY);
        sealer = BlobSealer.create(crypto, entropy);
        keys = GroupKeys.derive(crypto, Secret.adopt(entropy.bytes(32)));
        blob = new BlobId(entropy.bytes(BlobId.LENGTH));
        sender = new DeviceId(entropy.bytes(DeviceId.LENGTH));
        plaintext = entropy.bytes(payloadBytes);
        sealed = sealer.seal(keys.contentKey(), keys.groupId(), blob, sender, plaintext).bytes();
        push = new Message.Push(blob, 86_400, sealed);
        pushBytes = MessageCodec.encode(push);
        int pageBlobs = payloadBytes <= 1024 ? 256 : 1;
        List<Message.PulledBlob> blobs = new ArrayList<>();
        for (int i = 0; i < pageBlobs; i++) {
            blobs.add(new Message.PulledBlob(new Cursor(i + 1), blob, sender, sealed));
        }
        page = new Message.PullResponse(blobs, true);
        pageBytes = MessageCodec.encode(page);
    }

    @Benchmark
    public byte[] seal() throws Exception {
        return sealer.seal(keys.contentKey(), keys.groupId(), blob, sender, plaintext).bytes();
    }

    @Benchmark
    public byte[] open() throws Exception {
        return sealer.open(keys.contentKey(), keys.groupId(), blob, sender, sealed);
    }

    @Benchmark
    public byte[] encodePush() {
        return MessageCodec.encode(push);
    }

    @Benchmark
    public Message decodePush() throws ProtocolException {
        return MessageCodec.decode(pushBytes);
    }

    /** One page: 256 blobs of 1 KiB, or one of 1 MiB. */
    @Benchmark
    public byte[] encodePage() {
        return MessageCodec.encode(page);
    }

    /** One page: 256 blobs of 1 KiB, or one of 1 MiB. */
    @Benchmark
    public Message decodePage() throws ProtocolException {
        return MessageCodec.decode(pageBytes);
    }

    /** Bounded run in this JVM (about 1 minute). */
    public static void main(String[] args) throws Exception {
        new Runner(new OptionsBuilder().include(CodecBenchmark.class.getName()).forks(0).warmupIterations(1)
                .warmupTime(TimeValue.seconds(1)).measurementIterations(3).measurementTime(TimeValue.seconds(1))
                .threads(1).build()).run();
    }
}
