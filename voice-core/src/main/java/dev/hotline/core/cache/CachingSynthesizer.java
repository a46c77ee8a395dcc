package dev.hotline.core.cache;

import dev.hotline.audio.AudioFormat;
import dev.hotline.core.CancelSignal;
import dev.hotline.core.CancelledException;
import dev.hotline.core.Synthesizer;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import java.util.zip.CRC32;

/**
 * A phrase cache in front of any {@link Synthesizer}: lines that repeat (the greeting, "are you still
 * there?", apologies, goodbyes) are synthesized once and then played from memory with no provider latency
 * and no provider cost.
 *
 * <p><b>What is cached.</b> Only requests whose text is on the allowlist given at construction (compared
 * after trimming and collapsing whitespace). Replies the LLM writes are almost never repeated word for word,
 * so caching them would only evict the lines that matter; the caller wires the persona's fixed lines in.
 * {@code previousText}/{@code nextText} are not part of the key: an allowlisted line sounds the same
 * wherever it falls. Everything else goes straight to the delegate ("bypassed").
 *
 * <p><b>Keys.</b> The key prefix (identifying the delegate's voice, model and voice settings; an adapter that
 * offers a {@code cacheKeyPrefix()} method, such as the ElevenLabs synthesizer, gives the right one), the
 * audio format and the normalized text. Change the voice or its settings and the old entries are simply
 * never hit again.
 *
 * <p><b>Bounds.</b> Memory holds at most {@code maxBytes} of audio, least recently used evicted first; a
 * phrase longer than that is not cached. With a directory, every entry is also written through to one
 * file named by the SHA-256 of its key (written to a temporary file, then renamed atomically), read back
 * lazily on a memory miss, so a restart does not pay for the greeting again. Files that fail their checks
 * (magic, version, key, length, CRC-32) are ignored and replaced by the next synthesis. A failed disk write
 * is logged and counted; the caller still gets its audio. The directory is not size-bounded beyond one file
 * per allowlisted phrase, voice and format.
 *
 * <p><b>Delivery.</b> A hit hands the audio to the sink at once, in chunks of about
 * {@value #HIT_CHUNK_MILLIS} ms, and returns {@code Usage(text length, cached = true)}. A miss streams the
 * delegate's chunks through as they arrive while keeping a copy; only a synthesis that completed is stored
 * (never a failed or cancelled one).
 *
 * <p>Thread-safe; concurrent misses for the same phrase each call the delegate.
 */
public final class CachingSynthesizer implements Synthesizer {

    private static final System.Logger LOG = System.getLogger(CachingSynthesizer.class.getName());
    /** Audio handed to the sink per chunk on a hit, in milliseconds: small enough for smooth pacing. */
    static final int HIT_CHUNK_MILLIS = 100;
    /** First bytes of every cache file: "HLPC" (Hotline phrase cache). */
    private static final int FILE_MAGIC = 0x484C5043;
    /** Layout version of cache files; files of another version are ignored. */
    private static final int FILE_VERSION = 1;
    private static final String FILE_SUFFIX = ".phrase";

    private final Synthesizer delegate;
    private final String keyPrefix;
    private final Set<String> phrases;
    private final long maxBytes;
    private final Path directory;
    private final LinkedHashMap<String, byte[]> memory = new LinkedHashMap<>(16, 0.75f, true);
    private long memoryBytes;
    private final AtomicLong hits = new AtomicLong();
    private final AtomicLong misses = new AtomicLong();
    private final AtomicLong bypassed = new AtomicLong();
    private final AtomicLong diskErrors = new AtomicLong();

    /**
     * @param delegate the synthesizer that produces audio on a miss
     * @param keyPrefix identifies the voice, model and settings of {@code delegate}; not blank
     * @param phrases the lines worth caching; others bypass the cache
     * @param maxBytes audio bytes kept in memory, > 0
     * @param directory where entries persist across restarts, created if missing; {@code null} for memory only
     * @throws IllegalArgumentException if an argument is invalid or the directory cannot be created
     */
    public CachingSynthesizer(Synthesizer delegate, String keyPrefix, Set<String> phrases, long maxBytes,
            Path directory) {
        this.delegate = Objects.requireNonNull(delegate, "delegate");
        if (keyPrefix == null || keyPrefix.isBlank()) {
            throw new IllegalArgumentException("keyPrefix must not be blank");
        }
        if (maxBytes <= 0) {
            throw new IllegalArgumentException("maxBytes must be > 0, was " + maxBytes);
        }
        Objects.requireNonNull(phrases, "phrases");
        this.keyPrefix = keyPrefix;
        this.phrases = phrases.stream().map(CachingSynthesizer::normalize).filter(p -> !p.isEmpty())
                .collect(Collectors.toUnmodifiableSet());
        this.maxBytes = maxBytes;
        this.directory = directory;
        if (directory != null) {
            try {
                Files.createDirectories(directory);
            } catch (IOException e) {
                throw new IllegalArgumentException("cannot create the phrase cache directory " + directory + ": " + e,
                        e);
            }
        }
    }

