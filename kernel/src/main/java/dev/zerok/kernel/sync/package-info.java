/**
 * The device side of zerok sync, sans-I/O (zerok issue 4 items 1 and 2, issue 13; seed 000
 * section 4.4).
 *
 * <ul>
 *   <li>{@link dev.zerok.kernel.sync.SyncEngine}: the state machine a driver feeds with transport
 *       events, local results and time; it pushes the persistent outbox to every relay, pulls each
 *       relay from its own cursor until {@code has_more} is false, checks sender sequence numbers,
 *       keeps the version vector, reports status and events, and closes with a quick flush. Store
 *       reads and writes and deliveries to the application are actions it issues one at a time
 *       (batching what waits meanwhile), never calls.</li>
 *   <li>{@link dev.zerok.kernel.sync.PageVerifier}: the pure rules of a pulled page (open, parse,
 *       replay and gap checks, the version vector's move).</li>
 *   <li>{@link dev.zerok.kernel.sync.SyncRunner}: runs an engine's local actions synchronously on
 *       the {@code ClientStateStore} port and the application's
 *       {@link dev.zerok.kernel.sync.Inbox}, and its events on the
 *       {@link dev.zerok.kernel.sync.SyncListener}s, for drivers that own only the network.</li>
 *   <li>{@link dev.zerok.kernel.sync.RelayConnection}: one relay's connection life
 *       (DISCONNECTED, CONNECTING, HANDSHAKING, CONNECTED, RECONNECTING, CLOSED), its transition
 *       table as data, and its backoff via {@link dev.zerok.kernel.sync.Backoff} (1, 2, 4, 8, 16,
 *       30 s cap, plus 0..5 s jitter from the Entropy port).</li>
 *   <li>{@link dev.zerok.kernel.sync.SyncPayload}: the plaintext inside every sealed blob
 *       (format, kind, sender sequence number, application data).</li>
 * </ul>
 *
 * The engine calls no port that does I/O (an ArchUnit rule, {@code KernelRules.machinesCallNoIoPort});
 * the runner does, and everything about the network is an action for the driver. Nothing here
 * reads a clock, draws randomness of its own or starts a thread.
 */
package dev.zerok.kernel.sync;
