package dev.clipcurate.pipeline.dedup;

/**
 * What one {@link IndexBatch} of clip {@link #clipId}'s lookups met: per hit, the earlier clip ({@link DedupOrder})
 * whose posting was close, where in this clip the lookup's sketch was taken, where in the earlier clip the
 * posting's, and how close they were ({@link IndexKeys#closeness}: 1 at the bound). One message per batch, not one
 * per hit.
 */
public class IndexHit {
    public String clipId;
    public long clipEpoch;
    public long[] earlierClipKeys;
    public int[] atMs;
    public int[] earlierAtMs;
    public int[] closeness;

    public IndexHit() {}

    public int size() {
        return atMs.length;
    }
}
