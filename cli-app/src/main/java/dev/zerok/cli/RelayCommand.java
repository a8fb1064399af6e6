package dev.zerok.cli;

import dev.zerok.relayapp.RelayMain;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Unmatched;

/**
 * {@code zerok relay [--config FILE]}: runs a relay in this process ({@link RelayMain}, with the
 * relay's own options, logging and exit codes: 0 after a clean shutdown, 2 if it cannot start, 64
 * for a usage error). docs/OPERATIONS.md describes it.
 */
@Command(name = "relay", description = {"Runs a relay here until Ctrl-C (options: [--config FILE]; see docs/OPERATIONS.md).",
        "Its exit codes are the relay's: 0 clean shutdown, 2 cannot start, 64 usage error."})
final class RelayCommand implements Callable<Integer> {
    @Unmatched
    private List<String> relayArguments = new ArrayList<>();

    @Override
    public Integer call() {
        return runRelay(relayArguments.toArray(String[]::new));
    }

    /** Runs the relay until it shuts down; it exits the process itself when it cannot start. */
    static int runRelay(String[] arguments) {
        RelayMain.main(arguments);
        return ExitCodes.OK;
    }
}
