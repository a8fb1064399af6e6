package dev.zerok.kernel.noise;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.zerok.kernel.noise.TamperingKeyExchange.Fault;
import java.time.Duration;
import java.util.Arrays;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.Test;

/**
 * The seed-000 handshake, encryption and post-quantum scenarios at unit level: the kernel's
 * HandshakeState and TransportSession are driven by hand, so "the network" is the test's choice
 * of which bytes to deliver when. Timeouts belong to the driver (the kernel takes no time input),
 * so latency and clock skew scenarios check that the state machine waits indefinitely and never
 * consults a clock.
 */
class HybridScenariosTest {
    private final HybridFixture fixture = new HybridFixture(7);

    private static void assertNoiseFailure(ThrowingCallable call, NoiseException.Code code) {
        assertThatThrownBy(call).isInstanceOfSatisfying(NoiseException.class, e -> assertThat(e.code()).isEqualTo(code));
    }

    // ---- E-HS: handshake disruption ----

    @Test
    void E_HS_01_disconnectAfterFirstMessage_handshakeFailsCleanlyAndRetrySucceeds() throws Exception {
        HandshakeState initiator = fixture.initiator();
        HandshakeState responder = fixture.responder();
        responder.readMessage(initiator.writeMessage(new byte[0]));
        // The connection drops: the driver abandons both halves.
        initiator.destroy();
        responder.destroy();
        assertNoiseFailure(initiator::split, NoiseException.Code.INVALID_STATE);
        assertNoiseFailure(() -> responder.writeMessage(new byte[0]), NoiseException.Code.INVALID_STATE);

        TransportSession[] retry = HybridFixture.complete(fixture.initiator(), fixture.responder());
        assertThat(retry[1].decrypt(retry[0].encrypt(new byte[] {9}))).containsExactly(9);
    }

    @Test
    void E_HS_02_disconnectAfterSecondMessage_noSessionOnEitherSideAndRetrySucceeds() throws Exception {
        HandshakeState initiator = fixture.initiator();
        HandshakeState responder = fixture.responder();
        responder.readMessage(initiator.writeMessage(new byte[0]));
        responder.writeMessage(new byte[0]); // lost on the wire
        assertThat(initiator.isComplete()).isFalse();
        assertThat(responder.isComplete()).isFalse();
        assertNoiseFailure(responder::split, NoiseException.Code.INVALID_STATE);
        initiator.destroy();
        responder.destroy();

        TransportSession[] retry = HybridFixture.complete(fixture.initiator(), fixture.responder());
        assertThat(retry[0].decrypt(retry[1].encrypt(new byte[] {1}))).containsExactly(1);
    }

    @Test
    void E_HS_03_disconnectAfterThirdMessage_initiatorEstablishedResponderNot_mismatchDetected() throws Exception {
        HandshakeState initiator = fixture.initiator();
        HandshakeState responder = fixture.responder();
        responder.readMessage(initiator.writeMessage(new byte[0]));
        initiator.readMessage(responder.writeMessage(new byte[0]));
        initiator.writeMessage(new byte[0]); // message 3 never arrives
        assertThat(initiator.isComplete()).isTrue();
        assertThat(responder.isComplete()).isFalse();
        TransportSession orphan = initiator.split();
        byte[] firstTransport = orphan.encrypt(new byte[] {1});

        // A fresh responder (the relay after reconnect) cannot read anything of the orphaned session:
        // the device notices (no reply / decrypt failure), closes it, and renegotiates.
        HandshakeState freshResponder = fixture.responder();
        assertThatThrownBy(() -> freshResponder.readMessage(firstTransport)).isInstanceOf(NoiseException.class);
        orphan.close();
        TransportSession[] retry = HybridFixture.complete(fixture.initiator(), fixture.responder());
        assertThat(retry[1].decrypt(retry[0].encrypt(new byte[] {2}))).containsExactly(2);
    }

    @Test
    void E_HS_04_extremeLatency_stateMachineHasNoTimerAndCompletesWhenMessagesArrive() throws Exception {
        HandshakeState initiator = fixture.initiator();
        HandshakeState responder = fixture.responder();
        byte[] m1 = initiator.writeMessage(new byte[0]);
        // 5 s per message is the driver's business: the state is unchanged however long the bytes take.
        Duration perMessage = Duration.ofSeconds(5);
        assertThat(perMessage.multipliedBy(3)).isLessThan(HybridHandshake.RECOMMENDED_HANDSHAKE_TIMEOUT);
        responder.readMessage(m1);
        initiator.readMessage(responder.writeMessage(new byte[0]));
        responder.readMessage(initiator.writeMessage(new byte[0]));
        assertThat(initiator.isComplete() && responder.isComplete()).isTrue();
    }

