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
 */
public record ScenarioResult(String id, String topology, int iterations, int passed, String notRunReason,
        Long failedSeed, String failure, long wallMillis) {
    /** PASSED, FAILED or NOT RUN. */
    public String verdict() {
        if (notRunReason != null) {
            return "NOT RUN";
        }
        return passed == iterations && failure == null ? "PASSED" : "FAILED";
    }
}
