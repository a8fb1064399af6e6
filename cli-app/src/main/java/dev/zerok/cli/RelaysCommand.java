package dev.zerok.cli;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/**
 * {@code zerok relays add|remove|list}: the relays this device syncs through, in preference order
 * (the first added is preferred). A device pushes to every relay (fan-out) and pulls from each.
 */
@Command(name = "relays", mixinStandardHelpOptions = true,
        description = "Lists, adds or removes the relays this device syncs through (preference order).",
        subcommandsRepeatable = false)
final class RelaysCommand {
    @ParentCommand
    private ZerokMain root;

    @Command(name = "add", mixinStandardHelpOptions = true,
            description = "Adds a relay at the end of the preference order; pins its public key.")
    int add(@Parameters(paramLabel = "HOST:PORT", description = "where the relay listens (QUIC/UDP)") String address,
            @Option(names = "--key", required = true, paramLabel = "HEX",
                    description = "the relay's public key: the 66 hex digits it prints as 'relay public key (pin this)'")
            String keyHex) throws CliFailure {
        DeviceHome home = root.home();
        DeviceHome.Profile profile = home.readProfile();
        String parsedAddress = RelayEntry.parseAddress(address, "the relay address");
        byte[] key = RelayEntry.parseKey(keyHex, "--key");
        if (profile.relays().stream().anyMatch(r -> r.address().equals(parsedAddress))) {
            throw CliFailure.of("relay " + parsedAddress + " is already configured; 'zerok relays remove "
                    + parsedAddress + "' first to change its key");
        }
        if (profile.relays().size() >= DeviceHome.MAX_RELAYS) {
            throw CliFailure.of("a device keeps at most " + DeviceHome.MAX_RELAYS + " relays; remove one first");
        }
        List<RelayEntry> relays = new ArrayList<>(profile.relays());
        relays.add(new RelayEntry(parsedAddress, key));
        home.writeProfile(profile.withRelays(relays));
        return root.finish(listing(relays).line("added relay " + parsedAddress + " (position " + relays.size() + ")"));
    }

    @Command(name = "remove", mixinStandardHelpOptions = true, description = "Removes a relay.")
    int remove(@Parameters(paramLabel = "HOST:PORT") String address) throws CliFailure {
        DeviceHome home = root.home();
        DeviceHome.Profile profile = home.readProfile();
        String parsedAddress = RelayEntry.parseAddress(address, "the relay address");
        List<RelayEntry> relays = new ArrayList<>(profile.relays());
        if (!relays.removeIf(r -> r.address().equals(parsedAddress))) {
            throw CliFailure.of("relay " + parsedAddress + " is not configured ('zerok relays list' shows them)");
        }
        home.writeProfile(profile.withRelays(relays));
        Report report = listing(relays).line("removed relay " + parsedAddress);
        if (relays.isEmpty()) {
            report.line("no relay left: this device cannot sync until you add one");
        }
        return root.finish(report);
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "Lists the relays in preference order.")
    int list() throws CliFailure {
        List<RelayEntry> relays = root.home().readProfile().relays();
        Report report = listing(relays);
        if (relays.isEmpty()) {
            report.line("no relays configured: 'zerok relays add HOST:PORT --key HEX'");
        }
        for (int i = 0; i < relays.size(); i++) {
            report.line((i + 1) + ". " + relays.get(i).address() + "  key " + relays.get(i).keyHex()
                    + (i == 0 ? "  (preferred)" : ""));
        }
        return root.finish(report);
    }

    private static Report listing(List<RelayEntry> relays) {
        List<Map<String, Object>> json = new ArrayList<>();
        for (RelayEntry relay : relays) {
            Map<String, Object> item = new LinkedHashMap<>();
            item.put("address", relay.address());
            item.put("key", relay.keyHex());
            json.add(item);
        }
        return new Report().put("relays", json);
    }
}
