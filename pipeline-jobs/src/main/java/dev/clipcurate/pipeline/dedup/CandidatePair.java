package dev.clipcurate.pipeline.dedup;

/**
 * A clip and an earlier clip ({@link DedupOrder}) that the index brought together: {@code clipId} may duplicate the
 * clip whose {@link ClipKey} is {@code earlierClipKey}.
 */
public class CandidatePair {
    public String clipId;
    public long clipEpoch;
    public long earlierClipKey;

    public CandidatePair() {}

    static CandidatePair of(String clipId, long clipEpoch, long earlierClipKey) {
        CandidatePair p = new CandidatePair();
        p.clipId = clipId;
        p.clipEpoch = clipEpoch;
        p.earlierClipKey = earlierClipKey;
        return p;
    }
}
