package dev.zerok.kernel.architecture;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.lang.ArchRule;
import com.tngtech.archunit.lang.EvaluationResult;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Each kernel rule catches a deliberately bad class, and fails when it matches nothing. */
class KernelRulesCatchViolationsTest {
    private static final String FIXTURE = "dev.zerok.archfixture.BadKernelClasses$";

    /** Rule name to the bad classes it must flag. */
    static final Map<String, List<String>> FIXTURES = new LinkedHashMap<>();

    static {
        FIXTURES.put("onlyAllowedDependencies", List.of("UsesNetwork", "UsesNetty", "UsesSql"));
        FIXTURES.put("noFileIo", List.of("UsesFile"));
        FIXTURES.put("noNioFile", List.of("UsesNioFile"));
        FIXTURES.put("noNioChannels", List.of("UsesNioChannel"));
        FIXTURES.put("noNetwork", List.of("UsesNetwork"));
        FIXTURES.put("noSql", List.of("UsesSql"));
        FIXTURES.put("noNetty", List.of("UsesNetty"));
        FIXTURES.put("noJooq", List.of("UsesJooq"));
        FIXTURES.put("noBouncyCastle", List.of("UsesBouncyCastle"));
        FIXTURES.put("noJdkCrypto", List.of("UsesJdkCrypto", "NewSecureRandom"));
        FIXTURES.put("noDagger", List.of("UsesDagger"));
        FIXTURES.put("noServiceLoader", List.of("UsesServiceLoader"));
        FIXTURES.put("noClockReads", List.of("ReadsInstantNow", "ReadsNanoTime", "ReadsCurrentTimeMillis",
                "ReadsLocalDateTimeNow", "Sleeps"));
        FIXTURES.put("noRandomness", List.of("NewRandom"));
        FIXTURES.put("noThreads", List.of("Sleeps", "StartsThread", "UsesExecutor"));
        FIXTURES.put("machinesCallNoIoPort", List.of("SyncEngine", "RelaySession"));
    }

    static Stream<Arguments> cases() {
        return FIXTURES.entrySet().stream().flatMap(e -> e.getValue().stream()
                .map(bad -> Arguments.of(e.getKey(), bad)));
    }

    @ParameterizedTest(name = "{0} catches {1}")
    @MethodSource("cases")
    void rule_onBadClass_reportsViolation(String ruleName, String badClass) throws ClassNotFoundException {
        ArchRule rule = KernelRules.all().get(ruleName);
        var classes = new ClassFileImporter().importClasses(Class.forName(FIXTURE + badClass));

        EvaluationResult result = rule.evaluate(classes);

        assertThat(result.hasViolation()).as("%s must flag %s", ruleName, badClass).isTrue();
    }

    static Stream<Arguments> ruleNames() {
        return KernelRules.all().keySet().stream().map(Arguments::of);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("ruleNames")
    void rule_onNoClasses_fails(String ruleName) {
        ArchRule rule = KernelRules.all().get(ruleName);

        assertThatThrownBy(() -> rule.check(new ClassFileImporter().importClasses()))
                .isInstanceOf(AssertionError.class);
    }
}
