package dev.hotline.local;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.hotline.core.CancelSignal;
import dev.hotline.core.ProviderException;
import dev.hotline.core.Transcriber;
import dev.hotline.core.Transcript;
import dev.hotline.core.Utterance;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;
import org.vosk.LibVosk;
import org.vosk.LogLevel;
import org.vosk.Model;
import org.vosk.Recognizer;

/**
 * Speech-to-text with Vosk (Kaldi), in-process, with a model the operator downloads: far more accurate
 * than the built-in sphinx4 on telephone speech, with no network at run time. The native library comes in
 * the {@code com.alphacephei:vosk} jar; the model does not (see {@code docs/providers-local.md} for the
 * download steps: any model from the Vosk model list, e.g. {@code vosk-model-small-en-us-0.15}, 40 MB).
 *
 * <p><b>Lifecycle.</b> One instance serves every call. The constructor loads the model (a few hundred ms
 * for a small model; seconds and GBs of memory for the big ones) and {@link #close} frees it.
 *
 * <p><b>Threading.</b> The model is shared and read-only; each utterance gets a recognizer of its own, so
 * any number of calls transcribe at once.
 *
 * <p><b>Failures.</b> A missing or unusable model folder is an {@link IllegalStateException} from the
 * constructor, naming the folder and the file that is missing: the server stops at start-up with that
 * message. A failure while decoding is a {@link ProviderException} of kind {@code UNAVAILABLE}. Cancelling
 * stops feeding audio within 100 ms of audio and throws {@link dev.hotline.core.CancelledException}.
 */
public final class VoskTranscriber implements Transcriber, AutoCloseable {

    /** The file every Vosk model folder holds: the acoustic model. */
    public static final String ACOUSTIC_MODEL = "am/final.mdl";
    private static final String PROVIDER = "vosk";
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Audio is fed in pieces of this many milliseconds, checking for cancellation between them. */
    private static final int FEED_MILLIS = 100;

    private final Path modelDir;
    private final Model model;

    /**
     * Loads the model in {@code modelDir}.
     *
     * @throws IllegalStateException if the folder or its acoustic model is missing, or Vosk cannot load it
     */
    public VoskTranscriber(Path modelDir) {
        Objects.requireNonNull(modelDir, "modelDir");
        this.modelDir = modelDir.toAbsolutePath().normalize();
        if (!Files.isDirectory(this.modelDir)) {
            throw new IllegalStateException("Vosk model folder not found: " + this.modelDir
                    + ". Download and unpack a model (docs/providers-local.md, \"Vosk\") and point"
                    + " HOTLINE_VOSK_MODEL at the unpacked folder.");
        }
        Path acoustic = this.modelDir.resolve(ACOUSTIC_MODEL);
        if (!Files.isRegularFile(acoustic)) {
            throw new IllegalStateException("not a Vosk model folder: " + acoustic + " is missing."
                    + " Point HOTLINE_VOSK_MODEL at the folder that contains am/, conf/ and graph/.");
        }
        LibVosk.setLogLevel(LogLevel.WARNINGS);
        try {
            this.model = new Model(this.modelDir.toString());
        } catch (IOException e) {
            throw new IllegalStateException("Vosk could not load the model in " + this.modelDir
                    + " (damaged or incomplete download?): " + e.getMessage(), e);
        }
    }

    @Override
    public Transcript transcribe(Utterance utterance, Hints hints, CancelSignal cancel) throws IOException {
        cancel.throwIfCancelled();
        byte[] pcm = utterance.pcm();
        int step = utterance.format().bytesForMillis(FEED_MILLIS);
        String result;
        try (Recognizer recognizer = new Recognizer(model, utterance.format().sampleRate())) {
            for (int at = 0; at < pcm.length; at += step) {
                cancel.throwIfCancelled();
                int length = Math.min(step, pcm.length - at);
                byte[] piece = at == 0 && length == pcm.length ? pcm : java.util.Arrays.copyOfRange(pcm, at, at + length);
                recognizer.acceptWaveForm(piece, length);
            }
            cancel.throwIfCancelled();
            result = recognizer.getFinalResult();
        } catch (IOException e) {
            throw new ProviderException(PROVIDER, ProviderException.Kind.UNAVAILABLE,
                    "could not start a recognizer: " + e.getMessage(), 0, null, e);
        }
        return new Transcript(textOf(result), null, Double.NaN, Double.NaN,
                new Transcript.Usage(utterance.duration().toNanos() / 1e9, 0, 0));
    }

    /** The {@code text} of Vosk's final result, {@code {"text" : "..."}}. */
    static String textOf(String resultJson) throws ProviderException {
        try {
            JsonNode text = JSON.readTree(resultJson).get("text");
            if (text == null || !text.isTextual()) {
                throw new ProviderException(PROVIDER, ProviderException.Kind.MALFORMED_RESPONSE,
                        "result without text: " + resultJson);
            }
            return text.asText().strip();
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new ProviderException(PROVIDER, ProviderException.Kind.MALFORMED_RESPONSE,
                    "result is not JSON: " + resultJson, 0, null, e);
        }
    }

    @Override
    public String name() {
        return "vosk " + modelDir.getFileName();
    }

    /** Frees the model. No transcription may be running or start afterwards. */
    @Override
    public void close() {
        model.close();
    }
}
