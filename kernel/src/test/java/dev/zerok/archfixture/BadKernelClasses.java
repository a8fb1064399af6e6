package dev.zerok.archfixture;

import java.time.Instant;

/**
 * Deliberately bad classes, one per kernel rule; {@code KernelRulesCatchViolationsTest} proves
 * each rule flags its class. They live outside {@code dev.zerok.kernel} so the real check never
 * sees them.
 */
@SuppressWarnings("unused")
final class BadKernelClasses {
    private BadKernelClasses() {}

    /** A sync machine that reads the store inside its handler, as the engine did before issue 13. */
    static final class SyncEngine {
        dev.zerok.ports.clientstate.ClientStateStore store;

        Object handle() throws dev.zerok.ports.clientstate.ClientStateException {
            return store.versionVector();
        }
    }

    /** A relay machine that hands a delivery to the application itself. */
    static final class RelaySession {
        void handle(dev.zerok.kernel.sync.Inbox inbox, dev.zerok.kernel.sync.DeliveredBlob blob)
                throws dev.zerok.kernel.sync.SyncException {
            inbox.deliver(blob);
        }
    }

    static final class UsesFile {
        Object f = new java.io.File("x");
    }

    static final class UsesNioFile {
        Object p = java.nio.file.Path.of("x");
    }

    static final class UsesNioChannel {
        java.nio.channels.Channel channel;
    }

    static final class UsesNetwork {
        Object uri = java.net.URI.create("quic://relay");
    }

    static final class UsesSql {
        java.sql.Connection connection;
    }

    static final class UsesNetty {
        io.netty.archfixture.FakeNettyType buffer;
    }

    static final class UsesJooq {
        org.jooq.archfixture.FakeJooqType dsl;
    }

    static final class UsesBouncyCastle {
        org.bouncycastle.archfixture.FakeBouncyCastleType engine;
    }

    static final class UsesJdkCrypto {
        Object md() throws Exception {
            return java.security.MessageDigest.getInstance("SHA-256");
        }
    }

    static final class UsesDagger {
        dagger.archfixture.FakeDaggerType component;
    }

    static final class UsesServiceLoader {
        Object load() {
            return java.util.ServiceLoader.load(Runnable.class);
        }
    }

    static final class ReadsInstantNow {
        Instant now() {
            return Instant.now();
        }
    }

    static final class ReadsNanoTime {
        long now() {
            return System.nanoTime();
        }
    }

    static final class ReadsCurrentTimeMillis {
        long now() {
            return System.currentTimeMillis();
        }
    }

    static final class ReadsLocalDateTimeNow {
        Object now() {
            return java.time.LocalDateTime.now();
        }
    }

    static final class NewRandom {
        Object random = new java.util.Random(1);
    }

    static final class NewSecureRandom {
        Object random = new java.security.SecureRandom();
    }

    static final class Sleeps {
        void pause() throws InterruptedException {
            Thread.sleep(1);
        }
    }

    static final class StartsThread {
        void start() {
            new Thread(() -> {}).start();
        }
    }

    static final class UsesExecutor {
        Object pool = java.util.concurrent.Executors.newSingleThreadExecutor();
    }
}
