package dev.zerok.chaos.adversary;

import dev.zerok.chaos.topology.ChaosException;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.OptionalLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * What can be observed of a relay OS process from outside: {@code /health} and {@code /metrics}
 * over its HTTP endpoint, resident memory ({@code VmRSS} of {@code /proc/<pid>/status}) and open
 * file descriptors ({@code /proc/<pid>/fd}). Linux only. Thread-safe.
 */
public final class RelayProbe {
    private static final Pattern JSON_NUMBER = Pattern.compile("\"([a-z_]+)\":(-?\\d+)");
    private static final Duration HTTP_TIMEOUT = Duration.ofSeconds(5);

    private final long pid;
    private final String httpBase;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(HTTP_TIMEOUT).build();

    /**
     * @param pid the relay's process id
     * @param httpBase {@code http://host:port} of its /health and /metrics
     */
    public RelayProbe(long pid, String httpBase) {
        this.pid = pid;
        this.httpBase = httpBase;
    }

    /** The numeric fields of {@code /health} (connections, groups, total_blobs, storage_bytes, ...). */
    public Map<String, Long> health() {
        Map<String, Long> fields = new LinkedHashMap<>();
        Matcher m = JSON_NUMBER.matcher(get("/health"));
        while (m.find()) {
            fields.put(m.group(1), Long.parseLong(m.group(2)));
        }
        return fields;
    }

    /** {@code /health}'s {@code connections}: device sessions the relay holds now. */
    public long connections() {
        Long c = health().get("connections");
        if (c == null) {
            throw new ChaosException("/health has no connections field");
        }
        return c;
    }

    /** A sample value of {@code /metrics} (the first sample line of {@code name}, labels ignored). */
    public OptionalLong metric(String name) {
        for (String line : get("/metrics").split("\n")) {
            if (line.startsWith(name + " ") || line.startsWith(name + "{")) {
                String value = line.substring(line.lastIndexOf(' ') + 1);
                return OptionalLong.of((long) Double.parseDouble(value));
            }
        }
        return OptionalLong.empty();
    }

    /** Resident memory of the process in KiB. */
    public long rssKiB() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", ""));
                }
            }
        } catch (IOException e) {
            throw new ChaosException("cannot read /proc/" + pid + "/status: " + e.getMessage(), e);
        }
        throw new ChaosException("no VmRSS in /proc/" + pid + "/status");
    }

    /** Open file descriptors of the process. */
    public long openFds() {
        try (Stream<Path> fds = Files.list(Path.of("/proc/" + pid + "/fd"))) {
            return fds.count();
        } catch (IOException e) {
            throw new ChaosException("cannot list /proc/" + pid + "/fd: " + e.getMessage(), e);
        }
    }

    /** True while the process exists. */
    public boolean alive() {
        return ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
    }

    public long pid() {
        return pid;
    }

    private String get(String path) {
        try {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(httpBase + path)).timeout(HTTP_TIMEOUT)
                    .GET().build(), HttpResponse.BodyHandlers.ofString());
            return r.body();
        } catch (IOException e) {
            throw new ChaosException("GET " + path + " failed: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ChaosException("interrupted", e);
        }
    }
}
