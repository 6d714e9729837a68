package dev.clipcurate.pipeline.media;

/** One sampled frame, JPEG-encoded, with the labels that go into its {@code <key>.json}. */
public class FrameSample {
    public String key;
    public String clipId;
    public String donorPseudonym;
    public String campaign;
    public String cameraId;
    public String buildId;
    public Boolean declaredStaged;
    public int frameIndex;
    public long tsMs;
    public int width;
    public int height;
    public int sourceWidth;
    public int sourceHeight;
    public String jpgSha256;
    /** Faces the detector found in this frame (consenting subjects excluded). */
    public int facesDetected;
    /** Boxes anonymised: detections plus those tracking added from neighbouring frames. */
    public int boxesAnonymised;
    public String anonymiser;
    /** The PDQ hash of the source frame, when the dedup fingerprint sampled this frame too; else null. */
    public String pdqHash;
    public Integer pdqQuality;
    /** The scoring model's output for this frame, and the clip's staged/real label. */
    public Float frameScore;
    public String stagedLabel;
    public Float stagedConfidence;
    public String[] stagedEvidence;
    /** Pre-annotations: the people the pose model found in the frame (box, score, keypoints). */
    public ObjectDetection[] detections;
    public byte[] jpeg;

    public FrameSample() {}
}
