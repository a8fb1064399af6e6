package dev.zerok.client;

import java.util.OptionalLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A relay refused a push with {@code QUOTA_EXCEEDED}. The figures come from the relay's error
 * text ({@code "... quota is full (N of M bytes) ..."}, see {@code RelaySession}); a relay is
 * untrusted, so they are parsed defensively and used for display only.
 *
 * @param relayAddress the relay as configured on this device ({@code host:port})
 * @param storedBytes bytes the relay says the group already stores, if it said
 * @param quotaBytes the group's quota on that relay, if it said
 * @param relayText the relay's text, printable and at most 300 characters
 */
public record QuotaRefusal(String relayAddress, OptionalLong storedBytes, OptionalLong quotaBytes, String relayText) {
    private static final Pattern FIGURES = Pattern.compile("\\((\\d{1,18}) of (\\d{1,18}) bytes\\)");

    /** Parses {@code relayText} (any text; it is made printable and bounded here). */
    public static QuotaRefusal parse(String relayAddress, String relayText) {
        String text = SafeText.printable(relayText, 300);
        Matcher m = FIGURES.matcher(text);
        if (m.find()) {
            return new QuotaRefusal(relayAddress, OptionalLong.of(Long.parseLong(m.group(1))),
                    OptionalLong.of(Long.parseLong(m.group(2))), text);
        }
        return new QuotaRefusal(relayAddress, OptionalLong.empty(), OptionalLong.empty(), text);
    }

    /**
     * One line for the user: {@code the group's storage quota on H:P is full (N of M bytes)}, or,
     * when the relay gave no figures, {@code H:P refused the push for lack of storage (the relay
     * says: '...')}.
     */
    public String describe() {
        String relay = SafeText.printable(relayAddress);
        if (storedBytes.isPresent() && quotaBytes.isPresent()) {
            return "the group's storage quota on " + relay + " is full (" + storedBytes.getAsLong() + " of "
                    + quotaBytes.getAsLong() + " bytes)";
        }
        return relay + " refused the push for lack of storage (the relay says: '" + relayText + "')";
    }
}
