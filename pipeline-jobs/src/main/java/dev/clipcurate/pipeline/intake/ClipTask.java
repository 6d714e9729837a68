package dev.clipcurate.pipeline.intake;

/**
 * A parsed donation on its way through the pipeline. It carries the donor's pseudonym only: the raw donor id
 * is dropped by the operator that parses the message.
 */
public class ClipTask {
    public String clipId;
    public String donorPseudonym;
    public String campaign;
    public String clipUri;
    public String sha256;
    public long sizeBytes;
    public String cameraId;
    public String capturedAt;
    public String consentScope;
    public String consentVersion;
    public String consentGrantedAt;
    public Boolean declaredStaged;
    /** Set by the consent stage: where the grant the clip goes on with is on the consent topic, and when it was judged. */
    public String consentEvent;
    public String consentCheckedAt;
    /** Streaming, while the clip waits for its donor's consent: until when, epoch ms. */
    public long consentWaitUntilMs;
    /** The donation's consented_subjects as JSON (an array), or null: every face is a bystander. */
    public String consentedSubjectsJson;
    public String sourceTopic;
    public int sourcePartition;
    public long sourceOffset;
    /** The donation message's Kafka timestamp (ms), or -1 when it had none. */
    public long donatedAtMs = -1;
    /** Set once the URI has been checked against the landing root. */
    public String resolvedPath;
    /** What decoding found (container, codec, duration s, fps, size); set by the first stage that decodes the clip. */
    public String container;
    public String videoCodec;
    public Double durationS;
    public Double fps;
    public Integer width;
    public Integer height;
    /** Set by the dedup stage; its hashes go into the frame manifest with the frames. */
    public dev.clipcurate.pipeline.dedup.ClipFingerprint fingerprint;
    /** Set by the scoring stage: per sampled frame (times in ms, as the privacy stage samples them) and per clip. */
    public long[] frameTimesMs;
    public float[] frameScores;
    public Float clipScore;
    public String scoreModel;
    public String scoreModelSha256;
    /** How the clip score was made up, for a low_score rejection's detail. */
    public String scoreDetail;
    /** The clip scored below its campaign's minimum: it was not anonymised, and is rejected low_score after dedup. */
    public boolean belowMinimumScore;
    /**
     * The clip's sampled frames, anonymised and verified in the decoding pass: only frames whose every face and
     * head is masked ever leave it. Null when the clip scored too low to be anonymised, or the verifier saw a face.
     */
    public dev.clipcurate.pipeline.privacy.AnonymisedFrame[] anonymisedFrames;
    /** Frames in which the verifier saw a face outside the masks (then no frame is carried); the first one's time. */
    public int leakFrames;
    public long firstLeakMs;
    /** Frames the privacy stage searched and verified. */
    public int framesVerified;
    /** Set by the staging stage. */
    public String stagedLabel;
    public Float stagedConfidence;
    public String[] stagedEvidence;

    public ClipTask() {}
}
