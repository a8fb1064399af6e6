package dev.zerok.kernel.architecture;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.lang.ArchRule;
import java.util.Map;
import java.util.TreeMap;

/**
 * The kernel's boundary as ArchUnit rules, one per forbidden thing (buckpal style), so a violation
 * names exactly what was crossed. The rules describe "no class should..." and are applied to
 * whichever classes are imported: the kernel in {@link KernelArchitectureTest}, deliberately bad
 * fixture classes in {@link KernelRulesCatchViolationsTest}. Every rule fails when it matches no
 * class at all (archunit.properties: {@code archRule.failOnEmptyShould=true}), so a wrong package
 * name cannot make a rule pass vacuously.
 */
final class KernelRules {
    private KernelRules() {}

    /** Packages the kernel may use at all. Everything else is I/O, frameworks or adapters. */
    static final String[] ALLOWED_PACKAGES = {
        "java.lang..", "java.util..", "java.time..", "java.math..", "java.nio", "java.nio.charset..",
        "java.io", "dev.zerok.kernel..", "dev.zerok.ports..", "org.msgpack.core..", "org.msgpack.value..",
    };

    static ArchRule onlyAllowedDependencies() {
        return noClasses().should().dependOnClassesThat(
                        DescribedPredicate.not(com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAnyPackage(ALLOWED_PACKAGES)))
                .as("the kernel depends on nothing but the JDK's lang/util/time/math/nio buffers, ports and msgpack-core");
    }

    static ArchRule noFileIo() {
        return noClasses().should().dependOnClassesThat(fileClasses()).as("the kernel never touches java.io files");
    }

    static ArchRule noNioFile() {
        return noClasses().should().dependOnClassesThat().resideInAPackage("java.nio.file..")
                .as("the kernel never uses java.nio.file");
    }

    static ArchRule noNioChannels() {
        return noClasses().should().dependOnClassesThat().resideInAPackage("java.nio.channels..")
                .as("the kernel never uses java.nio.channels");
    }

    static ArchRule noNetwork() {
        return noClasses().should().dependOnClassesThat().resideInAPackage("java.net..")
                .as("the kernel never uses java.net");
    }

    static ArchRule noSql() {
        return noClasses().should().dependOnClassesThat().resideInAnyPackage("java.sql..", "javax.sql..")
                .as("the kernel never uses JDBC");
    }

    static ArchRule noNetty() {
        return noClasses().should().dependOnClassesThat().resideInAPackage("io.netty..").as("the kernel never uses Netty");
    }

    static ArchRule noJooq() {
        return noClasses().should().dependOnClassesThat().resideInAPackage("org.jooq..").as("the kernel never uses jOOQ");
    }

    static ArchRule noBouncyCastle() {
        return noClasses().should().dependOnClassesThat().resideInAPackage("org.bouncycastle..")
                .as("the kernel never uses Bouncy Castle (crypto comes through the KeyExchange port)");
    }

    static ArchRule noJdkCrypto() {
        return noClasses().should().dependOnClassesThat().resideInAnyPackage("java.security..", "javax.crypto..")
                .as("the kernel never uses JDK crypto or SecureRandom (crypto and entropy come through ports)");
    }

    static ArchRule noDagger() {
        return noClasses().should().dependOnClassesThat().resideInAnyPackage("dagger..", "javax.inject..", "jakarta.inject..")
                .as("the kernel never uses Dagger");
    }

    static ArchRule noServiceLoader() {
        return noClasses().should().dependOnClassesThat().haveFullyQualifiedName("java.util.ServiceLoader")
                .as("the kernel never discovers providers (the apps wire it)");
    }

    static ArchRule noClockReads() {
        return noClasses().should().callMethodWhere(com.tngtech.archunit.core.domain.JavaCall.Predicates.target(clockRead()))
                .as("the kernel never reads a clock (time is passed in)");
    }

    static ArchRule noRandomness() {
        return noClasses().should().dependOnClassesThat().haveFullyQualifiedName("java.util.Random")
                .orShould().dependOnClassesThat().haveFullyQualifiedName("java.util.SplittableRandom")
                .orShould().dependOnClassesThat().haveFullyQualifiedName("java.util.concurrent.ThreadLocalRandom")
                .orShould().callMethod(Math.class, "random")
                .orShould().callMethod(java.util.UUID.class, "randomUUID")
                .as("the kernel has no randomness of its own (it comes through the Entropy port)");
    }

