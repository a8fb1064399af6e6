package dev.zerok.kernel.relay;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;

/**
 * Jazzer (coverage-guided) fuzzing of a whole relay connection after a genuine Noise handshake:
 * a hostile device drives {@link RelaySessionFuzzHarness} with a script of operations (encrypted
 * hostile plaintext, well-formed and refused messages, store results in any order, ticks,
 * shutdown, transport close). The harness checks the invariants after every step; any throwable
 * other than the typed Noise and protocol failures, and any broken invariant, is a finding.
 *
 * <p>The input is the script itself, read front to back ({@link RelaySessionFuzzHarness} has the
 * byte layout; {@code FuzzSeeds} writes the seeds in {@code RelaySessionFuzzTestInputs/}).
 * {@code ./mvnw verify} replays those seeds as regression tests, then fuzzes for a bounded time
 * in its own surefire execution (kernel pom, {@code fuzz-relay-session}).
 */
class RelaySessionFuzzTest {

    @FuzzTest(maxDuration = "25s")
    void relaySession_fedHostileScriptAfterHandshake_keepsItsInvariants(FuzzedDataProvider data) throws Exception {
        RelaySessionFuzzHarness.run(data.consumeRemainingAsBytes());
    }
}
