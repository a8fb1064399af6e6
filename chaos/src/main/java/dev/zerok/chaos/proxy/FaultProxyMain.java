package dev.zerok.chaos.proxy;

import java.io.IOException;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The fault proxy as a standalone tool, for nightly scripts:
 *
 * <pre>
 *   java -cp ... dev.zerok.chaos.proxy.FaultProxyMain --listen 127.0.0.1:7001 \
 *       --upstream 127.0.0.1:7000 --seed 42 --control 127.0.0.1:7080 \
 *       --up 'lossProbability=0.05,latencyMeanMs=40,jitterStddevMs=5'
 * </pre>
 *
 * On start it prints one line to standard output that scripts can parse:
 * {@code fault-proxy listen=127.0.0.1:7001 upstream=127.0.0.1:7000 seed=42 control=http://127.0.0.1:7080}
 * ({@code control=none} without {@code --control}). It runs until the process is stopped
 * (SIGTERM or SIGINT close the sockets). Exit codes: 2 for bad arguments, 1 when a socket cannot
 * be bound.
 */
@Command(name = "fault-proxy", mixinStandardHelpOptions = true, version = "zerok fault-proxy 0.1.0",
        description = "UDP fault proxy: forwards datagrams to one upstream, injecting loss, latency, "
                + "reorder, duplication, corruption, bandwidth limits, partitions and data cuts.")
public final class FaultProxyMain {

    @Option(names = "--listen", description = "host:port to listen on for clients (default ${DEFAULT-VALUE})",
            defaultValue = "127.0.0.1:0", converter = HostPortConverter.class)
    InetSocketAddress listen;

    @Option(names = "--upstream", required = true, description = "host:port of the upstream (relay)",
            converter = HostPortConverter.class)
    InetSocketAddress upstream;

    @Option(names = "--seed", description = "seed of every random decision (default: a fresh one, printed)")
    Long seed;

    @Option(names = "--control", description = "host:port for the HTTP control API (default: none)",
            converter = HostPortConverter.class)
    InetSocketAddress control;

    @Option(names = "--up", description = "initial client->upstream profile, key=value list", defaultValue = "")
    String upProfile;

    @Option(names = "--down", description = "initial upstream->client profile, key=value list", defaultValue = "")
    String downProfile;

    @Option(names = "--idle-timeout-ms", description = "close a client session idle this long (default ${DEFAULT-VALUE})",
            defaultValue = "120000")
    long idleTimeoutMs;

    /** A started proxy and its optional control server. Closing closes both. */
    public record Running(UdpFaultProxy proxy, Optional<FaultProxyControl> control) implements AutoCloseable {
        /** The line printed at start. */
        public String banner() {
            return "fault-proxy listen=" + hostPort(proxy.listenAddress()) + " upstream="
                    + hostPort(proxy.upstreamAddress()) + " seed=" + proxy.seed() + " control="
                    + control.map(c -> c.uri().toString()).orElse("none");
        }

        /** Stops the control server (if any), then the proxy. Idempotent. */
        @Override
        public void close() {
            control.ifPresent(FaultProxyControl::close);
            proxy.close();
        }
    }

    /** The reason the arguments were refused; the message is meant for the user. */
    public static final class UsageException extends Exception {
        private static final long serialVersionUID = 1L;

        UsageException(String message) {
            super(message);
        }
    }

    /**
     * Parses the arguments and starts the proxy (and the control server when asked).
     *
     * @param args the command line, as for {@link #main}
     * @return the running proxy; the caller closes it
     * @throws UsageException if an argument is missing, unknown or malformed (including a profile)
     * @throws IOException    if a socket cannot be bound
     */
    public static Running start(String... args) throws UsageException, IOException {
        FaultProxyMain options = new FaultProxyMain();
        try {
            new CommandLine(options).parseArgs(args);
        } catch (CommandLine.ParameterException e) {
            throw new UsageException(e.getMessage());
        }
        return options.start();
    }

    private Running start() throws UsageException, IOException {
        if (idleTimeoutMs < 1) {
            throw new UsageException("--idle-timeout-ms must be at least 1, was " + idleTimeoutMs);
        }
        FaultProfile up;
        FaultProfile down;
        try {
            up = FaultProfileFormat.parse(upProfile, FaultProfile.NONE);
            down = FaultProfileFormat.parse(downProfile, FaultProfile.NONE);
        } catch (ProfileFormatException e) {
            throw new UsageException("bad profile: " + e.getMessage());
        }
        UdpFaultProxy.Builder builder = UdpFaultProxy.builder(upstream).listen(listen)
                .idleTimeout(Duration.ofMillis(idleTimeoutMs))
                .profile(Direction.UP, up).profile(Direction.DOWN, down);
        if (seed != null) {
            builder.seed(seed);
        }
        UdpFaultProxy proxy = builder.start();
        try {
            Optional<FaultProxyControl> controlServer = control == null ? Optional.empty()
                    : Optional.of(FaultProxyControl.start(proxy, control));
            return new Running(proxy, controlServer);
        } catch (IOException e) {
            proxy.close();
            throw e;
        }
    }

    /**
     * Runs the tool until the process is stopped.
     *
     * @param args see the class comment; {@code --help} lists them
     */
    public static void main(String[] args) {
        PrintStream out = System.out;
        CommandLine help = new CommandLine(new FaultProxyMain());
        try {
            if (CommandLine.printHelpIfRequested(help.parseArgs(args))) {
                return;
            }
        } catch (CommandLine.ParameterException e) {
            // reported with the usage by start() below
        }
        Running running;
        try {
            running = start(args);
        } catch (UsageException e) {
            System.err.println("fault-proxy: " + e.getMessage());
            new CommandLine(new FaultProxyMain()).usage(System.err);
            System.exit(2);
            return;
        } catch (IOException e) {
            System.err.println("fault-proxy: " + e.getMessage());
            System.exit(1);
            return;
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            running.close();
            stopped.countDown();
        }, "fault-proxy-shutdown"));
        out.println(running.banner());
        out.flush();
        try {
            stopped.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    static String hostPort(InetSocketAddress a) {
        String host = a.getAddress().getHostAddress();
        return (host.contains(":") ? "[" + host + "]" : host) + ":" + a.getPort();
    }

    /** Reads {@code host:port}, {@code [v6]:port}; the host may be a name. */
    static final class HostPortConverter implements CommandLine.ITypeConverter<InetSocketAddress> {
        @Override
        public InetSocketAddress convert(String value) {
            int colon = value.lastIndexOf(':');
            if (colon <= 0 || colon == value.length() - 1) {
                throw new CommandLine.TypeConversionException("expected host:port, got '" + value + "'");
            }
            String host = value.substring(0, colon);
            if (host.startsWith("[") && host.endsWith("]")) {
                host = host.substring(1, host.length() - 1);
            }
            int port;
            try {
                port = Integer.parseInt(value.substring(colon + 1));
            } catch (NumberFormatException e) {
                throw new CommandLine.TypeConversionException("port must be a number in '" + value + "'");
            }
            if (port < 0 || port > 65535) {
                throw new CommandLine.TypeConversionException("port must be in [0, 65535] in '" + value + "'");
            }
            InetSocketAddress address = new InetSocketAddress(host, port);
            if (address.isUnresolved()) {
                throw new CommandLine.TypeConversionException("cannot resolve host '" + host + "'");
            }
            return address;
        }
    }
}
