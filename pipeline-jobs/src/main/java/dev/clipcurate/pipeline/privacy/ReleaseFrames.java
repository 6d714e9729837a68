package dev.clipcurate.pipeline.privacy;

import dev.clipcurate.pipeline.common.Hashing;
import dev.clipcurate.pipeline.dedup.ClipFingerprint;
import dev.clipcurate.pipeline.intake.ClipTask;
import dev.clipcurate.pipeline.intake.Decisions;
import dev.clipcurate.pipeline.intake.RejectReason;
import dev.clipcurate.pipeline.job.Progress;
import dev.clipcurate.pipeline.media.FrameSample;
import dev.clipcurate.pipeline.media.FrameKeys;
import dev.clipcurate.schemas.ClipRow;
import org.apache.flink.api.common.accumulators.LongCounter;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The last decision on a clip that passed dedup, scoring and staging: its frames, anonymised and verified in the
 * decoding pass, go to the shards with their labels, and the clip is accepted. A clip in which the verifier saw a
 * face in any frame is quarantined ({@code face_leak}) instead and writes no frame at all (the pass carried none).
 */
public class ReleaseFrames extends ProcessFunction<ClipTask, FrameSample> {
    private static final Logger LOG = LoggerFactory.getLogger(ReleaseFrames.class);
    private final PrivacySettings privacy;
    private final String buildId;

    private transient String anonymiserLabel;
    private transient Counter quarantined;
    private transient LongCounter framesWritten;

    public ReleaseFrames(PrivacySettings privacy, String buildId) {
        this.privacy = privacy;
        this.buildId = buildId;
    }

    @Override
    public void open(OpenContext context) {
        anonymiserLabel = privacy.describe();
        quarantined = getRuntimeContext().getMetricGroup().counter("clipsQuarantined");
        framesWritten = getRuntimeContext().getLongCounter(Progress.FRAMES_WRITTEN);
    }

    @Override
    public void processElement(ClipTask task, Context ctx, Collector<FrameSample> out) {
        ClipRow row = Decisions.forTask(task, buildId);
        if (task.leakFrames > 0) {
            quarantined.inc();
            row.setDecision(Decisions.QUARANTINED);
            row.setReason(RejectReason.FACE_LEAK.code());
            row.setReasonDetail(String.format("%d of %d frames showed the verifier a face outside the masks (first at "
                    + "%d ms); no frame of the clip was written", task.leakFrames, task.framesVerified, task.firstLeakMs));
            LOG.warn("quarantined clip {}: {}", task.clipId, row.getReasonDetail());
            ctx.output(Decisions.TAG, row);
            return;
        }
        if (task.anonymisedFrames == null) {
            // only a low-score clip has no frames, and it was rejected before this
            throw new IllegalStateException("clip " + task.clipId + " reached the shards without anonymised frames");
        }
        for (int i = 0; i < task.anonymisedFrames.length; i++) {
            FrameSample sample = toSample(task, i);
            if (task.fingerprint != null) addFingerprint(sample, task.fingerprint);
            addScoreAndLabel(sample, task);
            out.collect(sample);
        }
        framesWritten.add(task.anonymisedFrames.length);
        row.setFramesWritten(task.anonymisedFrames.length);
        if (task.fingerprint != null) row.setFingerprint(java.nio.ByteBuffer.wrap(task.fingerprint.toBytes()));
        ctx.output(Decisions.TAG, row);
    }

    private FrameSample toSample(ClipTask task, int index) {
        AnonymisedFrame frame = task.anonymisedFrames[index];
        FrameSample s = new FrameSample();
        s.key = FrameKeys.of(task.clipId, index);
        s.clipId = task.clipId;
        s.donorPseudonym = task.donorPseudonym;
        s.campaign = task.campaign;
        s.cameraId = task.cameraId;
        s.buildId = buildId;
        s.declaredStaged = task.declaredStaged;
        s.frameIndex = index;
        s.tsMs = frame.tsMs;
        s.width = frame.width;
        s.height = frame.height;
        s.sourceWidth = task.width == null ? 0 : task.width;
        s.sourceHeight = task.height == null ? 0 : task.height;
        s.jpeg = frame.jpeg;
        s.jpgSha256 = Hashing.sha256Hex(frame.jpeg);
        s.facesDetected = frame.facesDetected;
        s.boxesAnonymised = frame.boxesAnonymised;
        s.anonymiser = anonymiserLabel;
        s.detections = frame.detections;
        return s;
    }

    /** Frames sampled at one of the fingerprint's times carry that frame's hash. */
    static void addFingerprint(FrameSample sample, ClipFingerprint f) {
        int i = java.util.Arrays.binarySearch(f.tsMs, sample.tsMs);
        if (i < 0) return;
        sample.pdqHash = f.pdq(i).hex();
        sample.pdqQuality = f.quality[i];
    }

    /** The scoring model saw the same frames in the pass: its score for this frame's time, and the clip's label. */
    static void addScoreAndLabel(FrameSample sample, ClipTask task) {
        if (task.frameTimesMs != null) {
            int i = java.util.Arrays.binarySearch(task.frameTimesMs, sample.tsMs);
            if (i >= 0) sample.frameScore = task.frameScores[i];
        }
        sample.stagedLabel = task.stagedLabel;
        sample.stagedConfidence = task.stagedConfidence;
        sample.stagedEvidence = task.stagedEvidence;
    }
}
