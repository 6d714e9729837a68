package dev.clipcurate.pipeline.dedup;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

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

    private Votes() {}

    /** The earlier clips met by {@code hits} (all of one clip's), most votes first (ties: by key), at most {@code max}. */
    public static List<Candidate> ranked(Iterable<IndexHit> hits, int max) {
        Map<Long, List<IndexHit>> byClip = new HashMap<>();
        for (IndexHit group : hits) byClip.computeIfAbsent(group.earlierClipKey, k -> new ArrayList<>(1)).add(group);
        List<Candidate> out = new ArrayList<>(byClip.size());
        byClip.forEach((clip, groups) -> out.add(new Candidate(clip, votes(groups))));
        out.sort(Comparator.comparingInt(Candidate::votes).reversed()
                .thenComparing(Candidate::clipKey, Long::compareUnsigned));
        return out.size() > max ? out.subList(0, max) : out;
    }

    /** The best offset's votes: over anchors hit at that offset (or the bucket before), each anchor's closest hit squared. */
    private static int votes(List<IndexHit> groups) {
        int n = 0;
        for (IndexHit g : groups) n += g.size();
        // (offset bucket, anchor, weight) per hit, sorted by bucket then anchor
        long[] hits = new long[n];
        int k = 0;
        for (IndexHit g : groups) {
            for (int i = 0; i < g.size(); i++) {
                long bucket = Math.floorDiv(g.atMs[i] - g.earlierAtMs[i], OFFSET_BUCKET_MS);
                hits[k++] = (bucket << 40) | ((long) (g.earlierAtMs[i] & 0x7fffffff) << 9) | Math.min(511, g.closeness[i] * g.closeness[i]);
            }
        }
        java.util.Arrays.sort(hits);
        int best = 0;
        for (int from = 0; from < n; ) {
            long bucket = hits[from] >> 40;
            int to = from;
            while (to < n && hits[to] >> 40 == bucket) to++;
            int next = to;
            while (next < n && hits[next] >> 40 == bucket + 1) next++;
            // offsets less than a bucket apart always share one: a bucket counts with the one after it
            best = Math.max(best, Math.max(score(hits, from, to, to, next), score(hits, to, next, to, to)));
            from = to;
        }
        return best;
    }

    /** Sum over distinct anchors of the hits in [a0, a1) and [b0, b1) (each sorted by anchor) of their best weight. */
    private static int score(long[] hits, int a0, int a1, int b0, int b1) {
        java.util.Map<Long, Integer> bestByAnchor = new java.util.HashMap<>();
        for (int r = 0; r < 2; r++) {
            for (int i = r == 0 ? a0 : b0; i < (r == 0 ? a1 : b1); i++) {
                bestByAnchor.merge((hits[i] >> 9) & 0x7fffffffL, (int) (hits[i] & 511), Math::max);
            }
        }
        int sum = 0;
        for (int w : bestByAnchor.values()) sum += w;
        return sum;
    }
}
