package dev.zerok.kernel.architecture;

import static org.assertj.core.api.Assertions.assertThat;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchRule;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The kernel's production classes keep every rule of {@link KernelRules}. */
class KernelArchitectureTest {
    private static JavaClasses kernel;

    @BeforeAll
    static void importKernel() {
        kernel = new ClassFileImporter()
                .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages("dev.zerok.kernel");
    }

    static Stream<Arguments> rules() {
        return KernelRules.all().entrySet().stream().map(e -> Arguments.of(e.getKey(), e.getValue()));
    }

    @Test
    void import_findsTheKernel() {
        assertThat(kernel.containPackage("dev.zerok.kernel.wire")).isTrue();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("rules")
    void kernel_keepsRule(String name, ArchRule rule) {
        rule.check(kernel);
    }

    @Test
    void everyRule_isTested() {
        Map<String, ArchRule> all = KernelRules.all();
        assertThat(KernelRulesCatchViolationsTest.FIXTURES.keySet()).containsAll(all.keySet());
    }
}
