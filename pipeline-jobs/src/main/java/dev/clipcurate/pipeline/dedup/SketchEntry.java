package dev.clipcurate.pipeline.dedup;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A clip's sketches under one index key, on their way to the {@link EventIndex}: kept there as postings if
 * {@link #stored}, otherwise looked up (and not kept). Carries the clip's place in {@link DedupOrder}.
 */
public class SketchEntry {
    public int key;
    public String clipId;
    public long clipKey;
    public long epoch;
    public long captureMs;
    public long[] sketches;
    /** Per sketch, where in the clip it was taken. */
    public int[] atMs;
    public boolean stored;

    public SketchEntry() {}

    /** The clip's lookups, one entry per distinct key, then its stored postings; clips of earlier versions (epoch 0) only store. */
    public static List<SketchEntry> of(ClipFingerprint f, IndexKeys.Layout layout) {
        long captureMs = DedupOrder.captureMillis(f.capturedAt);
        List<SketchEntry> out = new ArrayList<>();
        if (f.epoch != 0) out.addAll(grouped(f, captureMs, IndexKeys.probes(f, layout), false));
        out.addAll(grouped(f, captureMs, IndexKeys.stored(f, layout), true));
        return out;
    }

    private static List<SketchEntry> grouped(ClipFingerprint f, long captureMs, List<IndexKeys.Posting> postings, boolean stored) {
        Map<Integer, List<IndexKeys.Posting>> byKey = new LinkedHashMap<>();
        for (IndexKeys.Posting p : postings) byKey.computeIfAbsent(p.key(), k -> new ArrayList<>()).add(p);
        List<SketchEntry> out = new ArrayList<>();
        long clipKey = ClipKey.of(f.clipId);
        for (var e : byKey.entrySet()) {
            List<IndexKeys.Posting> ps = e.getValue().stream().distinct().toList();
            SketchEntry s = new SketchEntry();
            s.key = e.getKey();
            s.clipId = f.clipId;
            s.clipKey = clipKey;
            s.epoch = f.epoch;
            s.captureMs = captureMs;
            s.sketches = ps.stream().mapToLong(IndexKeys.Posting::sketch).toArray();
            s.atMs = ps.stream().mapToInt(IndexKeys.Posting::atMs).toArray();
            s.stored = stored;
            out.add(s);
        }
        return out;
    }

    // a pending lookup is the namespace of its timer: equal lookups are one
    @Override
    public boolean equals(Object o) {
        return o instanceof SketchEntry s && key == s.key && clipKey == s.clipKey && epoch == s.epoch
                && captureMs == s.captureMs && stored == s.stored && Objects.equals(clipId, s.clipId)
                && Arrays.equals(sketches, s.sketches) && Arrays.equals(atMs, s.atMs);
    }

    @Override
    public int hashCode() {
        return Objects.hash(key, clipId, epoch, Arrays.hashCode(sketches));
    }
}
