package dev.zerok.chaos.topology;

/**
 * What a {@link Topology} can inject or observe. A scenario declares the capabilities it needs; the
 * runner reports it NOT RUN, naming the missing ones, on a topology that lacks any (never passed).
 */
public enum Capability {
    /** Fixed one-way delay on a device-relay link direction ({@link LinkFaults#delay()}). */
    LATENCY,
    /** Delay spread around the mean ({@link LinkFaults#jitter()}). */
    JITTER,
    /** Independent random loss ({@link LinkFaults#lossRate()}). */
    LOSS,
    /** Correlated (Gilbert-Elliott) burst loss ({@link LinkFaults#burstLength()}). */
    BURST_LOSS,
    /** Duplicated packets or messages ({@link LinkFaults#duplicateRate()}). */
    DUPLICATE,
    /** Reordered packets or messages ({@link LinkFaults#reorderRate()}). */
    REORDER,
    /**
     * Bit flips that reach the layer above the transport (an on-path tamperer past the transport's
     * integrity check): the Noise AEAD must catch them. The mock has it, and real in-process
     * devices (flipped above QUIC in the device's transport stack); with device processes a
     * flipped packet fails QUIC's own AEAD and surfaces as loss ({@link #CORRUPT_PACKET}).
     */
    CORRUPT_DELIVERED,
    /** Bit flips in datagrams on the wire (real QUIC drops them: they surface as loss). */
    CORRUPT_PACKET,
    /** Shortened messages that reach the layer above the transport. */
    TRUNCATE_DELIVERED,
    /** Cut a connection after a number of bytes ({@link LinkFaults#limitBytes()}). */
    LIMIT_DATA,
    /** Bandwidth limit ({@link LinkFaults#bandwidthBytesPerSecond()}). */
    BANDWIDTH,
    /** Drop everything on a link until healed ({@link LinkFaults#partitioned()}). */
    PARTITION,
    /** {@link Topology#killRelay}: abrupt stop, no drain (kill -9 on real). */
    KILL_RELAY,
    /** {@link Topology#stopRelay}: graceful shutdown. */
    STOP_RELAY,
    /** {@link Topology#restartRelay}: start a stopped or killed relay again, same identity, port and store. */
    RESTART_RELAY,
    /** {@link Topology#pauseRelay} and {@link Topology#resumeRelay}: freeze a relay (SIGSTOP/SIGCONT on real). */
    PAUSE_RELAY,
    /** {@link Topology#crashDevice} and {@link Topology#restartDevice}. */
    CRASH_DEVICE,
    /**
     * {@link Topology#corruptStoredBlobs}: flip bits in blobs at rest in a relay's store;
     * {@link Topology#deleteStoredBlob}: delete one.
     */
    TAMPER_RELAY_STORE,
    /** {@link Topology#relayStorageFiles}: the files a relay keeps on disk. */
    RELAY_STORAGE_FILES,
    /** {@link Topology#relayLogLines}: every log line a relay wrote, at TRACE level. */
    RELAY_LOGS,
    /** {@link Topology#capturedFrames}: every byte string that crossed a device-relay link. */
    CAPTURE_FRAMES,
    /** Time is virtual: a run is determined by its seed and replays exactly. */
    DETERMINISTIC,
    /** A filesystem with a size limit under a relay's or a device's store (disk-full scenarios). */
    DISK_FULL,
    /** Devices whose clock is offset from the relay's ({@link Topology#addDevice(Group, java.util.List, java.time.Duration)}). */
    CLOCK_SKEW,
    /**
     * Devices are separate OS processes: {@link Topology#crashDevice} is SIGKILL of the device's
     * process, {@link Topology#pauseDevice}/{@link Topology#resumeDevice} SIGSTOP/SIGCONT.
     */
    DEVICE_PROCESSES,
    /** {@link Topology#pauseDevice} and {@link Topology#resumeDevice}: freeze a device (lid close). */
    PAUSE_DEVICE,
    /** {@link Topology#relayResources}: a relay's open fds, resident memory and live sessions. */
    RELAY_RESOURCES,
    /** {@link Topology#relayCounters}: what a relay stored and served, counted at the relay. */
    RELAY_COUNTERS,
    /**
     * {@link Topology#setDeliveredFaults} with a reorder rate: whole messages swap places above the
     * transport, so Noise sees them out of order (the mock and real in-process devices have it: QUIC's
     * stream ordering never shows it, so on real it is done above QUIC in the device's transport stack).
     */
    REORDER_DELIVERED,
    /** {@link Topology#setDeliveredFaults} with a replay rate: an already delivered message is injected again above the transport. */
    REPLAY_DELIVERED,
    /** {@link Topology#openDuplicateIdentity}: a second connection with a device's identity. */
    DUPLICATE_IDENTITY,
    /** {@link Topology#addDevice(Group, java.util.List, KeyExchangeFault)}: one hybrid handshake component broken. */
    FAULTY_KEY_EXCHANGE,
    /** {@link Topology#channelCounters}: a device's Noise sessions' counts (messages, nonces, rekeys, AEAD seals). */
    CHANNEL_COUNTERS
}
