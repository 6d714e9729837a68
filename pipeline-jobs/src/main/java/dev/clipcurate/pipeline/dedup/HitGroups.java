package dev.clipcurate.pipeline.dedup;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Collects single hits into one {@link IndexHit} per (clip, earlier clip). */
final class HitGroups implements IndexKeys.HitSink {
    private record Pair(String clipId, long earlierClipKey) {}

    private static final class Group {
        final long clipEpoch;
        final List<int[]> hits = new ArrayList<>();

        Group(long clipEpoch) {
            this.clipEpoch = clipEpoch;
        }
    }

    private final Map<Pair, Group> groups = new LinkedHashMap<>();
    private int hits;

    @Override
    public void hit(SketchEntry lookup, int atMs, long earlierClipKey, int earlierAtMs, int closeness) {
        groups.computeIfAbsent(new Pair(lookup.clipId, earlierClipKey), p -> new Group(lookup.epoch))
                .hits.add(new int[] {atMs, earlierAtMs, closeness});
        hits++;
    }

    int hits() {
        return hits;
    }

    /** The groups collected so far, in the order first met; empties the collector. */
    List<IndexHit> drain() {
        List<IndexHit> out = new ArrayList<>(groups.size());
        groups.forEach((pair, group) -> {
            IndexHit h = new IndexHit();
            h.clipId = pair.clipId();
            h.clipEpoch = group.clipEpoch;
            h.earlierClipKey = pair.earlierClipKey();
            int n = group.hits.size();
            h.atMs = new int[n];
            h.earlierAtMs = new int[n];
            h.closeness = new int[n];
            for (int i = 0; i < n; i++) {
                int[] hit = group.hits.get(i);
                h.atMs[i] = hit[0];
                h.earlierAtMs[i] = hit[1];
                h.closeness[i] = hit[2];
            }
            out.add(h);
        });
        groups.clear();
        hits = 0;
        return out;
    }
}
