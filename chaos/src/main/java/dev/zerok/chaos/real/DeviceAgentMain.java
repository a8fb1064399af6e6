package dev.zerok.chaos.real;

import dev.zerok.chaos.sim.CapturingTransport;
import dev.zerok.chaos.sim.OffsetClock;
import dev.zerok.client.SyncClient;
import dev.zerok.kernel.noise.StaticIdentity;
import dev.zerok.kernel.pairing.GroupKeys;
import dev.zerok.kernel.sync.SyncConfig;
import dev.zerok.kernel.sync.SyncPayload;
import dev.zerok.kernel.wire.FrameCodec;
import dev.zerok.ports.clientstate.ClientStateStore;
import dev.zerok.ports.clientstate.ClientStateStoreProvider;
import dev.zerok.ports.clientstate.VersionVector;
import dev.zerok.ports.crypto.KeyExchange;
import dev.zerok.ports.crypto.KeyExchangeProvider;
import dev.zerok.ports.crypto.KeyPair;
import dev.zerok.ports.crypto.Secret;
import dev.zerok.ports.entropy.Entropy;
import dev.zerok.ports.entropy.EntropyProvider;
import dev.zerok.ports.id.BlobId;
import dev.zerok.ports.id.DeviceId;
import dev.zerok.ports.id.RelayId;
import dev.zerok.ports.spi.ProviderConfig;
import dev.zerok.ports.spi.ProviderContext;
import dev.zerok.ports.spi.Providers;
import dev.zerok.ports.time.Clock;
import dev.zerok.ports.time.ClockProvider;
import dev.zerok.ports.transport.Endpoint;
import dev.zerok.ports.transport.Transport;
import dev.zerok.ports.transport.TransportProvider;
import java.io.BufferedReader;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * A chaos device as its own OS process ({@link RealTopologyFactory.Settings#withDeviceProcesses()}):
 * one {@link SyncClient} over the {@code quic} transport with its SQLite state store in
 * {@code home}, a single-thread lane, and the application's record of received blobs in
 * {@code home/received.log} ({@link ReceivedLog}: appended and fsynced in the inbox, so it is as
 * durable as an application's own storage). Driven by {@link RealTopology} over stdin/stdout with
 * {@link AgentWire}'s line protocol; anything else the JVM prints goes to stderr.
 *
 * <p>Usage: {@code DeviceAgentMain CONFIG} where CONFIG is a properties file: {@code name},
 * {@code home}, {@code identity} (hex of {@link StaticIdentity#encodePrivate}), {@code group.secret}
 * (hex), {@code relays} ({@code RELAY_HEX@host:port,...} in preference order), {@code clock.offset.ms},
 * {@code transport.*} (the quic transport's keys), {@code frames} (where every message the transport
 * carried is appended: {@code length (4 bytes, big-endian) | message}, up to 256 MiB, for the
 * topology's captured frames). The file holds key material: the topology writes
 * it owner-only into its work directory and deletes it with the topology. The process exits when
 * stdin closes (the topology died) or on {@code quit}; SIGKILL is the crash.
 */
public final class DeviceAgentMain {
    private static final Duration CALL_TIMEOUT = Duration.ofSeconds(30);
    private static final long VECTOR_POLL_MILLIS = 20;

    private DeviceAgentMain() {}

    public static void main(String[] args) throws Exception {
        PrintStream protocol = new PrintStream(new FileOutputStream(FileDescriptor.out), true, StandardCharsets.UTF_8);
        System.setOut(System.err); // stray prints (libraries, logging) must not reach the protocol
        Properties p = new Properties();
        try (Reader in = Files.newBufferedReader(Path.of(args[0]))) {
            p.load(in);
        }
        Path home = Path.of(p.getProperty("home"));
        Files.createDirectories(home);
        KeyExchange crypto = Providers.select(KeyExchangeProvider.class, "bouncycastle").open(ProviderConfig.EMPTY);
        Clock system = Providers.select(ClockProvider.class, "system").open(ProviderConfig.EMPTY);
        Entropy entropy = Providers.select(EntropyProvider.class, "drbg").open(ProviderConfig.EMPTY);
        long offsetMillis = Long.parseLong(p.getProperty("clock.offset.ms", "0"));
        Clock clock = offsetMillis == 0 ? system : new OffsetClock(system, Duration.ofMillis(offsetMillis));
        HexFormat hex = HexFormat.of();
        KeyPair identity = StaticIdentity.decodePrivate(crypto.dh("25519"), hex.parseHex(p.getProperty("identity")));
        Map<RelayId, Endpoint> endpoints = new LinkedHashMap<>();
        for (String relay : p.getProperty("relays").split(",")) {
            int at = relay.indexOf('@');
            endpoints.put(RelayId.fromHex(relay.substring(0, at)), Endpoint.parse(relay.substring(at + 1)));
        }
        Map<String, String> transportSettings = new TreeMap<>();
        for (String key : p.stringPropertyNames()) {
            if (key.startsWith("transport.")) {
                transportSettings.put(key.substring("transport.".length()), p.getProperty(key));
            }
        }
        ProviderContext context = new ProviderContext(clock, entropy);
        ClientStateStore store = Providers.select(ClientStateStoreProvider.class, "sqlite").open(
                ProviderConfig.of("path", home.resolve("state.db").toString()), context);
        GroupKeys groupKeys = GroupKeys.derive(crypto, Secret.copyOf(hex.parseHex(p.getProperty("group.secret"))));
        FrameLog frames = new FrameLog(Path.of(p.getProperty("frames")));
        Transport transport = new CapturingTransport(Providers.select(TransportProvider.class, "quic").open(
                new ProviderConfig(transportSettings), context), frames::append);
        ExecutorService lane = Executors.newSingleThreadExecutor(task -> {
            Thread t = new Thread(task, "agent-lane");
            t.setDaemon(true);
            return t;
        });
        ReceivedLog log = ReceivedLog.open(home.resolve("received.log"));
        DeviceId deviceId = StaticIdentity.deviceId(crypto.hash("SHA256"), identity.publicKey());
        SyncClient client = new SyncClient(SyncConfig.defaults(deviceId, List.copyOf(endpoints.keySet())), identity,
                groupKeys, endpoints, transport, clock, crypto, entropy, store, blob -> {
                    boolean first;
                    try {
                        first = log.appendIfNew(blob.blob(), blob.data());
                    } catch (IOException e) {
                        // The application could not store the blob (e.g. its disk is full): the
                        // engine records INBOX_FAILED, keeps the page uncommitted and pulls it again.
                        throw new UncheckedIOException("the application could not record a blob: " + e.getMessage(), e);
                    }
                    emit(protocol, "dl " + blob.blob().hex() + " " + (first ? 1 : 0));
                }, lane, FrameCodec.DEFAULT_MAX_FRAME_BYTES);
        client.addListener(event -> emit(protocol, "ev " + AgentWire.event(event)));
        Thread vectors = new Thread(() -> watchVector(client, protocol), "agent-vector");
        vectors.setDaemon(true);
        vectors.start();
        client.start();
        emit(protocol, "ready");
        BufferedReader commands = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        String line;
        while ((line = commands.readLine()) != null) {
            String[] f = line.split(" ");
            String id = f[0];
            try {
                switch (f[1]) {
                    case "push" -> {
                        SyncPayload.Kind kind = f.length > 3 ? SyncPayload.Kind.valueOf(f[3]) : SyncPayload.Kind.DATA;
                        BlobId blob = client.push(kind, f.length > 2 ? AgentWire.unbytes(f[2]) : new byte[0])
                                .get(CALL_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
                        emit(protocol, "ok " + id + " " + blob.hex());
                    }
                    case "sync" -> {
                        client.syncNow();
                        emit(protocol, "ok " + id);
                    }
                    case "cursor" -> emit(protocol, "ok " + id + " " + client.pullCursor(RelayId.fromHex(f[2]))
                            .get(CALL_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS).value());
                    case "quit" -> {
                        emit(protocol, "ok " + id);
                        Runtime.getRuntime().halt(0);
                    }
                    default -> emit(protocol, "err " + id + " " + AgentWire.text("unknown command " + f[1]));
                }
            } catch (ExecutionException e) {
                emit(protocol, "err " + id + " " + AgentWire.text(String.valueOf(e.getCause())));
            } catch (Exception e) {
                emit(protocol, "err " + id + " " + AgentWire.text(String.valueOf(e)));
            }
        }
        // stdin closed: the topology is gone; a device nobody drives must not linger.
        Runtime.getRuntime().halt(0);
    }

    /** Appends captured messages to a file (page cache only: they survive SIGKILL, not a host crash). */
    private static final class FrameLog {
        private static final long LIMIT_BYTES = 256L << 20;
        private final java.io.DataOutputStream out;
        private long written;

        FrameLog(Path file) throws IOException {
            out = new java.io.DataOutputStream(new java.io.BufferedOutputStream(Files.newOutputStream(file,
                    java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.APPEND)));
        }

        synchronized void append(byte[] frame) {
            if (written + frame.length > LIMIT_BYTES) {
                return;
            }
            try {
                out.writeInt(frame.length);
                out.write(frame);
                out.flush();
                written += 4 + frame.length;
            } catch (IOException e) {
                // a lost capture weakens the no-plaintext check, never sync; the topology reads what is there
            }
        }
    }

    private static void watchVector(SyncClient client, PrintStream protocol) {
        VersionVector last = null;
        while (true) {
            VersionVector now = client.versionVector();
            if (!now.equals(last)) {
                emit(protocol, "vv " + AgentWire.vector(now));
                last = now;
            }
            try {
                Thread.sleep(VECTOR_POLL_MILLIS);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    private static void emit(PrintStream protocol, String line) {
        synchronized (protocol) {
            protocol.println(line);
        }
    }
}
