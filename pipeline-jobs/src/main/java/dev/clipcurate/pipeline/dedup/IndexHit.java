package dev.clipcurate.pipeline.dedup;

/**
 * The lookups of clip {@link #clipId} met postings of one earlier clip ({@link DedupOrder}) with close sketches:
 * per hit, where in this clip the lookup's sketch was taken, where in the earlier clip the posting's, and how close
 * they were ({@link IndexKeys#closeness}: 1 at the bound). Grouped so that a clip's lookups travel as one message
 * per earlier clip met, not one per hit.
 */
public class IndexHit {
    public String clipId;
    public long clipEpoch;
    public long earlierClipKey;
    public int[] atMs;
    public int[] earlierAtMs;
    public int[] closeness;

    public IndexHit() {}

    public int size() {
        return atMs.length;
    }
}
