package dev.zerok.chaos.scenarios;

import dev.zerok.chaos.topology.ChaosException;
import dev.zerok.chaos.topology.Device;
import dev.zerok.kernel.content.ChunkSealer;
import dev.zerok.kernel.content.ContentException;
import dev.zerok.kernel.content.Manifest;
import dev.zerok.kernel.content.ManifestCodec;
import dev.zerok.kernel.content.SealedChunk;
import dev.zerok.kernel.content.SealingException;
import dev.zerok.kernel.pairing.GroupKeys;
import dev.zerok.kernel.sync.SyncPayload;
import dev.zerok.ports.crypto.KeyExchange;
import dev.zerok.ports.crypto.KeyExchangeProvider;
import dev.zerok.ports.crypto.Secret;
import dev.zerok.ports.id.BlobId;
import dev.zerok.ports.id.ContentHash;
import dev.zerok.ports.spi.ProviderConfig;
import dev.zerok.ports.spi.Providers;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SequencedMap;
import java.util.SplittableRandom;

/**
 * The content layer of a device (seed 000 section 8.2, collections), for topology devices: turns a
 * file's bytes into exactly the sync payloads {@code dev.zerok.client.Device.pushPath} pushes for a
 * one-file collection, and checks a collection from the blobs a device received, with the product's
 * own code throughout: {@link ChunkSealer} (1 MiB chunks sealed convergently under the group's chunk
 * key from {@link GroupKeys}), {@link Manifest} and {@link ManifestCodec}. What Device adds around
 * them is file I/O (reading 1 MiB at a time, a chunk store, writing files), which this class does on
 * byte arrays instead.
 *
 * <p>The payloads, in push order: each distinct sealed chunk as a {@code CHUNK} payload (a chunk
 * repeated in the file is pushed once, as Device's dedup does), then the encoded manifest as a
 * {@code COLLECTION} payload. A receiver holds a collection when it holds the manifest and every
 * chunk the manifest lists (Device.collections: "complete only when every listed chunk is held");
 * each chunk is verified (address, then AEAD) as it is read back.
 *
 * <p>Not thread-safe (one scenario thread). Holds the chunk key until the topology's run ends; the
 * key is derived from a seeded group secret and is not the topology group's (the relay cannot tell:
 * every payload is sealed again per blob by the device).
 */
public final class ContentLayer {
    /** The POSIX mode the collection's file entry carries (what pushPath reads from a 0644 file). */
    public static final int FILE_MODE = 0644;

    private final ChunkSealer sealer;
    private final Secret chunkKey;

    private ContentLayer(ChunkSealer sealer, Secret chunkKey) {
        this.sealer = sealer;
        this.chunkKey = chunkKey;
    }

    /**
     * A content layer whose group secret (32 bytes) is drawn from {@code random}, with the product's
     * key derivation ({@link GroupKeys#derive}) over the bouncycastle crypto adapter.
     *
     * @throws ChaosException if the crypto adapter is missing
     */
    public static ContentLayer seeded(SplittableRandom random) {
        byte[] secret = new byte[GroupKeys.SECRET_BYTES];
        random.nextBytes(secret);
        try {
            KeyExchange crypto = Providers.select(KeyExchangeProvider.class, "bouncycastle").open(ProviderConfig.EMPTY);
            try (GroupKeys keys = GroupKeys.derive(crypto, Secret.copyOf(secret))) {
                return new ContentLayer(ChunkSealer.create(crypto), Secret.copyOf(keys.chunkKey().expose()));
            }
        } catch (Exception e) {
            throw new ChaosException("cannot set up the content layer: " + e.getMessage(), e);
        } finally {
            Arrays.fill(secret, (byte) 0);
        }
    }

    /**
     * A one-file collection as the product builds it: the file in file order, the distinct sealed
     * chunks in first-appearance order, the manifest and its encoding.
     *
     * @param content the file's bytes
     * @param chunks the distinct sealed chunks, in the order the product pushes them
     * @param manifest the collection's manifest: one FILE entry named like the collection
     * @param encodedManifest the {@code COLLECTION} payload
     */
    public record Collection(byte[] content, List<SealedChunk> chunks, Manifest manifest, byte[] encodedManifest) {
        /** How many distinct chunks the manifest lists. */
        public int chunkCount() {
            return chunks.size();
        }

        @Override
        public String toString() {
            return "Collection[" + content.length + " bytes, " + chunks.size() + " chunks]";
        }
    }

    /**
     * Splits {@code content} into {@link ChunkSealer#CHUNK_BYTES} pieces (the last shorter), seals
     * each, and describes the file in a manifest, as pushPath does for a single file.
     *
     * @param name the collection's (and the file's) name, 1..255 UTF-8 bytes, no '/'
     * @param createdAt the manifest's creation time (whole milliseconds kept)
     * @param content the file's bytes; kept, not copied
     */
    public Collection build(String name, Instant createdAt, byte[] content) {
        SequencedMap<ContentHash, SealedChunk> distinct = new LinkedHashMap<>();
        List<ContentHash> addresses = new ArrayList<>();
        for (int at = 0; at < content.length; at += ChunkSealer.CHUNK_BYTES) {
            byte[] plain = Arrays.copyOfRange(content, at, Math.min(content.length, at + ChunkSealer.CHUNK_BYTES));
            SealedChunk sealed = sealer.seal(chunkKey, plain);
            addresses.add(sealed.address());
            distinct.putIfAbsent(sealed.address(), sealed);
        }
        Manifest manifest = new Manifest(name, createdAt,
                List.of(Manifest.Entry.file(name, FILE_MODE, content.length, addresses)));
        return new Collection(content, List.copyOf(distinct.values()), manifest, ManifestCodec.encode(manifest));
    }

