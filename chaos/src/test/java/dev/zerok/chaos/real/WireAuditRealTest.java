package dev.zerok.chaos.real;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.zerok.chaos.proxy.Direction;
import dev.zerok.chaos.proxy.UdpFaultProxy;
import dev.zerok.chaos.scenarios.Steps;
import dev.zerok.chaos.topology.Device;
import dev.zerok.chaos.topology.Relay;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Invariant 3 on the wire, end to end on the real topology: a payload synced over QUIC leaves no
 * plaintext in the proxies' captures, and a datagram that carries a slice of it in the clear (what
 * a transport without packet protection would send) fails the end-of-scenario audit, naming the
 * link, the direction, the offset and the blob.
 */
class WireAuditRealTest {
    @TempDir Path dir;

    @Test
    void plaintextSliceInAForwardedDatagram_failsTheAudit_namingLinkDirectionOffsetAndBlob() throws Exception {
        try (RealTopology t = (RealTopology) RealTopologyTest.FAST.open(12, dir.resolve("run"))) {
            List<Device> ds = Steps.devicesOnOneRelay(t, 2);
            Device a = ds.get(0);
            Relay relay = a.relays().get(0);
            byte[] payload = Steps.payload(new SplittableRandom(12), 4096);
            a.push(payload);
            assertThat(t.awaitConvergence(Duration.ofSeconds(30))).isTrue();
            UdpFaultProxy proxy = t.proxy(a, relay);
            long carried = proxy.captured(Direction.UP).bytes().length;
            assertThat(carried).as("the push crossed this link").isGreaterThan(payload.length);

            long before = proxy.stats().up().forwardedDatagrams();
            try (DatagramSocket leaky = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))) {
                byte[] slice = Arrays.copyOfRange(payload, 1009, 1039); // 30 bytes just off the 16-byte grid hold no whole window
                leaky.send(new DatagramPacket(slice, slice.length, proxy.listenAddress()));
                slice = Arrays.copyOfRange(payload, 2004, 2035);
                leaky.send(new DatagramPacket(slice, slice.length, proxy.listenAddress()));
            }
            assertThat(t.await(() -> proxy.stats().up().forwardedDatagrams() >= before + 2, Duration.ofSeconds(5))).isTrue();

            assertThatThrownBy(t::verifyRelayLogs).isInstanceOf(AssertionError.class)
                    .hasMessageContaining("invariant 3: 16 bytes of the plaintext of device-1#1 (from its byte 2016)")
                    .hasMessageContaining("device-1<->relay-1 UP at byte " + (carried + 30 + 12))
                    .hasMessageContaining("offset 12 in it");
        }
    }
}
