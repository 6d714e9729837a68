package dev.clipcurate.pipeline.dedup;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/**
 * What a clip keeps in the dedup index and what it looks up there. Keys are the first bits of a 64-bit sketch; a
 * posting is a (key, sketch, time) kept under its key; a lookup meets the postings under its key and keeps those
 * whose whole sketch is close to its own.
 *
 * <p><b>Moving clips</b> are keyed by {@link MotionSketch motion}: a clip stores one anchor per
 * {@link Layout#anchorEvery()} sampled frames (the window with most motion: 1.5 s, so a 16-s clip stores 10), under
 * {@link #MOTION_TABLES} keys each: the first {@link Layout#keyBits()} bits of each of its sketches. It looks up
 * with every window, plain and mirrored, and for each key also with its {@link Layout#flips()} least certain bits
 * flipped (multi-probe), so a re-encoded copy whose sketch moved a few bits still meets its source; and under the
 * crop hypotheses ({@link ClipFingerprint#WINDOWS}: the earlier clip a crop of this one, or this one a crop of it).
 * Mirroring, uncertain bits and crops are expanded on the lookup side, never stored. Because the sketch describes motion, not the scene, events of one fixed
 * camera spread over keys instead of crowding its background's.
 *
 * <p><b>Still clips</b> (almost no motion, {@link ClipMatcher}'s static rule) have no motion to key on; they are
 * keyed by 16-bit slots of their PDQ hashes as before: stored every 8th frame, whole frame and crop windows,
 * skipping hashes within 32 bits of one already stored; looked up with every frame's whole, window and mirrored hash.
 */
public final class IndexKeys {
    static final int MOTION_TABLES = MotionSketch.TABLES;
    private static final int PDQ_TABLE = MOTION_TABLES;
    private static final int PDQ_SLOTS = 4;
    private static final int PDQ_STORE_STRIDE = 8;
    private static final int PDQ_SAME_CLIP_BITS = 32;
    /** PDQ's candidate bound (72 of 256 bits) on the 64 bits of the sketch word. */
    private static final int PDQ_SKETCH_BITS = 18;
    private static final int TABLE_SHIFT = 24;
    /** Hits a lookup sketch answers with, at most. */
    static final int BEST_PER_SKETCH = 3;
    /** Frames flatter than this hash unreliably (PDQ skips them too). */
    static final int MIN_QUALITY = 10;

    /**
     * @param keyBits     bits of a motion key (a slice of the sketch), at most 24
     * @param anchorEvery a moving clip stores one anchor per this many sampled frames
     * @param flips       least certain bits of a key a lookup also probes flipped (2^flips keys per slice)
     * @param motionBits  a posting answers a lookup when their sketches differ in at most this many bits
     * @param cropFlips   bits flipped when probing the crop hypotheses ({@link ClipFingerprint#WINDOWS}, either clip a
     *                    crop of the other); -1: no crop hypotheses
     */
    public record Layout(int keyBits, int anchorEvery, int flips, int motionBits, int cropFlips) implements Serializable {
        /** Measured with scripts/curate eval-dedup (README, "Near-duplicates"). */
        public static final Layout DEFAULT = new Layout(24, 3, 3, 9, 0);

        public Layout {
            if (keyBits < 8 || keyBits > TABLE_SHIFT) throw new IllegalArgumentException("key bits must be 8.." + TABLE_SHIFT);
            if (anchorEvery < 1) throw new IllegalArgumentException("anchor spacing must be >= 1 frame");
            if (flips < 0 || flips > keyBits) throw new IllegalArgumentException("flips must be 0..key bits");
            if (cropFlips < -1 || cropFlips > keyBits) throw new IllegalArgumentException("crop flips must be -1..key bits");
        }
    }

    /** One sketch of a clip at one time ({@code atMs} into the clip) under one key. */
    public record Posting(int key, long sketch, int atMs) {}

    private IndexKeys() {}

    /** Whether {@code key} is a motion key (as opposed to a still clip's PDQ key). */
    static boolean isMotion(int key) {
        return (key >>> TABLE_SHIFT) < MOTION_TABLES;
    }

    /** How much closer than the bound for {@code key} a posting's sketch is to a lookup's: > 0 answers the lookup. */
    public static int closeness(int key, long lookup, long posting, Layout layout) {
        int bound = (key >>> TABLE_SHIFT) < MOTION_TABLES ? layout.motionBits() : PDQ_SKETCH_BITS;
        return bound + 1 - Long.bitCount(lookup ^ posting);
    }

    public static boolean moving(ClipFingerprint f) {
        return ClipMatcher.meanMotion(ClipMatcher.grids(f)) >= ClipMatcher.STATIC_MOTION;
    }

