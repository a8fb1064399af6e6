package dev.zerok.chaos.proxy;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.regex.Pattern;

/**
 * The text form of {@link FaultProfile} and {@link ProxyStats} used by the HTTP control API and
 * the command line. Two input syntaxes carry the same keys:
 * <ul>
 *   <li>a flat JSON object: {@code {"lossProbability": 0.2, "latencyMeanMs": 50}}; values are
 *       numbers, {@code true}/{@code false} or {@code null}; nothing nested, no strings;</li>
 *   <li>a {@code key=value} list separated by commas, ampersands or line breaks:
 *       {@code lossProbability=0.2,latencyMeanMs=50}.</li>
 * </ul>
 * Keys (units in the names):
 * <pre>
 *   latencyMeanMs              number &gt;= 0 (fractions allowed), at most 86400000
 *   jitterStddevMs             number &gt;= 0, at most 86400000
 *   lossProbability            number in [0, 1]
 *   burstGoodToBadProbability  number in [0, 1]
 *   burstBadToGoodProbability  number in [0, 1]
 *   burstLossInBadProbability  number in [0, 1]
 *   reorderProbability         number in [0, 1]
 *   reorderExtraDelayMs        number &gt;= 0, at most 86400000
 *   duplicateProbability       number in [0, 1]
 *   corruptProbability         number in [0, 1]
 *   bandwidthBytesPerSecond    integer &gt;= 1, or null for no limit
 *   queueLimitBytes            integer &gt;= 1
 *   partitioned                true or false
 *   limitDataBytes             integer &gt;= 0, or null for no limit
 * </pre>
 * Parsing is strict: an unknown or repeated key, a wrong type, a value out of range or trailing
 * text is rejected with a {@link ProfileFormatException} naming the problem; nothing is applied
 * then. Keys not given keep the value of the base profile passed to {@link #parse}.
 *
 * <p>Thread-safety: stateless; safe from any thread.
 */
public final class FaultProfileFormat {

    /** The accepted keys, in the order {@link #toJson(FaultProfile)} writes them. */
    public static final List<String> KEYS = List.of("latencyMeanMs", "jitterStddevMs", "lossProbability",
            "burstGoodToBadProbability", "burstBadToGoodProbability", "burstLossInBadProbability",
            "reorderProbability", "reorderExtraDelayMs", "duplicateProbability", "corruptProbability",
            "bandwidthBytesPerSecond", "queueLimitBytes", "partitioned", "limitDataBytes");

    private static final long MAX_DURATION_MS = 86_400_000L;
    private static final Pattern NUMBER = Pattern.compile("-?(0|[1-9][0-9]*)(\\.[0-9]+)?([eE][+-]?[0-9]+)?");
    private static final Pattern KEY = Pattern.compile("[A-Za-z][A-Za-z0-9]*");

    private FaultProfileFormat() {}

    /**
     * Reads a profile text and applies its keys on top of {@code base}.
     *
     * @param text a JSON object (first non-blank character {@code '{'}) or a {@code key=value} list;
     *             an empty or blank text changes nothing
     * @param base the values of keys the text does not name (use {@link FaultProfile#NONE} to
     *             replace a profile, the current one to amend it)
     * @return the resulting profile
     * @throws ProfileFormatException if the text is malformed, names an unknown key twice or at
     *                                all, or a value is of the wrong type or out of range
     */
    public static FaultProfile parse(String text, FaultProfile base) throws ProfileFormatException {
        String trimmed = text.strip();
        Map<String, Value> values = trimmed.startsWith("{") ? new JsonReader(trimmed).readObject()
                : readKeyValues(trimmed);
        return apply(values, base);
    }

    /** The profile as a JSON object with every key of {@link #KEYS}, in that order. */
    public static String toJson(FaultProfile p) {
        Map<String, String> out = new LinkedHashMap<>();
        out.put("latencyMeanMs", millis(p.latencyMean()));
        out.put("jitterStddevMs", millis(p.jitterStddev()));
        out.put("lossProbability", number(p.lossProbability()));
        out.put("burstGoodToBadProbability", number(p.burstLoss().goodToBadProbability()));
        out.put("burstBadToGoodProbability", number(p.burstLoss().badToGoodProbability()));
        out.put("burstLossInBadProbability", number(p.burstLoss().lossProbabilityInBad()));
        out.put("reorderProbability", number(p.reorderProbability()));
        out.put("reorderExtraDelayMs", millis(p.reorderExtraDelay()));
        out.put("duplicateProbability", number(p.duplicateProbability()));
        out.put("corruptProbability", number(p.corruptProbability()));
        out.put("bandwidthBytesPerSecond", optional(p.bandwidthBytesPerSecond()));
        out.put("queueLimitBytes", Long.toString(p.queueLimitBytes()));
        out.put("partitioned", Boolean.toString(p.partitioned()));
        out.put("limitDataBytes", optional(p.limitDataBytes()));
        return object(out);
    }

