package dev.zerok.chaos.runner;

/**
 * The outcome of one scenario on one topology.
 *
 * @param id the scenario ID
 * @param topology {@code mock}, {@code real}, ...
 * @param iterations iterations planned
 * @param passed iterations that passed (all of them, or the run stopped at the first failure)
 * @param notRunReason why it did not run, or null
 * @param failedSeed the seed of the failing iteration, or null
 * @param failure the first line of the failure, or null
 * @param wallMillis real time spent
 * @param observations what the runner measured besides the verdict ({@link Observations#NONE} if nothing ran)
 */
public record ScenarioResult(String id, String topology, int iterations, int passed, String notRunReason,
        Long failedSeed, String failure, long wallMillis, Observations observations) {
    /**
     * What the runner observed over the iterations that ran.
     *
     * @param cleanup {@code proven} if every iteration's cleanup proof held, else what leaked (first leak);
     *     empty if no iteration ran
     * @param faultEvents fault events and process faults observed, summed over iterations
     * @param timings the longest sync and handshake times over iterations
     * @param vsBaseline the comparison with the clean baseline ({@link Baseline#compare}), or empty
     * @param relayResources per relay: peak RSS, open fds at start and at the end, live sessions
     *     (real topology), or empty
     */
    public record Observations(String cleanup, long faultEvents, Timings timings, String vsBaseline,
            String relayResources) {
        public static final Observations NONE = new Observations("", 0,
                new Timings(java.util.Optional.empty(), java.util.Optional.empty()), "", "");
    }

    /** A result without observations (NOT RUN before any iteration, or a test fixture). */
    public ScenarioResult(String id, String topology, int iterations, int passed, String notRunReason,
            Long failedSeed, String failure, long wallMillis) {
        this(id, topology, iterations, passed, notRunReason, failedSeed, failure, wallMillis, Observations.NONE);
    }

    /** PASSED, FAILED or NOT RUN. */
    public String verdict() {
        if (notRunReason != null) {
            return "NOT RUN";
        }
        return passed == iterations && failure == null ? "PASSED" : "FAILED";
    }
}
