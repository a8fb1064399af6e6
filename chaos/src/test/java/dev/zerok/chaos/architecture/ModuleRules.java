package dev.zerok.chaos.architecture;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.lang.ArchRule;
import com.tngtech.archunit.library.dependencies.SliceAssignment;
import com.tngtech.archunit.library.dependencies.SliceIdentifier;
import com.tngtech.archunit.library.dependencies.SlicesRuleDefinition;
import java.util.Map;
import java.util.TreeMap;

/**
 * The rules between modules (the kernel's own boundary is kernel's {@code KernelRules}). Modules
 * are recognised by package: {@code dev.zerok.ports}, {@code dev.zerok.kernel},
 * {@code dev.zerok.adapters.<tech>} or {@code dev.zerok.adapters.<port>.<tech>} for transport and
 * storage, {@code dev.zerok.relayapp}, {@code dev.zerok.cli} and {@code dev.zerok.client} (both in cli-app),
 * {@code dev.zerok.chaos}.
 */
final class ModuleRules {
    private ModuleRules() {}

    static final String[] APP_PACKAGES = {"dev.zerok.relayapp..", "dev.zerok.cli..", "dev.zerok.client..",
        "dev.zerok.chaos.."};

    static ArchRule adaptersDoNotDependOnEachOther() {
        return SlicesRuleDefinition.slices().assignedFrom(ADAPTERS).should().notDependOnEachOther()
                .as("adapters do not depend on each other");
    }

    static ArchRule adaptersDependOnlyOnPorts() {
        return noClasses().that().resideInAPackage("dev.zerok.adapters..")
                .should().dependOnClassesThat().resideInAnyPackage("dev.zerok.kernel..", "dev.zerok.relayapp..",
                        "dev.zerok.cli..", "dev.zerok.client..", "dev.zerok.chaos..")
                .as("adapters depend on ports, never on the kernel or the applications");
    }

    static ArchRule portsDependOnlyOnTheJdk() {
        return classes().that().resideInAPackage("dev.zerok.ports..")
                .should().onlyDependOnClassesThat().resideInAnyPackage("java..", "dev.zerok.ports..")
                .as("ports depend on nothing but the JDK");
    }

    static ArchRule daggerOnlyInApplications() {
        return noClasses().that().resideOutsideOfPackages(APP_PACKAGES)
                .and().resideInAPackage("dev.zerok..")
                .should().dependOnClassesThat().resideInAnyPackage("dagger..", "javax.inject..", "jakarta.inject..")
                .as("Dagger is used only in relay-app, cli-app and chaos");
    }

    static ArchRule daggerComponentsLiveInApplications() {
        return classes().that().areAnnotatedWith("dagger.Component")
                .should().resideInAnyPackage(APP_PACKAGES)
                .as("Dagger components live only in relay-app, cli-app and chaos");
    }

    static Map<String, ArchRule> all() {
        Map<String, ArchRule> rules = new TreeMap<>();
        rules.put("adaptersDoNotDependOnEachOther", adaptersDoNotDependOnEachOther());
        rules.put("adaptersDependOnlyOnPorts", adaptersDependOnlyOnPorts());
        rules.put("portsDependOnlyOnTheJdk", portsDependOnlyOnTheJdk());
        rules.put("daggerOnlyInApplications", daggerOnlyInApplications());
        rules.put("daggerComponentsLiveInApplications", daggerComponentsLiveInApplications());
        return rules;
    }

    /** One slice per adapter module: {@code crypto}, {@code transport.quic}, {@code storage.fs}, ... */
    private static final SliceAssignment ADAPTERS = new SliceAssignment() {
        @Override
        public SliceIdentifier getIdentifierOf(JavaClass javaClass) {
            String pkg = javaClass.getPackageName();
            String prefix = "dev.zerok.adapters.";
            if (!pkg.startsWith(prefix)) {
                return SliceIdentifier.ignore();
            }
            String[] parts = pkg.substring(prefix.length()).split("\\.");
            boolean twoLevel = (parts[0].equals("transport") || parts[0].equals("storage")) && parts.length > 1;
            return SliceIdentifier.of(twoLevel ? parts[0] + "." + parts[1] : parts[0]);
        }

        @Override
        public String getDescription() {
            return "adapter modules";
        }
    };
}
