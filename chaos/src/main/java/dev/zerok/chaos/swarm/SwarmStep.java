package dev.zerok.chaos.swarm;

import dev.zerok.chaos.topology.LinkDirection;
import dev.zerok.chaos.topology.LinkFaults;
import java.time.Duration;

/**
 * One step of a swarm plan. Devices and relays are named by their index in the plan (0-based; the
 * topology calls index {@code i} {@code device-(i+1)} / {@code relay-(i+1)} because the runner adds
 * them in plan order). A plan is data: it is drawn from the seed before the run and printed with a
 * failure, so a reader sees what the seed does without running it.
 */
public sealed interface SwarmStep {
    /** One line for {@code plan.txt}. */
    String describe();

    /** Lets {@code duration} of topology time pass. */
    record Advance(Duration duration) implements SwarmStep {
        @Override
        public String describe() {
            return "wait " + duration.toMillis() + " ms";
        }
    }

    /**
     * Pushes {@code sizeBytes} bytes from a device; if {@code belowMax}, the size is
     * {@code Device.maxPayloadBytes() - sizeBytes} instead (the largest payloads, which only the
     * topology knows).
     */
    record Push(int device, int sizeBytes, boolean belowMax) implements SwarmStep {
        @Override
        public String describe() {
            return "push " + dev(device) + " " + (belowMax ? "max-" + sizeBytes : String.valueOf(sizeBytes)) + " B";
        }
    }

    /** {@code Device.syncNow()}. */
    record SyncNow(int device) implements SwarmStep {
        @Override
        public String describe() {
            return "sync-now " + dev(device);
        }
    }

    /** {@code Topology.setFaults}; {@link LinkFaults#NONE} heals the link direction. */
    record SetLink(int device, int relay, LinkDirection direction, LinkFaults faults) implements SwarmStep {
        @Override
        public String describe() {
            return "faults " + dev(device) + " " + direction + " " + rel(relay) + " " + faults;
        }
    }

    /** {@code Topology.partition(device)}: every link of the device, both directions. */
    record PartitionDevice(int device) implements SwarmStep {
        @Override
        public String describe() {
            return "partition " + dev(device);
        }
    }

    /** {@code Topology.heal(device)}: no fault on any link of the device. */
    record HealDevice(int device) implements SwarmStep {
        @Override
        public String describe() {
            return "heal " + dev(device);
        }
    }

    /** {@code Topology.crashDevice}. */
    record CrashDevice(int device) implements SwarmStep {
        @Override
        public String describe() {
            return "crash " + dev(device);
        }
    }

    /** {@code Topology.restartDevice}. */
    record RestartDevice(int device) implements SwarmStep {
        @Override
        public String describe() {
            return "restart " + dev(device);
        }
    }

    /** {@code Topology.pauseDevice}. */
    record PauseDevice(int device) implements SwarmStep {
        @Override
        public String describe() {
            return "pause " + dev(device);
        }
    }

    /** {@code Topology.resumeDevice}. */
    record ResumeDevice(int device) implements SwarmStep {
        @Override
        public String describe() {
            return "resume " + dev(device);
        }
    }

    /** {@code Topology.killRelay}. */
    record KillRelay(int relay) implements SwarmStep {
        @Override
        public String describe() {
            return "kill " + rel(relay);
        }
    }

    /** {@code Topology.stopRelay}. */
    record StopRelay(int relay) implements SwarmStep {
        @Override
        public String describe() {
            return "stop " + rel(relay);
        }
    }

    /** {@code Topology.restartRelay}. */
    record RestartRelay(int relay) implements SwarmStep {
        @Override
        public String describe() {
            return "restart " + rel(relay);
        }
    }

    /** {@code Topology.pauseRelay}. */
    record PauseRelay(int relay) implements SwarmStep {
        @Override
        public String describe() {
            return "pause " + rel(relay);
        }
    }

    /** {@code Topology.resumeRelay}. */
    record ResumeRelay(int relay) implements SwarmStep {
        @Override
        public String describe() {
            return "resume " + rel(relay);
        }
    }

    /** The name the topology gives the device at plan index {@code i}. */
    static String dev(int i) {
        return "device-" + (i + 1);
    }

    /** The name the topology gives the relay at plan index {@code i}. */
    static String rel(int i) {
        return "relay-" + (i + 1);
    }
}
