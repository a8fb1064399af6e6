package dev.zerok.relayapp;

import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.core.metrics.Info;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.function.DoubleSupplier;

/**
 * The relay's Prometheus metrics: the seed-001 section 5.2 set, prefixed {@code zerok_relay_}.
 * Counters are incremented by the connection drivers; gauges read live values on every scrape.
 * Labels never carry ids, addresses or sizes (invariant 5). Thread-safe.
 */
final class RelayMetrics {
    final PrometheusRegistry registry = new PrometheusRegistry();
    final Counter pushes = counter("zerok_relay_pushes", "Push requests handled");
    final Counter pulls = counter("zerok_relay_pulls", "Pull requests handled");
    final Counter blobsServed = counter("zerok_relay_blobs_served", "Blob entries sent in pull responses, summed over every session");
    final Counter connectionsAccepted = counter("zerok_relay_connections", "Connections accepted");
    final Counter bytesReceived = counter("zerok_relay_bytes_received", "Ciphertext bytes received from devices");
    final Counter bytesSent = counter("zerok_relay_bytes_sent", "Ciphertext bytes sent to devices");
    final Counter blobsStored = counter("zerok_relay_blobs_stored", "Blobs newly stored (duplicates excluded)");
    final Counter rateLimitHits = counter("zerok_relay_rate_limit_hits", "Requests refused by the rate limiter");
    final Counter errors = counter("zerok_relay_errors", "In-band Error messages sent and protocol violations");
    final Counter blobsWithheld = counter("zerok_relay_blobs_withheld", "Stored blobs skipped in pull pages: failed integrity check or larger than a frame");
    final Counter capacityRefusals = counter("zerok_relay_capacity_refusals", "Pushes refused because the relay's total storage cap is reached");
    final Counter storageFullRefusals = counter("zerok_relay_storage_full_refusals", "Pushes refused because the filesystem under the relay store is full (nothing stored; free space in data.dir)");
    final Counter budgetWaits = counter("zerok_relay_inbound_budget_waits", "Times a connection stopped reading because the relay-wide inbound memory budget was spent");
    final Counter connectionsRefused = counter("zerok_relay_connections_refused", "Connections refused at accept: session caps or shutdown");

    RelayMetrics(String version, DoubleSupplier connectionsActive, DoubleSupplier groupsActive, DoubleSupplier storageBlobs,
            DoubleSupplier storageBytes, DoubleSupplier storageGroups, DoubleSupplier storageRotten,
            DoubleSupplier connectionsUnauthenticated) {
        gauge("zerok_relay_connections_active", "Device sessions open now", connectionsActive);
        gauge("zerok_relay_groups_active", "Groups with at least one open session now", groupsActive);
        gauge("zerok_relay_storage_blobs", "Blobs stored now", storageBlobs);
        gauge("zerok_relay_storage_bytes", "Ciphertext bytes stored now", storageBytes);
        gauge("zerok_relay_storage_groups", "Groups with stored data now", storageGroups);
        gauge("zerok_relay_storage_rotten_blobs", "Stored rows found corrupt (bit rot) and withheld, over the store's life; "
                + "above 0 means the disk damages data", storageRotten);
        gauge("zerok_relay_connections_unauthenticated", "Connections still in the handshake or before Hello now",
                connectionsUnauthenticated);
        Info info = Info.builder().name("zerok_relay_info").help("Relay build").labelNames("version").register(registry);
        info.addLabelValues(version);
    }

    /** The registry in Prometheus text format 0.0.4. */
    byte[] scrape() throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        PrometheusTextFormatWriter.create().write(out, registry.scrape());
        return out.toByteArray();
    }

    private Counter counter(String name, String help) {
        return Counter.builder().name(name).help(help).register(registry);
    }

    private void gauge(String name, String help, DoubleSupplier value) {
        GaugeWithCallback.builder().name(name).help(help).callback(cb -> cb.call(value.getAsDouble())).register(registry);
    }
}
