package dev.zerok.kernel.noise;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import org.junit.jupiter.api.Test;

/** Policy-driven Rekey() (Noise spec rev 34 section 11.3) in lockstep on both sides of a session. */
class TransportSessionRekeyTest {
    private static final RekeyPolicy EVERY_8 = new RekeyPolicy(8, 1L << 30);

    private static TransportSession[] pair(long seed, RekeyPolicy initiator, RekeyPolicy responder) throws NoiseException {
        HybridFixture fixture = new HybridFixture(seed);
        TransportSession[] s = HybridFixture.complete(fixture.initiator(), fixture.responder());
        s[0].rekeyPolicy(initiator);
        s[1].rekeyPolicy(responder);
        return s;
    }

    @Test
    void everyEightMessages_bothDirectionsRekeyAtTheBoundary_andEveryMessageStillOpens() throws Exception {
        TransportSession[] s = pair(11, EVERY_8, EVERY_8);
        for (int i = 1; i <= 100; i++) {
            byte[] up = {(byte) i, 1};
            byte[] down = {(byte) i, 2};
            assertThat(s[1].decrypt(s[0].encrypt(up))).containsExactly(up);
            assertThat(s[0].decrypt(s[1].encrypt(down))).containsExactly(down);
            long expected = i / 8;
            assertThat(s[0].sendRekeys()).as("initiator send rekeys after %d", i).isEqualTo(expected);
            assertThat(s[1].receiveRekeys()).as("responder receive rekeys after %d", i).isEqualTo(expected);
            assertThat(s[1].sendRekeys()).as("responder send rekeys after %d", i).isEqualTo(expected);
            assertThat(s[0].receiveRekeys()).as("initiator receive rekeys after %d", i).isEqualTo(expected);
        }
        assertThat(s[0].sendNonce()).isEqualTo(100); // the nonce keeps counting across rekeys
    }

    @Test
    void rekey_changesTheKey_fromTheMessageAfterTheBoundary() throws Exception {
        TransportSession[] rekeyed = pair(12, EVERY_8, EVERY_8);
        TransportSession[] plain = pair(12, RekeyPolicy.DEFAULT, RekeyPolicy.DEFAULT);
        for (int i = 0; i < 8; i++) {
            byte[] m = {(byte) i};
            assertThat(rekeyed[0].encrypt(m)).as("message %d, before the rekey", i).isEqualTo(plain[0].encrypt(m));
        }
        byte[] ninth = {9};
        assertThat(rekeyed[0].encrypt(ninth)).isNotEqualTo(plain[0].encrypt(ninth));
    }

    @Test
    void byteInterval_rekeysOnceThePayloadBytesReachIt() throws Exception {
        RekeyPolicy every100Bytes = new RekeyPolicy(1L << 16, 100);
        TransportSession[] s = pair(13, every100Bytes, every100Bytes);
        for (int i = 1; i <= 10; i++) {
            byte[] m = new byte[40];
            m[0] = (byte) i;
            assertThat(s[1].decrypt(s[0].encrypt(m))).containsExactly(m);
        }
        // 40, 80, 120 -> rekey; again after three more: messages 3, 6 and 9.
        assertThat(s[0].sendRekeys()).isEqualTo(3);
        assertThat(s[1].receiveRekeys()).isEqualTo(3);
    }

    @Test
    void oneSidedRekey_theFirstMessageUnderTheNewKeyFailsAuthentication_andClosesTheSession() throws Exception {
        TransportSession[] s = pair(14, EVERY_8, RekeyPolicy.DEFAULT);
        for (int i = 0; i < 8; i++) {
            s[1].decrypt(s[0].encrypt(new byte[] {(byte) i}));
        }
        byte[] ninth = s[0].encrypt(new byte[] {9});

        Throwable e = catchThrowable(() -> s[1].decrypt(ninth));

        assertThat(e).isInstanceOf(NoiseException.class);
        assertThat(((NoiseException) e).code()).isEqualTo(NoiseException.Code.DECRYPT_FAILED);
        assertThat(s[1].isClosed()).isTrue();
    }

    @Test
    void defaultPolicy_isEvery65536MessagesOrOneGibibyte() {
        assertThat(RekeyPolicy.DEFAULT).isEqualTo(new RekeyPolicy(65_536, 1L << 30));
    }
}
