package dev.clipcurate.pipeline.staging;

/**
 * What the labeller knows of one clip of a donor; kept per donor as history for the donor's later clips.
 * A POJO for Flink's serializer.
 */
public class ClipFacts {
    public String clipId;
    public String donorPseudonym;
    public String cameraId;
    public long capturedAtMs;
    public long durationMs;
    public Boolean declaredStaged;
    /** Model score of the first sampled frame and the best one; null when not scored (an earlier version's clip). */
    public Float firstFrameScore;
    public Float bestFrameScore;
    /** Arrival stamp in the dedup order: 0 for earlier versions, 1 for every clip of a batch build. */
    public long stamp;

    public ClipFacts() {}

    public ClipFacts(String clipId, String donorPseudonym, String cameraId, long capturedAtMs, long durationMs, Boolean declaredStaged,
                     Float firstFrameScore, Float bestFrameScore, long stamp) {
        this.clipId = clipId;
        this.donorPseudonym = donorPseudonym;
        this.cameraId = cameraId;
        this.capturedAtMs = capturedAtMs;
        this.durationMs = durationMs;
        this.declaredStaged = declaredStaged;
        this.firstFrameScore = firstFrameScore;
        this.bestFrameScore = bestFrameScore;
        this.stamp = stamp;
    }

    long endMs() {
        return capturedAtMs + durationMs;
    }
}
