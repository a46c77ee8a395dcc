package dev.hotline.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class CallSettingsTest {

    @Test
    void givenTheDefaults_whenRead_thenTheyAreTheIssuesValues() {
        CallSettings d = CallSettings.defaults();

        assertThat(d.speechStart()).isEqualTo(Duration.ofMillis(200));
        assertThat(d.endOfTurnSilence()).isEqualTo(Duration.ofMillis(700));
        assertThat(d.preRoll()).isEqualTo(Duration.ofMillis(500));
        assertThat(d.maxUtterance()).isEqualTo(Duration.ofSeconds(30));
        assertThat(d.bargeIn()).isEqualTo(Duration.ofMillis(500));
        assertThat(d.bargeInMinWords()).isZero();
        assertThat(d.maxExchanges()).isEqualTo(20);
        assertThat(d.idlePromptAfter()).isEqualTo(Duration.ofSeconds(15));
        assertThat(d.playoutChunkMs()).isEqualTo(100);
        assertThat(d.maxQueuedMs()).isEqualTo(800);
        assertThat(d.accessPin()).isNull();
        assertThat(d.pinTries()).isEqualTo(3);
        assertThat(d.streamingSynthesis()).isFalse();
    }

    static Stream<Arguments> badSettings() {
        return Stream.of(
                bad("speechStart", b -> b.speechStart(Duration.ZERO)),
                bad("endOfTurnSilence", b -> b.endOfTurnSilence(Duration.ofMillis(-1))),
                bad("preRoll", b -> b.preRoll(Duration.ofSeconds(6))),
                bad("maxUtterance", b -> b.maxUtterance(Duration.ofMinutes(5))),
                bad("speechThreshold", b -> b.speechThreshold(1.0)),
                bad("bargeInMinWords", b -> b.bargeInMinWords(-1)),
                bad("earlyTranscript", b -> b.earlyTranscript(Duration.ofMillis(-1))),
                bad("earlyTranscript", b -> b.earlyTranscript(Duration.ofMillis(700))),
                bad("maxExchanges", b -> b.maxExchanges(0)),
                bad("historyMessages", b -> b.historyMessages(1)),
                bad("maxReplyChars", b -> b.maxReplyChars(0)),
                bad("idlePromptAfter", b -> b.idlePromptAfter(Duration.ZERO)),
                bad("responderTimeout", b -> b.responderTimeout(Duration.ofSeconds(1))),
                bad("fillerPhrase", b -> b.fillerPhrase(" ")),
                bad("playoutChunkMs", b -> b.playoutChunkMs(10)),
                bad("playoutChunkMs", b -> b.playoutChunkMs(101)),
                bad("maxQueuedMs", b -> b.maxQueuedMs(20)),
                bad("firstPieceMinChars", b -> b.firstPieceMinChars(500)),
                bad("accessPin", b -> b.accessPin("12a4")),
                bad("pinTries", b -> b.pinTries(0)));
    }

    private static Arguments bad(String field, UnaryOperator<CallSettings.Builder> change) {
        return Arguments.of(field, change);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badSettings")
    void givenAnInvalidValue_whenBuilding_thenTheFieldIsNamed(String field, UnaryOperator<CallSettings.Builder> change) {
        assertThatThrownBy(() -> change.apply(CallSettings.builder()).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining(field);
    }

    @Test
    void givenTheDefaults_whenAChunkHasJustPlayed_thenTheRestCoversAMarkRoundTripWithJitter() {
        CallSettings d = CallSettings.defaults();

        // The next chunk leaves only when the caller echoes the mark of the one it just played: what is still
        // queued then must outlast the echo's trip back, the send and the network's jitter (bench, 2026-11-24).
        assertThat(d.maxQueuedMs() - d.playoutChunkMs()).isGreaterThanOrEqualTo(300);
    }

    @Test
    void givenAPin_whenPrinted_thenThePinIsMasked() {
        assertThat(CallSettings.defaults().withAccessPin("987654").toString()).doesNotContain("987654")
                .contains("accessPin=****");
    }

    @Test
    void givenSettings_whenCopiedThroughTheBuilder_thenEqual() {
        CallSettings s = CallSettings.defaults().withBargeIn(Duration.ofMillis(300));

        assertThat(s.toBuilder().build()).isEqualTo(s);
        assertThat(s.bargeIn()).isEqualTo(Duration.ofMillis(300));
    }
}
