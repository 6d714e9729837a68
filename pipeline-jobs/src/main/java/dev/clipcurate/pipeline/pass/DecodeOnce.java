package dev.clipcurate.pipeline.pass;

import dev.clipcurate.pipeline.common.Campaigns;
import dev.clipcurate.pipeline.dedup.ClipFingerprinter;
import dev.clipcurate.pipeline.dedup.DedupOrder;
import dev.clipcurate.pipeline.dedup.DedupSettings;
import dev.clipcurate.pipeline.dedup.PdqHasher;
import dev.clipcurate.pipeline.intake.ClipTask;
import dev.clipcurate.pipeline.intake.Decisions;
import dev.clipcurate.pipeline.intake.SafetyNet;
import dev.clipcurate.pipeline.job.Progress;
import dev.clipcurate.pipeline.media.ClipDecoder;
import dev.clipcurate.pipeline.media.DecodeGuard;
import dev.clipcurate.pipeline.media.DecodeLimits;
import dev.clipcurate.pipeline.media.DecodedClip;
import dev.clipcurate.pipeline.media.LocalClipFile;
import dev.clipcurate.pipeline.privacy.AnonymisedFrame;
import dev.clipcurate.pipeline.privacy.ClipAnonymiser;
import dev.clipcurate.pipeline.privacy.ConsentedRegions;
import dev.clipcurate.pipeline.privacy.HeadDetector;
import dev.clipcurate.pipeline.privacy.PrivacySettings;
import dev.clipcurate.pipeline.scoring.ClipScore;
import dev.clipcurate.pipeline.scoring.FrameScorer;
import dev.clipcurate.pipeline.scoring.ScoringModel;
import dev.clipcurate.pipeline.scoring.ScoringRules;
import dev.clipcurate.pipeline.scoring.ScoringSettings;
import org.apache.flink.api.common.accumulators.LongCounter;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.core.fs.Path;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;

import java.util.List;

/**
 * The job's one decoding pass over a clip (after exact copies are dropped, before the dedup index): every stage that looks at pixels works on the frames of one decode.
 * The dedup fingerprint takes its own sampling (2 fps, ≤ 640 px, whatever the job's frame settings, so that
 * fingerprints compare across builds), scoring and the privacy stage the job's. The person detector (MoveNet) runs
 * once on each of those frames: its people score the clip, become the frame's labels and give the privacy stage
 * its heads. A file that cannot be
 * decoded is rejected here with its reason; no later stage opens it again.
 *
 * <p>Privacy waits for the score: a clip's frames are held (their pixels, in this operator only) until it is scored,
 * so a clip below its campaign's minimum costs no face work. A clip with more than {@link PassFrames#MAX_HELD}
 * sampled frames starts its privacy work without waiting, so memory stays bounded. Only anonymised and verified
 * JPEG frames leave this operator (and none of a clip in which the verifier saw a face). Duplicates are only known
 * after the dedup index has seen every fingerprint, downstream: they are anonymised here and dropped there.
 */
public class DecodeOnce extends ProcessFunction<ClipTask, ClipTask> {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(DecodeOnce.class);
    static final String NAME = "decode once: fingerprint, score, anonymise";
    private final DecodeLimits limits;
    private final DecodeLimits fingerprintLimits;
    private final DecodeGuard guard;
    private final boolean stampArrival;
    private final ScoringSettings scoring;
    private final Campaigns campaigns;
    private final PrivacySettings privacy;
    private final String buildId;

    private transient ClipDecoder decoder;
    private transient PdqHasher hasher;
    private transient ScoringModel model;
    private transient ScoringModel.Identity scoredBy;
    private transient float[] batch;
    private transient ClipAnonymiser anonymiser;
    private transient long lastStamp;
    private transient Counter framesScored;
    private transient Counter clipsNotAnonymised;
    private transient LongCounter clipsScored;
    private transient LongCounter framesScoredTotal;
    private transient LongCounter clipsAnonymised;
    private transient LongCounter framesAnonymised;
    private transient LongCounter decodeNanos;
    private transient LongCounter fingerprintNanos;
    private transient LongCounter scoreNanos;
    private transient LongCounter[] privacyNanos;

