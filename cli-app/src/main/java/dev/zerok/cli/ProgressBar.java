package dev.zerok.cli;

import dev.zerok.client.SafeText;
import dev.zerok.client.TransferProgress;
import java.io.PrintStream;
import java.time.Duration;
import java.util.Locale;

/**
 * A one-line progress bar on stderr ({@code \r}-redrawn, at most every 100 ms and at the end),
 * with the transfer rate and the time left. Drawn only when the run shows progress (stderr is a
 * terminal, or {@code --progress}; never with {@code --json}). Thread-safe: updates may come from
 * the device's threads.
 */
final class ProgressBar implements TransferProgress {
    private static final int WIDTH = 30;
    private static final long REDRAW_NANOS = 100_000_000L;
    /** Below this much elapsed time a rate is noise: it is shown as {@code --}. */
    private static final Duration MIN_RATE_WINDOW = Duration.ofMillis(250);

    private final PrintStream err;
    private final String label;
    private final long startNanos = System.nanoTime();
    private long lastDrawNanos = Long.MIN_VALUE;
    private boolean drawn;
    private boolean ended;

    ProgressBar(PrintStream err, String label) {
        this.err = err;
        this.label = SafeText.printable(label);
    }

    /** A bar if the run shows progress, else {@link TransferProgress#NONE}. */
    static TransferProgress forRun(ZerokMain root, String label) {
        return root.showProgress() ? new ProgressBar(root.env().err(), label) : TransferProgress.NONE;
    }

    @Override
    public synchronized void update(long doneBytes, long totalBytes) {
        long now = System.nanoTime();
        boolean finished = totalBytes > 0 && doneBytes >= totalBytes;
        if (ended || (!finished && drawn && now - lastDrawNanos < REDRAW_NANOS)) {
            return;
        }
        lastDrawNanos = now;
        drawn = true;
        ended = finished;
        err.print("\r" + line(label, doneBytes, totalBytes, Duration.ofNanos(now - startNanos)) + (finished ? "\n" : ""));
        err.flush();
    }

    /** Ends the line if a bar was drawn and did not reach its total (the next output starts on a new line). */
    synchronized void finish() {
        if (drawn && !ended) {
            err.print("\n");
            err.flush();
        }
        ended = true;
    }

    /**
     * The bar's text (pure). With a known total ({@code totalBytes > 0}):
     * {@code label [#####.........]  42%  12.0 MiB / 30.0 MiB  2.0 MiB/s  ETA 0:09}; without one:
     * {@code label 12.0 MiB  2.0 MiB/s}. The rate is {@code doneBytes / elapsed} and the ETA the
     * bytes left at that rate; both are {@code --} until {@code elapsed} is 250 ms and some bytes
     * moved.
     *
     * @param doneBytes bytes done, {@code >= 0}
     * @param totalBytes bytes in all, or {@code <= 0} if unknown
     * @param elapsed time since the transfer started
     */
    static String line(String label, long doneBytes, long totalBytes, Duration elapsed) {
        boolean rated = doneBytes > 0 && elapsed.compareTo(MIN_RATE_WINDOW) >= 0;
        double bytesPerSecond = rated ? doneBytes / (elapsed.toNanos() / 1e9) : 0;
        String rate = rated ? Bytes.human(Math.round(bytesPerSecond)) + "/s" : "--/s";
        if (totalBytes <= 0) {
            return label + " " + Bytes.human(doneBytes) + "  " + rate;
        }
        double fraction = Math.min(1.0, Math.max(0.0, (double) doneBytes / totalBytes));
        int filled = (int) Math.round(fraction * WIDTH);
        String eta;
        if (doneBytes >= totalBytes) {
            eta = "done";
        } else if (rated) {
            eta = "ETA " + clock(Math.round((totalBytes - doneBytes) / bytesPerSecond));
        } else {
            eta = "ETA --";
        }
        return label + " [" + "#".repeat(filled) + ".".repeat(WIDTH - filled) + "] "
                + String.format(Locale.ROOT, "%3d%%", Math.round(fraction * 100)) + "  "
                + Bytes.human(doneBytes) + " / " + Bytes.human(totalBytes) + "  " + rate + "  " + eta;
    }

    /** {@code m:ss}, or {@code h:mm:ss} from an hour on; capped at 99:59:59. */
    static String clock(long seconds) {
        long s = Math.min(Math.max(0, seconds), 99 * 3600 + 59 * 60 + 59);
        return s >= 3600 ? String.format(Locale.ROOT, "%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60)
                : String.format(Locale.ROOT, "%d:%02d", s / 60, s % 60);
    }
}
