package dev.zerok.chaos.assertions;

import static org.assertj.core.api.Assertions.assertThat;

import dev.zerok.chaos.topology.ClientAddress;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Locale;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class RelayLogLeaksTest {
    private static final byte[] BLOB = bytes(1);
    private static final String HEX = HexFormat.of().formatHex(BLOB);

    private static byte[] bytes(long seed) {
        byte[] b = new byte[32];
        new SplittableRandom(seed).nextBytes(b);
        return b;
    }

    private static RelayLogLeaks rule() {
        return new RelayLogLeaks().id(BLOB, "a blob id pushed by device-1")
                .address(new ClientAddress("127.0.0.1", 40123, "device-1"))
                .address(new ClientAddress("device-2", -1, "device-2"))
                .size(123_456, "a vault size at relay-1");
    }

    @Test
    void find_anyEightHexDigitSliceOfAnId_eitherCase_flagged_sevenNot() {
        RelayLogLeaks r = rule();
        assertThat(r.find("TRACE push " + HEX.substring(0, 8) + " ok")).get()
                .extracting(RelayLogLeaks.Finding::what).asString().contains("a blob id pushed by device-1");
        assertThat(r.find("id=" + HEX.substring(20, 29).toUpperCase(Locale.ROOT))).isPresent();
        assertThat(r.find("whole " + HEX)).isPresent();
        assertThat(r.find("push " + HEX.substring(0, 7) + " ok")).isEmpty();
        assertThat(r.find("other " + HexFormat.of().formatHex(bytes(2)))).isEmpty();
    }

    @Test
    void find_base64StandardAndUrlSafe_withAndWithoutPadding_flagged() {
        RelayLogLeaks r = rule();
        assertThat(r.find("b=" + Base64.getEncoder().encodeToString(BLOB))).isPresent();
        assertThat(r.find("b=" + Base64.getEncoder().withoutPadding().encodeToString(BLOB) + " x")).isPresent();
        assertThat(r.find("b=" + Base64.getUrlEncoder().encodeToString(BLOB))).isPresent();
        assertThat(r.find("[" + Base64.getUrlEncoder().withoutPadding().encodeToString(BLOB) + "]")).isPresent();
        assertThat(r.find("b=" + Base64.getEncoder().encodeToString(bytes(3)))).isEmpty();
    }

    @Test
    void find_clientAddress_flagged_exceptAsTheRelaysOwnUrl_orAnotherPort() {
        RelayLogLeaks r = rule();
        RelayLogLeaks.Finding f = r.find("accepted from /127.0.0.1:40123 now").orElseThrow();
        assertThat(f.masked("accepted from /127.0.0.1:40123 now")).isEqualTo("accepted from /<masked> now");
        assertThat(r.find("accepted from 127.0.0.1:401234")).isEmpty();
        assertThat(r.find("listening on quic://127.0.0.1:40123")).isEmpty();
        assertThat(r.find("peer device-2:49152 said")).isPresent();
        assertThat(r.find("peer device-22:49152 said")).isEmpty();
    }

    @Test
    void find_vaultSizeNextToAUnitOrInASizeField_flagged_bareNumberNot() {
        RelayLogLeaks r = rule();
        assertThat(r.find("stored 123456 bytes")).isPresent();
        assertThat(r.find("stored 123,456 B")).isPresent();
        assertThat(r.find("group sizeBytes=123456")).isPresent();
        assertThat(r.find("size: 123456")).isPresent();
        assertThat(r.find("cursor 123456 reached")).isEmpty();
        assertThat(r.find("limit 1048576 bytes")).isEmpty();
    }
}
