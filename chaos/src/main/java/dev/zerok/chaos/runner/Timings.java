package dev.zerok.chaos.runner;

import dev.zerok.chaos.report.Timeline;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Sync and handshake times of one iteration, read from its {@link Timeline} (topology time:
 * virtual on the mock, wall clock on real). Seed 000 section 13.2 compares them with the clean
 * {@link Baseline}.
 *
 * @param handshake the longest time from a device's {@code add-device}/{@code restart-device}
 *     inject to its next {@code status <device> SYNCED} observation (QUIC and Noise handshakes,
 *     Hello, first pull); empty if no device got there
 * @param sync the longest time from a blob's {@code push} inject to its delivery at the last other
 *     device that received it; empty if nothing was delivered
 */
public record Timings(Optional<Duration> handshake, Optional<Duration> sync) {
    /** Reads both from {@code entries}. */
    public static Timings of(List<Timeline.Entry> entries) {
        Map<String, Instant> started = new HashMap<>();
        Duration handshake = null;
        Map<String, Instant> pushedAt = new HashMap<>();
        Duration sync = null;
        for (Timeline.Entry e : entries) {
            String first = firstWord(e.detail());
            if (e.type().equals("inject") && (e.what().equals("add-device") || e.what().equals("restart-device"))) {
                started.put(first, e.time());
            } else if (e.type().equals("observe") && e.what().equals("status") && e.detail().startsWith(first + " SYNCED")) {
                Instant s = started.remove(first);
                if (s != null) {
                    handshake = max(handshake, Duration.between(s, e.time()));
                }
            } else if (e.type().equals("inject") && e.what().equals("push")) {
                pushedAt.putIfAbsent(first, e.time());
            } else if (e.type().equals("observe") && e.what().equals("deliver")) {
                String[] parts = e.detail().split(" ");
                Instant p = parts.length > 1 ? pushedAt.get(parts[1]) : null;
                if (p != null) {
                    sync = max(sync, Duration.between(p, e.time()));
                }
            }
        }
        return new Timings(Optional.ofNullable(handshake), Optional.ofNullable(sync));
    }

    /** The longer of each figure over two iterations. */
    public Timings max(Timings other) {
        return new Timings(maxOf(handshake, other.handshake), maxOf(sync, other.sync));
    }

    private static Optional<Duration> maxOf(Optional<Duration> a, Optional<Duration> b) {
        if (a.isEmpty()) {
            return b;
        }
        return b.isEmpty() ? a : Optional.of(max(a.get(), b.get()));
    }

    private static Duration max(Duration a, Duration b) {
        return a == null || b.compareTo(a) > 0 ? b : a;
    }

    private static String firstWord(String s) {
        int sp = s.indexOf(' ');
        return sp < 0 ? s : s.substring(0, sp);
    }
}
