package dev.hotline.testkit.twilio;

import java.time.Duration;
import java.util.Optional;

/**
 * What one turn of a simulated call measured: the caller said an utterance, the hotline answered.
 *
 * @param index 1 for the first utterance
 * @param label the utterance's label
 * @param voiceToVoice from the end of the caller's speech (the last 20 ms frame louder than about -40 dBFS,
 *     so trailing silence in a file does not count) to the first reply audio received; empty
 *     if no reply came
 * @param replyHeard how much reply audio the caller heard (played) in this turn
 * @param underruns how often playback ran dry while the reply was still coming (a gap the caller hears)
 * @param underrunTime the total length of those gaps
 * @param firstUnderrun from the end of the caller's speech to the start of the first gap; empty if playback
 *     never ran dry (tells a gap at the reply's start, mid-reply or as the call ended apart)
 * @param bargedIn true if this utterance started while the previous reply was still playing
 * @param clearAfter for a barge-in: from the caller starting to talk over the reply to the {@code clear}
 *     that stopped it; empty if no clear came
 * @param clearedAudio for a barge-in: how much buffered reply audio the clear discarded
 * @param speechEndAudio where that end of speech falls in the call's audio time: the media the caller sent
 *     since its first frame (20 ms a frame), the timeline the hotline counts its received audio on; empty
 *     if the utterance was not sent to its end
 */
public record TurnReport(int index, String label, Optional<Duration> voiceToVoice, Duration replyHeard,
        int underruns, Duration underrunTime, Optional<Duration> firstUnderrun, boolean bargedIn, Optional<Duration> clearAfter,
        Duration clearedAudio, Optional<Duration> speechEndAudio) {
}
