package dev.zerok.cli;

import dev.zerok.client.SyncClient;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * A progress bar for bytes on the network while a command waits for the relays: uploads until the
 * relays acknowledged them ({@link #upload}), downloads as pull responses arrive
 * ({@link #download}). Drawn from a polling thread every 100 ms, only when the run shows progress
 * and only once the wait has lasted 500 ms (a quick exchange draws nothing).
 */
@FunctionalInterface
interface NetworkProgress {
    /** Draws nothing. */
    NetworkProgress NONE = client -> () -> { };

    /** Starts drawing for {@code client}; the returned handle stops it and ends the line. */
    Running start(SyncClient client);

    /** A bar being drawn. */
    interface Running extends AutoCloseable {
        @Override
        void close();
    }

    /**
     * Upload: bytes pushed in this run that the relays acknowledged, counted from when the wait
     * starts (each relay counts; the total is what was not yet acknowledged then).
     */
    static NetworkProgress upload(ZerokMain root) {
        if (!root.showProgress()) {
            return NONE;
        }
        return client -> {
            long base = client.traffic().pushBytesAcknowledged();
            return poll(new ProgressBar(root.env().err(), "uploading"), client,
                    t -> new long[] {t.pushBytesAcknowledged() - base, t.pushBytes() - base});
        };
    }

    /**
     * Download: payload bytes received from the relays. The total is estimated from the blobs the
     * relays announced and the average size of those received so far (unknown until one arrived).
     */
    static NetworkProgress download(ZerokMain root) {
        if (!root.showProgress()) {
            return NONE;
        }
        return client -> poll(new ProgressBar(root.env().err(), "downloading"), client, NetworkProgress::downloaded);
    }

    /** Done and estimated total bytes of a download ({@code total <= 0}: unknown). */
    static long[] downloaded(SyncClient.Traffic t) {
        long total = 0;
        if (t.pulledBlobs() > 0 && t.pullBlobsExpected() > 0) {
            double perBlob = (double) t.pulledBytes() / t.pulledBlobs();
            total = Math.round(perBlob * t.pullBlobsExpected());
        }
        return new long[] {t.pulledBytes(), total > 0 ? Math.max(total, t.pulledBytes()) : 0};
    }

    private static Running poll(ProgressBar bar, SyncClient client, Function<SyncClient.Traffic, long[]> measure) {
        CountDownLatch stop = new CountDownLatch(1);
        long startNanos = System.nanoTime();
        boolean[] shown = {false};
        Runnable draw = () -> {
            long[] doneTotal = measure.apply(client.traffic());
            if (doneTotal[0] > 0 || doneTotal[1] > 0) {
                shown[0] = true;
                bar.update(Math.max(0, doneTotal[0]), doneTotal[1]);
            }
        };
        Thread thread = Thread.ofVirtual().name("zerok-progress").start(() -> {
            try {
                while (!stop.await(100, TimeUnit.MILLISECONDS)) {
                    if (System.nanoTime() - startNanos >= 500_000_000L) {
                        draw.run();
                    }
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        return () -> {
            stop.countDown();
            try {
                thread.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            if (shown[0]) {
                draw.run();
            }
            bar.finish();
        };
    }
}