    /** What the cache has done so far. */
    public record Stats(long hits, long misses, long bypassed, int entries, long bytes, long diskErrors) {
    }

    /** A snapshot of the counters. */
    public Stats stats() {
        synchronized (memory) {
            return new Stats(hits.get(), misses.get(), bypassed.get(), memory.size(), memoryBytes, diskErrors.get());
        }
    }

    /** Requests answered from the cache (memory or disk). */
    public long hits() {
        return hits.get();
    }

    /** Cacheable requests that had to go to the delegate. */
    public long misses() {
        return misses.get();
    }

    /** Whether {@code request} would be served from or stored in the cache. */
    public boolean isCacheable(Request request) {
        return phrases.contains(normalize(request.text()));
    }

    @Override
    public Usage synthesize(Request request, AudioSink sink, CancelSignal cancel) throws IOException {
        Objects.requireNonNull(request, "request");
        Objects.requireNonNull(sink, "sink");
        Objects.requireNonNull(cancel, "cancel");
        if (!isCacheable(request)) {
            bypassed.incrementAndGet();
            return delegate.synthesize(request, sink, cancel);
        }
        if (!delegate.supports(request.format())) {
            throw new IllegalArgumentException(delegate.name() + " cannot produce " + request.format());
        }
        cancel.throwIfCancelled();
        String key = key(request);
        byte[] audio = lookup(key);
        if (audio != null) {
            hits.incrementAndGet();
            deliver(audio, request.format(), sink, cancel);
            return new Usage(request.text().length(), true);
        }
        misses.incrementAndGet();
        Recorder recorder = new Recorder(sink, maxBytes);
        Usage usage = delegate.synthesize(request, recorder, cancel);
        cancel.throwIfCancelled();
        byte[] recorded = recorder.audio();
        if (recorded != null && recorded.length > 0) {
            remember(key, recorded);
            persist(key, recorded);
        }
        return usage;
    }

    /**
     * Synthesizes every allowlisted phrase not yet cached in {@code format}, one after another, so the first
     * caller's greeting and every call's first goodbye come from memory. A phrase that fails is logged and
     * skipped (it will be synthesized when first spoken); nothing is thrown for it.
     *
     * @return how many phrases were synthesized and stored now
     * @throws IllegalArgumentException if the delegate cannot produce {@code format}
     */
    public int warm(AudioFormat format, CancelSignal cancel) {
        Objects.requireNonNull(format, "format");
        Objects.requireNonNull(cancel, "cancel");
        if (!delegate.supports(format)) {
            throw new IllegalArgumentException(delegate.name() + " cannot produce " + format);
        }
        int warmed = 0;
        for (String phrase : phrases.stream().sorted().toList()) {
            if (cancel.isCancelled()) {
                break;
            }
            Request request = new Request(phrase, format, null, null);
            if (lookup(key(request)) != null) {
                continue;
            }
            try {
                synthesize(request, chunk -> { }, cancel);
                warmed++;
            } catch (CancelledException e) {
                break;
            } catch (IOException | RuntimeException e) {
                LOG.log(System.Logger.Level.WARNING, "could not warm the phrase cache with \"{0}\": {1}", phrase,
                        e.toString());
            }
        }
        return warmed;
    }

    @Override
    public boolean supports(AudioFormat format) {
        return delegate.supports(format);
    }

    @Override
    public String name() {
        return delegate.name() + " (phrase cache)";
    }

    private String key(Request request) {
        return keyPrefix + '\n' + request.format() + '\n' + normalize(request.text());
    }

    static String normalize(String text) {
        return text.strip().replaceAll("\\s+", " ");
    }

    private byte[] lookup(String key) {
        synchronized (memory) {
            byte[] audio = memory.get(key);
            if (audio != null) {
                return audio;
            }
        }
        if (directory == null) {
            return null;
        }
        byte[] fromDisk = load(key);
        if (fromDisk != null) {
            remember(key, fromDisk);
        }
        return fromDisk;
    }

    private void remember(String key, byte[] audio) {
        if (audio.length > maxBytes) {
            return;
        }
        synchronized (memory) {
            byte[] previous = memory.put(key, audio);
            if (previous != null) {
                memoryBytes -= previous.length;
            }
            memoryBytes += audio.length;
            Iterator<Map.Entry<String, byte[]>> eldest = memory.entrySet().iterator();
            while (memoryBytes > maxBytes && eldest.hasNext()) {
                Map.Entry<String, byte[]> evicted = eldest.next();
                memoryBytes -= evicted.getValue().length;
                eldest.remove();
            }
        }
    }

    private static void deliver(byte[] audio, AudioFormat format, AudioSink sink, CancelSignal cancel)
            throws IOException {
        int chunk = Math.max(format.bytesPerFrame(), format.bytesForMillis(HIT_CHUNK_MILLIS));
        for (int offset = 0; offset < audio.length; offset += chunk) {
            cancel.throwIfCancelled();
            sink.onAudio(Arrays.copyOfRange(audio, offset, Math.min(audio.length, offset + chunk)));
        }
        cancel.throwIfCancelled();
    }