    @Test
    void E_HS_05_reorderedMessages_rejectedWithoutCorruptingLaterUse() throws Exception {
        HandshakeState initiator = fixture.initiator();
        HandshakeState responder = fixture.responder();
        byte[] m1 = initiator.writeMessage(new byte[0]);
        responder.readMessage(m1);
        byte[] m2 = responder.writeMessage(new byte[0]);

        // The responder gets message 1 again where message 3 belongs: rejected.
        assertNoiseFailure(() -> responder.readMessage(m1), NoiseException.Code.DECRYPT_FAILED);
        // A second responder gets message 2 bytes where message 1 belongs: too short for e + e1.
        HandshakeState other = fixture.responder();
        assertNoiseFailure(() -> other.readMessage(Arrays.copyOf(m2, 100)), NoiseException.Code.MALFORMED_MESSAGE);
        // Out of turn: a state that must write refuses to read.
        HandshakeState third = fixture.responder();
        third.readMessage(fixture.initiator().writeMessage(new byte[0]));
        assertNoiseFailure(() -> third.readMessage(m2), NoiseException.Code.INVALID_STATE);
        // Every rejected state is dead, and fresh ones still work.
        assertNoiseFailure(() -> responder.writeMessage(new byte[0]), NoiseException.Code.INVALID_STATE);
        TransportSession[] retry = HybridFixture.complete(fixture.initiator(), fixture.responder());
        assertThat(retry[1].decrypt(retry[0].encrypt(new byte[] {3}))).containsExactly(3);
    }

    @Test
    void E_HS_06_concurrentHandshakesFromSameDevice_independentAndNotCrossable() throws Exception {
        HandshakeState deviceA = fixture.initiator();
        HandshakeState deviceB = fixture.initiator();
        HandshakeState relayA = fixture.responder();
        HandshakeState relayB = fixture.responder();
        relayA.readMessage(deviceA.writeMessage(new byte[0]));
        relayB.readMessage(deviceB.writeMessage(new byte[0]));
        byte[] m2a = relayA.writeMessage(new byte[0]);
        byte[] m2b = relayB.writeMessage(new byte[0]);

        // Crossing the two attempts' messages fails the crossed attempt, never mixes them.
        HandshakeState crossed = fixture.initiator();
        fixture.responder().readMessage(crossed.writeMessage(new byte[0]));
        assertNoiseFailure(() -> crossed.readMessage(m2a), NoiseException.Code.DECRYPT_FAILED);

        deviceA.readMessage(m2a);
        deviceB.readMessage(m2b);
        relayA.readMessage(deviceA.writeMessage(new byte[0]));
        relayB.readMessage(deviceB.writeMessage(new byte[0]));
        assertThat(deviceA.handshakeHash()).isNotEqualTo(deviceB.handshakeHash());
        TransportSession a = deviceA.split();
        TransportSession b = deviceB.split();
        TransportSession ra = relayA.split();
        relayB.split();
        byte[] fromB = b.encrypt(new byte[] {1});
        assertNoiseFailure(() -> ra.decrypt(fromB), NoiseException.Code.DECRYPT_FAILED);
        assertThat(a.isClosed()).isFalse();
    }

    // ---- E-ENC: transport encryption ----

    @Test
    void E_ENC_01_bitFlipInTransportMessage_rejectedNoPlaintextSessionClosed() throws Exception {
        TransportSession[] s = HybridFixture.complete(fixture.initiator(), fixture.responder());
        byte[] message = s[0].encrypt(new byte[] {1, 2, 3, 4});
        message[2] ^= 0x10;
        assertNoiseFailure(() -> s[1].decrypt(message), NoiseException.Code.DECRYPT_FAILED);
        assertThat(s[1].isClosed()).isTrue();
        byte[] next = s[0].encrypt(new byte[] {5});
        assertNoiseFailure(() -> s[1].decrypt(next), NoiseException.Code.SESSION_CLOSED);
    }

    @Test
    void E_ENC_02_truncatedTransportMessage_rejectedCleanly() throws Exception {
        TransportSession[] s = HybridFixture.complete(fixture.initiator(), fixture.responder());
        byte[] message = s[0].encrypt(new byte[100]);
        assertNoiseFailure(() -> s[1].decrypt(Arrays.copyOf(message, 60)), NoiseException.Code.DECRYPT_FAILED);
        TransportSession[] t = HybridFixture.complete(fixture.initiator(), fixture.responder());
        assertNoiseFailure(() -> t[1].decrypt(new byte[10]), NoiseException.Code.DECRYPT_FAILED);
        assertThat(t[1].isClosed()).isTrue();
    }

