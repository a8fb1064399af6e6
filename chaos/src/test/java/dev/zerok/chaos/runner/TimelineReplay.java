package dev.zerok.chaos.runner;

import dev.zerok.chaos.mock.MockTopologyFactory;
import dev.zerok.chaos.scenarios.SyncScenarios;
import java.nio.file.Files;
import java.nio.file.Path;

/** Replays one mock scenario's timeline in this JVM: {@code TimelineReplay ID SEED OUT_FILE} (DeterminismTest). */
final class TimelineReplay {
    private TimelineReplay() {}

    public static void main(String[] args) throws Exception {
        Scenario scenario = SyncScenarios.ALL.stream().filter(s -> s.id().equals(args[0])).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no scenario " + args[0]));
        Files.writeString(Path.of(args[2]), ChaosRunner.timelineOf(scenario, new MockTopologyFactory(), Long.parseLong(args[1])));
        System.exit(0);
    }
}
