package dev.clipcurate.pipeline.dedup;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Ranks the earlier clips a clip's lookups met. An earlier clip's votes add up, over its anchors that agree on one
 * time offset (within {@value #OFFSET_BUCKET_MS}–{@value #OFFSET_BUCKET_MS}·2 ms), how close each anchor's best hit
 * was (squared {@link IndexHit#closeness}): a copy meets its source closely at one offset all along, while another
 * event of the same camera meets it loosely here and there. Only the best few go on to the matcher,
 * so that a crowded camera cannot send every clip thousands of candidates.
 */
public final class Votes {
    public static final int MAX_CANDIDATES = 16;
    static final int OFFSET_BUCKET_MS = 250;

    public record Candidate(long clipKey, int votes) {}

    /** The best candidates, and how many earlier clips were met in all. */
    public record Ranked(List<Candidate> best, int met) {}

    private Votes() {}

    /** The earlier clips met by {@code hits} (all of one clip's), most votes first (ties: by key), at most {@code max}. */
    public static List<Candidate> ranked(Iterable<IndexHit> hits, int max) {
        return rank(hits, max).best();
    }

    /** {@link #ranked}, with the number of earlier clips met. */
    public static Ranked rank(Iterable<IndexHit> hits, int max) {
        // each earlier clip's hits together (a counting sort by clip), as (offset bucket, anchor, weight) packed to
        // sort by bucket, then anchor
        int n = 0;
        for (IndexHit h : hits) n += h.size();
        ClipSlots slots = new ClipSlots(n);
        for (IndexHit h : hits) for (long clip : h.earlierClipKeys) slots.count(clip);
        int[] next = slots.starts();
        long[] packed = new long[n];
        for (IndexHit h : hits) {
            for (int i = 0; i < h.size(); i++) {
                long bucket = Math.floorDiv(h.atMs[i] - h.earlierAtMs[i], OFFSET_BUCKET_MS);
                packed[next[slots.slot(h.earlierClipKeys[i])]++] = (bucket << 40)
                        | ((long) (h.earlierAtMs[i] & 0x7fffffff) << 9) | Math.min(511, h.closeness[i] * h.closeness[i]);
            }
        }
        // the best max by (votes desc, key unsigned asc), kept in a small sorted array
        List<Candidate> best = new ArrayList<>(Math.min(max, slots.size()) + 1);
        for (int s = 0, from = 0; s < slots.size(); from = next[s], s++) {
            Arrays.sort(packed, from, next[s]);
            Candidate c = new Candidate(slots.clip(s), votes(packed, from, next[s]));
            if (best.size() == max && !RANKING.lessThan(c, best.get(max - 1))) continue;
            int at = best.size();
            while (at > 0 && RANKING.lessThan(c, best.get(at - 1))) at--;
            best.add(at, c);
            if (best.size() > max) best.remove(max);
        }
        return new Ranked(best, slots.size());
    }

    private interface Ranking {
        /** Whether {@code a} ranks before {@code b}. */
        boolean lessThan(Candidate a, Candidate b);
    }

    private static final Ranking RANKING = (a, b) -> a.votes() != b.votes() ? a.votes() > b.votes()
            : Long.compareUnsigned(a.clipKey(), b.clipKey()) < 0;

    /** Earlier clip keys numbered 0, 1, … in the order first counted (open addressing: no boxing per hit). */
    private static final class ClipSlots {
        private final long[] keys;
        private final int[] slotAt;
        private final int mask;
        private long[] clips = new long[16];
        private int[] counts = new int[16];
        private int size;

        ClipSlots(int hits) {
            int capacity = Integer.highestOneBit(Math.max(16, hits * 2) - 1) << 1;
            keys = new long[capacity];
            slotAt = new int[capacity];
            Arrays.fill(slotAt, -1);
            mask = capacity - 1;
        }

        void count(long clip) {
            int at = find(clip);
            if (slotAt[at] < 0) {
                if (size == clips.length) {
                    clips = Arrays.copyOf(clips, size * 2);
                    counts = Arrays.copyOf(counts, size * 2);
                }
                keys[at] = clip;
                slotAt[at] = size;
                clips[size++] = clip;
            }
            counts[slotAt[at]]++;
        }

        int slot(long clip) {
            return slotAt[find(clip)];
        }

        private int find(long clip) {
            int at = (int) (mix(clip) & mask);
            while (slotAt[at] >= 0 && keys[at] != clip) at = (at + 1) & mask;
            return at;
        }

        private static long mix(long x) {
            x ^= x >>> 33;
            x *= 0xff51afd7ed558ccdL;
            return x ^ (x >>> 33);
        }

        int size() {
            return size;
        }

        long clip(int slot) {
            return clips[slot];
        }

        /** Where each slot's hits start in one array holding them all, slot after slot. */
        int[] starts() {
            int[] starts = new int[size];
            for (int s = 1; s < size; s++) starts[s] = starts[s - 1] + counts[s - 1];
            return starts;
        }
    }

    /** The best offset's votes among sorted hits {@code [start, end)}: a bucket counts with the one after it. */
    private static int votes(long[] hits, int start, int end) {
        int best = 0;
        for (int from = start; from < end; ) {
            long bucket = hits[from] >> 40;
            int to = from;
            while (to < end && hits[to] >> 40 == bucket) to++;
            int next = to;
            while (next < end && hits[next] >> 40 == bucket + 1) next++;
            // offsets less than a bucket apart always share one: a bucket counts with the one after it
            best = Math.max(best, score(hits, from, to, to, next));
            from = to;
        }
        return best;
    }

    /** Sum over distinct anchors of the hits in [a, aEnd) and [b, bEnd) (each sorted by anchor, then weight) of their best weight. */
    private static int score(long[] hits, int a, int aEnd, int b, int bEnd) {
        int sum = 0;
        while (a < aEnd || b < bEnd) {
            long anchor = Math.min(a < aEnd ? anchor(hits[a]) : Long.MAX_VALUE, b < bEnd ? anchor(hits[b]) : Long.MAX_VALUE);
            int weight = 0;
            while (a < aEnd && anchor(hits[a]) == anchor) weight = Math.max(weight, (int) (hits[a++] & 511));
            while (b < bEnd && anchor(hits[b]) == anchor) weight = Math.max(weight, (int) (hits[b++] & 511));
            sum += weight;
        }
        return sum;
    }

    private static long anchor(long hit) {
        return (hit >> 9) & 0x7fffffffL;
    }
}
