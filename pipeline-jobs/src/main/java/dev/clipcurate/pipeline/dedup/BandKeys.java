package dev.clipcurate.pipeline.dedup;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Multi-index hashing of a clip's PDQ hashes: each indexed hash is split into 16 slots of 16 bits, and two hashes
 * become a candidate pair when they agree exactly on one slot and are within {@value #CANDIDATE_BITS} bits overall
 * (pigeonhole: hashes within 15 bits always share a slot; farther ones often still do). Every second sampled frame
 * (one per second at the default rate) with texture is indexed, by its whole-frame, crop-window and mirrored hashes, so that
 * cropped and mirrored copies become candidates too. Candidates are only candidates: {@link ClipMatcher} decides.
 */
public final class BandKeys {
    public static final int SLOTS = 16;
    /** Frames flatter than this hash unreliably (PDQ skips them too). */
    public static final int MIN_QUALITY = 10;
    /** Loose on purpose: crops move hashes far, and the motion matcher sorts candidates out. */
    public static final int CANDIDATE_BITS = 72;
    static final int FRAME_STRIDE = 2;

    private BandKeys() {}

    /** One indexed hash of a clip, under one band key (slot in the high 16 bits, the slot's value in the low). */
    public record Entry(int bandKey, long[] hash) {}

    /** The entries of a clip, at most one per band key and hash. */
    public static List<Entry> entries(ClipFingerprint f) {
        Map<String, Entry> distinct = new LinkedHashMap<>();
        for (int i = 0; i < f.frames(); i += FRAME_STRIDE) {
            if (f.quality[i] < MIN_QUALITY) continue;
            List<PdqHash> hashes = new ArrayList<>();
            hashes.add(f.pdq(i));
            hashes.add(f.pdqMirror(i));
            for (int w = 0; w < ClipFingerprint.WINDOWS.length; w++) hashes.add(f.pdqWindow(i, w));
            for (PdqHash h : hashes) {
                for (int slot = 0; slot < SLOTS; slot++) {
                    int key = bandKey(h.bits(), slot);
                    distinct.putIfAbsent(key + ":" + h.hex(), new Entry(key, h.bits()));
                }
            }
        }
        return new ArrayList<>(distinct.values());
    }

    public static int bandKey(long[] bits, int slot) {
        long word = bits[slot / 4];
        int value = (int) (word >>> (48 - 16 * (slot % 4))) & 0xffff;
        return (slot << 16) | value;
    }

    public static boolean near(long[] a, long[] b) {
        return PdqHash.distance(a, b) <= CANDIDATE_BITS;
    }
}
