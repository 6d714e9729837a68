package dev.clipcurate.pipeline.privacy;

import dev.clipcurate.pipeline.common.Hashing;
import dev.clipcurate.pipeline.dedup.ClipFingerprint;
import dev.clipcurate.pipeline.intake.ClipTask;
import dev.clipcurate.pipeline.intake.Decisions;
import dev.clipcurate.pipeline.intake.RejectReason;
import dev.clipcurate.pipeline.intake.SafetyNet;
import dev.clipcurate.pipeline.job.Progress;
import dev.clipcurate.pipeline.media.DecodeGuard;
import dev.clipcurate.pipeline.media.DecodeLimits;
import dev.clipcurate.pipeline.media.DecodedClip;
import dev.clipcurate.pipeline.media.FrameKeys;
import dev.clipcurate.pipeline.media.FrameSample;
import dev.clipcurate.pipeline.media.LocalClipFile;
import dev.clipcurate.schemas.ClipRow;
import org.apache.flink.api.common.accumulators.LongCounter;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.core.fs.Path;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;


/**
 * Turns a verified clip file into anonymised, sampled frames ({@link ClipAnonymiser}). Nothing of a clip is
 * emitted until every frame has passed: a clip in which the verifier still sees a face is quarantined
 * ({@code face_leak}) and writes no frame at all; a clip that fails to decode is rejected with its reason.
 */
public class AnonymiseClip extends ProcessFunction<ClipTask, FrameSample> {
    private static final Logger LOG = LoggerFactory.getLogger(AnonymiseClip.class);
    static final String NAME = "privacy: anonymise";
    private final DecodeLimits limits;
    private final DecodeGuard guard;
    private final PrivacySettings privacy;
    private final String buildId;

    private transient ClipAnonymiser anonymiser;
    private transient String anonymiserLabel;
    private transient Counter quarantined;
    private transient LongCounter clipsDone;
    private transient LongCounter framesDone;
    private transient LongCounter decodeNanos;
    private transient LongCounter[] stageNanos;

    public AnonymiseClip(DecodeLimits limits, DecodeGuard guard, PrivacySettings privacy, String buildId) {
        this.limits = limits;
        this.guard = guard;
        this.privacy = privacy;
        this.buildId = buildId;
    }

    @Override
    public void open(OpenContext context) throws Exception {
        // one thread per slot for OpenCV, as for ONNX Runtime: slots × threads stay within the cores
        org.bytedeco.opencv.global.opencv_core.setNumThreads(1);
        anonymiser = new ClipAnonymiser(limits, privacy);
        anonymiserLabel = privacy.describe();
        quarantined = getRuntimeContext().getMetricGroup().counter("clipsQuarantined");
        clipsDone = getRuntimeContext().getLongCounter(Progress.CLIPS_DECODED);
        framesDone = getRuntimeContext().getLongCounter(Progress.FRAMES_SAMPLED);
        decodeNanos = Progress.stageTime(getRuntimeContext(), Progress.STAGE_PRIVACY_DECODE);
        // by ClipAnonymiser's sub-stage index
        stageNanos = new LongCounter[4];
        stageNanos[ClipAnonymiser.FACES] = Progress.stageTime(getRuntimeContext(), Progress.STAGE_PRIVACY_FACES);
        stageNanos[ClipAnonymiser.HEADS] = Progress.stageTime(getRuntimeContext(), Progress.STAGE_PRIVACY_HEADS);
        stageNanos[ClipAnonymiser.MASK_AND_JPEG] = Progress.stageTime(getRuntimeContext(), Progress.STAGE_PRIVACY_MASK);
        stageNanos[ClipAnonymiser.VERIFY] = Progress.stageTime(getRuntimeContext(), Progress.STAGE_PRIVACY_VERIFY);
    }

    @Override
    public void close() throws Exception {
        if (anonymiser != null) anonymiser.close();
    }

