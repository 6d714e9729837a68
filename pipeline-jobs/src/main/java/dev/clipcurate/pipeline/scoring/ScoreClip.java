package dev.clipcurate.pipeline.scoring;

import ai.onnxruntime.OrtException;
import dev.clipcurate.pipeline.common.Campaigns;
import dev.clipcurate.pipeline.common.InfrastructureFailure;
import dev.clipcurate.pipeline.intake.SafetyNet;
import dev.clipcurate.pipeline.intake.ClipRejected;
import dev.clipcurate.pipeline.intake.ClipTask;
import dev.clipcurate.pipeline.intake.Decisions;
import dev.clipcurate.pipeline.intake.RejectReason;
import dev.clipcurate.pipeline.media.ClipDecoder;
import dev.clipcurate.pipeline.media.DecodeGuard;
import dev.clipcurate.pipeline.media.DecodeLimits;
import dev.clipcurate.pipeline.media.LocalClipFile;
import dev.clipcurate.schemas.ClipRow;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.core.fs.Path;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;

/**
 * Scores each clip with the scoring model: decodes the frames the privacy stage will write (same sampling), runs
 * the model over them in batches, and attaches per-frame scores and the clip's usefulness ({@link ClipScore}).
 * A clip below its campaign's minimum is rejected ({@code low_score}, with its score) before the costly privacy
 * stage.
 */
public class ScoreClip extends ProcessFunction<ClipTask, ClipTask> {
    private static final Logger LOG = LoggerFactory.getLogger(ScoreClip.class);
    static final String NAME = "scoring: score";
    private final DecodeLimits limits;
    private final DecodeGuard guard;
    private final ScoringSettings settings;
    private final Campaigns campaigns;
    private final String buildId;

    private transient ScoringModel model;
    private transient ClipDecoder decoder;
    private transient float[] batch;
    private transient Counter framesScored;
    private transient Counter lowScore;
    private transient org.apache.flink.api.common.accumulators.LongCounter clipsScored;
    private transient org.apache.flink.api.common.accumulators.LongCounter stageNanos;

    public ScoreClip(DecodeLimits limits, DecodeGuard guard, ScoringSettings settings, Campaigns campaigns, String buildId) {
        this.limits = limits;
        this.guard = guard;
        this.settings = settings;
        this.campaigns = campaigns;
        this.buildId = buildId;
    }

    @Override
    public void open(OpenContext context) throws Exception {
        org.bytedeco.opencv.global.opencv_core.setNumThreads(1);
        model = ScoringModel.open(settings);
        decoder = new ClipDecoder(limits);
        batch = model.batchBuffer(model.batchSize(settings.batchSize()));
        framesScored = getRuntimeContext().getMetricGroup().counter("framesScored");
        lowScore = getRuntimeContext().getMetricGroup().counter("clipsLowScore");
        clipsScored = getRuntimeContext().getLongCounter(dev.clipcurate.pipeline.job.Progress.CLIPS_SCORED);
        stageNanos = dev.clipcurate.pipeline.job.Progress.stageTime(getRuntimeContext(),
                dev.clipcurate.pipeline.job.Progress.STAGE_SCORE);
    }

    @Override
    public void close() throws Exception {
        if (model != null) model.close();
    }

    @Override
    public void processElement(ClipTask task, Context ctx, Collector<ClipTask> out) throws Exception {
        long started = System.nanoTime();
        Scored scored = SafetyNet.judge(NAME, task, buildId, row -> ctx.output(Decisions.TAG, row), () -> {
            try (LocalClipFile file = LocalClipFile.of(new Path(task.resolvedPath))) {
                return guard.around(task.sha256, () -> score(model, decoder, file.file(), batch));
            }
        });
        stageNanos.add(System.nanoTime() - started);
        if (scored == null) return;
        framesScored.inc(scored.scores().length);
        clipsScored.add(1);
        ScoringRules rules = campaigns.of(task.campaign).scoring();
        ClipScore clip = ClipScore.of(scored.scores(), scored.moving(), rules);
        task.frameTimesMs = scored.timesMs();
        task.frameScores = scored.scores();
        task.clipScore = (float) clip.score();
        task.scoreModel = model.name;
        task.scoreModelSha256 = model.sha256;
        if (clip.score() < rules.minScore()) {
            lowScore.inc();
            ClipRow row = Decisions.rejected(task, new ClipRejected(RejectReason.LOW_SCORE, String.format(java.util.Locale.ROOT,
                    "%s is below the minimum %.2f of campaign %s", clip.describe(), rules.minScore(), task.campaign)), buildId);
            LOG.info("rejected clip {}: low_score ({})", task.clipId, row.getReasonDetail());
            ctx.output(Decisions.TAG, row);
            return;
        }
        out.collect(task);
    }

    /** Per sampled frame: time, model score, and whether it moved against the frame before. */
    public record Scored(long[] timesMs, float[] scores, boolean[] moving) {}

    /** Decodes a clip and scores its sampled frames in batches of {@code batchSize}. */
    public static Scored score(ScoringModel model, ClipDecoder decoder, java.io.File file, int batchSize) throws ClipRejected {
        return score(model, decoder, file, model.batchBuffer(model.batchSize(batchSize)));
    }

    /**
     * Decodes a clip and scores its sampled frames in batches that fill {@code batch} (from
     * {@link ScoringModel#batchBuffer}). A failure of the model itself is not the clip's fault: it is thrown as an
     * {@link InfrastructureFailure}, which fails the job (and restarts it), instead of rejecting every clip.
     */
    public static Scored score(ScoringModel model, ClipDecoder decoder, java.io.File file, float[] batch) throws ClipRejected {
        int batchSize = batch.length / (3 * model.width() * model.height());
        List<Long> times = new ArrayList<>();
        List<Boolean> moving = new ArrayList<>();
        int[] inBatch = {0};
        int[] done = {0};
        float[][] scores = {new float[64]};
        FrameMotion motion = new FrameMotion(model.width(), model.height());
        ClipDecoder.SampledFrameVisitor visitor = (index, tsMs, image) -> {
            FrameTensor.fill(image, model.width(), model.height(), batch, inBatch[0]);
            moving.add(motion.next(batch, inBatch[0]));
            times.add(tsMs);
            if (++inBatch[0] == batchSize) {
                scores[0] = append(scores[0], done[0], run(model, batch, inBatch[0]));
                done[0] += inBatch[0];
                inBatch[0] = 0;
            }
        };
        decoder.decode(file, visitor);
        if (inBatch[0] > 0) {
            scores[0] = append(scores[0], done[0], run(model, batch, inBatch[0]));
            done[0] += inBatch[0];
        }
        long[] t = times.stream().mapToLong(Long::longValue).toArray();
        boolean[] m = new boolean[moving.size()];
        for (int i = 0; i < m.length; i++) m[i] = moving.get(i);
        return new Scored(t, java.util.Arrays.copyOf(scores[0], done[0]), m);
    }

    /** Runs the model; its failure is the infrastructure's, which the decoder passes through untouched. */
    private static float[] run(ScoringModel model, float[] batch, int frames) {
        try {
            return model.score(batch, frames);
        } catch (OrtException e) {
            throw new InfrastructureFailure("the scoring model " + model.name + " failed: " + e.getMessage(), e);
        }
    }

    private static float[] append(float[] scores, int at, float[] more) {
        if (at + more.length > scores.length) scores = java.util.Arrays.copyOf(scores, Math.max(2 * scores.length, at + more.length));
        System.arraycopy(more, 0, scores, at, more.length);
        return scores;
    }
}