    @Test
    void E_ENC_03_replayedTransportMessage_rejectedAndSessionClosed() throws Exception {
        TransportSession[] s = HybridFixture.complete(fixture.initiator(), fixture.responder());
        byte[] first = s[0].encrypt(new byte[] {1});
        byte[] second = s[0].encrypt(new byte[] {2});
        assertThat(s[1].decrypt(first)).containsExactly(1);
        assertNoiseFailure(() -> s[1].decrypt(first), NoiseException.Code.DECRYPT_FAILED);
        assertThat(s[1].receiveNonce()).isEqualTo(1);
        assertNoiseFailure(() -> s[1].decrypt(second), NoiseException.Code.SESSION_CLOSED);

        TransportSession[] t = HybridFixture.complete(fixture.initiator(), fixture.responder());
        t[0].encrypt(new byte[] {1});
        byte[] later = t[0].encrypt(new byte[] {2});
        assertNoiseFailure(() -> t[1].decrypt(later), NoiseException.Code.DECRYPT_FAILED); // reordered
    }

    @Test
    void E_ENC_04_highVolume_tenThousandMessagesNoNonceReuseAboveThousandPerSecond() throws Exception {
        TamperingKeyExchange recording = new TamperingKeyExchange(fixture.crypto, Fault.NONE);
        TransportSession[] s = HybridFixture.complete(fixture.initiator(recording), fixture.responder(recording));
        int messages = 10_000;
        byte[] payload = new byte[256];
        long started = System.nanoTime();
        for (int i = 0; i < messages; i++) {
            payload[0] = (byte) i;
            assertThat(s[1].decrypt(s[0].encrypt(payload))[0]).isEqualTo((byte) i);
        }
        double seconds = (System.nanoTime() - started) / 1e9;
        assertThat(recording.nonceReuses).isZero();
        assertThat(recording.sealedKeyNonces).hasSizeGreaterThanOrEqualTo(messages);
        assertThat(s[0].sendNonce()).isEqualTo(messages);
        assertThat(messages / seconds).as("messages per second").isGreaterThan(1000);

        s[0].setSendNonceForTest(-2L); // 2^64 - 2: one message left before the reserved value
        s[0].encrypt(new byte[0]);
        assertNoiseFailure(() -> s[0].encrypt(new byte[0]), NoiseException.Code.NONCE_EXHAUSTED);
    }

    @Test
    void E_ENC_05_rekeyUnderLoad_transferSurvivesAndOneSidedRekeyFails() throws Exception {
        TransportSession[] s = HybridFixture.complete(fixture.initiator(), fixture.responder());
        for (int i = 0; i < 2000; i++) {
            if (i == 1000) {
                s[0].rekeySend();
                s[1].rekeyReceive();
            }
            assertThat(s[1].decrypt(s[0].encrypt(new byte[] {(byte) i}))).containsExactly((byte) i);
        }
        s[0].rekeySend(); // the receiver does not follow
        byte[] message = s[0].encrypt(new byte[] {1});
        assertNoiseFailure(() -> s[1].decrypt(message), NoiseException.Code.DECRYPT_FAILED);
    }

    // ---- E-PQ: the hybrid, post-quantum part ----

    @Test
    void E_PQ_01_corruptedKemCiphertext_handshakeAbortsWithoutFallback() throws Exception {
        HandshakeState initiator = fixture.initiator();
        HandshakeState responder = fixture.responder();
        responder.readMessage(initiator.writeMessage(new byte[0]));
        byte[] m2 = responder.writeMessage(new byte[0]);
        m2[32 + 500] ^= 0x01; // inside the encrypted ekem1 ciphertext
        assertNoiseFailure(() -> initiator.readMessage(m2), NoiseException.Code.DECRYPT_FAILED);
        assertNoiseFailure(() -> initiator.writeMessage(new byte[0]), NoiseException.Code.INVALID_STATE);
        assertThat(initiator.protocol().name()).isEqualTo(HybridHandshake.PROTOCOL_NAME);
    }

