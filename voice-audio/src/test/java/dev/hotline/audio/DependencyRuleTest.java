package dev.hotline.audio;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;

/** voice-audio is a pure-JDK toolkit: it depends on nothing but the JDK. */
@AnalyzeClasses(packages = "dev.hotline.audio", importOptions = ImportOption.DoNotIncludeTests.class)
class DependencyRuleTest {

    @ArchTest
    static final ArchRule audio_depends_only_on_the_jdk = classes()
            .that().resideInAPackage("dev.hotline.audio..")
            .should().onlyDependOnClassesThat().resideInAnyPackage("java..", "dev.hotline.audio..")
            .because("voice-audio is embedded anywhere and sits on the per-frame hot path");
}
