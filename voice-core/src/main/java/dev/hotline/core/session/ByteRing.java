package dev.hotline.core.session;

import java.util.Objects;

/**
 * A first-in first-out queue of bytes in one array that grows by doubling and is then reused: the playout's
 * store of synthesized audio waiting for the transport.
 *
 * <p>Why not keep the synthesizer's arrays: a reply's audio arrives faster than it plays and waits here for
 * seconds, so arrays made for each reply lived through several young collections and were copied by every
 * one of them. One array per call, kept for the call, is copied to the old generation once and then written
 * in place; the synthesizer's arrays die at once.
 *
 * <p>Not thread-safe: {@link Playout} uses it under its lock.
 */
final class ByteRing {

    private static final int INITIAL_CAPACITY = 4_096;

    private byte[] data = new byte[0];
    private int head;
    private int size;

    /** Bytes queued. */
    int size() {
        return size;
    }

    /** The length of the array behind the queue (for tests and memory accounting). */
    int capacity() {
        return data.length;
    }

    /** Appends {@code length} bytes of {@code source} from {@code offset}, growing the array if they do not fit. */
    void write(byte[] source, int offset, int length) {
        Objects.checkFromIndexSize(offset, length, source.length);
        ensureRoom(length);
        int tail = (head + size) % Math.max(1, data.length);
        int first = Math.min(length, data.length - tail);
        System.arraycopy(source, offset, data, tail, first);
        System.arraycopy(source, offset + first, data, 0, length - first);
        size += length;
    }

    /** Takes the first {@code length} bytes into {@code target} from {@code offset}. */
    void read(byte[] target, int offset, int length) {
        peek(target, offset, length);
        drop(length);
    }

    /** Copies the first {@code length} bytes into {@code target} from {@code offset}, leaving them queued. */
    void peek(byte[] target, int offset, int length) {
        Objects.checkFromIndexSize(offset, length, target.length);
        requireQueued(length);
        int first = Math.min(length, data.length - head);
        System.arraycopy(data, head, target, offset, first);
        System.arraycopy(data, 0, target, offset + first, length - first);
    }

    /** Drops the first {@code length} bytes. */
    void skip(int length) {
        requireQueued(length);
        drop(length);
    }

    /** Drops everything; the array is kept for reuse. */
    void clear() {
        head = 0;
        size = 0;
    }

    private void drop(int length) {
        size -= length;
        head = size == 0 ? 0 : (head + length) % data.length;
    }

    private void requireQueued(int length) {
        if (length < 0 || length > size) {
            throw new IllegalArgumentException("asked for " + length + " bytes, " + size + " queued");
        }
    }

    private void ensureRoom(int length) {
        long needed = (long) size + length;
        if (needed <= data.length) {
            return;
        }
        if (needed > Integer.MAX_VALUE - 8) {
            throw new IllegalStateException("ring cannot hold " + needed + " bytes");
        }
        int capacity = Math.max(INITIAL_CAPACITY, data.length);
        while (capacity < needed) {
            capacity = (int) Math.min(Integer.MAX_VALUE - 8, capacity * 2L);
        }
        byte[] grown = new byte[capacity];
        int first = Math.min(size, data.length - head);
        System.arraycopy(data, head, grown, 0, first);
        System.arraycopy(data, 0, grown, first, size - first);
        data = grown;
        head = 0;
    }
}
