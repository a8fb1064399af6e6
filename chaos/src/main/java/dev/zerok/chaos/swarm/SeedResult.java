package dev.zerok.chaos.swarm;

import java.time.Duration;

/**
 * The outcome of one swarm seed.
 *
 * @param seed the seed; {@code -Dzerok.swarm.seed=<seed>} replays it
 * @param plan what the seed drew
 * @param failure null if every invariant held; else the failure's first line
 *     ({@code ExceptionClass: message}, up to the first line break)
 * @param stackTrace the failure's full stack trace, or null
 * @param timeline the run's timeline as JSON lines ({@code Topology.timeline().toJsonLines()})
 * @param virtualTime topology time from the first step to the end of the checks
 * @param wallMillis real time spent on the seed, opening and closing the topology included
 */
public record SeedResult(long seed, SwarmPlan plan, String failure, String stackTrace, String timeline,
        Duration virtualTime, long wallMillis) {
    /** True if every invariant held. */
    public boolean passed() {
        return failure == null;
    }

    /** The command that replays this seed. */
    public String replayCommand() {
        return SwarmRunner.replayCommand(seed);
    }
}
