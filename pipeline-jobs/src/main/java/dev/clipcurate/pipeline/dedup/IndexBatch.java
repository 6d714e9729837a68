package dev.clipcurate.pipeline.dedup;

import org.apache.flink.runtime.state.KeyGroupRangeAssignment;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * One clip's sketches under the index keys of one Flink key group, on their way to the {@link EventIndex}: kept
 * there as postings if {@link #stored}, otherwise looked up (and not kept). A clip's ~400 lookup keys so travel as
 * at most {@link EventIndex#MAX_PARALLELISM} records, each waiting as one timer, instead of one record and one timer
 * per key: the stream is keyed by {@link #route}, the integer that stands for the key group of every key in the batch.
 * Carries the clip's place in {@link DedupOrder}.
 */
public class IndexBatch {
    /** The key the stream is partitioned by: of the same key group as every one of {@link #keys}. */
    public int route;
    public String clipId;
    public long clipKey;
    public long epoch;
    public long captureMs;
    public boolean stored;
    /** Distinct index keys; the sketches of {@code keys[i]} are {@code sketches[ends[i-1] .. ends[i])}. */
    public int[] keys;
    public int[] ends;
    public long[] sketches;
    /** Per sketch, where in the clip it was taken. */
    public int[] atMs;
    /** Per sketch of a lookup, its bits close to flipping ({@link IndexKeys.Posting#uncertain}); null when stored. */
    public long[] uncertain;

    public IndexBatch() {}

    public int from(int i) {
        return i == 0 ? 0 : ends[i - 1];
    }

    /**
     * The clip's lookup batches, then its stored ones, one of each per key group its keys fall in (of
     * {@code maxParallelism} groups); clips of earlier versions (epoch 0) only store.
     */
    public static List<IndexBatch> of(ClipFingerprint f, IndexKeys.Layout layout, int maxParallelism) {
        long captureMs = DedupOrder.captureMillis(f.capturedAt);
        List<IndexBatch> out = new ArrayList<>();
        if (f.epoch != 0) out.addAll(grouped(f, captureMs, IndexKeys.probes(f, layout), false, maxParallelism));
        out.addAll(grouped(f, captureMs, IndexKeys.stored(f, layout), true, maxParallelism));
        return out;
    }

    private static List<IndexBatch> grouped(ClipFingerprint f, long captureMs, List<IndexKeys.Posting> postings,
                                            boolean stored, int maxParallelism) {
        Map<Integer, Map<Integer, List<IndexKeys.Posting>>> byGroup = new LinkedHashMap<>();
        for (IndexKeys.Posting p : postings) {
            int group = KeyGroupRangeAssignment.assignToKeyGroup(p.key(), maxParallelism);
            List<IndexKeys.Posting> same = byGroup.computeIfAbsent(group, g -> new LinkedHashMap<>())
                    .computeIfAbsent(p.key(), k -> new ArrayList<>());
            if (!same.contains(p)) same.add(p);
        }
        List<IndexBatch> out = new ArrayList<>(byGroup.size());
        long clipKey = ClipKey.of(f.clipId);
        byGroup.forEach((group, byKey) -> {
            IndexBatch b = new IndexBatch();
            b.route = KeyGroupRoutes.route(group, maxParallelism);
            b.clipId = f.clipId;
            b.clipKey = clipKey;
            b.epoch = f.epoch;
            b.captureMs = captureMs;
            b.stored = stored;
            b.keys = new int[byKey.size()];
            b.ends = new int[byKey.size()];
            int n = byKey.values().stream().mapToInt(List::size).sum();
            b.sketches = new long[n];
            b.atMs = new int[n];
            b.uncertain = stored ? null : new long[n];
            int i = 0, s = 0;
            for (var e : byKey.entrySet()) {
                b.keys[i] = e.getKey();
                for (IndexKeys.Posting p : e.getValue()) {
                    if (!stored) b.uncertain[s] = p.uncertain();
                    b.sketches[s] = p.sketch();
                    b.atMs[s++] = p.atMs();
                }
                b.ends[i++] = s;
            }
            out.add(b);
        });
        return out;
    }

    // a pending lookup is the namespace of its timer: equal lookups are one
    @Override
    public boolean equals(Object o) {
        return o instanceof IndexBatch b && route == b.route && clipKey == b.clipKey && epoch == b.epoch
                && captureMs == b.captureMs && stored == b.stored && Objects.equals(clipId, b.clipId)
                && Arrays.equals(keys, b.keys) && Arrays.equals(ends, b.ends)
                && Arrays.equals(sketches, b.sketches) && Arrays.equals(atMs, b.atMs) && Arrays.equals(uncertain, b.uncertain);
    }

    @Override
    public int hashCode() {
        return 31 * (31 * Long.hashCode(clipKey) + Long.hashCode(epoch)) + Arrays.hashCode(keys);
    }
}
