package dev.zerok.kernel.noise;

import static org.assertj.core.api.Assertions.assertThat;

import dev.zerok.adapters.crypto.BouncyCastleKeyExchangeProvider;
import dev.zerok.ports.crypto.KeyExchange;
import dev.zerok.ports.crypto.KeyPair;
import dev.zerok.ports.crypto.Secret;
import dev.zerok.ports.spi.ProviderConfig;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Runs the published Noise vectors (snow format, copied into test resources from
 * ../shared/vectors/noise/snow.txt) through HandshakeState and TransportSession: every
 * handshake and transport ciphertext must match byte for byte, and the receiver must recover
 * the payload.
 */
class NoiseVectorsTest {
    private static final HexFormat HEX = HexFormat.of();
    private static final String RESOURCE = "/noise/snow-25519-chachapoly.json";

    @SuppressWarnings("unchecked")
    static Stream<Arguments> vectors() throws IOException {
        try (InputStream in = NoiseVectorsTest.class.getResourceAsStream(RESOURCE)) {
            Map<String, Object> root = (Map<String, Object>) MiniJson.parse(
                    new String(in.readAllBytes(), StandardCharsets.UTF_8));
            List<Object> vectors = (List<Object>) root.get("vectors");
            return vectors.stream().map(v -> (Map<String, Object>) v)
                    .map(v -> Arguments.of(v.get("protocol_name"), v));
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("vectors")
    @SuppressWarnings("unchecked")
    void vector_handshakeAndTransport_matchPublishedCiphertexts(String name, Map<String, Object> vector)
            throws Exception {
        KeyExchange crypto = new BouncyCastleKeyExchangeProvider().open(ProviderConfig.EMPTY);
        NoiseProtocol protocol = NoiseProtocol.parse(name, crypto);

        HandshakeState initiator = HandshakeState.initialize(protocol, true, hex(vector, "init_prologue"),
                new ScriptedEntropy(hex(vector, "init_ephemeral")), keyPair(protocol, vector, "init_static"),
                optionalHex(vector, "init_remote_static"));
        HandshakeState responder = HandshakeState.initialize(protocol, false, hex(vector, "resp_prologue"),
                new ScriptedEntropy(hex(vector, "resp_ephemeral")), keyPair(protocol, vector, "resp_static"),
                optionalHex(vector, "resp_remote_static"));

        List<Object> messages = (List<Object>) vector.get("messages");
        int handshakeMessages = protocol.pattern().messages().size();
        TransportSession initiatorSession = null;
        TransportSession responderSession = null;
        for (int i = 0; i < messages.size(); i++) {
            Map<String, Object> message = (Map<String, Object>) messages.get(i);
            byte[] payload = HEX.parseHex((String) message.get("payload"));
            byte[] expected = HEX.parseHex((String) message.get("ciphertext"));
            boolean fromInitiator = protocol.pattern().oneWay() || i % 2 == 0;
            byte[] sent;
            byte[] received;
            if (i < handshakeMessages) {
                HandshakeState writer = fromInitiator ? initiator : responder;
                HandshakeState reader = fromInitiator ? responder : initiator;
                sent = writer.writeMessage(payload);
                received = reader.readMessage(sent);
                if (i == handshakeMessages - 1) {
                    assertThat(initiator.isComplete()).isTrue();
                    assertThat(responder.isComplete()).isTrue();
                    assertThat(initiator.handshakeHash()).isEqualTo(responder.handshakeHash());
                    initiatorSession = initiator.split();
                    responderSession = responder.split();
                }
            } else {
                sent = (fromInitiator ? initiatorSession : responderSession).encrypt(payload);
                received = (fromInitiator ? responderSession : initiatorSession).decrypt(sent);
            }
            assertThat(HEX.formatHex(sent)).as("message %d of %s", i, name).isEqualTo(HEX.formatHex(expected));
            assertThat(received).as("payload %d of %s", i, name).isEqualTo(payload);
        }
    }

    private static Optional<KeyPair> keyPair(NoiseProtocol protocol, Map<String, Object> vector, String field)
            throws Exception {
        Optional<byte[]> privateKey = optionalHex(vector, field);
        if (privateKey.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(protocol.dh().keyPairFromPrivate(Secret.copyOf(privateKey.get())));
    }

    private static byte[] hex(Map<String, Object> vector, String field) {
        return HEX.parseHex((String) vector.get(field));
    }

    private static Optional<byte[]> optionalHex(Map<String, Object> vector, String field) {
        return Optional.ofNullable((String) vector.get(field)).map(HEX::parseHex);
    }
}
