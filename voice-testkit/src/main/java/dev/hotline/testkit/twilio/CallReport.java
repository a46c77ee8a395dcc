package dev.hotline.testkit.twilio;

import dev.hotline.testkit.TestkitAudio;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * Everything a simulated call observed. Immutable.
 *
 * @param streamSid the stream's id as sent in {@code start}
 * @param callSid the call's id as sent in {@code start}
 * @param greetingLatency from {@code start} to the first audio received before the caller spoke; empty if
 *     there was no greeting
 * @param turns one report per utterance said; a last turn that the end of the call cut off before a reply
 *     could come (and before the reply timeout) is left out, so it does not count as unanswered
 * @param heard everything the caller's ear got, 8 kHz mu-law, one 20 ms frame per tick (silence where
 *     nothing played), from {@code start} to hang-up; empty from a caller made
 *     {@link SimulatedTwilioCaller#withoutRecording()}
 * @param marksEchoed mark messages the caller sent back
 * @param clearsReceived clear messages received
 * @param protocolErrors messages that broke the Media Streams protocol (what Twilio reports as 31950/31951)
 * @param discardedAudio audio dropped because the playback buffer was full (Twilio's 31931)
 * @param maxTickLag how late the caller's 20 ms clock ran at worst: above a few ms the load generator
 *     itself was overloaded and its numbers are suspect
 * @param ending how the call ended: {@code hung up}, {@code server closed: code reason}, {@code failed: ...}
 *     or {@code time limit}
 */
public record CallReport(String streamSid, String callSid, Optional<Duration> greetingLatency, List<TurnReport> turns,
        byte[] heard, int marksEchoed, int clearsReceived, List<String> protocolErrors, Duration discardedAudio,
        Duration maxTickLag, String ending) {

    public CallReport {
        turns = List.copyOf(turns);
        heard = heard.clone();
        protocolErrors = List.copyOf(protocolErrors);
    }

    @Override
    public byte[] heard() {
        return heard.clone();
    }

    /** Writes what the caller heard as a 16-bit PCM 8 kHz WAV file. */
    public void writeHeardWav(Path file) throws IOException {
        TestkitAudio.writeUlawAsWav(heard, file);
    }
}
