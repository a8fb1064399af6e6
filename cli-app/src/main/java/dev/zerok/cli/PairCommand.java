package dev.zerok.cli;

import dev.zerok.kernel.pairing.Argon2Params;
import dev.zerok.kernel.pairing.GroupKeys;
import dev.zerok.kernel.pairing.Invite;
import dev.zerok.kernel.pairing.InviteCodec;
import dev.zerok.kernel.pairing.PairingException;
import dev.zerok.ports.crypto.Secret;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/**
 * {@code zerok pair --create | --join INVITE}: brings a device into a sync group.
 *
 * <p>{@code --create} makes the group secret if this device has none (32 bytes from the Entropy
 * port), seals an invite ({@link InviteCodec}: the relays, their pinned keys, the group secret,
 * an expiry) under a fresh short code, and prints the invite text, the code and a QR code of the
 * invite text. The invite text is sealed; the short code is the one secret it prints, and the two
 * should travel by different channels. {@code --join} opens the invite with the short code read
 * from {@code --code-file} or a no-echo prompt (never from the command line), checks that the
 * secret derives the invite's group, and only then writes {@code group.key} and adds the relays.
 */
@Command(name = "pair", mixinStandardHelpOptions = true,
        description = {"Creates an invite to this device's group (--create), or joins a group (--join).",
                "The invite code is never taken from the command line: --code-file FILE or a prompt."})
final class PairCommand implements Callable<Integer> {
    /** Longest invite validity accepted. */
    static final Duration MAX_EXPIRY = Duration.ofDays(30);

    @ParentCommand
    private ZerokMain root;

    @ArgGroup(exclusive = true, multiplicity = "1")
    private Mode mode;

    static final class Mode {
        @Option(names = "--create", required = true, description = "create an invite (and the group, if there is none)")
        boolean create;

        @Option(names = "--join", required = true, paramLabel = "INVITE",
                description = "join with the invite text (zerok-invite-1:...) that 'pair --create' printed")
        String invite;
    }

    @Option(names = "--expires", paramLabel = "DURATION", defaultValue = "24h",
            description = "with --create: how long the invite stays valid (default ${DEFAULT-VALUE}, at most 30d)")
    private Duration expires;

    @Option(names = "--no-qr", description = "with --create: do not print the QR code")
    private boolean noQr;

    @Option(names = "--qr-background", paramLabel = "dark|light", defaultValue = "dark",
            description = "with --create: the terminal's background, so the QR code is drawn dark-on-light (default ${DEFAULT-VALUE})")
    private String qrBackground;

    @Option(names = "--code-file", paramLabel = "FILE",
            description = "with --join: read the invite code from the first line of FILE instead of prompting")
    private Path codeFile;

    @Option(names = "--passphrase-file", paramLabel = "FILE",
            description = "with --join of a passphrase group: read the passphrase from FILE instead of prompting")
    private Path passphraseFile;

    @Override
    public Integer call() throws CliFailure {
        return mode.create ? create() : join(mode.invite);
    }