    /** The postings a clip keeps in the index. */
    public static List<Posting> stored(ClipFingerprint f, Layout layout) {
        if (moving(f)) {
            List<Posting> motion = storedMotion(f, layout);
            if (!motion.isEmpty()) return motion;
        }
        return storedPdq(f);
    }

    /** The keys a clip looks up, each with the sketches it looks for there. */
    public static List<Posting> probes(ClipFingerprint f, Layout layout) {
        if (moving(f)) {
            List<Posting> motion = motionProbes(f, layout);
            if (!motion.isEmpty()) return motion;
        }
        return pdqProbes(f);
    }

    private static List<Posting> storedMotion(ClipFingerprint f, Layout layout) {
        List<MotionSketch.Window> anchors = MotionSketch.windows(MotionSketch.sketchGrids(ClipMatcher.grids(f)), layout.anchorEvery());
        List<Posting> out = new ArrayList<>();
        for (MotionSketch.Window w : anchors) {
            for (int t = 0; t < MOTION_TABLES; t++) {
                out.add(new Posting(key(t, slice(w.sketches()[t], layout)), w.sketches()[t], atMs(f, w.frame())));
            }
        }
        return out;
    }

    private static List<Posting> motionProbes(ClipFingerprint f, Layout layout) {
        float[][] grids = ClipMatcher.grids(f);
        List<Posting> out = new ArrayList<>();
        probe(out, f, MotionSketch.sketchGrids(grids), layout.flips(), layout);
        probe(out, f, MotionSketch.sketchGrids(ClipMatcher.mirrored(grids)), layout.flips(), layout);
        if (layout.cropFlips() >= 0) {
            for (double[] w : ClipFingerprint.WINDOWS) {
                // the earlier clip may be a crop of this one, or this one a crop of it (the crop's edges repeated)
                probe(out, f, MotionSketch.sketchGrids(ClipMatcher.window(grids, w)), layout.cropFlips(), layout);
                probe(out, f, MotionSketch.sketchGrids(ClipMatcher.window(grids, uncropped(w))), layout.cropFlips(), layout);
            }
        }
        return out;
    }

    /** The frame that {@code crop} was cut from, in the crop's coordinates. */
    static double[] uncropped(double[] crop) {
        double w = crop[2] - crop[0], h = crop[3] - crop[1];
        return new double[] {-crop[0] / w, -crop[1] / h, (1 - crop[0]) / w, (1 - crop[1]) / h};
    }

    private static void probe(List<Posting> out, ClipFingerprint f, float[][] coarse, int flips, Layout layout) {
        for (MotionSketch.Window w : MotionSketch.windows(coarse)) {
            for (int t = 0; t < MOTION_TABLES; t++) {
                int base = slice(w.sketches()[t], layout);
                int[] uncertain = leastCertain(w.margins()[t], flips, layout);
                for (int mask = 0; mask < 1 << uncertain.length; mask++) {
                    int value = base;
                    for (int b = 0; b < uncertain.length; b++) if ((mask & 1 << b) != 0) value ^= 1 << uncertain[b];
                    out.add(new Posting(key(t, value), w.sketches()[t], atMs(f, w.frame())));
                }
            }
        }
    }

    /** The key's {@code flips} least certain bit positions. */
    private static int[] leastCertain(float[] margins, int flips, Layout layout) {
        List<Integer> bits = new ArrayList<>();
        for (int b = 0; b < layout.keyBits(); b++) bits.add(b);
        bits.sort(Comparator.comparingDouble(b -> margins[b]));
        return bits.subList(0, flips).stream().mapToInt(Integer::intValue).toArray();
    }

    /** A motion key: the sketch's low {@link Layout#keyBits()} bits. */
    private static int slice(long sketch, Layout layout) {
        return (int) sketch & ((1 << layout.keyBits()) - 1);
    }

    private static int key(int table, int value) {
        return table << TABLE_SHIFT | value;
    }

    private static int atMs(ClipFingerprint f, int frame) {
        return (int) Math.min(Integer.MAX_VALUE, f.tsMs[frame]);
    }

    private static List<Posting> storedPdq(ClipFingerprint f) {
        List<Posting> out = new ArrayList<>();
        List<List<long[]>> storedByKind = new ArrayList<>();
        for (int i = 0; i < f.frames(); i += PDQ_STORE_STRIDE) {
            if (f.quality[i] < MIN_QUALITY) continue;
            List<long[]> hashes = new ArrayList<>();
            hashes.add(f.pdq(i).bits());
            for (int w = 0; w < ClipFingerprint.WINDOWS.length; w++) hashes.add(f.pdqWindow(i, w).bits());
            for (int kind = 0; kind < hashes.size(); kind++) {
                long[] bits = hashes.get(kind);
                if (storedByKind.size() <= kind) storedByKind.add(new ArrayList<>());
                List<long[]> same = storedByKind.get(kind);
                if (same.stream().anyMatch(other -> PdqHash.distance(other, bits) <= PDQ_SAME_CLIP_BITS)) continue;
                same.add(bits);
                addPdq(out, bits, atMs(f, i));
            }
        }
        return out;
    }

