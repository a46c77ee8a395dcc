package dev.hotline.local;

import dev.hotline.audio.Pcm16;
import dev.hotline.audio.Resampler;
import dev.hotline.core.CancelSignal;
import dev.hotline.core.ProviderException;
import dev.hotline.core.Transcriber;
import dev.hotline.core.Transcript;
import dev.hotline.core.Utterance;
import edu.cmu.sphinx.api.AbstractSpeechRecognizer;
import edu.cmu.sphinx.api.Configuration;
import edu.cmu.sphinx.api.Context;
import edu.cmu.sphinx.api.SpeechResult;
import edu.cmu.sphinx.frontend.DataProcessor;
import edu.cmu.sphinx.frontend.FrontEnd;
import edu.cmu.sphinx.frontend.feature.BatchCMN;
import edu.cmu.sphinx.frontend.feature.LiveCMN;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.locks.ReentrantLock;
import java.util.logging.Level;
import java.util.logging.LogManager;
import java.util.logging.Logger;

/**
 * Speech-to-text with CMU Sphinx 4 and its US English model from Maven Central ({@code sphinx4-data}): works
 * out of the box, with no download and no network. Accuracy is modest (see {@code docs/providers-local.md}
 * for the measured word error rates); it is the embedded default, not a match for Whisper.
 *
 * <p>The model is trained on 16 kHz speech, so 8 kHz telephone audio is upsampled first and its band
 * mirrored into the empty band above 4 kHz ({@link #upsample}); the missing high band is what costs
 * accuracy on the phone. Decoding uses the full en-us trigram
 * language model with beams narrowed from sphinx4's defaults ({@link Tuning#FAST}), which keeps decoding
 * well under real time; see {@code docs/benchmarks.md} for the measurements behind the choice.
 *
 * <p>{@link Transcriber.Hints} are not used: the language model is fixed. Each utterance is normalised by its own
 * cepstral mean (sphinx4's batch CMN instead of its live one) and the front end is reset before it, so one
 * caller's audio never changes how the next is heard.
 *
 * <p><b>Lifecycle.</b> One instance serves every call; construction loads the models (about a second and
 * 100-200 MB of heap) and {@link #close} releases them.
 *
 * <p><b>Threading.</b> A sphinx4 recognizer decodes one stream at a time, so utterances are decoded one
 * after another (a fair lock); callers wait their turn. Construct more instances for more parallelism.
 *
 * <p><b>Failures.</b> Cancelling ends the audio stream the decoder reads, so decoding stops within a
 * frame and {@link dev.hotline.core.CancelledException} is thrown. A failure inside sphinx4 is a
 * {@link ProviderException} of kind {@code UNAVAILABLE}. Audio other than 8 or 16 kHz is refused with
 * {@code IllegalArgumentException}.
 */
public final class SphinxTranscriber implements Transcriber, AutoCloseable {

    private static final String PROVIDER = "sphinx4";
    private static final String MODEL_ROOT = "resource:/edu/cmu/sphinx/models/en-us/";
    private static final int MODEL_RATE = 16_000;
    /** Prefix of sphinx4's loggers: the name of its default.config.xml. */
    private static final String SPHINX_LOGGERS = "default.config";
    /**
     * Gain of the mirrored 0-4 kHz band added above 4 kHz to upsampled telephone audio. Phone-set WER with
     * gains 0, 0.3, 0.6 and 1.0: 71.9, 59.3, 57.0 and 61.5 % (docs/benchmarks.md).
     */
    private static final double FOLD_GAIN = 0.6;

    /**
     * Search settings. sphinx4's defaults ({@link #DEFAULT}) explore so many paths that decoding runs at
     * about twice real time on these machines; {@link #FAST} narrows the beams (measured in
     * {@code docs/benchmarks.md}).
     *
     * @param absoluteBeamWidth most states kept per frame
     * @param relativeBeamWidth states scoring worse than best times this are dropped
     * @param absoluteWordBeamWidth most word-ending states kept per frame
     * @param relativeWordBeamWidth like relativeBeamWidth, for word ends
     * @param languageWeight weight of the language model against the acoustic score
     */
    public record Tuning(int absoluteBeamWidth, double relativeBeamWidth, int absoluteWordBeamWidth,
            double relativeWordBeamWidth, double languageWeight) {

        /** sphinx4's own default.config.xml values. */
        public static final Tuning DEFAULT = new Tuning(20_000, 1e-60, 200, 1e-40, 8.0);
        /** Narrower beams: the embedded default. */
        public static final Tuning FAST = new Tuning(3_000, 1e-45, 40, 1e-30, 8.0);

        public Tuning {
            if (absoluteBeamWidth < 1 || absoluteWordBeamWidth < 1) {
                throw new IllegalArgumentException("beam widths must be >= 1, were " + absoluteBeamWidth
                        + " and " + absoluteWordBeamWidth);
            }
            if (!(relativeBeamWidth > 0 && relativeBeamWidth < 1 && relativeWordBeamWidth > 0
                    && relativeWordBeamWidth < 1)) {
                throw new IllegalArgumentException("relative beams must be in (0, 1), were " + relativeBeamWidth
                        + " and " + relativeWordBeamWidth);
            }
            if (!(languageWeight > 0)) {
                throw new IllegalArgumentException("languageWeight must be > 0, was " + languageWeight);
            }
        }
    }

