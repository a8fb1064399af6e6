package dev.zerok.chaos.proxy;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.ByteBuffer;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * The HTTP control API of a {@link UdpFaultProxy}, on the JDK's built-in HTTP server, so nightly
 * scripts can drive a standalone proxy with curl. Requests and responses are small; bodies are
 * UTF-8, at most 64 KiB. Every response is JSON.
 *
 * <pre>
 *   GET   /profile              both profiles: {"up": {...}, "down": {...}}
 *   GET   /profile/{up|down}    one profile
 *   PUT   /profile/{up|down}    replace: keys not in the body get their no-fault value
 *   PATCH /profile/{up|down}    amend: keys not in the body keep their current value
 *   POST  /partition            drop all, both directions (rest of each profile kept)
 *   POST  /heal                 lift the partition, both directions
 *   POST  /reset                both profiles back to no faults; clears limit-data cuts
 *   GET   /stats                counters and the seed
 * </pre>
 * A PUT or PATCH body is a profile text in either syntax of {@link FaultProfileFormat}; the
 * response is the resulting profile. Errors: 400 with {@code {"error": "..."}} for a bad body
 * (unknown key, wrong type, out of range: nothing is applied), 404 for an unknown path, 405 for a
 * wrong method, 413 for a body over 64 KiB.
 *
 * <p>There is no authentication: bind it to loopback. Thread-safety: requests are served one at
 * a time on the server's own thread; the proxy methods it calls are thread-safe.
 */
public final class FaultProxyControl implements AutoCloseable {

    private static final int MAX_BODY_BYTES = 64 * 1024;

    private final UdpFaultProxy proxy;
    private final HttpServer server;
    private final ExecutorService executor;

    private FaultProxyControl(UdpFaultProxy proxy, HttpServer server, ExecutorService executor) {
        this.proxy = proxy;
        this.server = server;
        this.executor = executor;
    }

    /**
     * Starts serving the control API of {@code proxy}.
     *
     * @param proxy   the proxy to control; stays owned by the caller (closing the control does not
     *                close it)
     * @param address where to listen, e.g. {@code 127.0.0.1:0} for any free port
     * @return the running server
     * @throws IOException if the address cannot be bound
     */
    public static FaultProxyControl start(UdpFaultProxy proxy, InetSocketAddress address) throws IOException {
        Objects.requireNonNull(proxy, "proxy");
        HttpServer server = HttpServer.create(address, 16);
        ExecutorService executor = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "fault-proxy-control");
            t.setDaemon(true);
            return t;
        });
        FaultProxyControl control = new FaultProxyControl(proxy, server, executor);
        server.createContext("/", control::handle);
        server.setExecutor(executor);
        server.start();
        return control;
    }

    /** The bound address (with the actual port when 0 was asked). */
    public InetSocketAddress address() {
        return server.getAddress();
    }

    /** The base URI, e.g. {@code http://127.0.0.1:8080}. */
    public URI uri() {
        InetSocketAddress a = address();
        String host = a.getAddress().getHostAddress();
        return URI.create("http://" + (host.contains(":") ? "[" + host + "]" : host) + ":" + a.getPort());
    }

    /** Stops serving at once. Idempotent. Does not close the proxy. */
    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            Response r = route(exchange);
            byte[] body = (r.json() + "\n").getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", "application/json; charset=utf-8");
            exchange.sendResponseHeaders(r.status(), body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        }
    }

    private record Response(int status, String json) {
        static Response ok(String json) {
            return new Response(200, json);
        }

        static Response error(int status, String message) {
            return new Response(status, "{\"error\": " + FaultProfileFormat.quote(message) + "}");
        }
    }

    private Response route(HttpExchange exchange) throws IOException {
        String method = exchange.getRequestMethod();
        String path = exchange.getRequestURI().getPath();
        switch (path) {
            case "/profile" -> {
                return method.equals("GET") ? Response.ok(bothProfiles()) : notAllowed(method, path, "GET");
            }
            case "/stats" -> {
                return method.equals("GET") ? Response.ok(FaultProfileFormat.toJson(proxy.stats()))
                        : notAllowed(method, path, "GET");
            }
            case "/partition", "/heal", "/reset" -> {
                if (!method.equals("POST")) {
                    return notAllowed(method, path, "POST");
                }
                switch (path) {
                    case "/partition" -> proxy.partition();
                    case "/heal" -> proxy.heal();
                    default -> proxy.resetProfiles();
                }
                return Response.ok(bothProfiles());
            }
            default -> {
                if (!path.startsWith("/profile/")) {
                    return Response.error(404, "no such path " + path
                            + "; paths: /profile, /profile/up, /profile/down, /partition, /heal, /reset, /stats");
                }
                Optional<Direction> direction = Direction.fromWireName(path.substring("/profile/".length()));
                if (direction.isEmpty()) {
                    return Response.error(404, "no such direction in " + path + "; use /profile/up or /profile/down");
                }
                return profileRequest(exchange, method, path, direction.get());
            }
        }
    }

    private Response profileRequest(HttpExchange exchange, String method, String path, Direction direction)
            throws IOException {
        if (method.equals("GET")) {
            return Response.ok(FaultProfileFormat.toJson(proxy.profile(direction)));
        }
        if (!method.equals("PUT") && !method.equals("PATCH")) {
            return notAllowed(method, path, "GET, PUT, PATCH");
        }
        byte[] bytes = exchange.getRequestBody().readNBytes(MAX_BODY_BYTES + 1);
        if (bytes.length > MAX_BODY_BYTES) {
            return Response.error(413, "body larger than " + MAX_BODY_BYTES + " bytes");
        }
        Optional<String> body = utf8(bytes);
        if (body.isEmpty()) {
            return Response.error(400, "body is not valid UTF-8");
        }
        boolean replace = method.equals("PUT");
        ProfileFormatException[] failure = new ProfileFormatException[1];
        FaultProfile result = proxy.updateProfile(direction, current -> {
            try {
                return FaultProfileFormat.parse(body.get(), replace ? FaultProfile.NONE : current);
            } catch (ProfileFormatException e) {
                failure[0] = e;
                return current;
            }
        });
        if (failure[0] != null) {
            return Response.error(400, failure[0].getMessage());
        }
        return Response.ok(FaultProfileFormat.toJson(result));
    }

    private String bothProfiles() {
        return FaultProfileFormat.toJson(proxy.profile(Direction.UP), proxy.profile(Direction.DOWN));
    }

    private static Response notAllowed(String method, String path, String allowed) {
        return Response.error(405, method + " not allowed on " + path + "; allowed: " + allowed);
    }

    /** The bytes as UTF-8 text, or empty when they are not valid UTF-8. */
    private static Optional<String> utf8(byte[] bytes) {
        try {
            return Optional.of(StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes)).toString());
        } catch (CharacterCodingException e) {
            return Optional.empty();
        }
    }
}