    @Override
    public void processElement(ClipTask task, Context ctx, Collector<FrameSample> out) throws Exception {
        clipsDone.add(1);
        long started = System.nanoTime();
        long[] before = anonymiser.spentNanos();
        ClipAnonymiser.Outcome outcome = SafetyNet.judge(NAME, task, buildId, row -> ctx.output(Decisions.TAG, row), () -> {
            try (LocalClipFile file = LocalClipFile.of(new Path(task.resolvedPath))) {
                ConsentedRegions consented = ConsentedRegions.parse(task.consentedSubjectsJson);
                return guard.around(task.sha256, () -> anonymiser.anonymise(file.file(), consented, task.clipId));
            }
        });
        addStageTimes(System.nanoTime() - started, before, anonymiser.spentNanos());
        if (outcome == null) return;
        ClipRow row = Decisions.forTask(task, buildId);
        describe(row, outcome.clip());
        if (outcome.leakFrames() > 0) {
            quarantined.inc();
            row.setDecision(Decisions.QUARANTINED);
            row.setReason(RejectReason.FACE_LEAK.code());
            row.setReasonDetail(String.format("%d of %d frames still showed a face to the verifier after anonymisation "
                    + "(first at %d ms); no frame of the clip was written", outcome.leakFrames(),
                    outcome.frames().size(), outcome.firstLeakMs()));
            LOG.warn("quarantined clip {}: {}", task.clipId, row.getReasonDetail());
            ctx.output(Decisions.TAG, row);
            return;
        }
        for (int i = 0; i < outcome.frames().size(); i++) {
            FrameSample sample = toSample(task, outcome, i);
            if (task.fingerprint != null) addFingerprint(sample, task.fingerprint);
            addScoreAndLabel(sample, task);
            out.collect(sample);
        }
        framesDone.add(outcome.frames().size());
        row.setFramesWritten(outcome.frames().size());
        if (task.fingerprint != null) row.setFingerprint(java.nio.ByteBuffer.wrap(task.fingerprint.toBytes()));
        ctx.output(Decisions.TAG, row);
    }

    /** The clip's time by sub-stage; decoding (and reading the file) is what the detectors and encoders did not use. */
    private void addStageTimes(long total, long[] before, long[] after) {
        long parts = 0;
        for (int i = 0; i < after.length; i++) {
            long spent = after[i] - before[i];
            stageNanos[i].add(spent);
            parts += spent;
        }
        decodeNanos.add(Math.max(0, total - parts));
    }

    private FrameSample toSample(ClipTask task, ClipAnonymiser.Outcome outcome, int index) {
        DecodedClip.SampledFrame frame = outcome.frames().get(index);
        FrameSample s = new FrameSample();
        s.key = FrameKeys.of(task.clipId, index);
        s.clipId = task.clipId;
        s.donorPseudonym = task.donorPseudonym;
        s.campaign = task.campaign;
        s.cameraId = task.cameraId;
        s.buildId = buildId;
        s.declaredStaged = task.declaredStaged;
        s.frameIndex = index;
        s.tsMs = frame.tsMs();
        s.width = frame.width();
        s.height = frame.height();
        s.sourceWidth = outcome.clip().width();
        s.sourceHeight = outcome.clip().height();
        s.jpeg = frame.jpeg();
        s.jpgSha256 = Hashing.sha256Hex(frame.jpeg());
        s.facesDetected = outcome.faceCounts().get(index)[0];
        s.boxesAnonymised = outcome.faceCounts().get(index)[1];
        s.anonymiser = anonymiserLabel;
        return s;
    }

    /** Frames sampled at one of the fingerprint's times carry that frame's hash. */
    static void addFingerprint(FrameSample sample, ClipFingerprint f) {
        int i = java.util.Arrays.binarySearch(f.tsMs, sample.tsMs);
        if (i < 0) return;
        sample.pdqHash = f.pdq(i).hex();
        sample.pdqQuality = f.quality[i];
    }

    /** The scoring stage decoded the same frames: its score for this frame's time, and the clip's label. */
    static void addScoreAndLabel(FrameSample sample, ClipTask task) {
        if (task.frameTimesMs != null) {
            int i = java.util.Arrays.binarySearch(task.frameTimesMs, sample.tsMs);
            if (i >= 0) sample.frameScore = task.frameScores[i];
        }
        sample.stagedLabel = task.stagedLabel;
        sample.stagedConfidence = task.stagedConfidence;
        sample.stagedEvidence = task.stagedEvidence;
    }

    static void describe(ClipRow row, DecodedClip clip) {
        row.setContainer(clip.container());
        row.setVideoCodec(clip.videoCodec());
        row.setDurationS(clip.durationSeconds());
        row.setFps(clip.fps());
        row.setWidth(clip.width());
        row.setHeight(clip.height());
    }
}
