package dev.zerok.relayapp;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.zerok.ports.relaystore.StoreStats;
import dev.zerok.ports.transport.Endpoint;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Executor;
import java.util.function.Supplier;

/**
 * {@code GET /health} (JSON: status, version, connections, groups, uptime_seconds, total_blobs,
 * storage_bytes, groups_with_data) and {@code GET /metrics} (Prometheus text), on the JDK's HTTP
 * server. Neither reveals ids, addresses or per-group figures.
 */
final class HttpEndpoints implements AutoCloseable {
    private final HttpServer server;

    /** Health figures at one moment. */
    record Health(String status, String version, int connections, int groups, long uptimeSeconds, StoreStats store) {
        String toJson() {
            return "{\"status\":\"" + status + "\",\"version\":\"" + version + "\",\"connections\":" + connections
                    + ",\"groups\":" + groups + ",\"uptime_seconds\":" + uptimeSeconds + ",\"total_blobs\":"
                    + store.totalBlobs() + ",\"storage_bytes\":" + store.storageBytes() + ",\"groups_with_data\":"
                    + store.groupsWithData() + "}";
        }
    }

    HttpEndpoints(Endpoint listen, Supplier<Health> health, RelayMetrics metrics, Executor executor) throws IOException {
        server = HttpServer.create(new InetSocketAddress(listen.host(), listen.port()), 16);
        server.setExecutor(executor);
        server.createContext("/health", exchange -> {
            try {
                Health h = health.get();
                respond(exchange, h.status().equals("ok") ? 200 : 503, "application/json", h.toJson().getBytes(StandardCharsets.UTF_8));
            } catch (RuntimeException e) {
                respond(exchange, 503, "application/json", "{\"status\":\"unavailable\"}".getBytes(StandardCharsets.UTF_8));
            }
        });
        server.createContext("/metrics", exchange -> respond(exchange, 200, "text/plain; version=0.0.4; charset=utf-8", metrics.scrape()));
        server.start();
    }

    /** The bound address (the real port when 0 was configured). */
    Endpoint localEndpoint() {
        InetSocketAddress a = server.getAddress();
        return new Endpoint(a.getHostString(), a.getPort());
    }

    private static void respond(HttpExchange exchange, int status, String type, byte[] body) throws IOException {
        try (exchange; OutputStream out = exchange.getResponseBody()) {
            if (!exchange.getRequestMethod().equals("GET")) {
                exchange.sendResponseHeaders(405, -1);
                return;
            }
            exchange.getResponseHeaders().set("Content-Type", type);
            exchange.sendResponseHeaders(status, body.length);
            out.write(body);
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