    static ArchRule noThreads() {
        return noClasses().should().dependOnClassesThat().haveFullyQualifiedName("java.lang.Thread")
                .orShould().dependOnClassesThat().haveFullyQualifiedName("java.lang.ThreadGroup")
                .orShould().dependOnClassesThat().haveFullyQualifiedName("java.util.Timer")
                .orShould().dependOnClassesThat(executors())
                .orShould().dependOnClassesThat().haveFullyQualifiedName("java.util.concurrent.ForkJoinPool")
                .orShould().dependOnClassesThat().haveFullyQualifiedName("java.util.concurrent.ThreadFactory")
                .as("the kernel never sleeps, starts threads or schedules work (drivers own threads)");
    }

    /**
     * The sans-I/O state machines: they take inputs and emit actions, and leave every call on a port
     * that does I/O to their driver ({@code SyncRunner}, the relay's connection task). Matched by
     * simple name so the fixture can plant a violating class of the same name.
     */
    static final java.util.Set<String> MACHINES = java.util.Set.of("SyncEngine", "PageVerifier", "RelayConnection",
            "RelaySession");

    /** Ports whose calls do I/O or run application code: the state, blob and relay stores, transports, inboxes, listeners. */
    static final java.util.Set<String> IO_PORTS = java.util.Set.of(
            "dev.zerok.ports.clientstate.ClientStateStore", "dev.zerok.ports.blob.BlobStore",
            "dev.zerok.ports.relaystore.RelayStore", "dev.zerok.ports.transport.Transport",
            "dev.zerok.kernel.sync.Inbox", "dev.zerok.kernel.sync.SyncListener");

    static ArchRule machinesCallNoIoPort() {
        return noClasses().that(DescribedPredicate.describe("sans-I/O machines " + new java.util.TreeSet<>(MACHINES),
                        (JavaClass c) -> MACHINES.contains(c.getSimpleName())))
                .should().dependOnClassesThat(DescribedPredicate.describe("I/O ports " + new java.util.TreeSet<>(IO_PORTS),
                        (JavaClass c) -> IO_PORTS.contains(c.getFullName())))
                .as("the sans-I/O machines (SyncEngine, RelaySession and their parts) never call or hold a port that "
                        + "does I/O: store reads and writes, deliveries and events are actions and results");
    }

    /** Every rule by name, for the parameterised tests. */
    static Map<String, ArchRule> all() {
        Map<String, ArchRule> rules = new TreeMap<>();
        rules.put("onlyAllowedDependencies", onlyAllowedDependencies());
        rules.put("noFileIo", noFileIo());
        rules.put("noNioFile", noNioFile());
        rules.put("noNioChannels", noNioChannels());
        rules.put("noNetwork", noNetwork());
        rules.put("noSql", noSql());
        rules.put("noNetty", noNetty());
        rules.put("noJooq", noJooq());
        rules.put("noBouncyCastle", noBouncyCastle());
        rules.put("noJdkCrypto", noJdkCrypto());
        rules.put("noDagger", noDagger());
        rules.put("noServiceLoader", noServiceLoader());
        rules.put("noClockReads", noClockReads());
        rules.put("noRandomness", noRandomness());
        rules.put("noThreads", noThreads());
        rules.put("machinesCallNoIoPort", machinesCallNoIoPort());
        return rules;
    }

    private static DescribedPredicate<JavaClass> executors() {
        return DescribedPredicate.describe("java.util.concurrent executors", c -> c.getPackageName().equals("java.util.concurrent")
                && c.getSimpleName().contains("Executor"));
    }

    private static DescribedPredicate<JavaClass> fileClasses() {
        return DescribedPredicate.describe("java.io file classes", c -> c.getPackageName().equals("java.io")
                && (c.getSimpleName().startsWith("File") || c.getSimpleName().equals("RandomAccessFile")));
    }

    private static DescribedPredicate<com.tngtech.archunit.core.domain.AccessTarget.CodeUnitCallTarget> clockRead() {
        return DescribedPredicate.describe("a clock read (System.currentTimeMillis/nanoTime, now() of java.time, Clock.system*)",
                target -> {
                    String owner = target.getOwner().getFullName();
                    String name = target.getName();
                    if (owner.equals("java.lang.System")) {
                        return name.equals("currentTimeMillis") || name.equals("nanoTime");
                    }
                    if (owner.startsWith("java.time.")) {
                        return name.equals("now") || (owner.equals("java.time.Clock") && name.startsWith("system"));
                    }
                    return owner.equals("java.lang.Thread") && name.equals("sleep");
                });
    }
}