    private Path fileFor(String key) {
        try {
            byte[] hash = MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8));
            return directory.resolve(HexFormat.of().formatHex(hash) + FILE_SUFFIX);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }

    /*
     * File layout, all integers big-endian:
     *   int    magic "HLPC"
     *   int    version (1)
     *   int    key length in bytes, then the key in UTF-8 (guards against hash collisions and stale files)
     *   int    audio length in bytes, then the audio
     *   long   CRC-32 of everything above
     */
    private void persist(String key, byte[] audio) {
        if (directory == null) {
            return;
        }
        Path target = fileFor(key);
        Path temporary = null;
        try {
            temporary = Files.createTempFile(directory, ".phrase-", ".tmp");
            try (OutputStream file = Files.newOutputStream(temporary);
                    DataOutputStream out = new DataOutputStream(file)) {
                byte[] keyBytes = key.getBytes(StandardCharsets.UTF_8);
                ByteArrayOutputStream body = new ByteArrayOutputStream(16 + keyBytes.length + audio.length);
                DataOutputStream bodyOut = new DataOutputStream(body);
                bodyOut.writeInt(FILE_MAGIC);
                bodyOut.writeInt(FILE_VERSION);
                bodyOut.writeInt(keyBytes.length);
                bodyOut.write(keyBytes);
                bodyOut.writeInt(audio.length);
                bodyOut.write(audio);
                byte[] bytes = body.toByteArray();
                CRC32 crc = new CRC32();
                crc.update(bytes);
                out.write(bytes);
                out.writeLong(crc.getValue());
            }
            try {
                Files.move(temporary, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(temporary, target, StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (IOException e) {
            diskErrors.incrementAndGet();
            LOG.log(System.Logger.Level.WARNING, "phrase cache: could not write {0} ({1}); the phrase stays cached "
                    + "in memory only", target, e.toString());
            deleteQuietly(temporary);
        }
    }

    private byte[] load(String key) {
        Path file = fileFor(key);
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            return null;
        } catch (IOException e) {
            diskErrors.incrementAndGet();
            LOG.log(System.Logger.Level.WARNING, "phrase cache: could not read {0} ({1}); synthesizing again", file,
                    e.toString());
            return null;
        }
        byte[] audio = decode(bytes, key);
        if (audio == null) {
            LOG.log(System.Logger.Level.INFO, "phrase cache: ignoring corrupt or stale file {0}; it will be replaced",
                    file);
            deleteQuietly(file);
        }
        return audio;
    }

    private byte[] decode(byte[] bytes, String key) {
        final int trailer = Long.BYTES;
        if (bytes.length < 4 * Integer.BYTES + trailer) {
            return null;
        }
        CRC32 crc = new CRC32();
        crc.update(bytes, 0, bytes.length - trailer);
        try (InputStream stream = new ByteArrayInputStream(bytes);
                DataInputStream in = new DataInputStream(stream)) {
            if (in.readInt() != FILE_MAGIC || in.readInt() != FILE_VERSION) {
                return null;
            }
            int keyLength = in.readInt();
            if (keyLength < 0 || keyLength > bytes.length) {
                return null;
            }
            byte[] storedKey = in.readNBytes(keyLength);
            int audioLength = in.readInt();
            if (audioLength <= 0 || audioLength != bytes.length - 4 * Integer.BYTES - keyLength - trailer) {
                return null;
            }
            byte[] audio = in.readNBytes(audioLength);
            long storedCrc = in.readLong();
            if (storedCrc != crc.getValue() || !key.equals(new String(storedKey, StandardCharsets.UTF_8))) {
                return null;
            }
            return audio;
        } catch (IOException e) {
            return null;
        }
    }

    private void deleteQuietly(Path file) {
        if (file == null) {
            return;
        }
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            diskErrors.incrementAndGet();
            LOG.log(System.Logger.Level.WARNING, "phrase cache: could not delete {0} ({1})", file, e.toString());
        }
    }

    /** Passes chunks on at once and keeps a copy, up to a limit past which nothing is kept. */
    private static final class Recorder implements AudioSink {
        private final AudioSink downstream;
        private final long limit;
        private ByteArrayOutputStream copy = new ByteArrayOutputStream();

        Recorder(AudioSink downstream, long limit) {
            this.downstream = downstream;
            this.limit = limit;
        }

        @Override
        public void onAudio(byte[] chunk) {
            if (copy != null) {
                if (copy.size() + (long) chunk.length > limit) {
                    copy = null;
                } else {
                    copy.write(chunk, 0, chunk.length);
                }
            }
            downstream.onAudio(chunk);
        }

        byte[] audio() {
            return copy == null ? null : copy.toByteArray();
        }
    }
}
