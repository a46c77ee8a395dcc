package dev.hotline.core;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;

/** voice-core is pure Java: the JDK and voice-audio, nothing else. */
@AnalyzeClasses(packages = "dev.hotline.core", importOptions = ImportOption.DoNotIncludeTests.class)
class DependencyRuleTest {

    @ArchTest
    static final ArchRule core_depends_only_on_the_jdk_and_audio = classes()
            .that().resideInAPackage("dev.hotline.core..")
            .should().onlyDependOnClassesThat()
            .resideInAnyPackage("java..", "dev.hotline.core..", "dev.hotline.audio..")
            .because("the engine embeds in any JVM application and is testable without any network");
}
