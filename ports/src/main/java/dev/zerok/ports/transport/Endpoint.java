package dev.zerok.ports.transport;

/**
 * A network endpoint: a host name or IP literal and a UDP/TCP port. Immutable.
 *
 * <p>Text form {@code host:port}, with IPv6 literals in brackets ({@code [::1]:7443}).
 *
 * @param host a host name or IP literal without brackets, never blank
 * @param port 0 to 65535; 0 only for {@link Transport#bind} ("any free port")
 */
public record Endpoint(String host, int port) {
    public Endpoint {
        if (host == null || host.isBlank()) {
            throw new IllegalArgumentException("endpoint host must not be blank");
        }
        if (port < 0 || port > 65_535) {
            throw new IllegalArgumentException("endpoint port must be 0..65535, got " + port);
        }
    }

    /**
     * Parses {@code host:port} or {@code [ipv6]:port}.
     *
     * @throws IllegalArgumentException naming what is wrong with the text
     */
    public static Endpoint parse(String text) {
        if (text == null) {
            throw new IllegalArgumentException("endpoint must be host:port, got nothing");
        }
        String host;
        String port;
        if (text.startsWith("[")) {
            int close = text.indexOf("]:");
            if (close < 0) {
                throw new IllegalArgumentException("endpoint must be [ipv6]:port, got '" + text + "'");
            }
            host = text.substring(1, close);
            port = text.substring(close + 2);
        } else {
            int colon = text.lastIndexOf(':');
            if (colon <= 0 || text.indexOf(':') != colon) {
                throw new IllegalArgumentException("endpoint must be host:port, got '" + text + "'");
            }
            host = text.substring(0, colon);
            port = text.substring(colon + 1);
        }
        try {
            return new Endpoint(host, Integer.parseInt(port));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("endpoint port must be a number, got '" + port + "'");
        }
    }

    @Override
    public String toString() {
        return host.indexOf(':') >= 0 ? "[" + host + "]:" + port : host + ":" + port;
    }
}
