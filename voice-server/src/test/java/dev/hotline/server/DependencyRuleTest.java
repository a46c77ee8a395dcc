package dev.hotline.server;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;

/**
 * The hexagon's dependency rule across modules: only the server sees everything. The adapters are the
 * packages of dev.hotline other than audio, core, server, testkit and bench.
 */
@AnalyzeClasses(packages = "dev.hotline", importOptions = ImportOption.DoNotIncludeTests.class)
class DependencyRuleTest {

    private static final String[] ADAPTERS = {
        "dev.hotline.openai..", "dev.hotline.elevenlabs..", "dev.hotline.twilio..", "dev.hotline.local.."
    };

    @ArchTest
    static final ArchRule adapters_never_depend_on_each_other = slices()
            .matching("dev.hotline.(openai|elevenlabs|twilio|local)..")
            .should().notDependOnEachOther()
            .because("a provider is swapped by replacing one adapter; adapters meet only in voice-core's ports");

    @ArchTest
    static final ArchRule core_and_audio_never_depend_on_adapters_or_the_server = noClasses()
            .that().resideInAnyPackage("dev.hotline.core..", "dev.hotline.audio..")
            .should().dependOnClassesThat().resideInAnyPackage(concat(ADAPTERS, "dev.hotline.server.."))
            .because("dependencies point inwards, to the ports");

    @ArchTest
    static final ArchRule adapters_never_depend_on_the_server = noClasses()
            .that().resideInAnyPackage(ADAPTERS)
            .should().dependOnClassesThat().resideInAPackage("dev.hotline.server..")
            .because("the server wires adapters, never the other way round");

    @ArchTest
    static final ArchRule testkit_never_depends_on_adapters_or_the_server = noClasses()
            .that().resideInAPackage("dev.hotline.testkit..")
            .should().dependOnClassesThat().resideInAnyPackage(concat(ADAPTERS, "dev.hotline.server.."))
            .because("the testkit's fakes stand in for providers by their wire formats, so any adapter's tests"
                    + " can use them");

    private static String[] concat(String[] first, String last) {
        String[] all = java.util.Arrays.copyOf(first, first.length + 1);
        all[first.length] = last;
        return all;
    }
}
