package dev.clipcurate.pipeline.scoring;

import ai.onnxruntime.OrtException;
import dev.clipcurate.pipeline.common.InfrastructureFailure;
import dev.clipcurate.pipeline.media.ObjectDetection;
import org.bytedeco.opencv.opencv_core.Mat;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Scores one clip's sampled frames as they are decoded. By default a frame's score is the best score of the
 * detections the campaign counts ({@link #detectionScore}): the pass runs the person detector once per frame, for
 * scoring, the frame's labels and the privacy stage alike. With a model under the model contract
 * ({@code --score-model}) each frame goes into the model's batch instead, and a full batch is run at once. Either
 * way each frame's motion against the frame before is noted. Not thread-safe; one per clip.
 */
public final class FrameScorer {
    /** Motion is measured on a 320×240 grey image, whatever scores the frame. */
    static final int MOTION_WIDTH = 320, MOTION_HEIGHT = 240;
    private final ScoringModel model;
    private final ScoringRules rules;
    private final float[] batch;
    private final int batchSize;
    private final int width;
    private final int height;
    private final FrameMotion motion;
    private final List<Long> times = new ArrayList<>();
    private final List<Boolean> moving = new ArrayList<>();
    private float[] scores = new float[64];
    private int inBatch;
    private int done;
    private long nanos;

    /** Per sampled frame: time, score, and whether it moved against the frame before. */
    public record Scored(long[] timesMs, float[] scores, boolean[] moving) {}

    /** Scores by the detections given with each frame, under the campaign's rules. */
    public static FrameScorer ofDetections(ScoringRules rules) {
        return new FrameScorer(null, rules, new float[3 * MOTION_WIDTH * MOTION_HEIGHT]);
    }

    /** Scores by a model under the model contract; {@code batch} from {@link ScoringModel#batchBuffer} sets the batch size. */
    public static FrameScorer ofModel(ScoringModel model, float[] batch) {
        return new FrameScorer(model, null, batch);
    }

    private FrameScorer(ScoringModel model, ScoringRules rules, float[] batch) {
        this.model = model;
        this.rules = rules;
        this.batch = batch;
        this.width = model == null ? MOTION_WIDTH : model.width();
        this.height = model == null ? MOTION_HEIGHT : model.height();
        this.batchSize = batch.length / (3 * width * height);
        this.motion = new FrameMotion(width, height);
    }

    /** The next sampled frame, with what the person detector found in it (ignored when a model scores). */
    public void add(long tsMs, Mat image, List<ObjectDetection> detections) {
        long started = System.nanoTime();
        FrameTensor.fill(image, width, height, batch, inBatch);
        moving.add(motion.next(batch, inBatch));
        times.add(tsMs);
        if (model == null) {
            record(new float[] {detectionScore(detections, image.rows(), rules)});
        } else if (++inBatch == batchSize) {
            runBatch();
        }
        nanos += System.nanoTime() - started;
    }

    /**
     * A frame's score from its detections: the best score among those of the campaign's classes that are at least
     * {@link ScoringRules#minHeight()} of the frame tall; 0 without one.
     */
    public static float detectionScore(List<ObjectDetection> detections, int frameHeight, ScoringRules rules) {
        float best = 0;
        for (ObjectDetection d : detections) {
            if (rules.classes().contains(d.label) && d.h >= rules.minHeight() * frameHeight) best = Math.max(best, d.score);
        }
        return best;
    }

    public Scored finish() {
        long started = System.nanoTime();
        if (inBatch > 0) runBatch();
        nanos += System.nanoTime() - started;
        boolean[] m = new boolean[moving.size()];
        for (int i = 0; i < m.length; i++) m[i] = moving.get(i);
        return new Scored(times.stream().mapToLong(Long::longValue).toArray(), Arrays.copyOf(scores, done), m);
    }

    /** Time spent scoring so far (not decoding, not detecting). */
    public long nanos() {
        return nanos;
    }

    /** A failure of the model itself is not the clip's fault: it fails the job (and restarts it). */
    private void runBatch() {
        try {
            record(model.score(batch, inBatch));
        } catch (OrtException e) {
            throw new InfrastructureFailure("the scoring model " + model.name + " failed: " + e.getMessage(), e);
        }
        inBatch = 0;
    }

    private void record(float[] more) {
        if (done + more.length > scores.length) scores = Arrays.copyOf(scores, Math.max(2 * scores.length, done + more.length));
        System.arraycopy(more, 0, scores, done, more.length);
        done += more.length;
    }
}
