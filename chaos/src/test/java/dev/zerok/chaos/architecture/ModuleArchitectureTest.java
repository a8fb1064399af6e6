package dev.zerok.chaos.architecture;

import static org.assertj.core.api.Assertions.assertThat;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchRule;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** All of zerok's production classes (chaos depends on every module) keep {@link ModuleRules}. */
class ModuleArchitectureTest {
    private static JavaClasses zerok;

    @BeforeAll
    static void importEverything() {
        zerok = new ClassFileImporter()
                .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages("dev.zerok");
    }

    @Test
    void import_findsEveryModule() {
        for (String pkg : new String[] {"dev.zerok.ports", "dev.zerok.kernel.wire", "dev.zerok.relayapp"}) {
            assertThat(zerok.containPackage(pkg)).as(pkg).isTrue();
        }
    }

    static Stream<Arguments> rules() {
        return ModuleRules.all().entrySet().stream().map(e -> Arguments.of(e.getKey(), e.getValue()));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("rules")
    void zerok_keepsRule(String name, ArchRule rule) {
        rule.check(zerok);
    }
}
