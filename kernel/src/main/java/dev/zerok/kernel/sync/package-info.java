/**
 * The device side of zerok sync, sans-I/O (zerok issue 4 items 1 and 2; seed 000 section 4.4).
 *
 * <ul>
 *   <li>{@link dev.zerok.kernel.sync.SyncEngine}: the state machine a driver feeds with transport
 *       events and time; it pushes the persistent outbox to every relay, pulls each relay from its
 *       own cursor until {@code has_more} is false, checks sender sequence numbers, keeps the
 *       version vector, reports status and events, and closes with a quick flush.</li>
 *   <li>{@link dev.zerok.kernel.sync.RelayConnection}: one relay's connection life
 *       (DISCONNECTED, CONNECTING, HANDSHAKING, CONNECTED, RECONNECTING, CLOSED), its transition
 *       table as data, and its backoff via {@link dev.zerok.kernel.sync.Backoff} (1, 2, 4, 8, 16,
 *       30 s cap, plus 0..5 s jitter from the Entropy port).</li>
 *   <li>{@link dev.zerok.kernel.sync.SyncPayload}: the plaintext inside every sealed blob
 *       (format, kind, sender sequence number, application data).</li>
 * </ul>
 *
 * The engine calls the {@code ClientStateStore} port and the application's
 * {@link dev.zerok.kernel.sync.Inbox} synchronously; everything about the network is an action
 * for the driver. Nothing here reads a clock, draws randomness of its own or starts a thread.
 */
package dev.zerok.kernel.sync;