    private int create() throws CliFailure {
        if (expires.isZero() || expires.isNegative() || expires.compareTo(MAX_EXPIRY) > 0) {
            throw new CliFailure(ExitCodes.USAGE, "--expires must be more than 0 and at most 30d");
        }
        boolean darkBackground = switch (qrBackground) {
            case "dark" -> true;
            case "light" -> false;
            default -> throw new CliFailure(ExitCodes.USAGE, "--qr-background must be dark or light");
        };
        DeviceHome home = root.home();
        DeviceHome.Profile profile = home.readProfile();
        if (profile.relays().isEmpty()) {
            throw CliFailure.of("an invite names the group's relays, and none is configured: "
                    + "'zerok relays add HOST:PORT --key HEX' first");
        }
        boolean groupCreated = false;
        Optional<Secret> existing = home.readGroupSecret();
        Secret groupSecret;
        if (existing.isPresent()) {
            groupSecret = existing.get();
        } else {
            groupSecret = Secret.adopt(root.ports().entropy().bytes(GroupKeys.SECRET_BYTES));
            home.writeGroupSecret(groupSecret);
            groupCreated = true;
        }
        Instant expiresAt = root.env().clock().instant().plus(expires);
        InviteCodec.Sealed sealed;
        try (groupSecret; GroupKeys keys = GroupKeys.derive(root.ports().crypto(), groupSecret)) {
            List<Invite.RelayPin> pins = new ArrayList<>();
            for (RelayEntry relay : profile.relays()) {
                pins.add(new Invite.RelayPin(relay.address(), relay.staticPublicKey()));
            }
            Invite invite = new Invite(pins, keys.groupId(), new Invite.GroupSecretSource.Embedded(groupSecret), expiresAt);
            sealed = InviteCodec.seal(invite, root.ports().crypto(), root.ports().entropy(), Argon2Params.DEFAULT);
        } catch (PairingException e) {
            throw CliFailure.of("cannot create the invite: " + e.getMessage());
        }
        String text = sealed.text();
        Report report = new Report()
                .put("invite", text).put("code", sealed.shortCode()).put("expires_at", expiresAt.toString())
                .put("relays", profile.relays().stream().map(RelayEntry::address).toList())
                .put("group_created", groupCreated);
        if (groupCreated) {
            report.line("created a new sync group on this device");
        }
        report.line("invite (valid until " + expiresAt + ", " + profile.relays().size() + " relay(s)); on the other device run:")
                .line("")
                .line("  zerok pair --join " + text)
                .line("")
                .line("and type this code when it asks (the one secret shown here: send it by another channel than the invite):")
                .line("")
                .line("  " + sealed.shortCode())
                .line("");
        if (!noQr) {
            report.line("the invite text as a QR code:").line(QrText.render(text, darkBackground));
        }
        return root.finish(report);
    }

    private int join(String inviteText) throws CliFailure {
        DeviceHome home = root.home();
        DeviceHome.Profile profile = home.readProfile();
        // Check the invite looks like one before asking for the code.
        if (!inviteText.strip().startsWith(InviteCodec.TEXT_PREFIX)) {
            throw CliFailure.of("that is not an invite: invite text starts with " + InviteCodec.TEXT_PREFIX);
        }
        char[] code = readSecret(codeFile, "invite code (XXXX-XXXX-XXXX-XXXX): ", "the invite code", "--code-file");
        Invite invite;
        try {
            invite = InviteCodec.openText(inviteText, new String(code), root.env().clock().instant(), root.ports().crypto());
        } catch (PairingException e) {
            throw CliFailure.of("cannot open the invite: " + e.getMessage());
        } finally {
            Arrays.fill(code, '\0');
        }
        Secret groupSecret = groupSecret(invite);
        try (groupSecret; GroupKeys keys = GroupKeys.derive(root.ports().crypto(), groupSecret)) {
            if (!keys.groupId().equals(invite.groupId())) {
                throw CliFailure.of(invite.secret() instanceof Invite.GroupSecretSource.Passphrase
                        ? "the passphrase does not open this group; check it and try again"
                        : "the invite's group secret does not match its group; ask for a new invite");
            }
            Optional<Secret> existing = home.readGroupSecret();
            boolean alreadyMember = false;
            if (existing.isPresent()) {
                try (Secret current = existing.get()) {
                    if (!current.contentEquals(groupSecret)) {
                        throw CliFailure.of("this device already belongs to another group; pair in a new home (--home DIR)");
                    }
                    alreadyMember = true;
                }
            }
            List<RelayEntry> relays = mergeRelays(profile.relays(), invite.relays());
            // Nothing is written until every check passed.
            if (!alreadyMember) {
                home.writeGroupSecret(groupSecret);
            }
            home.writeProfile(profile.withRelays(relays));
            Report report = new Report().put("joined", true).put("already_member", alreadyMember)
                    .put("relays", relays.stream().map(RelayEntry::address).toList())
                    .line(alreadyMember ? "this device was already in the group; relays updated" : "joined the group")
                    .line("relays (preference order): " + String.join(", ", relays.stream().map(RelayEntry::address).toList()))
                    .line("next: 'zerok pull' to receive what the group has, 'zerok push TEXT' to send");
            return root.finish(report);
        } catch (PairingException e) {
            throw CliFailure.of("cannot derive the group keys: " + e.getMessage());
        }
    }

