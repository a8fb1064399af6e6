package dev.zerok.chaos.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class FaultProxyMainTest {

    @Test
    void start_fullArguments_runsProxyAndControlWithTheGivenSeedAndProfiles() throws Exception {
        try (UdpPeer sink = UdpPeer.sink();
                FaultProxyMain.Running running = FaultProxyMain.start("--listen", "127.0.0.1:0", "--upstream",
                        "127.0.0.1:" + sink.address().getPort(), "--seed", "77", "--control", "127.0.0.1:0",
                        "--up", "lossProbability=0.25,latencyMeanMs=5", "--down", "partitioned=true");
                HttpClient http = HttpClient.newHttpClient()) {
            String control = running.control().orElseThrow().uri().toString();

            assertThat(running.banner()).startsWith("fault-proxy listen=127.0.0.1:")
                    .contains(" upstream=127.0.0.1:" + sink.address().getPort() + " seed=77 control=" + control);
            assertThat(running.proxy().profile(Direction.UP))
                    .isEqualTo(FaultProfile.NONE.withLoss(0.25).withLatency(Duration.ofMillis(5), Duration.ZERO));
            assertThat(running.proxy().profile(Direction.DOWN).partitioned()).isTrue();
            HttpResponse<String> stats = http.send(HttpRequest.newBuilder(URI.create(control + "/stats")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(stats.body()).contains("\"seed\": 77");
        }
    }

    @Test
    void start_withoutControl_bannerSaysNone() throws Exception {
        try (UdpPeer sink = UdpPeer.sink();
                FaultProxyMain.Running running = FaultProxyMain.start("--upstream", "127.0.0.1:" + sink.address().getPort())) {
            assertThat(running.control()).isEmpty();
            assertThat(running.banner()).endsWith(" control=none").contains(" seed=" + running.proxy().seed());
        }
    }

    @Test
    void start_badArguments_usageExceptionSaysWhat() {
        assertThatThrownBy(() -> FaultProxyMain.start("--listen", "127.0.0.1:0"))
                .isInstanceOf(FaultProxyMain.UsageException.class).hasMessageContaining("--upstream");
        assertThatThrownBy(() -> FaultProxyMain.start("--upstream", "nohostport"))
                .isInstanceOf(FaultProxyMain.UsageException.class).hasMessageContaining("expected host:port");
        assertThatThrownBy(() -> FaultProxyMain.start("--upstream", "127.0.0.1:70000"))
                .isInstanceOf(FaultProxyMain.UsageException.class).hasMessageContaining("[0, 65535]");
        assertThatThrownBy(() -> FaultProxyMain.start("--upstream", "127.0.0.1:9", "--up", "loss=0.2"))
                .isInstanceOf(FaultProxyMain.UsageException.class).hasMessageContaining("unknown key 'loss'");
        assertThatThrownBy(() -> FaultProxyMain.start("--upstream", "127.0.0.1:9", "--idle-timeout-ms", "0"))
                .isInstanceOf(FaultProxyMain.UsageException.class).hasMessageContaining("--idle-timeout-ms");
    }

    @Test
    void hostPortConverter_bracketedIpv6_parses() {
        var address = new FaultProxyMain.HostPortConverter().convert("[::1]:4433");

        assertThat(address.getPort()).isEqualTo(4433);
        assertThat(address.getAddress().isLoopbackAddress()).isTrue();
        assertThat(FaultProxyMain.hostPort(address)).isEqualTo("[0:0:0:0:0:0:0:1]:4433");
    }
}