    /** Both profiles: {@code {"up": {...}, "down": {...}}}. */
    public static String toJson(FaultProfile up, FaultProfile down) {
        Map<String, String> out = new LinkedHashMap<>();
        out.put("up", toJson(up));
        out.put("down", toJson(down));
        return object(out);
    }

    /**
     * The counters as JSON: the fields of {@link ProxyStats}, each direction as an object with the
     * fields of {@link DirectionStats}, {@code dropped} keyed by the lower-camel-case cause
     * ({@code partition}, {@code loss}, {@code burstLoss}, {@code queueFull}, {@code limitData}).
     */
    public static String toJson(ProxyStats s) {
        Map<String, String> out = new LinkedHashMap<>();
        out.put("seed", Long.toString(s.seed()));
        out.put("activeSessions", Integer.toString(s.activeSessions()));
        out.put("sessionsOpened", Long.toString(s.sessionsOpened()));
        out.put("sessionsExpired", Long.toString(s.sessionsExpired()));
        out.put("sessionRejects", Long.toString(s.sessionRejects()));
        out.put("sendFailures", Long.toString(s.sendFailures()));
        out.put("listenerFailures", Long.toString(s.listenerFailures()));
        out.put("up", toJson(s.up()));
        out.put("down", toJson(s.down()));
        return object(out);
    }

    /** The wire name of a fault: lower camel case, e.g. {@code burstLoss}. */
    public static String wireName(Fault fault) {
        StringBuilder b = new StringBuilder();
        boolean upper = false;
        for (char c : fault.name().toCharArray()) {
            if (c == '_') {
                upper = true;
            } else {
                b.append(upper ? c : Character.toLowerCase(c));
                upper = false;
            }
        }
        return b.toString();
    }

