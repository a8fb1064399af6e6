package dev.zerok.chaos.report;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * The record of one scenario iteration: every injection and observation, stamped with the
 * topology's time (virtual on the mock), in order. Written as JSON lines (one object per line:
 * {@code t} ISO-8601 instant, {@code n} sequence number, {@code type} {@code inject} /
 * {@code observe} / {@code note}, {@code what}, {@code detail}). Entries name topology members by
 * their human names ({@code device-1}), never by ids, keys or paths, so two runs of one seed give
 * byte-identical timelines.
 *
 * <p>Thread-safe (synchronized): the real topology records from transport threads.
 */
public final class Timeline {
    /** One entry. */
    public record Entry(Instant time, long sequence, String type, String what, String detail) {
        /** This entry as one JSON object, without a line break. */
        public String toJson() {
            return "{\"t\":\"" + time + "\",\"n\":" + sequence + ",\"type\":\"" + escape(type) + "\",\"what\":\""
                    + escape(what) + "\",\"detail\":\"" + escape(detail) + "\"}";
        }
    }

    private final Supplier<Instant> clock;
    private final List<Entry> entries = new ArrayList<>();

    /** @param clock the topology's time (virtual on the mock) */
    public Timeline(Supplier<Instant> clock) {
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /** Records a fault or action the scenario injected. */
    public void inject(String what, String detail) {
        add("inject", what, detail);
    }

    /** Records something the topology observed (a status change, a delivery, a failure). */
    public void observe(String what, String detail) {
        add("observe", what, detail);
    }

    /** Records a scenario's own step or remark. */
    public void note(String what, String detail) {
        add("note", what, detail);
    }

    private synchronized void add(String type, String what, String detail) {
        entries.add(new Entry(clock.get(), entries.size(), type, what, detail == null ? "" : detail));
    }

    /** A copy of the entries so far. */
    public synchronized List<Entry> entries() {
        return List.copyOf(entries);
    }

    /** The entries as JSON lines, each ending with {@code \n}. */
    public synchronized String toJsonLines() {
        StringBuilder out = new StringBuilder();
        for (Entry e : entries) {
            out.append(e.toJson()).append('\n');
        }
        return out.toString();
    }

    static String escape(String s) {
        StringBuilder out = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                default -> {
                    if (c < 0x20) {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        return out.toString();
    }
}
