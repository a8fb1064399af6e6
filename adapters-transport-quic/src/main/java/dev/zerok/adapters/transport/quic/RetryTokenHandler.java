package dev.zerok.adapters.transport.quic;

import dev.zerok.ports.time.Clock;
import io.netty.buffer.ByteBuf;
import io.netty.handler.codec.quic.QuicTokenHandler;
import java.net.InetSocketAddress;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Address validation tokens for QUIC Retry (RFC 9000 sections 8.1.2 and 17.2.5): a server without a
 * valid token in a client's Initial answers with a Retry carrying a fresh token, and creates no
 * connection state until the client echoes it from the same address. This makes a spoofed source
 * address unable to open a connection (and so unable to fill the per-source tables).
 *
 * <p>Token layout (all big-endian):
 *
 * <pre>
 * +--------------------------+----------------------------------+------------------------+
 * | issued (8 bytes, uint64  | mac (32 bytes, HMAC-SHA256)      | odcid (0..20 bytes)    |
 * |  ms since the epoch)     |                                  | original destination   |
 * |                          |                                  | connection id          |
 * +--------------------------+----------------------------------+------------------------+
 * mac = HMAC-SHA256(key, len(ip) (1 byte) || ip (4 or 16 bytes) || port (2 bytes)
 *                        || issued (8 bytes) || odcid)
 * </pre>
 *
 * <p>The key is 32 random bytes per transport (from the Entropy port), so tokens cannot be forged
 * without it and do not outlive the transport. A token is valid for the lifetime given (the
 * transport's {@code retry.token.lifetime}) after it was issued, from the address and port it was
 * issued to; the MAC is compared in constant time
 * ({@link MessageDigest#isEqual}). An invalid token makes Netty drop the Initial silently.
 * Replays within the lifetime from the same address are accepted (a Retry token only proves that
 * the address can receive; it is not a secret the client keeps).
 *
 * <p>Thread-safe: each event-loop thread uses its own {@link Mac}.
 */
final class RetryTokenHandler implements QuicTokenHandler {
    static final int KEY_BYTES = 32;
    private static final int ISSUED_BYTES = 8;
    private static final int MAC_BYTES = 32;
    /** RFC 9000 section 17.2: connection ids are at most 20 bytes. */
    private static final int MAX_CONNECTION_ID_BYTES = 20;
    private static final int ODCID_OFFSET = ISSUED_BYTES + MAC_BYTES;

    private final Clock clock;
    private final Duration lifetime;
    private final ThreadLocal<Mac> macs;
    private final AtomicLong issued = new AtomicLong();
    private final AtomicLong accepted = new AtomicLong();
    private final AtomicLong rejected = new AtomicLong();

    /**
     * @param key {@value #KEY_BYTES} random bytes, the HMAC-SHA256 key
     * @param clock the transport's clock, for the issue time and the lifetime
     * @param lifetime how long a token is accepted after it was issued: at least one round trip
     *     to the client (the Retry out, the echoing Initial back), plus its retransmissions
     */
    RetryTokenHandler(byte[] key, Clock clock, Duration lifetime) {
        if (key.length != KEY_BYTES) {
            throw new IllegalArgumentException("a Retry token key is " + KEY_BYTES + " bytes, got " + key.length);
        }
        this.clock = clock;
        this.lifetime = lifetime;
        SecretKeySpec spec = new SecretKeySpec(key.clone(), "HmacSHA256");
        this.macs = ThreadLocal.withInitial(() -> {
            try {
                Mac mac = Mac.getInstance("HmacSHA256");
                mac.init(spec);
                return mac;
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException("HmacSHA256 is required by every Java platform", e);
            }
        });
    }

    @Override
    public boolean writeToken(ByteBuf out, ByteBuf dcid, InetSocketAddress address) {
        long issuedMillis = clock.now().toEpochMilli();
        byte[] odcid = new byte[dcid.readableBytes()];
        dcid.getBytes(dcid.readerIndex(), odcid);
        out.writeLong(issuedMillis);
        out.writeBytes(mac(address, issuedMillis, odcid));
        out.writeBytes(odcid);
        issued.incrementAndGet();
        return true;
    }

    /** @return the offset of the original destination connection id in {@code token}, or -1 */
    @Override
    public int validateToken(ByteBuf token, InetSocketAddress address) {
        int length = token.readableBytes();
        if (length < ODCID_OFFSET || length > ODCID_OFFSET + MAX_CONNECTION_ID_BYTES) {
            rejected.incrementAndGet();
            return -1;
        }
        int start = token.readerIndex();
        long issuedMillis = token.getLong(start);
        long ageMillis = clock.now().toEpochMilli() - issuedMillis;
        byte[] given = new byte[MAC_BYTES];
        token.getBytes(start + ISSUED_BYTES, given);
        byte[] odcid = new byte[length - ODCID_OFFSET];
        token.getBytes(start + ODCID_OFFSET, odcid);
        boolean macMatches = MessageDigest.isEqual(given, mac(address, issuedMillis, odcid));
        if (!macMatches || ageMillis < 0 || ageMillis > lifetime.toMillis()) {
            rejected.incrementAndGet();
            return -1;
        }
        accepted.incrementAndGet();
        return ODCID_OFFSET;
    }

    @Override
    public int maxTokenLength() {
        return ODCID_OFFSET + MAX_CONNECTION_ID_BYTES;
    }

    /** Tokens issued (Retry packets sent). */
    long issuedCount() {
        return issued.get();
    }

    /** Tokens that validated (connections allowed past address validation). */
    long acceptedCount() {
        return accepted.get();
    }

    /** Tokens refused: forged, tampered, expired or from another address. */
    long rejectedCount() {
        return rejected.get();
    }

    private byte[] mac(InetSocketAddress address, long issuedMillis, byte[] odcid) {
        byte[] ip = address.getAddress().getAddress();
        Mac mac = macs.get();
        mac.update((byte) ip.length);
        mac.update(ip);
        int port = address.getPort();
        mac.update((byte) (port >>> 8));
        mac.update((byte) port);
        for (int shift = 56; shift >= 0; shift -= 8) {
            mac.update((byte) (issuedMillis >>> shift));
        }
        mac.update(odcid);
        return mac.doFinal();
    }
}
