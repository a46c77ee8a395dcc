package dev.hotline.server;

import dev.hotline.core.CallEvent;
import dev.hotline.core.CallSettings;
import dev.hotline.testkit.cli.HotlineLauncher;
import dev.hotline.testkit.elevenlabs.FakeElevenLabsServer;
import dev.hotline.testkit.openai.FakeOpenAiServer;
import java.net.URI;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * {@code hotline bench} without {@code --url}: the real server, wired by {@link Bootstrap} exactly as
 * {@code java -jar hotline.jar} wires it, but with OpenAI and ElevenLabs pointed at the test kit's fakes and a
 * random port on 127.0.0.1. Engine tunables ({@code END_OF_TURN_SILENCE_MS}, {@code EARLY_TRANSCRIPT_MS}, {@code BARGE_IN_MS},
 * {@code VAD_THRESHOLD}, {@code VAD_BATCH_MS}, {@code ELEVENLABS_MODE}, {@code DRAIN_TIMEOUT_SECONDS}) are taken
 * from the environment so a bench can compare settings; nothing else is, so no real key is ever used.
 */
final class InProcessHotline implements HotlineLauncher.RunningHotline {

    private static final List<String> PASSED_THROUGH = List.of("END_OF_TURN_SILENCE_MS", "EARLY_TRANSCRIPT_MS", "BARGE_IN_MS",
            "VAD_THRESHOLD", "VAD_BATCH_MS", "ELEVENLABS_MODE", "DRAIN_TIMEOUT_SECONDS");

    private final HotlineServer server;
    private final Duration endOfTurnSilence;
    private final Duration earlyTranscript;

    private InProcessHotline(HotlineServer server, CallSettings settings) {
        this.server = server;
        this.endOfTurnSilence = settings.endOfTurnSilence();
        this.earlyTranscript = settings.earlyTranscript();
    }

    /**
     * Starts the server against the fakes and reports each finished turn's timings to {@code turns}; the
     * {@link HotlineLauncher} the bench command is given.
     */
    static InProcessHotline start(FakeOpenAiServer openAi, FakeElevenLabsServer elevenLabs,
            Consumer<HotlineLauncher.EngineTurn> turns) throws ConfigException {
        Map<String, String> streams = new ConcurrentHashMap<>();
        Bootstrap bootstrap = Bootstrap.fromEnvironment(environment(openAi, elevenLabs), event -> {
            if (event instanceof CallEvent.CallStarted started) {
                streams.put(started.callId(), started.call().streamId());
            } else if (event instanceof CallEvent.CallEnded ended) {
                streams.remove(ended.callId());
            } else if (event instanceof CallEvent.TurnCompleted turn) {
                CallEvent.TurnTimings t = turn.timings();
                turns.accept(new HotlineLauncher.EngineTurn(streams.getOrDefault(turn.callId(), ""), turn.turn(),
                        Optional.ofNullable(t.transcriptReady()),
                        Optional.ofNullable(t.firstSentenceReady()), Optional.ofNullable(t.firstAudio()),
                        Optional.ofNullable(t.firstAudioSent()), Optional.ofNullable(t.speechEndAudio()),
                        turn.interrupted()));
            }
        });
        HotlineServer server = bootstrap.server(null).start();
        bootstrap.warmPhraseCache();
        return new InProcessHotline(server, Bootstrap.settings(bootstrap.config()));
    }

    /**
     * The server's environment for a bench against the fakes: the engine tunables passed through from this
     * process's environment, the fakes' URLs and dummy keys, no limits that a bench would hit.
     */
    static Map<String, String> environment(FakeOpenAiServer openAi, FakeElevenLabsServer elevenLabs) {
        Map<String, String> env = new HashMap<>();
        for (String name : PASSED_THROUGH) {
            String value = System.getenv(name);
            if (value != null) {
                env.put(name, value);
            }
        }
        env.putIfAbsent("DRAIN_TIMEOUT_SECONDS", "0");
        env.put("PORT", "0");
        env.put("MAX_CONCURRENT_CALLS", "10000");
        env.put("CALLS_PER_CALLER_PER_HOUR", "10000");
        env.put("OPENAI_BASE_URL", openAi.baseUrl());
        env.put("OPENAI_API_KEY", "sk-fake-for-bench");
        env.put("ELEVENLABS_BASE_URL", elevenLabs.baseUrl());
        env.put("ELEVENLABS_API_KEY", "xi-fake-for-bench");
        env.put("ELEVENLABS_VOICE_ID", "fakevoice");
        return env;
    }

    @Override
    public URI mediaStreamUrl() {
        return URI.create("ws://127.0.0.1:" + server.port() + "/voice-stream");
    }

    @Override
    public Duration endOfTurnSilence() {
        return endOfTurnSilence;
    }

    @Override
    public Duration earlyTranscript() {
        return earlyTranscript;
    }

    @Override
    public void close() {
        server.shutdown();
    }
}
