package dev.hotline.local;

import dev.hotline.audio.AudioFormat;
import dev.hotline.core.Utterance;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The shared recordings with their transcripts: the phone set (8 kHz) and the LibriVox set (16 kHz). */
final class SpeechSets {

    private static final Pattern LIBRIVOX_LINE = Pattern.compile("<s>(.*)</s>\\s*\\(([^)]+)\\)");

    private SpeechSets() {
    }

    /** One recording and what is said in it. */
    record Sample(String name, Utterance utterance, String reference) {
    }

    /** {@code phone/transcripts.tsv}: {@code file<TAB>text}, with a header line. */
    static List<Sample> phone(Path speechDir) throws IOException {
        Path dir = speechDir.resolve("phone");
        List<Sample> samples = new ArrayList<>();
        for (String line : Files.readAllLines(dir.resolve("transcripts.tsv"))) {
            String[] parts = line.split("\t", 2);
            if (parts.length < 2 || parts[0].equals("file")) {
                continue;
            }
            samples.add(new Sample(parts[0], load(dir.resolve(parts[0])), parts[1]));
        }
        return samples;
    }

    /** {@code librivox/transcription}: {@code <s> words </s> (file id)}. */
    static List<Sample> librivox(Path speechDir) throws IOException {
        Path dir = speechDir.resolve("librivox");
        List<Sample> samples = new ArrayList<>();
        for (String line : Files.readAllLines(dir.resolve("transcription"))) {
            Matcher m = LIBRIVOX_LINE.matcher(line);
            if (m.find()) {
                String file = m.group(2).strip() + ".wav";
                samples.add(new Sample(file, load(dir.resolve(file)), m.group(1).strip()));
            }
        }
        return samples;
    }

    static Utterance load(Path wav) throws IOException {
        TestAudio.Clip clip = TestAudio.readWav(wav);
        AudioFormat format = new AudioFormat(AudioFormat.Encoding.PCM16_LE, clip.sampleRate(), 1);
        return new Utterance(format, TestAudio.toPcm16le(clip.samples()));
    }
}
