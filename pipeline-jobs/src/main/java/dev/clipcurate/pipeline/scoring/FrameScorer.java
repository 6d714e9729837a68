package dev.clipcurate.pipeline.scoring;

import ai.onnxruntime.OrtException;
import dev.clipcurate.pipeline.common.InfrastructureFailure;
import dev.clipcurate.pipeline.intake.ClipRejected;
import dev.clipcurate.pipeline.media.ClipDecoder;
import org.bytedeco.opencv.opencv_core.Mat;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Scores one clip's sampled frames as they are decoded: each frame goes into the model's batch and its motion
 * against the frame before is noted; a full batch is run at once. Not thread-safe; one per clip.
 */
public final class FrameScorer {
    private final ScoringModel model;
    private final float[] batch;
    private final int batchSize;
    private final FrameMotion motion;
    private final List<Long> times = new ArrayList<>();
    private final List<Boolean> moving = new ArrayList<>();
    private float[] scores = new float[64];
    private int inBatch;
    private int done;
    private long nanos;

    /** Per sampled frame: time, model score, and whether it moved against the frame before. */
    public record Scored(long[] timesMs, float[] scores, boolean[] moving) {}

    /** @param batch a buffer from {@link ScoringModel#batchBuffer}; its size sets the batch */
    public FrameScorer(ScoringModel model, float[] batch) {
        this.model = model;
        this.batch = batch;
        this.batchSize = batch.length / (3 * model.width() * model.height());
        this.motion = new FrameMotion(model.width(), model.height());
    }

    public void add(long tsMs, Mat image) {
        long started = System.nanoTime();
        FrameTensor.fill(image, model.width(), model.height(), batch, inBatch);
        moving.add(motion.next(batch, inBatch));
        times.add(tsMs);
        if (++inBatch == batchSize) runBatch();
        nanos += System.nanoTime() - started;
    }

    public Scored finish() {
        long started = System.nanoTime();
        if (inBatch > 0) runBatch();
        nanos += System.nanoTime() - started;
        boolean[] m = new boolean[moving.size()];
        for (int i = 0; i < m.length; i++) m[i] = moving.get(i);
        return new Scored(times.stream().mapToLong(Long::longValue).toArray(), Arrays.copyOf(scores, done), m);
    }

    /** Time spent scoring so far (not decoding). */
    public long nanos() {
        return nanos;
    }

    /** Decodes a clip on its own and scores it: for the evaluation and benchmark tools. */
    public static Scored scoreFile(ScoringModel model, ClipDecoder decoder, java.io.File file, int batchSize)
            throws ClipRejected {
        return scoreFile(model, decoder, file, model.batchBuffer(model.batchSize(batchSize)));
    }

    public static Scored scoreFile(ScoringModel model, ClipDecoder decoder, java.io.File file, float[] batch)
            throws ClipRejected {
        FrameScorer scorer = new FrameScorer(model, batch);
        decoder.decode(file, (index, tsMs, image) -> scorer.add(tsMs, image));
        return scorer.finish();
    }

    /** A failure of the model itself is not the clip's fault: it fails the job (and restarts it). */
    private void runBatch() {
        float[] more;
        try {
            more = model.score(batch, inBatch);
        } catch (OrtException e) {
            throw new InfrastructureFailure("the scoring model " + model.name + " failed: " + e.getMessage(), e);
        }
        if (done + more.length > scores.length) scores = Arrays.copyOf(scores, Math.max(2 * scores.length, done + more.length));
        System.arraycopy(more, 0, scores, done, more.length);
        done += more.length;
        inBatch = 0;
    }
}