    /** A string as a JSON string literal, quotes included. */
    static String quote(String s) {
        StringBuilder b = new StringBuilder("\"");
        for (char c : s.toCharArray()) {
            switch (c) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                case '\n' -> b.append("\\n");
                case '\r' -> b.append("\\r");
                case '\t' -> b.append("\\t");
                default -> {
                    if (c < 0x20) {
                        b.append(String.format("\\u%04x", (int) c));
                    } else {
                        b.append(c);
                    }
                }
            }
        }
        return b.append('"').toString();
    }

    private static String toJson(DirectionStats d) {
        Map<String, String> dropped = new LinkedHashMap<>();
        for (Fault f : Fault.values()) {
            if (f.drops()) {
                dropped.put(wireName(f), Long.toString(d.dropped(f)));
            }
        }
        Map<String, String> out = new LinkedHashMap<>();
        out.put("receivedDatagrams", Long.toString(d.receivedDatagrams()));
        out.put("receivedBytes", Long.toString(d.receivedBytes()));
        out.put("forwardedDatagrams", Long.toString(d.forwardedDatagrams()));
        out.put("forwardedBytes", Long.toString(d.forwardedBytes()));
        out.put("droppedDatagrams", Long.toString(d.droppedDatagrams()));
        out.put("dropped", object(dropped));
        out.put("corrupted", Long.toString(d.corrupted()));
        out.put("duplicated", Long.toString(d.duplicated()));
        out.put("reordered", Long.toString(d.reordered()));
        out.put("limitDataCut", Boolean.toString(d.limitDataCut()));
        return object(out);
    }

    private static String object(Map<String, String> members) {
        StringBuilder b = new StringBuilder("{");
        members.forEach((k, v) -> {
            if (b.length() > 1) {
                b.append(", ");
            }
            b.append(quote(k)).append(": ").append(v);
        });
        return b.append('}').toString();
    }

    private static String millis(Duration d) {
        return BigDecimal.valueOf(d.toNanos(), 6).stripTrailingZeros().toPlainString();
    }

    private static String number(double v) {
        return BigDecimal.valueOf(v).stripTrailingZeros().toPlainString();
    }

    private static String optional(OptionalLong v) {
        return v.isPresent() ? Long.toString(v.getAsLong()) : "null";
    }

    /** A parsed scalar: a number (as written), a boolean or null. */
    private record Value(String text, Kind kind) {
        enum Kind { NUMBER, BOOLEAN, NULL }
    }

    private static Map<String, Value> readKeyValues(String text) throws ProfileFormatException {
        Map<String, Value> values = new LinkedHashMap<>();
        for (String part : text.split("[,&\\r\\n]+")) {
            String item = part.strip();
            if (item.isEmpty()) {
                continue;
            }
            int eq = item.indexOf('=');
            if (eq < 0) {
                throw new ProfileFormatException("expected key=value, got '" + item + "'");
            }
            String key = item.substring(0, eq).strip();
            String raw = item.substring(eq + 1).strip();
            Value value;
            if (raw.equals("true") || raw.equals("false")) {
                value = new Value(raw, Value.Kind.BOOLEAN);
            } else if (raw.equals("null")) {
                value = new Value(raw, Value.Kind.NULL);
            } else if (NUMBER.matcher(raw).matches()) {
                value = new Value(raw, Value.Kind.NUMBER);
            } else {
                throw new ProfileFormatException("value of " + key + " must be a number, true, false or null, got '"
                        + raw + "'");
            }
            put(values, key, value);
        }
        return values;
    }

    private static void put(Map<String, Value> values, String key, Value value) throws ProfileFormatException {
        if (!KEY.matcher(key).matches() || !KEYS.contains(key)) {
            throw new ProfileFormatException("unknown key '" + key + "'; known keys: " + String.join(", ", KEYS));
        }
        if (values.putIfAbsent(key, value) != null) {
            throw new ProfileFormatException("key '" + key + "' given twice");
        }
    }

    private static FaultProfile apply(Map<String, Value> v, FaultProfile base) throws ProfileFormatException {
        try {
            BurstLoss burst = base.burstLoss();
            return new FaultProfile(
                    duration(v, "latencyMeanMs", base.latencyMean()),
                    duration(v, "jitterStddevMs", base.jitterStddev()),
                    probability(v, "lossProbability", base.lossProbability()),
                    new BurstLoss(
                            probability(v, "burstGoodToBadProbability", burst.goodToBadProbability()),
                            probability(v, "burstBadToGoodProbability", burst.badToGoodProbability()),
                            probability(v, "burstLossInBadProbability", burst.lossProbabilityInBad())),
                    probability(v, "reorderProbability", base.reorderProbability()),
                    duration(v, "reorderExtraDelayMs", base.reorderExtraDelay()),
                    probability(v, "duplicateProbability", base.duplicateProbability()),
                    probability(v, "corruptProbability", base.corruptProbability()),
                    optionalLong(v, "bandwidthBytesPerSecond", base.bandwidthBytesPerSecond(), 1),
                    longValue(v, "queueLimitBytes", base.queueLimitBytes(), 1),
                    bool(v, "partitioned", base.partitioned()),
                    optionalLong(v, "limitDataBytes", base.limitDataBytes(), 0));
        } catch (IllegalArgumentException e) {
            // The checks above mirror the record's; this only fires if they ever drift apart.
            throw new ProfileFormatException(e.getMessage());
        }
    }

    private static BigDecimal numberOf(String key, Value value) throws ProfileFormatException {
        if (value.kind() != Value.Kind.NUMBER) {
            throw new ProfileFormatException(key + " must be a number, got " + value.text());
        }
        try {
            return new BigDecimal(value.text());
        } catch (NumberFormatException e) {
            throw new ProfileFormatException(key + " is not a usable number: " + value.text());
        }
    }

    private static Duration duration(Map<String, Value> v, String key, Duration base) throws ProfileFormatException {
        Value value = v.get(key);
        if (value == null) {
            return base;
        }
        BigDecimal ms = numberOf(key, value);
        if (ms.signum() < 0 || ms.compareTo(BigDecimal.valueOf(MAX_DURATION_MS)) > 0) {
            throw new ProfileFormatException(key + " must be in [0, " + MAX_DURATION_MS + "] ms, got " + value.text());
        }
        return Duration.ofNanos(ms.movePointRight(6).setScale(0, RoundingMode.HALF_UP).longValueExact());
    }

    private static double probability(Map<String, Value> v, String key, double base) throws ProfileFormatException {
        Value value = v.get(key);
        if (value == null) {
            return base;
        }
        BigDecimal p = numberOf(key, value);
        if (p.signum() < 0 || p.compareTo(BigDecimal.ONE) > 0) {
            throw new ProfileFormatException(key + " must be a probability in [0, 1], got " + value.text());
        }
        return p.doubleValue();
    }

    private static long longValue(Map<String, Value> v, String key, long base, long min) throws ProfileFormatException {
        Value value = v.get(key);
        if (value == null) {
            return base;
        }
        return integer(key, value, min);
    }

    private static long integer(String key, Value value, long min) throws ProfileFormatException {
        BigDecimal n = numberOf(key, value);
        try {
            long result = n.stripTrailingZeros().longValueExact();
            if (result < min) {
                throw new ProfileFormatException(key + " must be at least " + min + ", got " + value.text());
            }
            return result;
        } catch (ArithmeticException e) {
            throw new ProfileFormatException(key + " must be a whole number that fits 64 bits, got " + value.text());
        }
    }

    private static OptionalLong optionalLong(Map<String, Value> v, String key, OptionalLong base, long min)
            throws ProfileFormatException {
        Value value = v.get(key);
        if (value == null) {
            return base;
        }
        if (value.kind() == Value.Kind.NULL) {
            return OptionalLong.empty();
        }
        return OptionalLong.of(integer(key, value, min));
    }

    private static boolean bool(Map<String, Value> v, String key, boolean base) throws ProfileFormatException {
        Value value = v.get(key);
        if (value == null) {
            return base;
        }
        if (value.kind() != Value.Kind.BOOLEAN) {
            throw new ProfileFormatException(key + " must be true or false, got " + value.text());
        }
        return value.text().equals("true");
    }

    /** A reader of one flat JSON object (RFC 8259 subset: string keys, scalar non-string values). */
    private static final class JsonReader {
        private final String s;
        private int i;

        JsonReader(String s) {
            this.s = s;
        }

        Map<String, Value> readObject() throws ProfileFormatException {
            Map<String, Value> values = new LinkedHashMap<>();
            expect('{');
            skipSpace();
            if (peek() == '}') {
                i++;
            } else {
                while (true) {
                    skipSpace();
                    String key = readKey();
                    skipSpace();
                    expect(':');
                    skipSpace();
                    put(values, key, readValue(key));
                    skipSpace();
                    char c = next();
                    if (c == '}') {
                        break;
                    }
                    if (c != ',') {
                        throw error("expected ',' or '}'");
                    }
                }
            }
            skipSpace();
            if (i != s.length()) {
                throw error("unexpected text after the object");
            }
            return values;
        }

        private String readKey() throws ProfileFormatException {
            expect('"');
            int start = i;
            while (i < s.length() && s.charAt(i) != '"') {
                if (s.charAt(i) == '\\') {
                    throw error("escapes are not allowed in keys");
                }
                i++;
            }
            if (i >= s.length()) {
                throw error("unterminated key");
            }
            String key = s.substring(start, i);
            i++;
            return key;
        }

        private Value readValue(String key) throws ProfileFormatException {
            int start = i;
            while (i < s.length() && ",} \t\r\n".indexOf(s.charAt(i)) < 0) {
                i++;
            }
            String raw = s.substring(start, i);
            if (raw.equals("true") || raw.equals("false")) {
                return new Value(raw, Value.Kind.BOOLEAN);
            }
            if (raw.equals("null")) {
                return new Value(raw, Value.Kind.NULL);
            }
            if (NUMBER.matcher(raw).matches()) {
                return new Value(raw, Value.Kind.NUMBER);
            }
            i = start;
            throw error("value of " + key + " must be a number, true, false or null (no strings, arrays or objects)");
        }

        private void skipSpace() {
            while (i < s.length() && " \t\r\n".indexOf(s.charAt(i)) >= 0) {
                i++;
            }
        }

        private char peek() {
            return i < s.length() ? s.charAt(i) : '\0';
        }

        private char next() throws ProfileFormatException {
            if (i >= s.length()) {
                throw error("unexpected end of the object");
            }
            return s.charAt(i++);
        }

        private void expect(char c) throws ProfileFormatException {
            if (next() != c) {
                i--;
                throw error("expected '" + c + "'");
            }
        }

        private ProfileFormatException error(String what) {
            return new ProfileFormatException("bad JSON at offset " + i + ": " + what);
        }
    }
}
