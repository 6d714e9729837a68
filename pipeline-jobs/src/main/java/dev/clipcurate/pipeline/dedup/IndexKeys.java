package dev.clipcurate.pipeline.dedup;

import java.io.Serializable;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
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
 * with the windows that could be such an anchor of a clip with the same motion ({@link #anchorLike}), plain and
 * mirrored, optionally also with up to {@link Layout#flips()} uncertain key bits flipped (multi-probe; off by
 * default: short keys need it less); and, with those windows starting at every {@link Layout#cropEvery()}-th
 * sampled frame, under the crop hypotheses ({@link ClipFingerprint#WINDOWS}: the earlier clip a crop of this one,
 * or this one a crop of it). Mirroring, uncertain bits and crops are expanded on the lookup side, never stored. A
 * lookup carries its sketch's bits that lie close to a hyperplane ({@link Layout#flipMargin()}), which it follows
 * both ways where a crowded key split ({@link EventIndex}). Because the sketch describes motion, not the scene,
 * events of one fixed camera spread over keys instead of crowding its background's.
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
     * @param flipMargin  a bit is uncertain (flipped by a lookup, in the key or in a split key's path) only if its
     *                    margin (|projection| over the window's norm) is below this
     * @param cropEvery   crop hypotheses probe the windows starting at every this many sampled frames
     * @param probeSlack  a lookup probes only windows that could be a stored anchor: within this share of the most
     *                    motion of some {@code anchorEvery} consecutive windows around them; negative: every window
     */
    public record Layout(int keyBits, int anchorEvery, int flips, int motionBits, int cropFlips, float flipMargin, int cropEvery,
                         float probeSlack) implements Serializable {
        /** Measured with scripts/curate eval-dedup (README, "Near-duplicates"). */
        public static final Layout DEFAULT = new Layout(18, 3, 0, 9, 0, 0.15f, 2, 0f);

        public Layout {
            if (keyBits < 8 || keyBits > TABLE_SHIFT) throw new IllegalArgumentException("key bits must be 8.." + TABLE_SHIFT);
            if (anchorEvery < 1) throw new IllegalArgumentException("anchor spacing must be >= 1 frame");
            if (flips < 0 || flips > keyBits) throw new IllegalArgumentException("flips must be 0..key bits");
            if (cropFlips < -1 || cropFlips > keyBits) throw new IllegalArgumentException("crop flips must be -1..key bits");
            if (cropEvery < 1) throw new IllegalArgumentException("crop probes must be every >= 1 frame");
        }
    }

    /**
     * One sketch of a clip at one time ({@code atMs} into the clip) under one key; for a lookup, {@code uncertain}
     * marks the sketch's bits close to flipping, which it also follows both ways below a key that split.
     */
    public record Posting(int key, long sketch, int atMs, long uncertain) {}

    private IndexKeys() {}

    /**
     * Levels of overflow keys: a full key (a busy camera's events that look alike) splits: its postings move into
     * 2^{@value #OVERFLOW_BITS} overflow keys chosen by the next bits of their sketches, and so on down to this many
     * levels, so that a crowded key keeps its postings (all but those that share the whole path with a full deepest
     * key) while a lookup reads only the keys its own sketch's path leads to ({@link EventIndex}).
     */
    static final int OVERFLOW_LEVELS = 15; // the path (2 bits a level) and its leading one fill a state key's high word
    static final int OVERFLOW_BITS = 2;

    /**
     * The state key of index key {@code key} at {@code level} for {@code sketch}: the key itself at level 0, below it
     * the path of the sketch's next bits (after the key's) in the high word, behind a one so that paths of
     * different lengths differ: distinct for every key, level and path.
     */
    static long stateKey(int key, long sketch, int level, Layout layout) {
        if (level == 0) return key & 0xFFFF_FFFFL;
        long path = (sketch >>> layout.keyBits()) & ((1L << (level * OVERFLOW_BITS)) - 1);
        return (1L << (level * OVERFLOW_BITS) | path) << 32 | (key & 0xFFFF_FFFFL);
    }

    /** The state key one level above overflow key {@code stateKey}: the key that split into it. */
    static long parent(long stateKey) {
        long high = stateKey >>> 32, key = stateKey & 0xFFFF_FFFFL;
        int bits = 63 - Long.numberOfLeadingZeros(high) - OVERFLOW_BITS; // the parent's path bits
        return bits == 0 ? key : (1L << bits | high & ((1L << bits) - 1)) << 32 | key;
    }

    /** Every index key (motion keys, then still clips' keys) numbered densely, for bitsets over the index's keys. */
    static final int SLOTS = MOTION_TABLES << TABLE_SHIFT | PDQ_SLOTS << 16;

    static int slot(int key) {
        int table = key >>> TABLE_SHIFT;
        if (table < MOTION_TABLES) return key;
        return MOTION_TABLES << TABLE_SHIFT | (table - PDQ_TABLE) << 16 | (key & 0xffff);
    }

    /** Whether {@code key} is a motion key (as opposed to a still clip's PDQ key). */
    static boolean isMotion(int key) {
        return (key >>> TABLE_SHIFT) < MOTION_TABLES;
    }

    /** Most bits a posting's sketch may differ from a lookup's under {@code key}. */
    private static int bound(int key, Layout layout) {
        return isMotion(key) ? layout.motionBits() : PDQ_SKETCH_BITS;
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
                out.add(new Posting(key(t, slice(w.sketches()[t], layout)), w.sketches()[t], atMs(f, w.frame()), 0));
            }
        }
        return out;
    }

    private static List<Posting> motionProbes(ClipFingerprint f, Layout layout) {
        float[][] grids = ClipMatcher.grids(f);
        List<Posting> out = new ArrayList<>();
        probe(out, f, MotionSketch.sketchGrids(grids), layout.flips(), layout, 1);
        probe(out, f, MotionSketch.sketchGrids(ClipMatcher.mirrored(grids)), layout.flips(), layout, 1);
        if (layout.cropFlips() >= 0) {
            for (double[] w : ClipFingerprint.WINDOWS) {
                // the earlier clip may be a crop of this one, or this one a crop of it (the crop's edges repeated)
                probe(out, f, MotionSketch.sketchGrids(ClipMatcher.window(grids, w)), layout.cropFlips(), layout, layout.cropEvery());
                probe(out, f, MotionSketch.sketchGrids(ClipMatcher.window(grids, uncropped(w))), layout.cropFlips(), layout, layout.cropEvery());
            }
        }
        return out;
    }

    /**
     * Per window start, whether it could be the anchor another clip of the same motion stored: an anchor has the most
     * motion of its block of {@link Layout#anchorEvery()} windows, and a cut copy's blocks start anywhere, so a
     * window qualifies when it has (within {@link Layout#probeSlack()}, for re-encoding) the most motion of some run
     * of that many consecutive windows that holds it.
     */
    static boolean[] anchorLike(List<MotionSketch.Window> windows, int frames, Layout layout) {
        boolean[] out = new boolean[frames];
        double[] energy = new double[frames];
        for (MotionSketch.Window w : windows) energy[w.frame()] = w.energy();
        for (MotionSketch.Window w : windows) {
            int j = w.frame();
            if (layout.probeSlack() < 0) {
                out[j] = true;
                continue;
            }
            double floor = 1 - layout.probeSlack();
            for (int start = Math.max(0, j - layout.anchorEvery() + 1); start <= j && !out[j]; start++) {
                double most = 0;
                for (int k = start; k < Math.min(frames, start + layout.anchorEvery()); k++) most = Math.max(most, energy[k]);
                out[j] = energy[j] >= floor * most;
            }
        }
        return out;
    }

    /** The frame that {@code crop} was cut from, in the crop's coordinates. */
    static double[] uncropped(double[] crop) {
        double w = crop[2] - crop[0], h = crop[3] - crop[1];
        return new double[] {-crop[0] / w, -crop[1] / h, (1 - crop[0]) / w, (1 - crop[1]) / h};
    }

    /** Probes each window of frames {@code i % every == 0} under each table, with its uncertain bits flipped. */
    private static void probe(List<Posting> out, ClipFingerprint f, float[][] coarse, int flips, Layout layout, int every) {
        List<MotionSketch.Window> windows = MotionSketch.windows(coarse);
        boolean[] anchorLike = anchorLike(windows, coarse.length, layout);
        for (MotionSketch.Window w : windows) {
            if (w.frame() % every != 0 || !anchorLike[w.frame()]) continue;
            for (int t = 0; t < MOTION_TABLES; t++) {
                int base = slice(w.sketches()[t], layout);
                int[] uncertain = uncertain(w.margins()[t], flips, layout);
                long nearPlanes = nearPlanes(w.margins()[t], layout);
                for (int mask = 0; mask < 1 << uncertain.length; mask++) {
                    int value = base;
                    for (int b = 0; b < uncertain.length; b++) if ((mask & 1 << b) != 0) value ^= 1 << uncertain[b];
                    out.add(new Posting(key(t, value), w.sketches()[t], atMs(f, w.frame()), nearPlanes));
                }
            }
        }
    }

    /**
     * Of the key's {@code flips} least certain bit positions, those whose margin is below {@link Layout#flipMargin()}:
     * a sketch far from every hyperplane is probed once, not {@code 2^flips} times.
     */
    private static int[] uncertain(float[] margins, int flips, Layout layout) {
        List<Integer> bits = new ArrayList<>();
        for (int b = 0; b < layout.keyBits(); b++) bits.add(b);
        bits.sort(Comparator.comparingDouble(b -> margins[b]));
        return bits.subList(0, flips).stream().filter(b -> margins[b] < layout.flipMargin()).mapToInt(Integer::intValue).toArray();
    }

    /** The sketch's bits whose margin is below {@link Layout#flipMargin()}. */
    private static long nearPlanes(float[] margins, Layout layout) {
        long out = 0;
        for (int b = 0; b < margins.length; b++) if (margins[b] < layout.flipMargin()) out |= 1L << b;
        return out;
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
            out.add(new Posting(key(PDQ_TABLE + slot, value), bits[1], atMs, 0));
        }
    }

    /**
     * The postings under one key, read in place from their 36-byte form (clip key, epoch, capture time, sketch, time
     * in clip): a lookup compares every posting's sketch but decodes the rest only of those close enough.
     */
    public static final class Postings {
        static final int BYTES = 36;
        private static final VarHandle LONG = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.BIG_ENDIAN);
        private static final VarHandle INT = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.BIG_ENDIAN);
        private byte[] value = new byte[0];
        int size;

        /** This view over {@code value}; reused from key to key. */
        Postings over(byte[] value) {
            this.value = value;
            size = value.length / BYTES;
            return this;
        }

        long clipKey(int p) {
            return (long) LONG.get(value, p * BYTES);
        }

        long sketch(int p) {
            return (long) LONG.get(value, p * BYTES + 24);
        }

        int atMs(int p) {
            return (int) INT.get(value, p * BYTES + 32);
        }

        /** Appends the sketches {@code [from, to)} of {@code batch} as postings to {@code old} (null: none yet). */
        static byte[] append(byte[] old, IndexBatch batch, int from, int to) {
            int have = old == null ? 0 : old.length;
            java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(have + (to - from) * BYTES);
            if (old != null) b.put(old);
            for (int i = from; i < to; i++) {
                b.putLong(batch.clipKey).putLong(batch.epoch).putLong(batch.captureMs).putLong(batch.sketches[i]).putInt(batch.atMs[i]);
            }
            return b.array();
        }

        /** Whether posting {@code p} comes before {@code batch}'s clip in {@link DedupOrder}. */
        boolean before(int p, IndexBatch batch) {
            return DedupOrder.before((long) LONG.get(value, p * BYTES + 8), (long) LONG.get(value, p * BYTES + 16), clipKey(p),
                    batch.epoch, batch.captureMs, batch.clipKey);
        }
    }

    /**
     * Answers the lookup of {@code batch}'s key {@code i} from postings under it (or under its overflow keys): for
     * each of its sketches {@code [from, to)}, the {@value #BEST_PER_SKETCH} closest postings within the bound
     * (closest first, then in posting order) of clips before it in {@link DedupOrder}. A crowded key so answers with
     * a handful of hits, not with everything that looks alike.
     */
    static void answer(IndexBatch batch, int i, int from, int to, Postings postings, Layout layout, HitSink out) {
        answer(batch, i, from, to, postings, layout, true, out);
    }

    private static void answer(IndexBatch batch, int i, int from, int to, Postings postings, Layout layout, boolean ordered,
                               HitSink out) {
        int[] best = new int[BEST_PER_SKETCH];
        int[] bestCloseness = new int[BEST_PER_SKETCH];
        int limit = bound(batch.keys[i], layout) + 1;
        for (int s = from; s < to; s++) {
            int found = 0;
            long sketch = batch.sketches[s];
            for (int p = 0; p < postings.size; p++) {
                int closeness = limit - Long.bitCount(sketch ^ postings.sketch(p));
                if (closeness <= 0 || postings.clipKey(p) == batch.clipKey) continue;
                int at = Math.min(found, BEST_PER_SKETCH - 1);
                if (found >= BEST_PER_SKETCH && closeness <= bestCloseness[at]) continue;
                if (ordered && !postings.before(p, batch)) continue;
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
                out.hit(batch.atMs[s], postings.clipKey(best[k]), postings.atMs(best[k]), bestCloseness[k]);
            }
        }
    }

    /** Where {@link #answer} puts a hit: a lookup's sketch at {@code atMs} met a posting of an earlier clip. */
    public interface HitSink {
        void hit(int atMs, long earlierClipKey, int earlierAtMs, int closeness);
    }

    /** Stored batches as the index keeps them: the packed postings under each key (for measuring and testing without a job). */
    public static Map<Integer, byte[]> postingsByKey(Iterable<IndexBatch> stored) {
        Map<Integer, byte[]> out = new java.util.HashMap<>();
        for (IndexBatch b : stored) {
            for (int i = 0; i < b.keys.length; i++) out.put(b.keys[i], Postings.append(out.get(b.keys[i]), b, b.from(i), b.ends[i]));
        }
        return out;
    }

    /**
     * What the index answers {@code lookups} (one clip's) from {@code postingsByKey}, order aside: for measuring and
     * testing without a job.
     */
    public static IndexHit hits(List<IndexBatch> lookups, Map<Integer, byte[]> postingsByKey, Layout layout) {
        ClipHits hits = new ClipHits();
        Postings postings = new Postings();
        String clipId = null;
        long epoch = 0;
        for (IndexBatch lookup : lookups) {
            clipId = lookup.clipId;
            epoch = lookup.epoch;
            for (int i = 0; i < lookup.keys.length; i++) {
                byte[] value = postingsByKey.get(lookup.keys[i]);
                if (value != null) answer(lookup, i, lookup.from(i), lookup.ends[i], postings.over(value), layout, false, hits);
            }
        }
        return hits.toHit(clipId, epoch);
    }
}
