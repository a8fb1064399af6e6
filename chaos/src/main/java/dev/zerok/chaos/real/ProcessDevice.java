package dev.zerok.chaos.real;

import dev.zerok.chaos.topology.ChaosException;
import dev.zerok.kernel.sync.SyncEvent;
import dev.zerok.kernel.sync.SyncPayload;
import dev.zerok.kernel.sync.SyncStatus;
import dev.zerok.ports.clientstate.VersionVector;
import dev.zerok.ports.id.BlobId;
import dev.zerok.ports.id.Cursor;
import dev.zerok.ports.id.RelayId;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BiConsumer;
import java.util.function.Consumer;

/**
 * The topology's handle on one {@link DeviceAgentMain} process: sends commands, reads its lines on a
 * reader thread (events, deliveries, version vectors, answers) and keeps the latest status and
 * version vector, so {@link #status()} and {@link #versionVector()} answer without a round trip
 * (and while the process is stopped: the last values it reported). One incarnation: a restart is a
 * new {@code ProcessDevice}.
 *
 * <p>Commands are written by a writer thread, so a command to a SIGSTOPped process times out instead
 * of blocking the scenario. Thread-safe.
 */
final class ProcessDevice {
    private final String name;
    private final Process process;
    private final Consumer<SyncEvent> onEvent;
    private final BiConsumer<BlobId, Boolean> onDeliver;
    private final Map<Long, CompletableFuture<String>> pending = new ConcurrentHashMap<>();
    private final AtomicLong nextId = new AtomicLong();
    private final CompletableFuture<Void> ready = new CompletableFuture<>();
    private final ExecutorService writer;
    private final OutputStream stdin;
    private volatile SyncStatus status = SyncStatus.OFFLINE;
    private volatile VersionVector vector = VersionVector.EMPTY;

    private ProcessDevice(String name, Process process, Consumer<SyncEvent> onEvent,
            BiConsumer<BlobId, Boolean> onDeliver) {
        this.name = name;
        this.process = process;
        this.onEvent = onEvent;
        this.onDeliver = onDeliver;
        this.stdin = process.getOutputStream();
        this.writer = Executors.newSingleThreadExecutor(task -> {
            Thread t = new Thread(task, name + "-agent-writer");
            t.setDaemon(true);
            return t;
        });
        Thread reader = new Thread(this::readLines, name + "-agent-reader");
        reader.setDaemon(true);
        reader.start();
    }

    /**
     * Starts {@code command} (stderr appended to {@code log}) and waits for its {@code ready} line.
     *
     * @throws ChaosException if the process cannot start or is not ready within {@code startTimeout}
     */
    static ProcessDevice start(String name, List<String> command, Path log, Duration startTimeout,
            Consumer<SyncEvent> onEvent, BiConsumer<BlobId, Boolean> onDeliver) {
        Process process;
        try {
            process = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
        } catch (IOException e) {
            throw new ChaosException("cannot start the process of " + name + ": " + e.getMessage(), e);
        }
        ProcessDevice d = new ProcessDevice(name, process, onEvent, onDeliver);
        try {
            d.ready.get(startTimeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException | TimeoutException e) {
            process.destroyForcibly();
            throw new ChaosException(name + "'s process was not ready within " + startTimeout + " (see " + log + ")", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
            throw new ChaosException("interrupted", e);
        }
        return d;
    }

    long pid() {
        return process.pid();
    }

    boolean alive() {
        return process.isAlive();
    }

    /** The exit status once the process ended (137 = killed by SIGKILL), else -1. */
    int exitCode() {
        return process.isAlive() ? -1 : process.exitValue();
    }

    SyncStatus status() {
        return status;
    }

    VersionVector versionVector() {
        return vector;
    }

    /** Pushes {@code data} as a {@code kind} payload; returns once the agent reports it durable in its outbox. */
    BlobId push(SyncPayload.Kind kind, byte[] data, Duration timeout) {
        return BlobId.fromHex(call("push " + AgentWire.bytes(data) + " " + kind.name(), timeout));
    }

    void syncNow(Duration timeout) {
        call("sync", timeout);
    }

    Cursor pullCursor(RelayId relay, Duration timeout) {
        return new Cursor(Long.parseLong(call("cursor " + relay.hex(), timeout)));
    }

    /** SIGKILL ({@link Process#destroyForcibly()} on Linux) and wait for the exit. */
    void kill(Duration timeout) {
        process.destroyForcibly();
        try {
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                throw new ChaosException(name + "'s process did not exit within " + timeout + " of SIGKILL");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ChaosException("interrupted while killing " + name, e);
        }
        writer.shutdownNow();
    }

    private String call(String command, Duration timeout) {
        long id = nextId.incrementAndGet();
        CompletableFuture<String> answer = new CompletableFuture<>();
        pending.put(id, answer);
        byte[] line = (id + " " + command + "\n").getBytes(StandardCharsets.UTF_8);
        writer.execute(() -> {
            try {
                stdin.write(line);
                stdin.flush();
            } catch (IOException e) {
                answer.completeExceptionally(new ChaosException(name + "'s process is gone", e));
            }
        });
        Instant deadline = Instant.now().plus(timeout);
        try {
            return answer.get(Math.max(1, Duration.between(Instant.now(), deadline).toMillis()), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            throw e.getCause() instanceof ChaosException c ? c : new ChaosException(name + ": " + e.getCause(), e.getCause());
        } catch (TimeoutException e) {
            throw new ChaosException(name + " did not answer '" + command.split(" ")[0] + "' within " + timeout, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ChaosException("interrupted", e);
        } finally {
            pending.remove(id);
        }
    }

    private void readLines() {
        try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = in.readLine()) != null) {
                handle(line);
            }
        } catch (IOException | RuntimeException e) {
            // the process died mid-line; the pending calls fail below
        }
        ChaosException gone = new ChaosException(name + "'s process exited");
        ready.completeExceptionally(gone);
        pending.values().forEach(f -> f.completeExceptionally(gone));
    }

    private void handle(String line) {
        int space = line.indexOf(' ');
        String tag = space < 0 ? line : line.substring(0, space);
        String rest = space < 0 ? "" : line.substring(space + 1);
        switch (tag) {
            case "ready" -> ready.complete(null);
            case "ev" -> {
                SyncEvent event = AgentWire.unevent(rest);
                if (event instanceof SyncEvent.StatusChanged s) {
                    status = s.status();
                }
                onEvent.accept(event);
            }
            case "dl" -> {
                String[] f = rest.split(" ");
                onDeliver.accept(BlobId.fromHex(f[0]), f[1].equals("1"));
            }
            case "vv" -> vector = AgentWire.unvector(rest);
            case "ok", "err" -> {
                String[] f = rest.split(" ", 2);
                CompletableFuture<String> answer = pending.get(Long.parseLong(f[0]));
                if (answer != null) {
                    if (tag.equals("ok")) {
                        answer.complete(f.length > 1 ? f[1] : "");
                    } else {
                        answer.completeExceptionally(new ChaosException(name + ": " + AgentWire.untext(f[1])));
                    }
                }
            }
            default -> { } // not protocol: ignore
        }
    }
}
