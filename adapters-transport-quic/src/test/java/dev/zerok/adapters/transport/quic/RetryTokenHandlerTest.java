package dev.zerok.adapters.transport.quic;

import static org.assertj.core.api.Assertions.assertThat;

import dev.zerok.ports.testkit.ManualClock;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class RetryTokenHandlerTest {
    private static final Duration LIFETIME = Duration.ofSeconds(30);
    private static final byte[] ODCID = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20};

    private final ManualClock clock = new ManualClock();
    private final RetryTokenHandler handler = new RetryTokenHandler(key(7), clock, LIFETIME);
    private final InetSocketAddress client = address("127.0.0.1", 40_000);

    @Test
    void validateToken_freshFromSameAddress_givesTheOriginalConnectionId() {
        byte[] token = mint(handler, client);

        int offset = handler.validateToken(Unpooled.wrappedBuffer(token), client);

        assertThat(offset).isEqualTo(40);
        assertThat(Arrays.copyOfRange(token, offset, token.length)).isEqualTo(ODCID);
        assertThat(token.length).isLessThanOrEqualTo(handler.maxTokenLength());
        assertThat(handler.acceptedCount()).isEqualTo(1);
    }

    @Test
    void validateToken_otherPortOrAddress_isRefused() {
        byte[] token = mint(handler, client);

        assertThat(handler.validateToken(Unpooled.wrappedBuffer(token), address("127.0.0.1", 40_001))).isEqualTo(-1);
        assertThat(handler.validateToken(Unpooled.wrappedBuffer(token), address("127.0.0.2", 40_000))).isEqualTo(-1);
        assertThat(handler.validateToken(Unpooled.wrappedBuffer(token), address("::1", 40_000))).isEqualTo(-1);
    }

    @Test
    void validateToken_anyFlippedBit_isRefused() {
        byte[] token = mint(handler, client);

        for (int bit = 0; bit < token.length * 8; bit++) {
            byte[] forged = token.clone();
            forged[bit / 8] ^= (byte) (1 << (bit % 8));
            assertThat(handler.validateToken(Unpooled.wrappedBuffer(forged), client)).as("bit %d", bit).isEqualTo(-1);
        }
        assertThat(handler.acceptedCount()).isZero();
    }

    @Test
    void validateToken_afterTheLifetime_isRefused() {
        byte[] token = mint(handler, client);

        clock.advance(LIFETIME);
        assertThat(handler.validateToken(Unpooled.wrappedBuffer(token), client)).as("at the limit").isEqualTo(40);
        clock.advance(Duration.ofMillis(1));
        assertThat(handler.validateToken(Unpooled.wrappedBuffer(token), client)).as("past the limit").isEqualTo(-1);
    }

    @Test
    void validateToken_mintedWithAnotherKey_isRefused() {
        byte[] token = mint(new RetryTokenHandler(key(8), clock, LIFETIME), client);

        assertThat(handler.validateToken(Unpooled.wrappedBuffer(token), client)).isEqualTo(-1);
    }

    @Test
    void validateToken_wrongLengthOrUnsignedFormat_isRefused() {
        assertThat(handler.validateToken(Unpooled.EMPTY_BUFFER, client)).isEqualTo(-1);
        assertThat(handler.validateToken(Unpooled.wrappedBuffer(new byte[39]), client)).isEqualTo(-1);
        assertThat(handler.validateToken(Unpooled.wrappedBuffer(new byte[61]), client)).isEqualTo(-1);
        // InsecureQuicTokenHandler's layout: "netty" || address || odcid, no MAC.
        byte[] insecure = new byte[5 + 4 + ODCID.length + 20];
        assertThat(handler.validateToken(Unpooled.wrappedBuffer(insecure, 0, 48), client)).isEqualTo(-1);
        assertThat(handler.rejectedCount()).isEqualTo(4);
    }

    private static byte[] mint(RetryTokenHandler handler, InetSocketAddress address) {
        ByteBuf out = Unpooled.buffer(handler.maxTokenLength());
        assertThat(handler.writeToken(out, Unpooled.wrappedBuffer(ODCID), address)).isTrue();
        byte[] token = new byte[out.readableBytes()];
        out.readBytes(token);
        return token;
    }

    private static byte[] key(int fill) {
        byte[] key = new byte[RetryTokenHandler.KEY_BYTES];
        Arrays.fill(key, (byte) fill);
        return key;
    }

    private static InetSocketAddress address(String ip, int port) {
        try {
            return new InetSocketAddress(InetAddress.getByName(ip), port);
        } catch (java.net.UnknownHostException e) {
            throw new AssertionError(e);
        }
    }
}