    @Test
    void E_PQ_02_largeHandshakeMessages_fitNoiseLimitsAndSlowLinkBudget() throws Exception {
        HandshakeState initiator = fixture.initiator();
        HandshakeState responder = fixture.responder();
        byte[] m1 = initiator.writeMessage(new byte[0]);
        responder.readMessage(m1);
        byte[] m2 = responder.writeMessage(new byte[0]);
        initiator.readMessage(m2);
        byte[] bigPayload = new byte[HandshakeState.MAX_MESSAGE_BYTES - HybridHandshake.MESSAGE_3_OVERHEAD_BYTES];
        byte[] m3 = initiator.writeMessage(bigPayload);
        assertThat(m3).hasSize(HandshakeState.MAX_MESSAGE_BYTES);
        assertThat(responder.readMessage(m3)).hasSize(bigPayload.length);

        long handshakeBits = 8L * (m1.length + m2.length + HybridHandshake.MESSAGE_3_OVERHEAD_BYTES);
        Duration at56kbps = Duration.ofMillis(handshakeBits * 1000 / 56_000);
        assertThat(at56kbps).isLessThan(Duration.ofSeconds(1));
        assertThat(at56kbps.multipliedBy(4)).isLessThan(HybridHandshake.RECOMMENDED_HANDSHAKE_TIMEOUT);

        HandshakeState tooBig = fixture.initiator();
        assertNoiseFailure(() -> tooBig.writeMessage(new byte[HandshakeState.MAX_MESSAGE_BYTES]),
                NoiseException.Code.MALFORMED_MESSAGE);
    }

    @Test
    void E_PQ_03_oneComponentFails_wholeHandshakeFailsNoSingleComponentPath() throws Exception {
        for (Fault fault : new Fault[] {Fault.DH_FAILS, Fault.KEM_FAILS}) {
            TamperingKeyExchange broken = new TamperingKeyExchange(fixture.crypto, fault);
            HandshakeState initiator = fixture.initiator();
            HandshakeState responder = fixture.responder(broken);
            boolean failed = false;
            try {
                HybridFixture.complete(initiator, responder);
            } catch (NoiseException e) {
                failed = true;
                assertThat(e.code()).isEqualTo(NoiseException.Code.INVALID_KEY);
            }
            assertThat(failed).as(fault.name()).isTrue();
            assertThat(initiator.isComplete() && responder.isComplete()).isFalse();
        }
        // No single-component protocol can even be built: XXhfs without a KEM, or XX with one, is refused.
        assertNoiseFailure(() -> NoiseProtocol.parse("Noise_XXhfs_25519_ChaChaPoly_SHA256", fixture.crypto),
                NoiseException.Code.UNSUPPORTED_PROTOCOL);
        assertNoiseFailure(() -> NoiseProtocol.parse("Noise_XX_25519+MLKEM768_ChaChaPoly_SHA256", fixture.crypto),
                NoiseException.Code.UNSUPPORTED_PROTOCOL);
    }

    @Test
    void E_PQ_04_sessionKeyNeedsBothSecrets_recomputingWithOneReplacedDiverges() throws Exception {
        // An attacker who broke one component knows every input except the other component's
        // secret. Recompute the handshake on one side with that secret replaced (all zeros): the
        // keys diverge at once, so neither component alone yields the session.
        for (Fault fault : new Fault[] {Fault.REPLACE_DH_SECRET, Fault.REPLACE_KEM_SECRET}) {
            HandshakeState initiator = fixture.initiator();
            HandshakeState responder = fixture.responder(new TamperingKeyExchange(fixture.crypto, fault));
            responder.readMessage(initiator.writeMessage(new byte[0]));
            byte[] m2 = responder.writeMessage(new byte[0]);
            assertNoiseFailure(() -> initiator.readMessage(m2), NoiseException.Code.DECRYPT_FAILED);
        }
        // And with both genuine the same seeds complete: the failure above came from the replaced secret.
        TransportSession[] ok = HybridFixture.complete(fixture.initiator(), fixture.responder());
        assertThat(ok[1].decrypt(ok[0].encrypt(new byte[] {1}))).containsExactly(1);
    }

    @Test
    void E_PQ_05_clockSkew_handshakeTakesNoTimeInputSoSkewCannotFailIt() throws Exception {
        // HandshakeState.initialize, writeMessage and readMessage take no Instant: a device 5
        // minutes ahead of the relay runs exactly the same computation. (Invite expiry, which does
        // use time, is checked by the device against its own clock: see InviteTest.)
        assertThat(Arrays.stream(HandshakeState.class.getMethods())
                        .flatMap(m -> Arrays.stream(m.getParameterTypes()))
                        .noneMatch(t -> t == java.time.Instant.class || t == dev.zerok.ports.time.Clock.class))
                .isTrue();
        TransportSession[] s = HybridFixture.complete(fixture.initiator(), fixture.responder());
        assertThat(s[1].decrypt(s[0].encrypt(new byte[] {5}))).containsExactly(5);
    }
}
