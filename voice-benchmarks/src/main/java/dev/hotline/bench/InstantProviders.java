package dev.hotline.bench;

import dev.hotline.audio.AudioFormat;
import dev.hotline.core.CancelSignal;
import dev.hotline.core.Responder;
import dev.hotline.core.Synthesizer;
import dev.hotline.core.Transcriber;
import dev.hotline.core.Transcript;
import dev.hotline.core.Utterance;
import java.io.IOException;
import java.util.Arrays;

/**
 * Providers that answer at once, so a benchmark measures the engine and not the providers: a transcriber
 * that always hears the same words, a responder that streams the same reply, a synthesizer that speaks
 * 50 ms of audio per character in 20 ms chunks.
 */
final class InstantProviders {

    private InstantProviders() {
    }

    static final class Stt implements Transcriber {
        @Override
        public Transcript transcribe(Utterance utterance, Hints hints, CancelSignal cancel) throws IOException {
            cancel.throwIfCancelled();
            return Transcript.of("When does the tour start?", Transcript.Usage.NONE);
        }

        @Override
        public String name() {
            return "instant stt";
        }
    }

    static final class Llm implements Responder {
        private static final String[] DELTAS = {"The tour ", "starts in May. ", "See you ", "there!"};

        @Override
        public Usage respond(Request request, TextSink sink, CancelSignal cancel) throws IOException {
            for (String delta : DELTAS) {
                cancel.throwIfCancelled();
                sink.onText(delta);
            }
            return Usage.NONE;
        }

        @Override
        public String name() {
            return "instant llm";
        }
    }

    static final class Tts implements Synthesizer {
        @Override
        public Usage synthesize(Request request, AudioSink sink, CancelSignal cancel) throws IOException {
            AudioFormat format = request.format();
            int total = format.bytesForMillis(50L * request.text().length());
            int chunk = format.bytesForMillis(20);
            for (int sent = 0; sent < total; sent += chunk) {
                cancel.throwIfCancelled();
                byte[] audio = new byte[Math.min(chunk, total - sent)];
                Arrays.fill(audio, (byte) 0x55);
                sink.onAudio(audio);
            }
            return new Usage(request.text().length(), false);
        }

        @Override
        public boolean supports(AudioFormat format) {
            return format.channels() == 1;
        }

        @Override
        public String name() {
            return "instant tts";
        }
    }
}