    /** @param stampArrival true in streaming runs: the first clip to arrive is kept */
    public DecodeOnce(DecodeLimits limits, DecodeGuard guard, boolean stampArrival, ScoringSettings scoring,
                      Campaigns campaigns, PrivacySettings privacy, String buildId) {
        this.limits = limits;
        this.fingerprintLimits = DedupSettings.fingerprintLimits(limits);
        this.guard = guard;
        this.stampArrival = stampArrival;
        this.scoring = scoring;
        this.campaigns = campaigns;
        this.privacy = privacy;
        this.buildId = buildId;
    }

    @Override
    public void open(OpenContext context) throws Exception {
        // one thread per slot for OpenCV, as for ONNX Runtime: slots × threads stay within the cores
        org.bytedeco.opencv.global.opencv_core.setNumThreads(1);
        decoder = new ClipDecoder(limits);
        hasher = new PdqHasher();
        model = ScoringModel.open(scoring);
        // an opened model names itself; identify() would open it a second time
        scoredBy = model == null ? ScoringModel.identify(scoring) : model.identity();
        batch = model == null ? null : model.batchBuffer(model.batchSize(scoring.batchSize()));
        anonymiser = new ClipAnonymiser(limits, privacy);
        var runtime = getRuntimeContext();
        LOG.info("decoding pass {} of {} ready", runtime.getTaskInfo().getIndexOfThisSubtask() + 1,
                runtime.getTaskInfo().getNumberOfParallelSubtasks());
        framesScored = runtime.getMetricGroup().counter("framesScored");
        clipsNotAnonymised = runtime.getMetricGroup().counter("clipsBelowMinimumScore");
        clipsScored = runtime.getLongCounter(Progress.CLIPS_SCORED);
        framesScoredTotal = runtime.getLongCounter(Progress.FRAMES_SCORED);
        clipsAnonymised = runtime.getLongCounter(Progress.CLIPS_ANONYMISED);
        framesAnonymised = runtime.getLongCounter(Progress.FRAMES_ANONYMISED);
        decodeNanos = Progress.stageTime(runtime, Progress.STAGE_DECODE);
        fingerprintNanos = Progress.stageTime(runtime, Progress.STAGE_FINGERPRINT);
        scoreNanos = Progress.stageTime(runtime, Progress.STAGE_SCORE);
        // by ClipAnonymiser's sub-stage index
        privacyNanos = new LongCounter[4];
        privacyNanos[ClipAnonymiser.FACES] = Progress.stageTime(runtime, Progress.STAGE_PRIVACY_FACES);
        privacyNanos[ClipAnonymiser.HEADS] = Progress.stageTime(runtime, Progress.STAGE_PEOPLE);
        privacyNanos[ClipAnonymiser.MASK_AND_JPEG] = Progress.stageTime(runtime, Progress.STAGE_PRIVACY_MASK);
        privacyNanos[ClipAnonymiser.VERIFY] = Progress.stageTime(runtime, Progress.STAGE_PRIVACY_VERIFY);
    }

    @Override
    public void close() throws Exception {
        if (model != null) model.close();
        if (anonymiser != null) anonymiser.close();
    }

