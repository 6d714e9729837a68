package dev.clipcurate.pipeline.dedup;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Multi-index hashing of a clip's PDQ hashes: a hash is split into slots of 16 bits, and two hashes become a candidate
 * pair when they agree exactly on one slot and are within {@value #CANDIDATE_BITS} bits overall. Candidates are only
 * candidates: {@link ClipMatcher} decides.
 *
 * <p>The index is asymmetric to stay small. A clip <em>stores</em> few entries: every {@link Layout#storeStride()}-th
 * sampled frame with texture, by its whole-frame and crop-window hashes, and not a hash within
 * {@link Layout#sameClipBits()} of one it already stored (a fixed camera's frames change little). It <em>queries</em>
 * with every textured frame, by its whole-frame, window and mirrored hashes, so a trimmed copy always has a query frame
 * close in time to a stored frame, a cropped copy's whole frame meets a window of its source (or the other way round),
 * and a mirrored copy's mirrored hash meets its source's frame. Each clip both stores and queries, so a pair is found
 * whichever of the two comes second.
 */
public final class BandKeys {
    /** Frames flatter than this hash unreliably (PDQ skips them too). */
    public static final int MIN_QUALITY = 10;
    /** Loose on purpose: crops move hashes far, and the motion matcher sorts candidates out. */
    public static final int CANDIDATE_BITS = 72;

    /**
     * @param slots        16-bit slots per hash used as band keys (1-16)
     * @param storeStride  every how many sampled frames a clip stores its hashes
     * @param sameClipBits a hash this close to one the clip already stores is not stored; -1 stores all
     */
    public record Layout(int slots, int storeStride, int sameClipBits) implements Serializable {
        /** Measured with scripts/curate eval-dedup (README, "Near-duplicates"). */
        public static final Layout DEFAULT = new Layout(4, 8, 32);

        public Layout {
            if (slots < 1 || slots > 16) throw new IllegalArgumentException("slots must be 1..16");
            if (storeStride < 1) throw new IllegalArgumentException("store stride must be >= 1");
        }
    }

    private BandKeys() {}

    /** One hash of a clip under one band key (slot in the high 16 bits, the slot's value in the low). */
    public record Entry(int bandKey, long[] hash) {}

    /** The entries a clip keeps in the index. */
    public static List<Entry> stored(ClipFingerprint f, Layout layout) {
        Map<String, Entry> distinct = new LinkedHashMap<>();
        List<List<long[]>> storedByWindow = new ArrayList<>();
        for (int i = 0; i < f.frames(); i += layout.storeStride()) {
            if (f.quality[i] < MIN_QUALITY) continue;
            List<PdqHash> hashes = new ArrayList<>();
            hashes.add(f.pdq(i));
            for (int w = 0; w < ClipFingerprint.WINDOWS.length; w++) hashes.add(f.pdqWindow(i, w));
            for (int kind = 0; kind < hashes.size(); kind++) {
                long[] bits = hashes.get(kind).bits();
                if (storedByWindow.size() <= kind) storedByWindow.add(new ArrayList<>());
                List<long[]> same = storedByWindow.get(kind);
                if (same.stream().anyMatch(other -> PdqHash.distance(other, bits) <= layout.sameClipBits())) continue;
                same.add(bits);
                add(distinct, bits, layout);
            }
        }
        return new ArrayList<>(distinct.values());
    }

    /** The entries a clip looks up in the index (not kept). */
    public static List<Entry> queries(ClipFingerprint f, Layout layout) {
        Map<String, Entry> distinct = new LinkedHashMap<>();
        for (int i = 0; i < f.frames(); i++) {
            if (f.quality[i] < MIN_QUALITY) continue;
            add(distinct, f.pdq(i).bits(), layout);
            add(distinct, f.pdqMirror(i).bits(), layout);
            for (int w = 0; w < ClipFingerprint.WINDOWS.length; w++) add(distinct, f.pdqWindow(i, w).bits(), layout);
        }
        return new ArrayList<>(distinct.values());
    }

    private static void add(Map<String, Entry> distinct, long[] bits, Layout layout) {
        for (int slot = 0; slot < layout.slots(); slot++) {
            int key = bandKey(bits, slot);
            distinct.putIfAbsent(key + ":" + bits[0] + ":" + bits[1] + ":" + bits[2] + ":" + bits[3], new Entry(key, bits));
        }
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
