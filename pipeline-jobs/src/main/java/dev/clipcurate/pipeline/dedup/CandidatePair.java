package dev.clipcurate.pipeline.dedup;

/** Two clips the band index found close: {@code clipId} may duplicate {@code earlierClipId}, which comes first in {@link DedupOrder}. */
public class CandidatePair {
    public String clipId;
    public long clipEpoch;
    public String earlierClipId;

    public CandidatePair() {}

    static CandidatePair of(IndexedHash later, IndexedHash earlier) {
        CandidatePair p = new CandidatePair();
        p.clipId = later.clipId;
        p.clipEpoch = later.epoch;
        p.earlierClipId = earlier.clipId;
        return p;
    }
}
