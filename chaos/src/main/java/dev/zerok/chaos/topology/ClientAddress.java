package dev.zerok.chaos.topology;

/**
 * A device's address as a relay sees it, for the no-metadata check (invariant 5: no client
 * identifiers in relay logs).
 *
 * @param host the IP literal ({@code 127.0.0.1}, {@code ::1}) or, on the mock network, the device's host name
 * @param port the UDP port, or -1 for any port of {@code host} (the mock's ephemeral ports)
 * @param whose a human label for the failure message ({@code device-1 via its proxy to relay-1})
 */
public record ClientAddress(String host, int port, String whose) {}
