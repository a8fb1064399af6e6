package dev.zerok.adapters.transport.quic;

import java.net.InetAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Per-source admission of new QUIC connections: a cap on the connections one remote IP address
 * (any port) holds at once, and a token bucket on how fast it may open new ones. No I/O and no
 * clock of its own: the caller passes {@code now}.
 *
 * <p>The table of sources is bounded ({@code maxSourcesTracked}) and evicts on its own: a source
 * with no open connection and a full bucket carries no information and is dropped when it becomes
 * the least recently seen; when the table is full of sources that still hold connections, a new
 * source is refused ({@link Verdict#SERVER_FULL}) rather than forgetting one that is at its cap.
 *
 * <p>Thread-safe (one lock; each call is O(1) amortized).
 */
final class SourceAdmission {
    /** Why a connection was or was not admitted; the names are the stable log reason codes. */
    enum Verdict { ADMIT, SOURCE_CONNECTION_CAP, SOURCE_HANDSHAKE_RATE, SERVER_FULL }

    /** How many of the least recently seen sources one call looks at for eviction. */
    private static final int EVICTION_SCAN = 8;

    private final int maxConnectionsPerSource;
    private final double tokensPerNano;
    private final int burst;
    private final int maxSourcesTracked;
    /** Access-ordered: the eldest entry is the least recently seen source. */
    private final LinkedHashMap<InetAddress, Source> sources = new LinkedHashMap<>(16, 0.75f, true);

    private static final class Source {
        int connections;
        double tokens;
        Instant refilled;

        Source(int burst, Instant now) {
            tokens = burst;
            refilled = now;
        }
    }

    SourceAdmission(int maxConnectionsPerSource, int handshakesPerSecond, int burst, int maxSourcesTracked) {
        this.maxConnectionsPerSource = maxConnectionsPerSource;
        this.tokensPerNano = handshakesPerSecond / 1e9;
        this.burst = burst;
        this.maxSourcesTracked = maxSourcesTracked;
    }

    /**
     * Decides on one new connection from {@code source}; on {@link Verdict#ADMIT} it counts as open
     * until {@link #released}.
     */
    synchronized Verdict admit(InetAddress source, Instant now) {
        evictIdle(now);
        Source entry = sources.get(source);
        if (entry == null) {
            if (sources.size() >= maxSourcesTracked) {
                return Verdict.SERVER_FULL;
            }
            entry = new Source(burst, now);
            sources.put(source, entry);
        }
        refill(entry, now);
        if (entry.connections >= maxConnectionsPerSource) {
            return Verdict.SOURCE_CONNECTION_CAP;
        }
        if (entry.tokens < 1) {
            return Verdict.SOURCE_HANDSHAKE_RATE;
        }
        entry.tokens -= 1;
        entry.connections++;
        return Verdict.ADMIT;
    }

    /** One admitted connection from {@code source} closed. */
    synchronized void released(InetAddress source, Instant now) {
        Source entry = sources.get(source);
        if (entry != null && entry.connections > 0) {
            entry.connections--;
        }
        evictIdle(now);
    }

    /** Sources currently tracked (for tests and metrics). */
    synchronized int trackedSources() {
        return sources.size();
    }

    private void refill(Source entry, Instant now) {
        long elapsedNanos = Math.max(0, Duration.between(entry.refilled, now).toNanos());
        entry.tokens = Math.min(burst, entry.tokens + elapsedNanos * tokensPerNano);
        entry.refilled = now;
    }

    /** Drops idle sources among the least recently seen (amortized cleanup). Caller holds the lock. */
    private void evictIdle(Instant now) {
        List<InetAddress> busy = new ArrayList<>(EVICTION_SCAN);
        Iterator<Map.Entry<InetAddress, Source>> eldest = sources.entrySet().iterator();
        for (int i = 0; i < EVICTION_SCAN && eldest.hasNext(); i++) {
            Map.Entry<InetAddress, Source> next = eldest.next();
            Source entry = next.getValue();
            if (entry.connections > 0) {
                busy.add(next.getKey());
                continue;
            }
            // Refill without touching the access order (the iterator does not count as access).
            refill(entry, now);
            if (entry.tokens >= burst) {
                eldest.remove();
            }
        }
        // A source holding a long-lived connection must not block the scan: move it to the back.
        for (InetAddress address : busy) {
            sources.get(address);
        }
    }
}
