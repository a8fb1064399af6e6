package dev.zerok.chaos.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.OptionalLong;
import java.util.regex.Pattern;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class FaultProfileFormatTest {

    @Test
    void parse_json_appliesKeysOnTheBase() throws Exception {
        FaultProfile p = FaultProfileFormat.parse(
                "{\"lossProbability\": 0.2, \"latencyMeanMs\": 50, \"jitterStddevMs\": 2.5,"
                        + " \"bandwidthBytesPerSecond\": 1e5, \"partitioned\": true}",
                FaultProfile.NONE.withDuplicate(0.3));

        assertThat(p).isEqualTo(FaultProfile.NONE.withDuplicate(0.3).withLoss(0.2)
                .withLatency(Duration.ofMillis(50), Duration.ofNanos(2_500_000)).withBandwidth(100_000)
                .withPartitioned(true));
    }

    @Test
    void parse_keyValues_sameAsJson() throws Exception {
        FaultProfile kv = FaultProfileFormat.parse(
                "lossProbability=0.2, limitDataBytes=1000\nburstGoodToBadProbability=0.05&burstBadToGoodProbability=0.25",
                FaultProfile.NONE);
        FaultProfile json = FaultProfileFormat.parse("{\"lossProbability\":0.2,\"limitDataBytes\":1000,"
                + "\"burstGoodToBadProbability\":0.05,\"burstBadToGoodProbability\":0.25}", FaultProfile.NONE);

        assertThat(kv).isEqualTo(json);
        assertThat(kv.burstLoss()).isEqualTo(new BurstLoss(0.05, 0.25, 1));
    }

    @Test
    void parse_nullLimits_removeThem() throws Exception {
        FaultProfile limited = FaultProfile.NONE.withBandwidth(10).withLimitData(10);

        FaultProfile p = FaultProfileFormat.parse("bandwidthBytesPerSecond=null,limitDataBytes=null", limited);

        assertThat(p).isEqualTo(FaultProfile.NONE);
    }

    @Test
    void parse_blank_changesNothing() throws Exception {
        FaultProfile base = FaultProfile.NONE.withLoss(0.5);

        assertThat(FaultProfileFormat.parse("  ", base)).isEqualTo(base);
        assertThat(FaultProfileFormat.parse("{ }", base)).isEqualTo(base);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "{\"lossProbabilty\": 0.2}|unknown key 'lossProbabilty'",
        "lossPercent=20|unknown key 'lossPercent'",
        "{\"lossProbability\": 0.2, \"lossProbability\": 0.3}|given twice",
        "{\"lossProbability\": \"0.2\"}|must be a number, true, false or null",
        "{\"lossProbability\": 1.5}|lossProbability must be a probability in [0, 1]",
        "{\"latencyMeanMs\": -1}|latencyMeanMs must be in [0, 86400000]",
        "{\"partitioned\": 1}|partitioned must be true or false",
        "{\"queueLimitBytes\": null}|queueLimitBytes must be a number",
        "{\"bandwidthBytesPerSecond\": 0}|bandwidthBytesPerSecond must be at least 1",
        "{\"limitDataBytes\": 10.5}|limitDataBytes must be a whole number",
        "{\"limitDataBytes\": 1e99999999999}|limitDataBytes is not a usable number",
        "{\"lossProbability\": 0.2} x|unexpected text after the object",
        "{\"lossProbability\": {\"a\": 1}}|must be a number, true, false or null",
        "{\"lossProbability\": 0.2|unexpected end",
        "lossProbability|expected key=value",
        "lossProbability=abc|must be a number, true, false or null",
    })
    void parse_badText_rejectedWithAClearMessage(String text, String message) {
        assertThatThrownBy(() -> FaultProfileFormat.parse(text, FaultProfile.NONE))
                .isInstanceOf(ProfileFormatException.class).hasMessageContaining(message);
    }

    @Property(tries = 300)
    void toJsonThenParse_anyProfile_roundTrips(@ForAll("profiles") FaultProfile profile) throws Exception {
        String json = FaultProfileFormat.toJson(profile);

        assertThat(FaultProfileFormat.parse(json, FaultProfile.NONE)).isEqualTo(profile);
        assertThat(Pattern.compile("\"(\\w+)\":").matcher(json).results().map(m -> m.group(1)).toList())
                .containsExactlyElementsOf(FaultProfileFormat.KEYS);
    }

    @Property(tries = 2_000)
    void parse_anyText_eitherParsesOrThrowsTheCheckedException(@ForAll String text) {
        for (String candidate : new String[] {text, "{" + text, "{\"lossProbability\":" + text + "}"}) {
            try {
                FaultProfileFormat.parse(candidate, FaultProfile.NONE);
            } catch (ProfileFormatException expected) {
                assertThat(expected.getMessage()).isNotBlank();
            }
        }
    }

    @Provide
    Arbitrary<FaultProfile> profiles() {
        Arbitrary<Double> p = Arbitraries.doubles().between(0, 1).ofScale(4);
        Arbitrary<Duration> ms = Arbitraries.longs().between(0, 60_000_000_000L).map(Duration::ofNanos);
        Arbitrary<OptionalLong> limit = Arbitraries.longs().between(0, Long.MAX_VALUE)
                .map(OptionalLong::of).injectNull(0.3).map(o -> o == null ? OptionalLong.empty() : o);
        Arbitrary<OptionalLong> rate = Arbitraries.longs().between(1, 10_000_000_000L)
                .map(OptionalLong::of).injectNull(0.3).map(o -> o == null ? OptionalLong.empty() : o);
        Arbitrary<BurstLoss> burst = Combinators.combine(p, p, p).as(BurstLoss::new);
        return Combinators.combine(ms, ms, p, burst, p, ms, p, p).flatAs((mean, sd, loss, b, re, extra, dup, cor) ->
                Combinators.combine(rate, Arbitraries.longs().between(1, 1L << 40), Arbitraries.of(true, false), limit)
                        .as((r, q, part, lim) -> new FaultProfile(mean, sd, loss, b, re, extra, dup, cor, r, q, part,
                                lim)));
    }

    @Test
    void toJson_stats_namesDropCausesInCamelCase() {
        FaultEngine engine = new FaultEngine(1);
        engine.setProfile(Direction.UP, FaultProfile.NONE.withBurstLoss(new BurstLoss(1, 0, 1)));
        engine.onDatagram(Direction.UP, new byte[10], 0);
        engine.onDatagram(Direction.UP, new byte[10], 0);
        ProxyStats stats = new ProxyStats(77, engine.stats(Direction.UP), engine.stats(Direction.DOWN), 1, 2, 3, 4,
                5, 6);

        String json = FaultProfileFormat.toJson(stats);

        assertThat(json).startsWith("{\"seed\": 77, \"activeSessions\": 1, \"sessionsOpened\": 2")
                .contains("\"up\": {\"receivedDatagrams\": 2, \"receivedBytes\": 20, \"forwardedDatagrams\": 1,")
                .contains("\"dropped\": {\"partition\": 0, \"loss\": 0, \"burstLoss\": 1, \"queueFull\": 0,"
                        + " \"limitData\": 0}");
    }
}
