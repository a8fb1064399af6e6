package dev.zerok.kernel.wire;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class GoldenVectorsTest {

    static Stream<Arguments> vectors() {
        return GoldenMessages.all().entrySet().stream().map(e -> Arguments.of(e.getKey(), e.getValue()));
    }

    static byte[] fixture(String name) throws IOException {
        try (InputStream in = GoldenVectorsTest.class.getResourceAsStream("/wire/golden/" + name + ".hex")) {
            assertThat(in).as("fixture wire/golden/%s.hex", name).isNotNull();
            String hex = new String(in.readAllBytes(), StandardCharsets.US_ASCII).replaceAll("\\s+", "");
            return HexFormat.of().parseHex(hex);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("vectors")
    void encode_ofGoldenMessage_equalsCheckedInBytes(String name, Message message) throws IOException {
        assertThat(HexFormat.of().formatHex(MessageCodec.encode(message)))
                .isEqualTo(HexFormat.of().formatHex(fixture(name)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("vectors")
    void decode_ofCheckedInBytes_equalsGoldenMessage(String name, Message message) throws Exception {
        assertThat(MessageCodec.decode(fixture(name))).isEqualTo(message);
    }

    @org.junit.jupiter.api.Test
    void fixtures_coverEveryMessageType() {
        Map<String, Message> all = GoldenMessages.all();
        assertThat(all.values().stream().map(Message::type).distinct()).containsExactlyInAnyOrder(MessageType.values());
    }
}