    private final Tuning tuning;
    private final Recognizer recognizer;
    private final ReentrantLock lock = new ReentrantLock(true);
    /** Held so the levels set on them stick: java.util.logging keeps loggers only weakly. */
    private final List<Logger> quietLoggers;
    private boolean closed;

    /** Loads the en-us model with {@link Tuning#FAST}. */
    public SphinxTranscriber() throws ProviderException {
        this(Tuning.FAST);
    }

    /** Loads the en-us model with the given search settings. */
    public SphinxTranscriber(Tuning tuning) throws ProviderException {
        this.tuning = Objects.requireNonNull(tuning, "tuning");
        Configuration configuration = new Configuration();
        configuration.setAcousticModelPath(MODEL_ROOT + "en-us");
        configuration.setDictionaryPath(MODEL_ROOT + "cmudict-en-us.dict");
        configuration.setLanguageModelPath(MODEL_ROOT + "en-us.lm.bin");
        configuration.setSampleRate(MODEL_RATE);
        try {
            Context context = new Context(configuration);
            // Set on the components themselves: changing sphinx4's global properties after the context was built
            // re-configures every component and leaves the front end unconnected.
            for (String list : List.of("activeList", "fastmatchActiveList", "standardActiveListFactory")) {
                context.setLocalProperty(list + "->absoluteBeamWidth", tuning.absoluteBeamWidth());
            }
            for (String list : List.of("activeList", "standardActiveListFactory", "wordPruningLookaheadSearchManager")) {
                context.setLocalProperty(list + "->relativeBeamWidth", tuning.relativeBeamWidth());
            }
            context.setLocalProperty("wordActiveListFactory->absoluteBeamWidth", tuning.absoluteWordBeamWidth());
            context.setLocalProperty("wordActiveListFactory->relativeBeamWidth", tuning.relativeWordBeamWidth());
            context.setLocalProperty("lexTreeLinguist->languageWeight", tuning.languageWeight());
            this.recognizer = new Recognizer(context);
            recognizer.allocate();
            this.quietLoggers = quietSphinxLogging();
        } catch (IOException | RuntimeException e) {
            throw new ProviderException(PROVIDER, ProviderException.Kind.UNAVAILABLE,
                    "could not load the en-us model from sphinx4-data: " + e, 0, null, e);
        }
    }

    @Override
    public Transcript transcribe(Utterance utterance, Hints hints, CancelSignal cancel) throws IOException {
        int rate = utterance.format().sampleRate();
        if (rate != 8_000 && rate != MODEL_RATE) {
            throw new IllegalArgumentException("sphinx4 takes 8000 or 16000 Hz audio, was " + utterance.format());
        }
        cancel.throwIfCancelled();
        byte[] pcm = rate == MODEL_RATE ? utterance.pcm() : upsample(utterance.pcm(), rate);
        List<String> pieces = new ArrayList<>();
        lock.lock();
        try {
            if (closed) {
                throw new IllegalStateException("transcriber is closed");
            }
            decode(pcm, cancel, pieces);
        } finally {
            lock.unlock();
        }
        cancel.throwIfCancelled();
        double seconds = utterance.duration().toNanos() / 1e9;
        return new Transcript(String.join(" ", pieces).strip(), "en", Double.NaN, Double.NaN,
                new Transcript.Usage(seconds, 0, 0));
    }

    private void decode(byte[] pcm, CancelSignal cancel, List<String> pieces) throws ProviderException {
        try {
            recognizer.decode(new CancellableStream(pcm, cancel), pieces);
        } catch (RuntimeException e) {
            if (!cancel.isCancelled()) {
                throw new ProviderException(PROVIDER, ProviderException.Kind.UNAVAILABLE,
                        "decoding failed: " + e, 0, null, e);
            }
        }
    }

