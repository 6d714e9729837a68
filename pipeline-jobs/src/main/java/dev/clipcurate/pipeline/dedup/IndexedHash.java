package dev.clipcurate.pipeline.dedup;

import java.util.ArrayList;
import java.util.List;

/**
 * One hash of a clip under one band key, on its way to the {@link BandIndex}: looked up, and kept if {@link #stored}
 * ({@link BandKeys}). Carries the clip's place in {@link DedupOrder}.
 */
public class IndexedHash {
    public int bandKey;
    public String clipId;
    public long epoch;
    public long captureMs;
    public long[] hash;
    /** Kept in the index after the lookup; otherwise a query only. */
    public boolean stored;

    public IndexedHash() {}

    /** The clip's lookups and stored entries; clips of earlier versions (epoch 0) only store, they are kept anyway. */
    public static List<IndexedHash> of(ClipFingerprint f, BandKeys.Layout layout) {
        long captureMs = DedupOrder.captureMillis(f.capturedAt);
        List<IndexedHash> out = new ArrayList<>();
        if (f.epoch != 0) for (BandKeys.Entry e : BandKeys.queries(f, layout)) out.add(entry(f, captureMs, e, false));
        for (BandKeys.Entry e : BandKeys.stored(f, layout)) out.add(entry(f, captureMs, e, true));
        return out;
    }

    private static IndexedHash entry(ClipFingerprint f, long captureMs, BandKeys.Entry e, boolean stored) {
        IndexedHash h = new IndexedHash();
        h.bandKey = e.bandKey();
        h.clipId = f.clipId;
        h.epoch = f.epoch;
        h.captureMs = captureMs;
        h.hash = e.hash();
        h.stored = stored;
        return h;
    }

    boolean before(IndexedHash other) {
        return DedupOrder.before(epoch, captureMs, clipId, other.epoch, other.captureMs, other.clipId);
    }
}
