package dev.zerok.cli;

import io.nayuki.qrcodegen.DataTooLongException;
import io.nayuki.qrcodegen.QrCode;

/**
 * Renders text as a QR code (Nayuki's encoder, ISO/IEC 18004) in terminal characters: two module
 * rows per line with the Unicode half blocks, so the code stays square in a typical terminal font.
 * Stateless.
 */
final class QrText {
    /** Light modules around the symbol (the standard asks for 4; 2 scans reliably on screens). */
    static final int QUIET_ZONE_MODULES = 2;

    private QrText() {}

    /**
     * The QR code of {@code text} with error correction level L.
     *
     * @param darkBackground true if the terminal draws light text on a dark background: then the
     *     light modules are drawn with block characters and the dark ones left blank, so the code
     *     appears dark-on-light as scanners expect; false draws the dark modules
     * @return lines joined with '\n', without a final newline
     * @throws CliFailure if the text is too long for any QR version
     */
    static String render(String text, boolean darkBackground) throws CliFailure {
        QrCode qr;
        try {
            qr = QrCode.encodeText(text, QrCode.Ecc.LOW);
        } catch (DataTooLongException e) {
            throw CliFailure.of("the invite is too long for a QR code; share the invite text instead (--no-qr)");
        }
        int from = -QUIET_ZONE_MODULES;
        int to = qr.size + QUIET_ZONE_MODULES;
        StringBuilder out = new StringBuilder();
        for (int y = from; y < to; y += 2) {
            if (y > from) {
                out.append('\n');
            }
            for (int x = from; x < to; x++) {
                boolean top = inked(qr, x, y, darkBackground);
                boolean bottom = y + 1 < to && inked(qr, x, y + 1, darkBackground);
                out.append(top ? (bottom ? '\u2588' : '\u2580') : (bottom ? '\u2584' : ' '));
            }
        }
        return out.toString();
    }

    private static boolean inked(QrCode qr, int x, int y, boolean darkBackground) {
        // getModule is false (light) outside the symbol, which draws the quiet zone.
        boolean dark = qr.getModule(x, y);
        return darkBackground != dark;
    }
}