    private Secret groupSecret(Invite invite) throws CliFailure {
        return switch (invite.secret()) {
            case Invite.GroupSecretSource.Embedded embedded -> embedded.groupSecret();
            case Invite.GroupSecretSource.Passphrase passphrase -> {
                char[] words = readSecret(passphraseFile, "group passphrase: ", "the group passphrase", "--passphrase-file");
                try {
                    yield GroupKeys.secretFromPassphrase(root.ports().crypto(), words, passphrase.salt(), passphrase.params());
                } catch (PairingException e) {
                    throw CliFailure.of("cannot derive the group secret: " + e.getMessage());
                } finally {
                    Arrays.fill(words, '\0');
                }
            }
        };
    }

    /** The device's relays with the invite's appended (preference order kept); fails before any write. */
    private static List<RelayEntry> mergeRelays(List<RelayEntry> configured, List<Invite.RelayPin> invited)
            throws CliFailure {
        List<RelayEntry> merged = new ArrayList<>(configured);
        for (Invite.RelayPin pin : invited) {
            String address = RelayEntry.parseAddress(pin.address(), "the invite's relay address");
            RelayEntry entry = new RelayEntry(address, pin.staticPublicKey());
            Optional<RelayEntry> same = merged.stream().filter(r -> r.address().equals(address)).findFirst();
            if (same.isPresent()) {
                if (!same.get().equals(entry)) {
                    throw CliFailure.of("relay " + address + " is configured here with a different key than the invite's; "
                            + "check with the relay operator, then 'zerok relays remove " + address + "' and join again");
                }
                continue;
            }
            merged.add(entry);
        }
        if (merged.size() > DeviceHome.MAX_RELAYS) {
            throw CliFailure.of("joining would give this device " + merged.size() + " relays; at most "
                    + DeviceHome.MAX_RELAYS + " are kept: remove some first");
        }
        return merged;
    }

    /** A secret line from a file or the terminal; never from the command line. The caller wipes it. */
    private char[] readSecret(Path file, String prompt, String what, String fileOption) throws CliFailure {
        if (file != null) {
            byte[] bytes;
            try {
                bytes = Files.readAllBytes(file);
            } catch (IOException e) {
                throw CliFailure.of("cannot read " + what + " from " + file + ": " + dev.zerok.client.IoMessages.describe(e));
            }
            try {
                CharBuffer chars = StandardCharsets.UTF_8.decode(ByteBuffer.wrap(bytes));
                int end = 0;
                while (end < chars.limit() && chars.get(end) != '\n' && chars.get(end) != '\r') {
                    end++;
                }
                char[] line = new char[end];
                chars.get(0, line);
                Arrays.fill(chars.array(), '\0');
                return strip(line, what, file.toString());
            } finally {
                Arrays.fill(bytes, (byte) 0);
            }
        }
        char[] typed = root.env().prompt().read(prompt).orElseThrow(() -> CliFailure.of(
                "no terminal to ask for " + what + "; pass " + fileOption + " FILE (never on the command line)"));
        return strip(typed, what, "the prompt");
    }

    private static char[] strip(char[] line, String what, String source) throws CliFailure {
        int from = 0;
        int to = line.length;
        while (from < to && Character.isWhitespace(line[from])) {
            from++;
        }
        while (to > from && Character.isWhitespace(line[to - 1])) {
            to--;
        }
        char[] out = Arrays.copyOfRange(line, from, to);
        Arrays.fill(line, '\0');
        if (out.length == 0) {
            throw CliFailure.of(what + " from " + source + " is empty");
        }
        return out;
    }
}
