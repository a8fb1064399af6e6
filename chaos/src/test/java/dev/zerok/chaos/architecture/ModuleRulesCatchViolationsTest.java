package dev.zerok.chaos.architecture;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.lang.ArchRule;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Each module rule flags a deliberately bad fixture class and fails when it matches nothing. */
class ModuleRulesCatchViolationsTest {

    static final Map<String, Class<?>[]> FIXTURES = Map.of(
            "adaptersDoNotDependOnEachOther", new Class<?>[] {
                dev.zerok.adapters.transport.fixturea.ReachesIntoAnotherAdapter.class,
                dev.zerok.adapters.storage.fixtureb.SomeAdapterClass.class},
            "adaptersDependOnlyOnPorts", new Class<?>[] {dev.zerok.adapters.transport.fixturea.ReachesIntoAnotherAdapter.class},
            "portsDependOnlyOnTheJdk", new Class<?>[] {dev.zerok.ports.archfixture.PortUsingALibrary.class},
            "daggerOnlyInApplications", new Class<?>[] {dev.zerok.adapters.storage.fixtureb.SomeAdapterClass.class},
            "daggerComponentsLiveInApplications", new Class<?>[] {dev.zerok.adapters.storage.fixtureb.SomeAdapterClass.class});

    static Stream<Arguments> rules() {
        return ModuleRules.all().keySet().stream().map(Arguments::of);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("rules")
    void rule_onBadFixture_reportsViolation(String name) {
        assertThat(FIXTURES).containsKey(name);
        ArchRule rule = ModuleRules.all().get(name);

        assertThat(rule.evaluate(new ClassFileImporter().importClasses(FIXTURES.get(name))).hasViolation()).isTrue();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("rules")
    void rule_onNoClasses_fails(String name) {
        ArchRule rule = ModuleRules.all().get(name);

        assertThatThrownBy(() -> rule.check(new ClassFileImporter().importClasses())).isInstanceOf(AssertionError.class);
    }
}
