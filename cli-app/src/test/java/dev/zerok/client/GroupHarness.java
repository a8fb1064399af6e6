package dev.zerok.client;

import dev.zerok.kernel.noise.StaticIdentity;
import dev.zerok.ports.crypto.KeyPair;
import dev.zerok.ports.crypto.Secret;
import dev.zerok.relayapp.RelayConfig;
import dev.zerok.relayapp.RelayServer;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * One group on an in-process relay over real QUIC on loopback: devices opened by name keep their
 * identity and data directory ({@code dir/dev-NAME}) across reopenings, so a test can take a
 * device offline and bring it back.
 */
final class GroupHarness implements AutoCloseable {
    private final Path dir;
    private final RelayServer relay;
    private final ClientComponent tools;
    private final byte[] groupSecret;
    private final Map<String, KeyPair> identities = new TreeMap<>();

    private GroupHarness(Path dir, RelayServer relay, ClientComponent tools) {
        this.dir = dir;
        this.relay = relay;
        this.tools = tools;
        this.groupSecret = tools.entropy().bytes(32);
    }

    /** Starts the relay in {@code dir/relay} with {@code relaySettings} added to the loopback defaults. */
    static GroupHarness start(Path dir, Map<String, String> relaySettings) throws Exception {
        Map<String, String> config = new HashMap<>(Map.of("listen", "127.0.0.1:0", "http.listen", "127.0.0.1:0",
                "data.dir", dir.resolve("relay").toString()));
        config.putAll(relaySettings);
        RelayServer relay = RelayServer.start(RelayConfig.of(config));
        return new GroupHarness(dir, relay, ClientComponent.create(ClientSettings.defaults(dir.resolve("tools"))));
    }

    /** Opens device {@code name} of the group (the same identity and data directory every time). */
    Device device(String name) throws Exception {
        KeyPair identity = identities.get(name);
        if (identity == null) {
            identity = StaticIdentity.generate(tools.keyExchange().dh("25519"), tools.entropy());
            identities.put(name, identity);
        }
        byte[] relayKey = StaticIdentity.decodePublic(HexFormat.of().parseHex(relay.publicKeyHex()));
        return Device.open(dir.resolve("dev-" + name), identity, Secret.copyOf(groupSecret),
                List.of(new RelayAddress(relay.endpoint().host() + ":" + relay.endpoint().port(), relayKey)));
    }

    /** The relay's Prometheus exposition text (relay-side counts: blobs stored, pushes, ...). */
    String relayMetrics() {
        return relay.metricsText();
    }

    /** One sample of the relay's exposition, e.g. {@code zerok_relay_storage_blobs}. */
    double relayMetric(String name) {
        return relay.metricsText().lines().filter(l -> l.startsWith(name + " ") || l.startsWith(name + "{"))
                .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).findFirst()
                .orElseThrow(() -> new AssertionError("no sample " + name + " in the relay's metrics"));
    }

    @Override
    public void close() {
        relay.close();
        tools.transport().close();
    }
}
