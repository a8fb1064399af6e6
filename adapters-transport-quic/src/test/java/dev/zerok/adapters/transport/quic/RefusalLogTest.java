package dev.zerok.adapters.transport.quic;

import static org.assertj.core.api.Assertions.assertThat;

import dev.zerok.adapters.transport.quic.SourceAdmission.Verdict;
import dev.zerok.ports.testkit.ManualClock;
import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class RefusalLogTest {
    private final ManualClock clock = new ManualClock();
    private final List<String> lines = new ArrayList<>();

    private RefusalLog log(boolean reveal) {
        return new RefusalLog(clock, reveal, (format, arguments) -> {
            String line = format;
            for (Object argument : arguments) {
                line = line.replaceFirst("\\{\\}", java.util.regex.Matcher.quoteReplacement(String.valueOf(argument)));
            }
            lines.add(line);
        });
    }

    @Test
    void refused_floodFromOneSource_logsOneLinePerWindowThenASummary() {
        RefusalLog log = log(false);
        for (int i = 0; i < 1_000; i++) {
            log.refused(ip(1), Verdict.SOURCE_HANDSHAKE_RATE);
            clock.advance(Duration.ofMillis(5));
        }

        assertThat(lines).hasSize(1);
        assertThat(lines.get(0)).contains("reason=SOURCE_HANDSHAKE_RATE").contains("source=[REDACTED]")
                .doesNotContain("10.0.0.1");
        clock.advance(RefusalLog.WINDOW);
        log.refused(ip(1), Verdict.SOURCE_CONNECTION_CAP);
        assertThat(lines).hasSize(3);
        assertThat(lines.get(1)).contains("SOURCE_HANDSHAKE_RATE=999");
        assertThat(lines.get(2)).contains("reason=SOURCE_CONNECTION_CAP");
    }

    @Test
    void refused_floodFromManySources_isCappedPerWindow() {
        RefusalLog log = log(false);
        for (int i = 0; i < 10_000; i++) {
            log.refused(ip(i), Verdict.SERVER_FULL);
        }

        assertThat(lines).hasSize(RefusalLog.LINES_PER_WINDOW);
    }

    @Test
    void refused_addressesOptedIn_printsTheAddress() {
        log(true).refused(ip(1), Verdict.SOURCE_CONNECTION_CAP);

        assertThat(lines).singleElement().asString().contains("source=10.0.0.1");
    }

    private static InetAddress ip(int n) {
        try {
            return InetAddress.getByAddress(new byte[] {10, (byte) (n >>> 16), (byte) (n >>> 8), (byte) n});
        } catch (java.net.UnknownHostException e) {
            throw new AssertionError(e);
        }
    }
}
