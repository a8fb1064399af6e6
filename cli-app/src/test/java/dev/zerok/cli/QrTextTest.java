package dev.zerok.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.nayuki.qrcodegen.QrCode;
import java.util.List;
import org.junit.jupiter.api.Test;

class QrTextTest {
    @Test
    void render_invitePayload_isSquareWithQuietZone() throws Exception {
        String text = "zerok-invite-1:" + "A".repeat(250);
        int size = QrCode.encodeText(text, QrCode.Ecc.LOW).size;
        int side = size + 2 * QrText.QUIET_ZONE_MODULES;

        List<String> lines = QrText.render(text, true).lines().toList();

        assertThat(lines).hasSize((side + 1) / 2).allSatisfy(line -> assertThat(line).hasSize(side));
        // Dark background: the quiet zone is drawn (light), the finder pattern's dark ring is not.
        assertThat(lines.get(0)).matches("[\u2588\u2584]+").startsWith("\u2588\u2588");
    }

    @Test
    void render_lightBackground_isTheInverse() throws Exception {
        String text = "zerok";
        List<String> dark = QrText.render(text, true).lines().toList();
        List<String> light = QrText.render(text, false).lines().toList();

        for (int i = 0; i < dark.size() - 1; i++) {
            for (int x = 0; x < dark.get(i).length(); x++) {
                char d = dark.get(i).charAt(x);
                char l = light.get(i).charAt(x);
                char inverse = switch (d) {
                    case '\u2588' -> ' ';
                    case ' ' -> '\u2588';
                    case '\u2580' -> '\u2584';
                    default -> '\u2580';
                };
                assertThat(l).isEqualTo(inverse);
            }
        }
    }
}
