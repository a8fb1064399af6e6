package dev.zerok.adapters.transport.quic;

import static org.assertj.core.api.Assertions.assertThat;

import dev.zerok.adapters.transport.quic.SourceAdmission.Verdict;
import java.net.InetAddress;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class SourceAdmissionTest {
    private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

    @Test
    void admit_atTheCap_refusesUntilOneIsReleased() {
        SourceAdmission admission = new SourceAdmission(2, 1_000, 1_000, 100);
        InetAddress a = ip(1);

        assertThat(admission.admit(a, T0)).isEqualTo(Verdict.ADMIT);
        assertThat(admission.admit(a, T0)).isEqualTo(Verdict.ADMIT);
        assertThat(admission.admit(a, T0)).isEqualTo(Verdict.SOURCE_CONNECTION_CAP);
        assertThat(admission.admit(ip(2), T0)).as("another source is not affected").isEqualTo(Verdict.ADMIT);

        admission.released(a, T0);
        assertThat(admission.admit(a, T0)).isEqualTo(Verdict.ADMIT);
    }

    @Test
    void admit_burstSpent_refusesUntilTheBucketRefills() {
        SourceAdmission admission = new SourceAdmission(1_000, 2, 3, 100);
        InetAddress a = ip(1);

        for (int i = 0; i < 3; i++) {
            assertThat(admission.admit(a, T0)).as("burst %d", i).isEqualTo(Verdict.ADMIT);
        }
        assertThat(admission.admit(a, T0)).isEqualTo(Verdict.SOURCE_HANDSHAKE_RATE);
        assertThat(admission.admit(a, T0.plusMillis(499))).isEqualTo(Verdict.SOURCE_HANDSHAKE_RATE);
        assertThat(admission.admit(a, T0.plusMillis(500))).as("2 per second: one token after 500 ms")
                .isEqualTo(Verdict.ADMIT);
        assertThat(admission.admit(a, T0.plusMillis(500))).isEqualTo(Verdict.SOURCE_HANDSHAKE_RATE);
    }

    @Test
    void admit_tableFullOfBusySources_refusesNewSourcesServerFull() {
        SourceAdmission admission = new SourceAdmission(10, 10, 10, 2);
        assertThat(admission.admit(ip(1), T0)).isEqualTo(Verdict.ADMIT);
        assertThat(admission.admit(ip(2), T0)).isEqualTo(Verdict.ADMIT);

        assertThat(admission.admit(ip(3), T0)).isEqualTo(Verdict.SERVER_FULL);
        assertThat(admission.trackedSources()).isEqualTo(2);
    }

    @Test
    void admit_manySourcesComeAndGo_tableStaysBoundedAndIdleSourcesAreEvicted() {
        int bound = 50;
        SourceAdmission admission = new SourceAdmission(10, 10, 10, bound);
        Instant now = T0;
        for (int i = 0; i < 5_000; i++) {
            InetAddress source = ip(i);
            assertThat(admission.admit(source, now)).as("source %d", i).isEqualTo(Verdict.ADMIT);
            admission.released(source, now);
            now = now.plus(Duration.ofMillis(20));
            assertThat(admission.trackedSources()).isLessThanOrEqualTo(bound);
        }
    }

    @Test
    void released_longLivedSourcesAtTheFront_doNotBlockEvictionBehindThem() {
        int bound = 20;
        SourceAdmission admission = new SourceAdmission(10, 10, 10, bound);
        for (int i = 0; i < 10; i++) {
            admission.admit(ip(1_000 + i), T0); // held for the whole test
        }
        Instant now = T0;
        for (int i = 0; i < 1_000; i++) {
            now = now.plusSeconds(2);
            assertThat(admission.admit(ip(i), now)).as("source %d", i).isEqualTo(Verdict.ADMIT);
            admission.released(ip(i), now);
        }
        assertThat(admission.trackedSources()).isLessThanOrEqualTo(bound);
    }

    private static InetAddress ip(int n) {
        try {
            return InetAddress.getByAddress(new byte[] {10, (byte) (n >>> 16), (byte) (n >>> 8), (byte) n});
        } catch (java.net.UnknownHostException e) {
            throw new AssertionError(e);
        }
    }
}
