package dev.zerok.cli;

import dev.zerok.client.TransferProgress;
import java.io.PrintStream;

/**
 * A one-line progress bar on stderr ({@code \r}-redrawn, at most every 100 ms and at the end).
 * Thread-safe: updates may come from the device's threads.
 */
final class ProgressBar implements TransferProgress {
    private static final int WIDTH = 30;
    private static final long REDRAW_NANOS = 100_000_000L;

    private final PrintStream err;
    private final String label;
    private long lastDrawNanos = Long.MIN_VALUE;
    private boolean drawn;

    private ProgressBar(PrintStream err, String label) {
        this.err = err;
        this.label = label;
    }

    /** A bar if the run shows progress, else {@link TransferProgress#NONE}. */
    static TransferProgress forRun(ZerokMain root, String label) {
        return root.showProgress() ? new ProgressBar(root.env().err(), label) : TransferProgress.NONE;
    }

    @Override
    public synchronized void update(long doneBytes, long totalBytes) {
        long now = System.nanoTime();
        boolean finished = totalBytes > 0 && doneBytes >= totalBytes;
        if (!finished && drawn && now - lastDrawNanos < REDRAW_NANOS) {
            return;
        }
        lastDrawNanos = now;
        drawn = true;
        double fraction = totalBytes <= 0 ? 1.0 : Math.min(1.0, (double) doneBytes / totalBytes);
        int filled = (int) Math.round(fraction * WIDTH);
        err.print("\r" + label + " [" + "#".repeat(filled) + ".".repeat(WIDTH - filled) + "] "
                + String.format(java.util.Locale.ROOT, "%3d%%", Math.round(fraction * 100)) + "  "
                + Bytes.human(doneBytes) + " / " + Bytes.human(totalBytes) + (finished ? "\n" : ""));
        err.flush();
    }
}
