package dev.zerok.client;

import dev.zerok.kernel.content.BlobSealer;
import dev.zerok.kernel.content.ChunkPackCodec;
import dev.zerok.kernel.content.ChunkSealer;
import dev.zerok.kernel.content.ContentException;
import dev.zerok.kernel.content.FolderCodec;
import dev.zerok.kernel.content.Manifest;
import dev.zerok.kernel.content.ManifestCodec;
import dev.zerok.kernel.content.SealedChunk;
import dev.zerok.kernel.content.SealingException;
import dev.zerok.kernel.noise.StaticIdentity;
import dev.zerok.kernel.pairing.GroupKeys;
import dev.zerok.kernel.pairing.PairingException;
import dev.zerok.kernel.sync.DeliveredBlob;
import dev.zerok.kernel.sync.SyncConfig;
import dev.zerok.kernel.sync.SyncEngine;
import dev.zerok.kernel.sync.SyncEvent;
import dev.zerok.kernel.sync.SyncException;
import dev.zerok.kernel.sync.SyncPayload;
import dev.zerok.kernel.sync.SyncStatus;
import dev.zerok.kernel.wire.FrameCodec;
import dev.zerok.ports.blob.BlobStore;
import dev.zerok.ports.blob.BlobStoreException;
import dev.zerok.ports.clientstate.BlobIndexEntry;
import dev.zerok.ports.clientstate.ClientStateException;
import dev.zerok.ports.clientstate.ClientStateStore;
import dev.zerok.ports.clientstate.VersionVector;
import dev.zerok.ports.crypto.CryptoException;
import dev.zerok.ports.crypto.KeyExchange;
import dev.zerok.ports.crypto.KeyPair;
import dev.zerok.ports.crypto.Secret;
import dev.zerok.ports.id.BlobId;
import dev.zerok.ports.id.ContentHash;
import dev.zerok.ports.id.DeviceId;
import dev.zerok.ports.id.RelayId;
import dev.zerok.ports.time.Clock;
import dev.zerok.ports.transport.Endpoint;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * One zerok device, assembled from ports: the {@link SyncClient} over a transport, the durable
 * sync state, the chunk store and the device's content index. This is what the CLI and the
 * {@code demo} run; assemblers of custom clients pick other providers through
 * {@link ClientSettings}.
 *
 * <h2>Content (docs/PROTOCOL.md, "Collections")</h2>
 * {@link #pushPath} turns a file or directory into a collection: each file is read in chunks of
 * {@link ChunkSealer#CHUNK_BYTES} (1 MiB), each chunk is sealed convergently and addressed by the
 * SHA-256 of its sealed bytes; a chunk this device already holds (pushed or received before) is
 * not queued again (dedup). Each new chunk is queued in the outbox <em>before</em> it enters the
 * chunk store, so "in the store" implies "queued": pushing the same path again after a crash
 * resumes from the first chunk that was not queued. The manifest goes last. Receivers store chunks
 * as they arrive (the pull cursor moves only after a page is stored, so a restarted download
 * resumes from the first page not stored); a collection is complete only when every listed chunk
 * is held, and {@link #materialize} refuses an incomplete one. Every chunk is re-verified (hash,
 * then AEAD) when it is read back; a chunk damaged on disk is removed and reported.
 *
 * <p>Thread-safe: sync runs on the device's own lane thread; content operations may be called
 * from one user thread at a time.
 */
public final class Device implements AutoCloseable {
    /** Bytes of a sealed sync blob beyond its data: payload header plus blob sealing overhead. */
    private static final int BLOB_OVERHEAD_BYTES = SyncPayload.HEADER_BYTES + BlobSealer.OVERHEAD_BYTES;
    /** Superseded versions of each folder path kept (their chunks too) before they are collected. */
    static final int FOLDER_HISTORY_VERSIONS = 3;

    private final ClientComponent ports;
    private final ExecutorService lane;
    private final GroupKeys groupKeys;
    private final Secret chunkKey;
    private final ChunkSealer chunkSealer;
    private final BlobStore chunks;
    private final ClientStateStore state;
    private final LocalContent content;
    private final DeviceId id;
    private final Clock clock;
    private final SyncClient client;
    private final int maxFrameBytes;
    private final Map<RelayId, String> relayAddresses = new LinkedHashMap<>();
    private final java.util.concurrent.atomic.AtomicLong chunksReceived = new java.util.concurrent.atomic.AtomicLong();
    private final java.util.concurrent.atomic.AtomicLong folderErrors = new java.util.concurrent.atomic.AtomicLong();
    private final java.util.concurrent.atomic.AtomicLong chunkPackErrors = new java.util.concurrent.atomic.AtomicLong();
    private final Folders folders;

    private Device(ClientComponent ports, ExecutorService lane, GroupKeys groupKeys, ChunkSealer chunkSealer,
            LocalContent content, FolderStore folderStore, Path foldersDir, DeviceId id, Map<RelayId, Endpoint> endpoints,
            KeyPair identity, int maxFrameBytes) throws SyncException {
        this.ports = ports;
        this.lane = lane;
        this.groupKeys = groupKeys;
        this.chunkKey = groupKeys.chunkKey();
        this.chunkSealer = chunkSealer;
        this.chunks = ports.chunks();
        this.state = ports.state();
        this.content = content;
        this.id = id;
        this.clock = ports.clock();
        this.maxFrameBytes = maxFrameBytes;
        this.folders = new Folders(this, folderStore, foldersDir, id);
        SyncConfig config = SyncConfig.defaults(id, List.copyOf(endpoints.keySet()));
        this.client = new SyncClient(config, identity, groupKeys, endpoints, ports.transport(), clock,
                ports.keyExchange(), ports.entropy(), state, new dev.zerok.kernel.sync.Inbox() {
                    @Override
                    public void deliver(DeliveredBlob blob) throws SyncException {
                        Device.this.deliver(blob);
                    }

                    @Override
                    public void flush() throws SyncException {
                        flushChunks();
                    }
                }, lane, maxFrameBytes);
    }

    /**
     * Opens a device with the production providers ({@link ClientSettings#defaults}) and starts
     * sync.
     *
     * @param dataDir the device's data directory; this class uses only {@code state.db*},
     *     {@code chunks/} and {@code content/} inside it
     * @param identity the device's persistent X25519 static key pair
     * @param groupSecret the 32-byte group secret (not kept; the derived keys are)
     * @param relays 1 or more relays in preference order
     * @throws DeviceException coded {@code CONFIG} (no relays, a bad address), {@code STORE} (a
     *     store cannot be opened), {@code CRYPTO} (a primitive is missing)
     */
    public static Device open(Path dataDir, KeyPair identity, Secret groupSecret, List<RelayAddress> relays)
            throws DeviceException {
        return open(dataDir, identity, groupSecret, relays, ClientSettings.defaults(dataDir));
    }

    /** As {@link #open(Path, KeyPair, Secret, List)} with the providers {@code settings} names. */
    public static Device open(Path dataDir, KeyPair identity, Secret groupSecret, List<RelayAddress> relays,
            ClientSettings settings) throws DeviceException {
        if (relays.isEmpty()) {
            throw new DeviceException(DeviceException.Code.CONFIG, "no relay is configured (add one with `zerok relays add`)");
        }
        Map<RelayId, Endpoint> endpoints = new LinkedHashMap<>();
        for (RelayAddress relay : relays) {
            Endpoint endpoint;
            try {
                endpoint = Endpoint.parse(relay.hostPort());
            } catch (IllegalArgumentException e) {
                throw new DeviceException(DeviceException.Code.CONFIG, "bad relay address '" + relay.hostPort() + "': "
                        + e.getMessage());
            }
            if (endpoints.put(new RelayId(relay.staticPublicKey()), endpoint) != null) {
                throw new DeviceException(DeviceException.Code.CONFIG, "the same relay key is configured twice");
            }
        }
        ClientComponent ports = ClientComponent.create(settings);
        ExecutorService lane = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "zerok-sync");
            t.setDaemon(true);
            return t;
        });
        GroupKeys keys = null;
        try {
            Files.createDirectories(dataDir);
            LocalContent content = new LocalContent(dataDir.resolve("content"));
            FolderStore folderStore = new FolderStore(dataDir.resolve("folders"), FOLDER_HISTORY_VERSIONS);
            KeyExchange crypto = ports.keyExchange();
            keys = GroupKeys.derive(crypto, groupSecret);
            DeviceId id = StaticIdentity.deviceId(crypto.hash("SHA256"), identity.publicKey());
            Device device = new Device(ports, lane, keys, ChunkSealer.create(crypto), content, folderStore,
                    dataDir.resolve("folders"), id, endpoints, identity, FrameCodec.DEFAULT_MAX_FRAME_BYTES);
            device.client.addListener(event -> {
                if (event instanceof SyncEvent.MissedExpired) {
                    device.folders.missedExpired();
                }
            });
            for (RelayAddress relay : relays) {
                device.relayAddresses.put(new RelayId(relay.staticPublicKey()), relay.hostPort());
            }
            device.client.start();
            return device;
        } catch (ClientPortsModule.PortOpenException e) {
            closeQuietly(ports, lane, keys);
            throw new DeviceException("state".equals(e.port) || "chunks".equals(e.port) ? DeviceException.Code.STORE
                    : DeviceException.Code.CONFIG, e.getMessage(), e);
        } catch (IOException e) {
            closeQuietly(ports, lane, keys);
            throw new DeviceException(DeviceException.Code.STORE, "cannot create the device's content directory: "
                    + IoMessages.describe(e), e);
        } catch (PairingException | CryptoException | SealingException | SyncException e) {
            closeQuietly(ports, lane, keys);
            throw new DeviceException(DeviceException.Code.CRYPTO, "a crypto primitive is unavailable: " + e.getMessage(), e);
        }
    }

    /** This device's id (SHA-256 of its static public key). */
    public DeviceId id() {
        return id;
    }

    /** The shared folders: publish, apply, catch-up (docs/PROTOCOL.md, "Folders"). */
    public Folders folders() {
        return folders;
    }

    /** FOLDER payloads from members that did not decode (a member's bug; they are skipped). */
    public long folderErrors() {
        return folderErrors.get();
    }

    /** CHUNKS payloads from members that did not decode (a member's bug; they are skipped). */
    public long chunkPackErrors() {
        return chunkPackErrors.get();
    }

    /** The sync driver, for listeners and finer control. */
    public SyncClient client() {
        return client;
    }

    /**
     * Chunks delivered by the relays since this device was opened (each chunk of a pack counts),
     * including repeats of a page that was delivered but not committed before a crash (delivery
     * is at least once).
     */
    public long chunksReceived() {
        return chunksReceived.get();
    }

    /** The current sync status. */
    public SyncStatus status() {
        return client.status();
    }

    /** The version vector as last committed. */
    public VersionVector versionVector() {
        return client.versionVector();
    }

    /**
     * Asks every relay for news, then waits until the status is SYNCED: every outbox entry
     * acknowledged by every relay and every relay pulled to its head.
     *
     * @param timeout how long to wait
     * @return the SYNCED status
     * @throws DeviceException coded {@code ALL_RELAYS_FAILED} as soon as no relay can be reached,
     *     {@code QUOTA_EXCEEDED} as soon as a relay refused a push for the group's quota and nothing
     *     else is pending (or at the deadline, if a refusal stands), {@code STORE} if the local
     *     state failed, {@code TIMEOUT} with the last status otherwise
     */
    public SyncStatus awaitSynced(Duration timeout) throws DeviceException {
        client.syncNow();
        CompletableFuture<SyncStatus> done = client.when(
                s -> s.kind() == SyncStatus.Kind.SYNCED || s.kind() == SyncStatus.Kind.FAILED
                        || (s.kind() == SyncStatus.Kind.CONNECTED && !client.quotaRefusals().isEmpty()));
        SyncStatus status;
        try {
            status = done.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            java.util.Optional<QuotaRefusal> refusal = quotaRefusal();
            if (refusal.isPresent()) {
                throw new DeviceException(DeviceException.Code.QUOTA_EXCEEDED, refusal.get().describe());
            }
            SyncStatus last = client.status();
            throw new DeviceException(DeviceException.Code.TIMEOUT, "not synced within " + timeout.toSeconds()
                    + " s (status " + last.kind().name().toLowerCase() + last.reason().map(r -> ": " + r).orElse("")
                    + ")");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new DeviceException(DeviceException.Code.TIMEOUT, "interrupted while waiting for sync");
        } catch (ExecutionException e) {
            throw new DeviceException(DeviceException.Code.STORE, "sync failed: " + e.getCause().getMessage(), e);
        }
        if (status.kind() == SyncStatus.Kind.FAILED) {
            String reason = status.reason().orElse("failed");
            boolean relays = reason.contains("relays failed");
            throw new DeviceException(relays ? DeviceException.Code.ALL_RELAYS_FAILED : DeviceException.Code.STORE,
                    reason);
        }
        if (status.kind() == SyncStatus.Kind.CONNECTED) {
            java.util.Optional<QuotaRefusal> refusal = quotaRefusal();
            if (refusal.isPresent()) {
                throw new DeviceException(DeviceException.Code.QUOTA_EXCEEDED, refusal.get().describe());
            }
        }
        return status;
    }

    /**
     * The first relay (in preference order) whose last answer to a push was
     * {@code QUOTA_EXCEEDED}, named by its configured address; empty if none.
     */
    public java.util.Optional<QuotaRefusal> quotaRefusal() {
        Map<RelayId, String> refusals = client.quotaRefusals();
        for (Map.Entry<RelayId, String> relay : relayAddresses.entrySet()) {
            String text = refusals.get(relay.getKey());
            if (text != null) {
                return java.util.Optional.of(QuotaRefusal.parse(relay.getValue(), text));
            }
        }
        return java.util.Optional.empty();
    }

    /**
     * Queues application bytes for every relay.
     *
     * @param data the bytes; at most the frame limit minus the protocol overheads (about 2 MiB)
     * @return the receipt; the blob is durable in the outbox
     * @throws DeviceException coded {@code CONFIG} if too large, {@code STORE} if the outbox failed
     */
    public PushReceipt pushData(byte[] data) throws DeviceException {
        if (data.length > maxBlobData()) {
            throw new DeviceException(DeviceException.Code.CONFIG, "data of " + data.length + " bytes exceeds the "
                    + maxBlobData() + "-byte blob limit; push it as a file (it is then chunked)");
        }
        BlobId blob = awaitPush(SyncPayload.Kind.DATA, data);
        return new PushReceipt(blob, 0, data.length, 0, 0);
    }

    /**
     * Pushes a file or a directory tree as one collection. Regular files and directories are
     * included; symbolic links and special files are skipped (they are not followed).
     *
     * @param fileOrDirectory what to push; entry paths are relative to its parent, so a directory
     *     {@code photos} yields entries {@code photos}, {@code photos/a.jpg}, ...
     * @param progress told the plaintext bytes handled so far
     * @return the receipt: every new chunk and the manifest are durable in the outbox
     * @throws DeviceException coded {@code IO} if reading fails or a file changes while it is
     *     read, {@code CONFIG} if the manifest would not fit in one blob (too many files: push
     *     subdirectories separately), {@code STORE} if the outbox or chunk store fails
     */
    public PushReceipt pushPath(Path fileOrDirectory, TransferProgress progress) throws DeviceException {
        Path root = fileOrDirectory.toAbsolutePath().normalize();
        if (root.getFileName() == null) {
            throw new DeviceException(DeviceException.Code.CONFIG, "cannot push the file system root");
        }
        List<Path> dirs = new ArrayList<>();
        List<Path> files = new ArrayList<>();
        try {
            walk(root, dirs, files);
        } catch (IOException e) {
            throw new DeviceException(DeviceException.Code.IO, "cannot read " + root + ": " + e.getMessage(), e);
        }
        Path base = root.getParent();
        long total = 0;
        Map<Path, Long> sizes = new LinkedHashMap<>();
        try {
            for (Path f : files) {
                long size = Files.size(f);
                sizes.put(f, size);
                total += size;
            }
        } catch (IOException e) {
            throw new DeviceException(DeviceException.Code.IO, "cannot read a file size: " + e.getMessage(), e);
        }
        List<Manifest.Entry> entries = new ArrayList<>();
        ChunkQueue queue = new ChunkQueue();
        long[] done = {0};
        try {
            for (Path d : dirs) {
                entries.add(Manifest.Entry.directory(relative(base, d), mode(d)));
            }
            for (Path f : files) {
                long size = sizes.get(f);
                entries.add(Manifest.Entry.file(relative(base, f), mode(f), size, queue.addFile(f, size, done, total,
                        progress)));
            }
            queue.drain();
        } catch (IOException e) {
            throw new DeviceException(DeviceException.Code.IO, "reading failed: " + IoMessages.describe(e), e);
        } catch (IllegalArgumentException e) {
            throw new DeviceException(DeviceException.Code.CONFIG, "cannot describe " + root + ": " + e.getMessage(), e);
        }
        int queued = queue.queued();
        int deduplicated = queue.deduplicated();
        Manifest manifest;
        try {
            manifest = new Manifest(root.getFileName().toString(), clock.now(), entries);
        } catch (IllegalArgumentException e) {
            throw new DeviceException(DeviceException.Code.CONFIG, "cannot describe " + root + ": " + e.getMessage(), e);
        }
        byte[] encoded = ManifestCodec.encode(manifest);
        if (encoded.length > maxBlobData()) {
            throw new DeviceException(DeviceException.Code.CONFIG, "the list of " + entries.size() + " entries needs "
                    + encoded.length + " bytes, more than one blob holds (" + maxBlobData()
                    + "); push subdirectories separately (chunks already queued are not queued again)");
        }
        BlobId blob = awaitPush(SyncPayload.Kind.COLLECTION, encoded);
        try {
            content.putCollection(blob, id, encoded);
        } catch (IOException e) {
            throw new DeviceException(DeviceException.Code.STORE, "the collection was queued but not indexed locally: "
                    + e.getMessage(), e);
        }
        return new PushReceipt(blob, manifest.fileCount(), total, queued, deduplicated);
    }

    /** The received data blobs and collections already reported by {@link #markShown}. */
    public java.util.Set<BlobId> shown() throws DeviceException {
        try {
            return content.shown();
        } catch (IOException e) {
            throw new DeviceException(DeviceException.Code.STORE, "cannot read the shown list: " + e.getMessage(), e);
        }
    }

    /** Records that these received blobs were reported to the user (`pull` prints only newer ones). */
    public void markShown(List<BlobId> blobs) throws DeviceException {
        try {
            content.markShown(blobs);
        } catch (IOException e) {
            throw new DeviceException(DeviceException.Code.STORE, "cannot write the shown list: " + e.getMessage(), e);
        }
    }

    /** Data blobs received from other devices, in blob id order. */
    public List<ReceivedData> received() throws DeviceException {
        try {
            List<ReceivedData> out = new ArrayList<>();
            for (LocalContent.Record r : content.received()) {
                byte[] body = r.body();
                if (body.length < 8) {
                    throw new IOException("a received record is truncated");
                }
                long sequence = java.nio.ByteBuffer.wrap(body, 0, 8).getLong();
                out.add(new ReceivedData(r.blob(), r.sender(), sequence, java.util.Arrays.copyOfRange(body, 8, body.length)));
            }
            out.sort(Comparator.comparing(ReceivedData::sender).thenComparingLong(ReceivedData::sequence));
            return out;
        } catch (IOException e) {
            throw new DeviceException(DeviceException.Code.STORE, "cannot read received data: " + IoMessages.describe(e), e);
        }
    }

    /**
     * Every collection this device knows of (pushed here or received), with how many of its
     * chunks are held. A collection whose manifest does not parse is listed with 0 chunks and
     * never complete.
     */
    public List<CollectionSummary> collections() throws DeviceException {
        List<CollectionSummary> out = new ArrayList<>();
        try {
            for (LocalContent.Record r : content.collections()) {
                out.add(summarize(r));
            }
        } catch (IOException e) {
            throw new DeviceException(DeviceException.Code.STORE, "cannot read the collection index: " + IoMessages.describe(e), e);
        }
        return out;
    }

    /**
     * Writes a complete collection under {@code into}, verifying every chunk (hash, then AEAD)
     * as it is read; a chunk damaged on disk is removed and fetched again from the relays
     * ({@link SyncClient#redeliver}). Each file is written to a temporary name, synced and renamed, so a file
     * either appears whole or not at all; existing files at the same paths are replaced.
     *
     * @throws DeviceException coded {@code INCOMPLETE} if a chunk is missing (nothing is written),
     *     {@code VERIFY_FAILED} if a stored chunk no longer verifies and fetching it again from
     *     the relays fails (it is deleted so the collection shows as incomplete; files written
     *     before it stay), {@code IO} if writing
     *     fails, {@code CONFIG} if the collection is unknown
     */
    public MaterializeResult materialize(BlobId collection, Path into, TransferProgress progress) throws DeviceException {
        Manifest manifest;
        try {
            LocalContent.Record record = content.collection(collection).orElseThrow(
                    () -> new DeviceException(DeviceException.Code.CONFIG, "no such collection"));
            manifest = ManifestCodec.decode(record.body());
        } catch (IOException e) {
            throw new DeviceException(DeviceException.Code.STORE, "cannot read the collection index: " + e.getMessage(), e);
        } catch (ContentException e) {
            throw new DeviceException(DeviceException.Code.VERIFY_FAILED, "the collection's manifest does not parse ("
                    + e.code() + ")", e);
        }
        int missing = missingChunks(manifest);
        if (missing > 0) {
            throw new DeviceException(DeviceException.Code.INCOMPLETE, "collection '" + manifest.name() + "' is missing "
                    + missing + " of " + manifest.distinctChunks().size() + " chunks; pull again to fetch them");
        }
        Path target = into.toAbsolutePath().normalize();
        long total = manifest.totalBytes();
        long done = 0;
        int files = 0;
        int[] refetched = {0};
        try {
            Files.createDirectories(target);
            for (Manifest.Entry e : manifest.entries()) {
                Path out = target.resolve(e.path()).normalize();
                if (!out.startsWith(target)) {
                    throw new DeviceException(DeviceException.Code.VERIFY_FAILED, "a manifest path escapes the target");
                }
                if (e.type() == Manifest.Type.DIRECTORY) {
                    Files.createDirectories(out);
                    setMode(out, e.mode() | 0700);
                    continue;
                }
                Files.createDirectories(out.getParent());
                Path temp = out.resolveSibling("." + out.getFileName() + ".zerok-part");
                try (OutputStream os = Files.newOutputStream(temp, StandardOpenOption.CREATE,
                        StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE)) {
                    for (ContentHash address : e.chunks()) {
                        byte[] plain = readChunk(address, refetched);
                        os.write(plain);
                        done += plain.length;
                        progress.update(done, total);
                    }
                }
                if (Files.size(temp) != e.size()) {
                    Files.deleteIfExists(temp);
                    throw new DeviceException(DeviceException.Code.VERIFY_FAILED, "a file's chunks do not add up to its size");
                }
                try (var ch = java.nio.channels.FileChannel.open(temp, StandardOpenOption.WRITE)) {
                    ch.force(true);
                }
                setMode(temp, e.mode());
                try {
                    Files.move(temp, out, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
                } catch (AtomicMoveNotSupportedException ex) {
                    Files.move(temp, out, StandardCopyOption.REPLACE_EXISTING);
                }
                files++;
            }
        } catch (IOException e) {
            throw new DeviceException(DeviceException.Code.IO, "writing into " + target + " failed: " + e.getMessage(), e);
        }
        return new MaterializeResult(files, done, refetched[0]);
    }

    /** Blobs that failed verification (decryption, payload, sequence), as recorded in the state store. */
    public List<BlobIndexEntry> failures() throws DeviceException {
        try {
            return state.failures();
        } catch (ClientStateException e) {
            throw new DeviceException(DeviceException.Code.STORE, "cannot read the failure list (" + e.code() + ")", e);
        }
    }

    /**
     * Closes with a quick flush (pending pushes go out until {@code flushDeadline}), then releases
     * the transport and the stores.
     *
     * @return true if every outbox entry was acknowledged by every relay
     */
    public boolean close(Duration flushDeadline) {
        boolean flushed = false;
        try {
            flushed = client.close(flushDeadline).get(flushDeadline.toMillis() + 5_000, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException e) {
            // fall through: the outbox keeps whatever was not acknowledged
        }
        client.abort();
        folders.close();
        lane.shutdown();
        try {
            lane.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        closeQuietly(ports, lane, groupKeys);
        chunkKey.close();
        return flushed;
    }

    /** {@code close(Duration.ofSeconds(2))}. */
    @Override
    public void close() {
        close(Duration.ofSeconds(2));
    }

    // ------------------------------------------------------------------ internals

    /** Chunks delivered on the lane and not yet stored ({@link #flushChunks}); lane only. */
    private final Map<ContentHash, byte[]> receivedChunks = new LinkedHashMap<>();

    /** The inbox: called on the lane for every authenticated blob, before its page is committed. */
    private void deliver(DeliveredBlob blob) throws SyncException {
        try {
            switch (blob.kind()) {
                case DATA -> {
                    if (!blob.sender().equals(id)) { // a redelivery pass also hands back this device's own blobs
                        content.putReceived(blob.blob(), blob.sender(), blob.sequence(), blob.data());
                    }
                }
                case COLLECTION -> content.putCollection(blob.blob(), blob.sender(), blob.data());
                case FOLDER -> {
                    flushChunks(); // the records may name chunks of this page: those are stored first
                    FolderCodec.Message message;
                    try {
                        message = FolderCodec.decode(blob.data());
                    } catch (ContentException e) {
                        folderErrors.incrementAndGet(); // authenticated, so a member's bug: skipped, never fatal
                        return;
                    }
                    folders.received(blob.sender(), message);
                }
                case CHUNK -> received(blob.data());
                case CHUNKS -> {
                    List<byte[]> pack;
                    try {
                        pack = ChunkPackCodec.decode(blob.data());
                    } catch (ContentException e) {
                        chunkPackErrors.incrementAndGet(); // authenticated, so a member's bug: skipped, never fatal
                        return;
                    }
                    for (byte[] sealed : pack) {
                        received(sealed);
                    }
                }
            }
        } catch (IOException | BlobStoreException e) {
            throw new SyncException(SyncException.Code.INBOX_FAILED, "storing a received blob failed"
                    + (diskFull(e) ? ": the disk is full; free space and sync again" : ""), e);
        }
    }

    /** A delivered sealed chunk, held for {@link #flushChunks} unless this device has it. */
    private void received(byte[] sealed) throws BlobStoreException {
        ContentHash address = chunkSealer.address(sealed);
        if (!receivedChunks.containsKey(address) && !chunks.has(address)) {
            receivedChunks.put(address, sealed);
        }
        chunksReceived.incrementAndGet();
    }

    /**
     * Stores the chunks delivered since the last flush with one durability barrier; the engine
     * calls it before it commits their page, and {@link #deliver} before a folder record (which may
     * name them) is merged. On failure nothing of the page is committed and it is pulled again.
     */
    private void flushChunks() throws SyncException {
        if (receivedChunks.isEmpty()) {
            return;
        }
        try {
            chunks.putAllVerified(receivedChunks);
        } catch (BlobStoreException e) {
            throw new SyncException(SyncException.Code.INBOX_FAILED, "storing a received blob failed"
                    + (diskFull(e) ? ": the disk is full; free space and sync again" : ""), e);
        } finally {
            receivedChunks.clear();
        }
    }

    /**
     * True if {@code e} means the disk is full: a blob store's {@code FULL}, or an I/O error the OS
     * reported as ENOSPC ("No space left on device").
     */
    static boolean diskFull(Exception e) {
        if (e instanceof BlobStoreException b) {
            return b.code() == BlobStoreException.Code.FULL;
        }
        String reason = e instanceof java.nio.file.FileSystemException fs && fs.getReason() != null ? fs.getReason()
                : e.getMessage();
        return reason != null && reason.contains("No space left on device");
    }

    /** A sealed chunk and its outbox enqueue in progress. */
    private record QueuedChunk(byte[] sealed, CompletableFuture<BlobId> enqueued) {}

    /**
     * Chunks sealed ahead of their enqueue, at most: sealing and chunk-store writes on the caller's
     * thread overlap the outbox writes on the lane, and the lane queues the blobs that wait with
     * one commit ({@link SyncClient#push}); small chunks share a blob (a pack), so a window of
     * many small chunks is few blobs and few commits.
     */
    private static final int PUSH_WINDOW = 8192;
    /** Encoded bytes of one chunk pack, at most (and never more than a blob's data may hold). */
    private static final int PACK_BYTES = 1 << 20;

    /** A packer for this device's blob size (docs/PROTOCOL.md, "Chunk packs"). */
    ChunkPacker chunkPacker() {
        return new ChunkPacker(Math.min(PACK_BYTES, maxBlobData()));
    }

    /** Queues a pack of sealed chunks as one {@code CHUNKS} blob. */
    CompletableFuture<BlobId> pushPack(Map<ContentHash, byte[]> pack) {
        return client.push(SyncPayload.Kind.CHUNKS, ChunkPacker.encode(pack));
    }

    /** Sealed chunk bytes held ahead of their enqueue, at most (then the caller waits for the oldest). */
    private static final long PUSH_WINDOW_BYTES = 16L << 20;

    /**
     * Waits for the oldest chunk's enqueue, then stores it and every chunk behind it whose enqueue
     * also completed (the lane queues them in batches) with one durability barrier.
     *
     * @return the sealed bytes stored
     */
    private long storeOldest(java.util.SequencedMap<ContentHash, QueuedChunk> inFlight)
            throws DeviceException, BlobStoreException {
        await(inFlight.firstEntry().getValue().enqueued());
        Map<ContentHash, byte[]> done = new LinkedHashMap<>();
        long bytes = 0;
        while (!inFlight.isEmpty() && inFlight.firstEntry().getValue().enqueued().isDone()) {
            Map.Entry<ContentHash, QueuedChunk> first = inFlight.pollFirstEntry();
            QueuedChunk next = first.getValue();
            await(next.enqueued()); // done: throws at once if the enqueue failed
            done.put(first.getKey(), next.sealed());
            bytes += next.sealed().length;
        }
        chunks.putAllVerified(done);
        return bytes;
    }

    private BlobId awaitPush(SyncPayload.Kind kind, byte[] data) throws DeviceException {
        return await(client.push(kind, data));
    }

    /** Waits until a push is durable in the outbox. */
    void awaitQueued(CompletableFuture<BlobId> push) throws DeviceException {
        await(push);
    }

    /** True if every chunk is in the chunk store. */
    boolean hasChunks(List<ContentHash> addresses) throws DeviceException {
        try {
            for (ContentHash address : addresses) {
                if (!chunks.has(address)) {
                    return false;
                }
            }
            return true;
        } catch (BlobStoreException e) {
            throw new DeviceException(DeviceException.Code.STORE, "the chunk store failed (" + e.code() + ")", e);
        }
    }

    /** A chunk's sealed bytes as stored, or null if it is not held. */
    byte[] sealedChunk(ContentHash address) throws BlobStoreException {
        return chunks.get(address).orElse(null);
    }

    /** The chunk addresses of a file's content, without storing or queueing anything. */
    List<ContentHash> addresses(Path file, long size) throws IOException, DeviceException {
        List<ContentHash> out = new ArrayList<>();
        try (InputStream in = Files.newInputStream(file, LinkOption.NOFOLLOW_LINKS)) {
            for (long read = 0; read < size; ) {
                byte[] plain = in.readNBytes((int) Math.min(ChunkSealer.CHUNK_BYTES, size - read));
                if (plain.length == 0) {
                    return List.of();
                }
                read += plain.length;
                out.add(seal(plain).address());
            }
        }
        return out;
    }

    /**
     * Deletes chunks that only dropped folder versions referenced, keeping any a collection
     * lists; a failed delete is left for the next pass.
     */
    void deleteUnreferencedChunks(java.util.Set<ContentHash> candidates) throws DeviceException {
        if (candidates.isEmpty()) {
            return;
        }
        java.util.Set<ContentHash> keep = new java.util.HashSet<>();
        try {
            for (LocalContent.Record r : content.collections()) {
                try {
                    keep.addAll(ManifestCodec.decode(r.body()).distinctChunks());
                } catch (ContentException unreadable) {
                    // lists nothing
                }
            }
        } catch (IOException e) {
            throw new DeviceException(DeviceException.Code.STORE, "cannot read the collection index: " + e.getMessage(), e);
        }
        for (ContentHash address : candidates) {
            if (!keep.contains(address)) {
                deleteQuietly(address);
            }
        }
    }

    private SealedChunk seal(byte[] plain) {
        return chunkSealer.seal(chunkKey, plain);
    }

    /** A push window for chunks: sealing on the caller's thread overlaps outbox writes on the lane. */
    ChunkQueue chunkQueue() {
        return new ChunkQueue();
    }

    /**
     * Queues the new chunks of files: each chunk is sealed and addressed; one this device holds
     * (or queued in this window) is not queued again; a small one (sealed, at most
     * {@link ChunkPacker#PACK_CHUNK_MAX_BYTES}) waits for others and travels with them in one {@code CHUNKS}
     * blob of up to 1 MiB ({@link ChunkPackCodec}), a larger one is a {@code CHUNK} blob of its
     * own; each new one enters the chunk store only after its blob's enqueue completed, so the
     * store never holds a chunk the outbox lacks.
     */
    final class ChunkQueue {
        private final java.util.SequencedMap<ContentHash, QueuedChunk> inFlight = new LinkedHashMap<>();
        private long inFlightBytes;
        /** Small chunks gathered for the next pack, not yet pushed. */
        private final ChunkPacker packer = chunkPacker();
        private int queued;
        private int deduplicated;

        /**
         * @param done plaintext bytes handled so far, updated
         * @return the file's chunk addresses in order
         * @throws DeviceException coded IO if the file changes size while read
         */
        List<ContentHash> addFile(Path file, long size, long[] done, long total, TransferProgress progress)
                throws IOException, DeviceException {
            List<ContentHash> addresses = new ArrayList<>();
            try (InputStream in = Files.newInputStream(file, LinkOption.NOFOLLOW_LINKS)) {
                long read = 0;
                while (read < size) {
                    byte[] plain = in.readNBytes((int) Math.min(ChunkSealer.CHUNK_BYTES, size - read));
                    if (plain.length == 0) {
                        throw new DeviceException(DeviceException.Code.IO, "a file shrank while it was read: " + file);
                    }
                    read += plain.length;
                    addresses.add(add(plain));
                    done[0] += plain.length;
                    progress.update(done[0], total);
                }
                if (in.read() != -1) {
                    throw new DeviceException(DeviceException.Code.IO, "a file grew while it was read: " + file);
                }
            }
            return addresses;
        }

        private ContentHash add(byte[] plain) throws DeviceException {
            SealedChunk chunk = seal(plain);
            ContentHash address = chunk.address();
            byte[] sealed = chunk.bytes(); // one copy, held until stored
            try {
                if (chunks.has(address) || inFlight.containsKey(address) || packer.contains(address)) {
                    deduplicated++;
                    return address;
                }
                queued++;
                if (packer.alone(sealed.length)) {
                    track(Map.of(address, sealed), client.push(SyncPayload.Kind.CHUNK, sealed));
                } else {
                    Optional<Map<ContentHash, byte[]>> full = packer.add(address, sealed);
                    if (full.isPresent()) {
                        track(full.get(), pushPack(full.get()));
                    }
                }
                return address;
            } catch (BlobStoreException e) {
                throw new DeviceException(DeviceException.Code.STORE, "the chunk store failed (" + e.code() + ")", e);
            }
        }

        /** Holds chunks until their push is enqueued, storing the oldest while the window is full. */
        private void track(Map<ContentHash, byte[]> pushed, CompletableFuture<BlobId> enqueued)
                throws DeviceException, BlobStoreException {
            for (Map.Entry<ContentHash, byte[]> e : pushed.entrySet()) {
                inFlight.put(e.getKey(), new QueuedChunk(e.getValue(), enqueued));
                inFlightBytes += e.getValue().length;
            }
            while (!inFlight.isEmpty() && (inFlight.size() >= PUSH_WINDOW || inFlightBytes >= PUSH_WINDOW_BYTES)) {
                inFlightBytes -= storeOldest(inFlight);
            }
        }

        /** Waits for every queued chunk and stores it. */
        void drain() throws DeviceException {
            try {
                Optional<Map<ContentHash, byte[]>> last = packer.drain();
                if (last.isPresent()) {
                    track(last.get(), pushPack(last.get()));
                }
                while (!inFlight.isEmpty()) {
                    storeOldest(inFlight);
                }
                inFlightBytes = 0;
            } catch (BlobStoreException e) {
                throw new DeviceException(DeviceException.Code.STORE, "the chunk store failed (" + e.code() + ")", e);
            }
        }

        int queued() {
            return queued;
        }

        int deduplicated() {
            return deduplicated;
        }
    }

    private static BlobId await(CompletableFuture<BlobId> push) throws DeviceException {
        try {
            return push.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new DeviceException(DeviceException.Code.STORE, "interrupted while queueing");
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof SyncException se && se.code() == SyncException.Code.STORE_FAILED) {
                throw new DeviceException(DeviceException.Code.STORE, se.getMessage(), se);
            }
            throw new DeviceException(DeviceException.Code.STORE, "queueing failed: " + cause.getMessage(), cause);
        }
    }

    int maxBlobData() {
        return maxFrameBytes - SyncEngine.PUSH_OVERHEAD_BYTES - BLOB_OVERHEAD_BYTES;
    }

    /** How long {@link #materialize} waits for the relays to hand back a chunk found damaged on disk. */
    private volatile Duration refetchTimeout = Duration.ofSeconds(60);

    /** Shortens the re-fetch wait (tests whose relay is gone on purpose). */
    void refetchTimeout(Duration timeout) {
        this.refetchTimeout = timeout;
    }

    /**
     * A verified chunk. One that no longer verifies on disk is removed and fetched again from the
     * relays (a redelivery pass), then verified again.
     */
    byte[] readChunk(ContentHash address, int[] refetched) throws DeviceException {
        try {
            return openChunk(address);
        } catch (DeviceException damaged) {
            if (damaged.code() != DeviceException.Code.VERIFY_FAILED) {
                throw damaged;
            }
            client.redeliver();
            long deadline = System.nanoTime() + refetchTimeout.toNanos();
            try {
                while (!chunks.has(address) && System.nanoTime() < deadline) {
                    Thread.sleep(20);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw damaged;
            } catch (BlobStoreException e) {
                throw new DeviceException(DeviceException.Code.STORE, "the chunk store failed (" + e.code() + ")", e);
            }
            try {
                byte[] plain = openChunk(address);
                refetched[0]++;
                return plain;
            } catch (DeviceException again) {
                throw new DeviceException(DeviceException.Code.VERIFY_FAILED, damaged.getMessage()
                        + "; fetching it again from the relays did not succeed within " + refetchTimeout.toSeconds()
                        + " s, so the collection shows as incomplete", damaged);
            }
        }
    }

    private byte[] openChunk(ContentHash address) throws DeviceException {
        try {
            byte[] sealed = chunks.get(address).orElseThrow(() -> new DeviceException(DeviceException.Code.VERIFY_FAILED,
                    "a chunk is missing from the store"));
            return chunkSealer.open(chunkKey, address, sealed);
        } catch (BlobStoreException e) {
            if (e.code() == BlobStoreException.Code.CORRUPT) {
                deleteQuietly(address);
                throw new DeviceException(DeviceException.Code.VERIFY_FAILED, "a stored chunk is damaged (bit rot or "
                        + "tampering); it was removed", e);
            }
            throw new DeviceException(DeviceException.Code.STORE, "the chunk store failed (" + e.code() + ")", e);
        } catch (SealingException e) {
            deleteQuietly(address);
            throw new DeviceException(DeviceException.Code.VERIFY_FAILED, "a chunk failed to open (" + e.code()
                    + "); it was removed", e);
        }
    }

    private void deleteQuietly(ContentHash address) {
        try {
            chunks.delete(address);
        } catch (BlobStoreException ignored) {
            // the read already failed; the caller reports that
        }
    }

    private CollectionSummary summarize(LocalContent.Record r) throws DeviceException {
        Manifest manifest;
        try {
            manifest = ManifestCodec.decode(r.body());
        } catch (ContentException e) {
            return new CollectionSummary(r.blob(), "(unreadable manifest: " + e.code() + ")", r.sender(), 0, 0, 0, 0, false,
                    java.time.Instant.EPOCH);
        }
        int total = manifest.distinctChunks().size();
        int present = total - missingChunks(manifest);
        return new CollectionSummary(r.blob(), manifest.name(), r.sender(), manifest.fileCount(), manifest.totalBytes(),
                present, total, present == total, manifest.createdAt());
    }

    private int missingChunks(Manifest manifest) throws DeviceException {
        int missing = 0;
        try {
            for (ContentHash address : manifest.distinctChunks()) {
                if (!chunks.has(address)) {
                    missing++;
                }
            }
        } catch (BlobStoreException e) {
            throw new DeviceException(DeviceException.Code.STORE, "the chunk store failed (" + e.code() + ")", e);
        }
        return missing;
    }

    private static void walk(Path root, List<Path> dirs, List<Path> files) throws IOException {
        BasicFileAttributes rootAttrs = Files.readAttributes(root, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        if (rootAttrs.isRegularFile()) {
            files.add(root);
            return;
        }
        if (!rootAttrs.isDirectory()) {
            throw new IOException("not a regular file or directory");
        }
        Files.walkFileTree(root, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) {
                dirs.add(dir);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
                if (attrs.isRegularFile()) {
                    files.add(file);
                }
                return FileVisitResult.CONTINUE;
            }
        });
        dirs.sort(Comparator.naturalOrder());
        files.sort(Comparator.naturalOrder());
    }

    private static String relative(Path base, Path p) {
        return base.relativize(p).toString().replace(p.getFileSystem().getSeparator(), "/");
    }

    private static int mode(Path p) throws IOException {
        int mode = 0;
        Set<PosixFilePermission> perms = Files.getPosixFilePermissions(p, LinkOption.NOFOLLOW_LINKS);
        for (PosixFilePermission perm : perms) {
            mode |= 1 << (8 - perm.ordinal());
        }
        return mode;
    }

    private static void setMode(Path p, int mode) throws IOException {
        Set<PosixFilePermission> perms = EnumSet.noneOf(PosixFilePermission.class);
        for (PosixFilePermission perm : PosixFilePermission.values()) {
            if ((mode & (1 << (8 - perm.ordinal()))) != 0) {
                perms.add(perm);
            }
        }
        Files.setPosixFilePermissions(p, perms);
    }

    private static void closeQuietly(ClientComponent ports, ExecutorService lane, GroupKeys keys) {
        for (Runnable r : List.<Runnable>of(() -> ports.transport().close(), () -> ports.state().close(),
                () -> ports.chunks().close())) {
            try {
                r.run();
            } catch (RuntimeException ignored) {
                // closing what was opened; a port that failed to open throws again here
            }
        }
        lane.shutdownNow();
        if (keys != null) {
            keys.close();
        }
    }
}
