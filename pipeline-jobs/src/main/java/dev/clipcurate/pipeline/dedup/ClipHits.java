package dev.clipcurate.pipeline.dedup;

import java.util.Arrays;

/** Collects the hits of one clip's lookups into one {@link IndexHit}. */
final class ClipHits implements IndexKeys.HitSink {
    private long[] earlier = new long[16];
    private int[] atMs = new int[16], earlierAtMs = new int[16], closeness = new int[16];
    private int size;

    @Override
    public void hit(int at, long earlierClipKey, int earlierAt, int close) {
        if (size == atMs.length) {
            earlier = Arrays.copyOf(earlier, size * 2);
            atMs = Arrays.copyOf(atMs, size * 2);
            earlierAtMs = Arrays.copyOf(earlierAtMs, size * 2);
            closeness = Arrays.copyOf(closeness, size * 2);
        }
        earlier[size] = earlierClipKey;
        atMs[size] = at;
        earlierAtMs[size] = earlierAt;
        closeness[size++] = close;
    }

    int size() {
        return size;
    }

    IndexHit toHit(String clipId, long clipEpoch) {
        IndexHit h = new IndexHit();
        h.clipId = clipId;
        h.clipEpoch = clipEpoch;
        h.earlierClipKeys = Arrays.copyOf(earlier, size);
        h.atMs = Arrays.copyOf(atMs, size);
        h.earlierAtMs = Arrays.copyOf(earlierAtMs, size);
        h.closeness = Arrays.copyOf(closeness, size);
        return h;
    }
}
