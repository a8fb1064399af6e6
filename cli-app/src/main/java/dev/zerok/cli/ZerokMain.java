package dev.zerok.cli;

import dev.zerok.client.SafeText;
import dev.zerok.ports.crypto.CryptoException;
import dev.zerok.ports.crypto.Dh;
import dev.zerok.ports.crypto.Hash;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;

/**
 * The {@code zerok} command line: a device of a sync group. {@code zerok --help} lists the
 * commands; docs/USER-GUIDE.md explains them. Every command prints its result on stdout (one JSON
 * object with {@code --json}), failures as one line {@code zerok: <reason>} on stderr, and exits
 * with a code from {@link ExitCodes}. No secret is ever read from the command line: the invite
 * code and passphrases come from a file or a no-echo prompt.
 */
@Command(name = "zerok", mixinStandardHelpOptions = true, versionProvider = ZerokMain.Version.class,
        description = "zero-knowledge, end-to-end-encrypted sync between your devices through untrusted relays.",
        subcommands = {InitCommand.class, RelaysCommand.class, PairCommand.class, PushCommand.class, PullCommand.class,
                StatusCommand.class, SyncCommand.class, DevicesCommand.class, RelayCommand.class, DemoCommand.class,
                BenchCommand.class},
        footer = {"", ExitCodes.HELP, "", "Guide: docs/USER-GUIDE.md"})
public final class ZerokMain implements Callable<Integer> {
    /** The version printed by {@code --version}. */
    public static final String VERSION = "0.1.0";

    private Path home;
    private boolean json;
    private boolean debug;
    private boolean progress;

    private final CliEnv env;
    private final CliPorts ports = new CliPorts();

    ZerokMain(CliEnv env) {
        this.env = env;
    }

    @Option(names = "--home", paramLabel = "DIR", scope = ScopeType.INHERIT,
            description = "the device's data directory (default: $ZEROK_HOME, else ~/.zerok)")
    void home(Path value) {
        this.home = value;
    }

    @Option(names = "--json", scope = ScopeType.INHERIT,
            description = "print one JSON object on stdout instead of text")
    void json(boolean value) {
        this.json = value;
    }

    @Option(names = "--debug", scope = ScopeType.INHERIT,
            description = "show stack traces and debug logs on stderr")
    void debug(boolean value) {
        this.debug = value;
    }

    @Option(names = "--progress", scope = ScopeType.INHERIT,
            description = "draw progress bars on stderr even when it is not a terminal (never with --json)")
    void progress(boolean value) {
        this.progress = value;
    }

    /** Runs {@code zerok} and exits with its exit code. */
    public static void main(String[] args) {
        if (args.length > 0 && args[0].equals("relay")) {
            // Returns once the relay's shutdown hook ran; System.exit now would block on that hook.
            RelayCommand.runRelay(java.util.Arrays.copyOfRange(args, 1, args.length));
            return;
        }
        System.exit(run(args, CliEnv.system()));
    }

    /**
     * Runs one {@code zerok} command in this process.
     *
     * @return the exit code ({@link ExitCodes})
     */
    static int run(String[] args, CliEnv env) {
        if (args.length > 0 && args[0].equals("relay")) {
            // The relay keeps its own options, logging and exit codes; hand it the rest untouched.
            return RelayCommand.runRelay(java.util.Arrays.copyOfRange(args, 1, args.length));
        }
        configureLogging(args);
        ZerokMain main = new ZerokMain(env);
        CommandLine commandLine = new CommandLine(main);
        commandLine.registerConverter(Duration.class, Durations::parse);
        commandLine.setOut(new PrintWriter(env.out(), true));
        commandLine.setErr(new PrintWriter(env.err(), true));
        commandLine.setExecutionExceptionHandler((e, line, parseResult) -> main.fail(e));
        commandLine.setParameterExceptionHandler((e, args1) -> {
            env.err().println("zerok: " + oneLine(e.getMessage()).replaceFirst("^Error: ", "") + " (see '" + e.getCommandLine().getCommandSpec().qualifiedName()
                    + " --help')");
            if (main.json) {
                env.out().println(Report.failureJson(ExitCodes.USAGE, oneLine(e.getMessage())));
            }
            return ExitCodes.USAGE;
        });
        return commandLine.execute(args);
    }

    /** {@code zerok} alone: the usage, and a usage error. */
    @Override
    public Integer call() {
        CommandLine.usage(this, env.err());
        return ExitCodes.USAGE;
    }

    CliEnv env() {
        return env;
    }

    CliPorts ports() {
        return ports;
    }

    boolean json() {
        return json;
    }

    /** True if progress bars should be drawn on stderr. */
    boolean showProgress() {
        return !json && (progress || env.interactive());
    }

    /**
     * The device home this run uses (not created).
     *
     * @throws CliFailure if it exists and is not an owner-only directory
     */
    DeviceHome home() throws CliFailure {
        return DeviceHome.at(DeviceHome.resolve(home, env.environment(), env.userHome()));
    }

    /** The X25519 primitive. */
    Dh x25519() throws CliFailure {
        try {
            return ports.crypto().dh("25519");
        } catch (CryptoException e) {
            throw CliFailure.of("the crypto adapter lacks X25519: " + e.getMessage());
        }
    }

    /** The SHA-256 primitive. */
    Hash sha256() throws CliFailure {
        try {
            return ports.crypto().hash("SHA256");
        } catch (CryptoException e) {
            throw CliFailure.of("the crypto adapter lacks SHA-256: " + e.getMessage());
        }
    }

    /** Prints {@code report} and returns its exit code. */
    int finish(Report report) {
        report.print(env.out(), env.err(), json);
        return report.exitCode();
    }

    private int fail(Exception e) {
        int code;
        String reason;
        if (e instanceof CliFailure failure) {
            code = failure.exitCode();
            reason = failure.getMessage();
        } else {
            code = ExitCodes.FAILURE;
            reason = "unexpected failure (" + e.getClass().getSimpleName() + "): " + e.getMessage()
                    + (debug ? "" : "; run again with --debug for details");
        }
        if (debug) {
            e.printStackTrace(env.err());
        }
        env.err().println("zerok: " + oneLine(reason));
        env.err().flush();
        if (json) {
            env.out().println(Report.failureJson(code, oneLine(reason)));
            env.out().flush();
        }
        return code;
    }

    /** {@code text} as one printable line: line breaks become spaces, other controls {@code ?} ({@link SafeText}). */
    static String oneLine(String text) {
        return text == null ? "" : SafeText.printable(text.replace('\r', ' ').replace('\n', ' '));
    }

    /** Keeps library logs off stdout and quiet unless --debug; must run before the first logger. */
    private static void configureLogging(String[] args) {
        if (System.getProperty("logback.configurationFile") == null) {
            System.setProperty("logback.configurationFile", "zerok-cli-logback.xml");
        }
        if (System.getProperty("zerok.log.level") == null) {
            System.setProperty("zerok.log.level", java.util.Arrays.asList(args).contains("--debug") ? "DEBUG" : "WARN");
        }
        System.setProperty("org.jooq.no-logo", "true");
        System.setProperty("org.jooq.no-tips", "true");
    }

    /** {@code --version}. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {"zerok " + VERSION};
        }
    }
}