    @Override
    public String name() {
        return "sphinx4 en-us (beam " + tuning.absoluteBeamWidth() + ")";
    }

    /** Releases the models. Waits for a decode in progress. */
    @Override
    public void close() {
        lock.lock();
        try {
            if (!closed) {
                closed = true;
                recognizer.release();
            }
        } finally {
            lock.unlock();
        }
    }

    /**
     * Upsamples telephone audio to the model's rate and folds the 0-4 kHz band into the empty 4-8 kHz band
     * at {@link #FOLD_GAIN}: multiplying by (-1)^n mirrors the spectrum around 4 kHz. The wideband model
     * expects energy up there; measured on the shared phone set, folding lowers the word error rate (see
     * docs/benchmarks.md).
     */
    /**
     * sphinx4 logs through java.util.logging, under loggers named after its configuration file, at INFO:
     * every model unit while loading and timing and memory statistics after every utterance. Its level
     * comes from its configuration and cannot be changed before the models load without re-configuring
     * them, so the loggers are turned down to WARNING once loaded; the loading lines appear once.
     */
    private static List<Logger> quietSphinxLogging() {
        List<Logger> loggers = new ArrayList<>();
        for (String name : Collections.list(LogManager.getLogManager().getLoggerNames())) {
            if (name.startsWith(SPHINX_LOGGERS)) {
                Logger logger = Logger.getLogger(name);
                logger.setLevel(Level.WARNING);
                loggers.add(logger);
            }
        }
        return List.copyOf(loggers);
    }

    private static byte[] upsample(byte[] pcm, int rate) {
        short[] wide = Resampler.resample(Pcm16.toShorts(pcm), rate, MODEL_RATE);
        for (int n = 0; n < wide.length; n++) {
            double folded = (n % 2 == 0 ? wide[n] : -wide[n]) * FOLD_GAIN;
            wide[n] = Pcm16.clampToShort(wide[n] + folded);
        }
        return Pcm16.toBytes(wide);
    }

    /** The sphinx4 recognizer, kept allocated between utterances; its decode loop reads one stream. */
    private static final class Recognizer extends AbstractSpeechRecognizer {

        private final FrontEnd frontEnd;

        Recognizer(Context context) throws IOException {
            super(context);
            this.frontEnd = context.getInstance(FrontEnd.class);
            useBatchCepstralMean(context);
        }

        /**
         * Replaces the front end's live cepstral mean normalisation, whose running mean carries over from one
         * utterance to the next (another caller's), with the per-utterance one: each utterance is normalised
         * by its own mean, which is what a batch transcriber wants and makes results independent of what
         * was decoded before.
         */
        private void useBatchCepstralMean(Context context) {
            List<DataProcessor> pipeline = frontEnd.getElements();
            int live = -1;
            for (int i = 0; i < pipeline.size(); i++) {
                if (pipeline.get(i) instanceof LiveCMN) {
                    live = i;
                }
            }
            if (live <= 0 || live == pipeline.size() - 1) {
                throw new IllegalStateException("sphinx4's front end has no live CMN stage to replace: " + pipeline);
            }
            BatchCMN batch = context.getInstance(BatchCMN.class);
            batch.setPredecessor(pipeline.get(live - 1));
            pipeline.get(live + 1).setPredecessor(batch);
            pipeline.set(live, batch);
        }

        void allocate() {
            recognizer.allocate();
        }

        void release() {
            recognizer.deallocate();
        }

        /** Decodes every speech segment the stream holds, adding each hypothesis to {@code pieces}. */
        void decode(InputStream audio, List<String> pieces) {
            // Also resets the levels the front end's speech detector tracks.
            frontEnd.initialize();
            context.setSpeechSource(audio);
            SpeechResult result;
            while ((result = getResult()) != null) {
                String text = result.getHypothesis();
                if (text != null && !text.isBlank()) {
                    pieces.add(text.strip());
                }
            }
        }
    }

    /** The utterance's bytes, ending early (as if the audio stopped) once the call's turn is cancelled. */
    private static final class CancellableStream extends ByteArrayInputStream {

        private final CancelSignal cancel;

        CancellableStream(byte[] bytes, CancelSignal cancel) {
            super(bytes);
            this.cancel = cancel;
        }

        @Override
        public synchronized int read(byte[] b, int off, int len) {
            return cancel.isCancelled() ? -1 : super.read(b, off, len);
        }

        @Override
        public synchronized int read() {
            return cancel.isCancelled() ? -1 : super.read();
        }
    }
}