    /**
     * Pushes the collection's chunks from {@code device}, in order, each as a {@code CHUNK} payload.
     *
     * @return the chunks' blob ids, in push order
     */
    public static List<BlobId> pushChunks(Device device, Collection collection) {
        List<BlobId> ids = new ArrayList<>();
        for (SealedChunk c : collection.chunks()) {
            ids.add(device.push(SyncPayload.Kind.CHUNK, c.bytes()));
        }
        return ids;
    }

    /** Pushes the collection's manifest from {@code device} as a {@code COLLECTION} payload (the product pushes it last). */
    public static BlobId pushManifest(Device device, Collection collection) {
        return device.push(SyncPayload.Kind.COLLECTION, collection.encodedManifest());
    }

    /**
     * What a device holds of a collection.
     *
     * @param manifest the manifest, if a received payload decodes as one listing {@code expected}'s chunks
     * @param total the distinct chunks the collection lists
     * @param missing 1-based positions (in the manifest's distinct-chunk order) of the chunks not held
     */
    public record Holding(Optional<Manifest> manifest, int total, List<Integer> missing) {
        /** True if the manifest and every chunk it lists are held. */
        public boolean complete() {
            return manifest.isPresent() && missing.isEmpty();
        }

        /**
         * The product's wording (Device.materialize's INCOMPLETE error): "collection 'n' is missing k
         * of m chunks", plus which; or that no manifest arrived; or "complete".
         */
        public String describe() {
            if (manifest.isEmpty()) {
                return "no manifest received: the collection is not known (" + (total - missing.size()) + " of " + total
                        + " chunks held)";
            }
            if (missing.isEmpty()) {
                return "collection '" + manifest.get().name() + "' is complete (" + total + " chunks)";
            }
            return "collection '" + manifest.get().name() + "' is missing " + missing.size() + " of " + total
                    + " chunks (chunk " + missing + ")";
        }
    }

    /**
     * Which of {@code expected}'s chunks and whether its manifest are among {@code received} (a
     * device's {@link Device#received()}): a chunk is held if a received payload's address (SHA-256
     * of its bytes, {@link ChunkSealer#address}) is listed; the manifest if a received payload decodes
     * ({@link ManifestCodec#decode}) to {@code expected}'s manifest.
     */
    public Holding holding(Map<BlobId, byte[]> received, Collection expected) {
        Map<ContentHash, byte[]> byAddress = index(received);
        Optional<Manifest> manifest = received.values().stream()
                .filter(bytes -> Arrays.equals(bytes, expected.encodedManifest()))
                .findFirst().flatMap(ContentLayer::decodeQuietly);
        List<Integer> missing = new ArrayList<>();
        int position = 0;
        for (ContentHash address : expected.manifest().distinctChunks()) {
            position++;
            if (!byAddress.containsKey(address)) {
                missing.add(position);
            }
        }
        return new Holding(manifest, expected.manifest().distinctChunks().size(), List.copyOf(missing));
    }

    /**
     * Reassembles {@code expected}'s file from {@code received} with the product's codecs: decodes
     * the received manifest, opens every chunk it lists ({@link ChunkSealer#open}: address, then
     * AEAD, then synthetic nonce) and checks the result against the pushed file byte for byte.
     *
     * @throws AssertionError if the collection is incomplete (naming what is missing), a chunk does
     *     not open (its code), the sizes do not add up, or a byte differs (its offset)
     */
    public void assertComplete(Map<BlobId, byte[]> received, Collection expected, String who) {
        Holding holding = holding(received, expected);
        if (!holding.complete()) {
            throw new AssertionError(who + ": " + holding.describe());
        }
        Manifest manifest = holding.manifest().orElseThrow();
        Map<ContentHash, byte[]> byAddress = index(received);
        byte[] content = expected.content();
        long offset = 0;
        for (Manifest.Entry entry : manifest.entries()) {
            for (ContentHash address : entry.chunks()) {
                byte[] plain;
                try {
                    plain = sealer.open(chunkKey, address, byAddress.get(address));
                } catch (SealingException e) {
                    throw new AssertionError(who + ": a received chunk does not open (" + e.code() + ")", e);
                }
                if (offset + plain.length > content.length
                        || !Arrays.equals(plain, 0, plain.length, content, (int) offset, (int) offset + plain.length)) {
                    throw new AssertionError(who + ": the reassembled file differs from the pushed one within bytes "
                            + offset + ".." + (offset + plain.length));
                }
                offset += plain.length;
            }
            if (offset != entry.size()) {
                throw new AssertionError(who + ": the chunks add up to " + offset + " bytes, the manifest says " + entry.size());
            }
        }
        if (offset != content.length) {
            throw new AssertionError(who + ": reassembled " + offset + " bytes of the pushed " + content.length);
        }
    }

    private Map<ContentHash, byte[]> index(Map<BlobId, byte[]> received) {
        Map<ContentHash, byte[]> out = new HashMap<>();
        for (byte[] bytes : received.values()) {
            if (bytes.length >= ChunkSealer.OVERHEAD_BYTES && bytes.length <= ChunkSealer.MAX_SEALED_BYTES) {
                out.putIfAbsent(sealer.address(bytes), bytes);
            }
        }
        return out;
    }

    private static Optional<Manifest> decodeQuietly(byte[] bytes) {
        try {
            return Optional.of(ManifestCodec.decode(bytes));
        } catch (ContentException e) {
            return Optional.empty();
        }
    }
}
