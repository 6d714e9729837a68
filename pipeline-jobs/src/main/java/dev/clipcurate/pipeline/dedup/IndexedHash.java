package dev.clipcurate.pipeline.dedup;

import java.util.ArrayList;
import java.util.List;

/** One hash of a clip under one band key, on its way to the {@link BandIndex}; carries the clip's place in {@link DedupOrder}. */
public class IndexedHash {
    public int bandKey;
    public String clipId;
    public long epoch;
    public long captureMs;
    public long[] hash;

    public IndexedHash() {}

    /** The clip's entries in the band index ({@link BandKeys#entries}). */
    public static List<IndexedHash> of(ClipFingerprint f) {
        long captureMs = DedupOrder.captureMillis(f.capturedAt);
        List<IndexedHash> out = new ArrayList<>();
        for (BandKeys.Entry e : BandKeys.entries(f)) {
            IndexedHash h = new IndexedHash();
            h.bandKey = e.bandKey();
            h.clipId = f.clipId;
            h.epoch = f.epoch;
            h.captureMs = captureMs;
            h.hash = e.hash();
            out.add(h);
        }
        return out;
    }

    boolean before(IndexedHash other) {
        return DedupOrder.before(epoch, captureMs, clipId, other.epoch, other.captureMs, other.clipId);
    }
}