    @Override
    public void processElement(ClipTask task, Context ctx, Collector<ClipTask> out) throws Exception {
        long started = System.nanoTime();
        long[] privacyBefore = anonymiser.spentNanos();
        ScoringRules rules = campaigns.of(task.campaign).scoring();
        ClipFingerprinter fingerprinter = new ClipFingerprinter(hasher);
        FrameScorer scorer = model == null ? FrameScorer.ofDetections(rules) : FrameScorer.ofModel(model, batch);
        long[] hashing = {0};
        PassFrames[] frames = {null};
        DecodedClip media = SafetyNet.judge(NAME, task, buildId, row -> ctx.output(Decisions.TAG, row), () -> {
            try (LocalClipFile file = LocalClipFile.of(new Path(task.resolvedPath))) {
                ConsentedRegions consented = ConsentedRegions.parse(task.consentedSubjectsJson);
                frames[0] = new PassFrames(anonymiser.start(consented, task.clipId));
                return guard.around(task.sha256, () -> decoder.decode(file.file(), List.of(
                        new ClipDecoder.Sampling(fingerprintLimits.sampleFps(), fingerprintLimits.maxLongSide(),
                                (index, tsMs, image) -> {
                                    long t = System.nanoTime();
                                    fingerprinter.add(tsMs, image);
                                    hashing[0] += System.nanoTime() - t;
                                }),
                        new ClipDecoder.Sampling(limits.sampleFps(), limits.maxLongSide(), (index, tsMs, image) -> {
                            // the person detector once per frame: scoring, the frame's labels and its heads
                            HeadDetector.People people = anonymiser.people(image);
                            scorer.add(tsMs, image, people.scored());
                            frames[0].add(index, tsMs, image, people);
                        }))));
            }
        });
        FrameScorer.Scored scored = media == null ? null : scorer.finish();
        ClipScore score = media == null ? null : ClipScore.of(scored, rules);
        boolean anonymise = score != null && score.score() >= rules.minScore();
        ClipAnonymiser.Outcome outcome = null;
        if (anonymise) outcome = SafetyNet.judge(NAME, task, buildId, row -> ctx.output(Decisions.TAG, row),
                () -> guard.around(task.sha256, () -> frames[0].finish()));
        else if (frames[0] != null) frames[0].drop();

        addStageTimes(System.nanoTime() - started, hashing[0], scorer.nanos(), privacyBefore);
        if (media == null || (anonymise && outcome == null)) return;

        describe(task, media);
        long epoch = DedupOrder.BATCH_EPOCH;
        if (stampArrival) {
            // never below an earlier stamp of this subtask, which ArrivalStamps' watermark may already have passed
            lastStamp = Math.max(Math.max(lastStamp, System.currentTimeMillis()), DedupOrder.BATCH_EPOCH);
            epoch = lastStamp;
        }
        // the epoch places the clip in DedupOrder: one for a whole batch build (capture time decides), the time of
        // this pass in a streaming run (the first to arrive is kept); ArrivalStamps makes it the record's timestamp
        task.fingerprint = fingerprinter.build(task.clipId, task.capturedAt, epoch);

        framesScored.inc(scored.scores().length);
        framesScoredTotal.add(scored.scores().length);
        clipsScored.add(1);
        scoreInto(task, scored, score);
        task.belowMinimumScore = !anonymise;
        if (!anonymise) {
            clipsNotAnonymised.inc();
        } else {
            clipsAnonymised.add(1);
            carry(task, outcome);
            framesAnonymised.add(task.framesVerified);
        }
        out.collect(task);
    }

    /** The clip's time by part; decoding (and reading the file) is what the parts did not use. */
    private void addStageTimes(long total, long hashing, long scoring, long[] privacyBefore) {
        long[] privacyAfter = anonymiser.spentNanos();
        long parts = hashing + scoring;
        for (int i = 0; i < privacyAfter.length; i++) {
            long spent = privacyAfter[i] - privacyBefore[i];
            privacyNanos[i].add(spent);
            parts += spent;
        }
        fingerprintNanos.add(hashing);
        scoreNanos.add(scoring);
        decodeNanos.add(Math.max(0, total - parts));
    }

    private void scoreInto(ClipTask task, FrameScorer.Scored scored, ClipScore score) {
        task.frameTimesMs = scored.timesMs();
        task.frameScores = scored.scores();
        task.clipScore = (float) score.score();
        task.scoreDetail = score.describe();
        task.scoreModel = scoredBy.name();
        task.scoreModelSha256 = scoredBy.sha256();
    }

    /** Only a clip the verifier passed in every frame carries its frames on. */
    static void carry(ClipTask task, ClipAnonymiser.Outcome outcome) {
        task.leakFrames = outcome.leakFrames();
        task.firstLeakMs = outcome.firstLeakMs();
        task.framesVerified = outcome.frames().size() + outcome.leakFrames();
        if (outcome.leakFrames() > 0) return;
        task.anonymisedFrames = outcome.frames().toArray(new AnonymisedFrame[0]);
    }

    /** Duplicates and low-score clips are not decoded again: their manifest rows get these facts from here. */
    static void describe(ClipTask task, DecodedClip media) {
        task.container = media.container();
        task.videoCodec = media.videoCodec();
        task.durationS = media.durationSeconds();
        task.fps = media.fps();
        task.width = media.width();
        task.height = media.height();
    }
}
