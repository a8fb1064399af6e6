package dev.zerok.chaos.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The HTTP control API against a running proxy: change a profile over HTTP, observe the effect. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class FaultProxyControlTest {

    private static final Duration CATCH_UP = Duration.ofSeconds(3);

    private UdpPeer sink;
    private UdpPeer client;
    private UdpFaultProxy proxy;
    private FaultProxyControl control;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @BeforeEach
    void start() throws Exception {
        sink = UdpPeer.sink();
        client = UdpPeer.sink();
        proxy = UdpFaultProxy.builder(sink.address()).seed(31).start();
        control = FaultProxyControl.start(proxy, new InetSocketAddress("127.0.0.1", 0));
    }

    @AfterEach
    void stop() throws Exception {
        control.close();
        proxy.close();
        client.close();
        sink.close();
        http.close();
    }

    private HttpResponse<String> call(String method, String path, String body) throws Exception {
        HttpRequest request = HttpRequest.newBuilder(URI.create(control.uri() + path))
                .timeout(Duration.ofSeconds(5))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body))
                .build();
        return http.send(request, HttpResponse.BodyHandlers.ofString());
    }

    private void sendAndSettle(int count) throws Exception {
        long before = proxy.stats().up().receivedDatagrams();
        for (int i = 0; i < count; i++) {
            client.send(proxy.listenAddress(), new byte[] {(byte) i});
        }
        assertThat(Await.until(CATCH_UP, () -> proxy.stats().up().receivedDatagrams() >= before + count)).isTrue();
    }

    @Test
    void putProfileUp_lossOne_datagramsStopAndStatsCountThem() throws Exception {
        sendAndSettle(10);
        assertThat(sink.awaitCount(10, CATCH_UP)).isEqualTo(10);

        HttpResponse<String> put = call("PUT", "/profile/up", "{\"lossProbability\": 1}");
        sendAndSettle(20);
        HttpResponse<String> stats = call("GET", "/stats", null);

        assertThat(put.statusCode()).isEqualTo(200);
        assertThat(put.body()).contains("\"lossProbability\": 1,");
        assertThat(put.headers().firstValue("Content-Type")).hasValue("application/json; charset=utf-8");
        assertThat(sink.count()).isEqualTo(10);
        assertThat(stats.statusCode()).isEqualTo(200);
        assertThat(stats.body()).contains("\"seed\": 31").contains("\"loss\": 20").contains("\"receivedDatagrams\": 30");
    }

    @Test
    void putThenPatch_keyValueBody_putReplacesPatchAmends() throws Exception {
        call("PUT", "/profile/down", "latencyMeanMs=40,duplicateProbability=0.5");
        HttpResponse<String> patch = call("PATCH", "/profile/down", "lossProbability=0.25");
        FaultProfile afterPatch = proxy.profile(Direction.DOWN);
        HttpResponse<String> put = call("PUT", "/profile/down", "lossProbability=0.1");

        assertThat(patch.statusCode()).isEqualTo(200);
        assertThat(afterPatch).isEqualTo(FaultProfile.NONE.withLatency(Duration.ofMillis(40), Duration.ZERO)
                .withDuplicate(0.5).withLoss(0.25));
        assertThat(put.statusCode()).isEqualTo(200);
        assertThat(proxy.profile(Direction.DOWN)).isEqualTo(FaultProfile.NONE.withLoss(0.1));
        assertThat(proxy.profile(Direction.UP)).isEqualTo(FaultProfile.NONE);
    }

    @Test
    void putProfile_unknownKey_400NamingItAndNothingApplied() throws Exception {
        proxy.setProfile(Direction.UP, FaultProfile.NONE.withLoss(0.3));

        HttpResponse<String> r = call("PUT", "/profile/up", "{\"lossProbability\": 0.1, \"los\": 0.5}");

        assertThat(r.statusCode()).isEqualTo(400);
        assertThat(r.body()).startsWith("{\"error\": \"unknown key 'los'; known keys: latencyMeanMs,");
        assertThat(proxy.profile(Direction.UP)).isEqualTo(FaultProfile.NONE.withLoss(0.3));
    }

    @Test
    void partitionThenHeal_overHttp_dropsAllThenForwards() throws Exception {
        HttpResponse<String> partition = call("POST", "/partition", null);
        sendAndSettle(15);
        assertThat(sink.count()).isZero();

        HttpResponse<String> heal = call("POST", "/heal", null);
        sendAndSettle(15);

        assertThat(partition.statusCode()).isEqualTo(200);
        assertThat(partition.body()).contains("\"partitioned\": true");
        assertThat(heal.statusCode()).isEqualTo(200);
        assertThat(sink.awaitCount(15, CATCH_UP)).isEqualTo(15);
        assertThat(proxy.stats().up().dropped(Fault.PARTITION)).isEqualTo(15);
    }

    @Test
    void getProfile_afterReset_bothDirectionsNoFaults() throws Exception {
        proxy.setProfile(Direction.UP, FaultProfile.NONE.withBandwidth(1_000).withLimitData(5));

        HttpResponse<String> before = call("GET", "/profile/up", null);
        HttpResponse<String> reset = call("POST", "/reset", null);
        HttpResponse<String> both = call("GET", "/profile", null);

        assertThat(before.body()).contains("\"bandwidthBytesPerSecond\": 1000").contains("\"limitDataBytes\": 5}");
        assertThat(reset.statusCode()).isEqualTo(200);
        String none = FaultProfileFormat.toJson(FaultProfile.NONE);
        assertThat(both.body().strip()).isEqualTo("{\"up\": " + none + ", \"down\": " + none + "}");
    }

    @Test
    void badRequests_answeredWithTheRightStatusAndAMessage() throws Exception {
        assertThat(call("GET", "/nope", null).statusCode()).isEqualTo(404);
        assertThat(call("GET", "/profile/sideways", null).statusCode()).isEqualTo(404);
        HttpResponse<String> wrongMethod = call("DELETE", "/profile/up", null);
        assertThat(wrongMethod.statusCode()).isEqualTo(405);
        assertThat(wrongMethod.body()).contains("allowed: GET, PUT, PATCH");
        assertThat(call("GET", "/partition", null).statusCode()).isEqualTo(405);
        assertThat(call("PUT", "/profile/up", "x".repeat(70_000)).statusCode()).isEqualTo(413);
        HttpResponse<String> badJson = call("PUT", "/profile/up", "{\"lossProbability\": ");
        assertThat(badJson.statusCode()).isEqualTo(400);
        assertThat(badJson.body()).contains("bad JSON at offset");
    }
}
