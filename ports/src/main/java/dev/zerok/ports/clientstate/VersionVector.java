package dev.zerok.ports.clientstate;

import dev.zerok.ports.id.DeviceId;
import java.util.Collections;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * For each device of the group, the highest sender sequence number received from it contiguously
 * (sequence numbers start at 1). Two devices have converged when their vectors are equal.
 * Immutable; entries are ordered by device id so the encoding is canonical.
 *
 * @param entries device to highest contiguous sequence number (positive)
 */
public record VersionVector(SortedMap<DeviceId, Long> entries) {
    /** The vector of a device that has received nothing. */
    public static final VersionVector EMPTY = new VersionVector(new TreeMap<>());

    public VersionVector {
        TreeMap<DeviceId, Long> copy = new TreeMap<>(entries);
        for (Map.Entry<DeviceId, Long> e : copy.entrySet()) {
            if (e.getValue() == null || e.getValue() < 1) {
                throw new IllegalArgumentException("version vector sequence numbers are >= 1");
            }
        }
        entries = Collections.unmodifiableSortedMap(copy);
    }

    /** The highest contiguous sequence seen from {@code device}; 0 if none. */
    public long get(DeviceId device) {
        return entries.getOrDefault(device, 0L);
    }

    /**
     * A vector with {@code device} at {@code sequence}.
     *
     * @throws IllegalArgumentException if that would lower the entry or {@code sequence < 1}
     */
    public VersionVector with(DeviceId device, long sequence) {
        if (sequence < get(device)) {
            throw new IllegalArgumentException("a version vector entry never decreases");
        }
        TreeMap<DeviceId, Long> copy = new TreeMap<>(entries);
        copy.put(device, sequence);
        return new VersionVector(copy);
    }

    /** True if every entry of this vector is at least the matching entry of {@code other}. */
    public boolean dominates(VersionVector other) {
        return other.entries.entrySet().stream().allMatch(e -> get(e.getKey()) >= e.getValue());
    }
}
