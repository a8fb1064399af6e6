package dev.zerok.adapters.transport.quic;

import dev.zerok.ports.Redacted;
import dev.zerok.ports.time.Clock;
import java.net.InetAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Logs refused connections at WARN without letting a flood flood the log: at most one line per
 * source address per {@link #WINDOW}, at most {@link #LINES_PER_WINDOW} such lines per window in
 * all, and, for a window in which refusals were left unlogged, one summary line of counts per
 * reason code when the next refusal comes after it.
 *
 * <p>Each line carries the stable reason code ({@code SOURCE_CONNECTION_CAP},
 * {@code SOURCE_HANDSHAKE_RATE}, {@code SERVER_FULL}) and the source address wrapped in
 * {@link Redacted} (printed {@code [REDACTED]}), unless the transport key
 * {@code log.source.addresses=true} opts in to plain addresses for fail2ban-style tooling.
 *
 * <p>Thread-safe.
 */
final class RefusalLog {
    static final Duration WINDOW = Duration.ofSeconds(10);
    static final int LINES_PER_WINDOW = 20;
    /** Sources remembered for the one-line-per-source rule; beyond this the eldest is forgotten. */
    private static final int SOURCES_REMEMBERED = 4_096;

    /** Where lines go: slf4j in production, a list in tests. */
    interface Sink {
        void warn(String format, Object... arguments);
    }

    private final Clock clock;
    private final boolean revealAddresses;
    private final Sink sink;
    private final LinkedHashMap<InetAddress, Instant> lastLineBySource = new LinkedHashMap<>(16, 0.75f, true) {
        private static final long serialVersionUID = 1L;

        @Override
        protected boolean removeEldestEntry(Map.Entry<InetAddress, Instant> eldest) {
            return size() > SOURCES_REMEMBERED;
        }
    };
    private final EnumMap<SourceAdmission.Verdict, Long> unlogged = new EnumMap<>(SourceAdmission.Verdict.class);
    private Instant windowStart;
    private int linesInWindow;

    RefusalLog(Clock clock, boolean revealAddresses, Sink sink) {
        this.clock = clock;
        this.revealAddresses = revealAddresses;
        this.sink = sink;
    }

    /** Records one refusal of a connection from {@code source} for {@code reason}. */
    synchronized void refused(InetAddress source, SourceAdmission.Verdict reason) {
        Instant now = clock.now();
        if (windowStart == null || !now.isBefore(windowStart.plus(WINDOW))) {
            if (!unlogged.isEmpty()) {
                sink.warn("QUIC connections refused without a log line in the last {}: {}", WINDOW, Map.copyOf(unlogged));
                unlogged.clear();
            }
            windowStart = now;
            linesInWindow = 0;
        }
        Instant last = lastLineBySource.get(source);
        boolean sourceQuiet = last == null || !now.isBefore(last.plus(WINDOW));
        if (sourceQuiet && linesInWindow < LINES_PER_WINDOW) {
            linesInWindow++;
            lastLineBySource.put(source, now);
            Object shown = revealAddresses ? source.getHostAddress() : Redacted.of(source);
            sink.warn("QUIC connection refused: reason={} source={}", reason, shown);
        } else {
            unlogged.merge(reason, 1L, Long::sum);
        }
    }
}