    private static List<Posting> pdqProbes(ClipFingerprint f) {
        List<Posting> out = new ArrayList<>();
        for (int i = 0; i < f.frames(); i++) {
            if (f.quality[i] < MIN_QUALITY) continue;
            addPdq(out, f.pdq(i).bits(), atMs(f, i));
            addPdq(out, f.pdqMirror(i).bits(), atMs(f, i));
            for (int w = 0; w < ClipFingerprint.WINDOWS.length; w++) addPdq(out, f.pdqWindow(i, w).bits(), atMs(f, i));
        }
        return out;
    }

    /** The hash under its first {@value #PDQ_SLOTS} 16-bit slots (all in word 0), sketched by word 1. */
    private static void addPdq(List<Posting> out, long[] bits, int atMs) {
        for (int slot = 0; slot < PDQ_SLOTS; slot++) {
            int value = (int) (bits[0] >>> (48 - 16 * slot)) & 0xffff;
            out.add(new Posting(key(PDQ_TABLE + slot, value), bits[1], atMs));
        }
    }

    /** The postings under one key, unpacked. */
    public record Postings(long[] clipKeys, long[] sketches, int[] atMs) {
        public int size() {
            return clipKeys.length;
        }
    }

    /**
     * Answers one lookup from the postings under its key: for each of its sketches, the {@value #BEST_PER_SKETCH}
     * closest postings within the bound (closest first, then in posting order) that {@code earlier} lets through.
     * A crowded key so answers with a handful of hits, not with everything that looks alike.
     */
    public static void answer(SketchEntry lookup, Postings postings, Layout layout, java.util.function.IntPredicate earlier,
                              HitSink out) {
        int[] best = new int[BEST_PER_SKETCH];
        int[] bestCloseness = new int[BEST_PER_SKETCH];
        for (int s = 0; s < lookup.sketches.length; s++) {
            int found = 0;
            for (int p = 0; p < postings.size(); p++) {
                if (postings.clipKeys[p] == lookup.clipKey || !earlier.test(p)) continue;
                int closeness = closeness(lookup.key, lookup.sketches[s], postings.sketches[p], layout);
                if (closeness <= 0) continue;
                int at = Math.min(found, BEST_PER_SKETCH - 1);
                if (found >= BEST_PER_SKETCH && closeness <= bestCloseness[at]) continue;
                while (at > 0 && bestCloseness[at - 1] < closeness) {
                    best[at] = best[at - 1];
                    bestCloseness[at] = bestCloseness[at - 1];
                    at--;
                }
                best[at] = p;
                bestCloseness[at] = closeness;
                found++;
            }
            for (int k = 0; k < Math.min(found, BEST_PER_SKETCH); k++) {
                out.hit(lookup, lookup.atMs[s], postings.clipKeys[best[k]], postings.atMs[best[k]], bestCloseness[k]);
            }
        }
    }

    /** Where {@link #answer} puts a hit: a lookup's sketch at {@code atMs} met a posting of an earlier clip. */
    public interface HitSink {
        void hit(SketchEntry lookup, int atMs, long earlierClipKey, int earlierAtMs, int closeness);
    }

    /**
     * What the index answers {@code lookups} (one clip's) from postings (of other clips), order aside: for measuring
     * and testing without a job.
     */
    public static List<IndexHit> hits(List<SketchEntry> lookups, Map<Integer, List<SketchEntry>> postingsByKey, Layout layout) {
        HitGroups hits = new HitGroups();
        for (SketchEntry lookup : lookups) {
            List<SketchEntry> entries = postingsByKey.getOrDefault(lookup.key, List.of());
            int n = entries.stream().mapToInt(e -> e.sketches.length).sum();
            long[] clipKeys = new long[n], sketches = new long[n];
            int[] atMs = new int[n];
            int p = 0;
            for (SketchEntry e : entries) {
                for (int k = 0; k < e.sketches.length; k++, p++) {
                    clipKeys[p] = e.clipKey;
                    sketches[p] = e.sketches[k];
                    atMs[p] = e.atMs[k];
                }
            }
            answer(lookup, new Postings(clipKeys, sketches, atMs), layout, q -> true, hits);
        }
        return hits.drain();
    }
}
