package dev.zerok.kernel.sync;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.zerok.ports.id.Cursor;
import dev.zerok.ports.id.RelayId;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class RelayConnectionTest {
    private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
    private final RelayConnection r = new RelayConnection(new RelayId(new byte[32]));

    @Test
    void lifecycle_connectHandshakeWelcomeFail_followsTheTable() {
        r.startAttempt(1, T0, Duration.ofSeconds(15));
        assertThat(r.state()).isEqualTo(RelayConnection.State.CONNECTING);
        // The transport connect step gets two step timeouts (QUIC with Retry: two round trips).
        assertThat(r.deadline()).contains(T0.plusSeconds(30));
        r.transportConnected();
        r.welcomed(new Cursor(5), 100, 60);
        assertThat(r.state()).isEqualTo(RelayConnection.State.CONNECTED);
        assertThat(r.deadline()).isEmpty();
        r.failed("gone", T0, Duration.ofSeconds(1));
        assertThat(r.state()).isEqualTo(RelayConnection.State.RECONNECTING);
        assertThat(r.consecutiveFailures()).isEqualTo(1);
        assertThat(r.lastFailure()).contains("gone");
        assertThat(r.deadline()).contains(T0.plusSeconds(1));
    }

    @Test
    void transition_notInTable_throwsAndKeepsState() {
        assertThatThrownBy(r::transportConnected).isInstanceOf(IllegalStateException.class);
        assertThat(r.state()).isEqualTo(RelayConnection.State.DISCONNECTED);
        r.closed("");
        assertThat(RelayConnection.TRANSITIONS.get(RelayConnection.State.CLOSED)).isEmpty();
        assertThatThrownBy(() -> r.startAttempt(2, T0, Duration.ofSeconds(1))).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void welcome_afterFailures_resetsTheFailureCount() {
        r.startAttempt(1, T0, Duration.ofSeconds(1));
        r.failed("a", T0, Duration.ofSeconds(1));
        r.startAttempt(2, T0, Duration.ofSeconds(1));
        r.failed("b", T0, Duration.ofSeconds(2));
        assertThat(r.consecutiveFailures()).isEqualTo(2);
        r.startAttempt(3, T0, Duration.ofSeconds(1));
        r.transportConnected();
        r.welcomed(Cursor.ZERO, 100, 60);
        assertThat(r.consecutiveFailures()).isZero();
        assertThat(r.everFailed()).isTrue();
    }
}
