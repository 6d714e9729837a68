package dev.clipcurate.pipeline.pass;

import ai.onnxruntime.OrtException;
import dev.clipcurate.pipeline.common.InfrastructureFailure;
import dev.clipcurate.pipeline.intake.ClipRejected;
import dev.clipcurate.pipeline.media.ClipDecoder;
import dev.clipcurate.pipeline.media.DecodeLimits;
import dev.clipcurate.pipeline.media.ObjectDetection;
import dev.clipcurate.pipeline.privacy.HeadDetector;
import dev.clipcurate.pipeline.privacy.PrivacySettings;
import dev.clipcurate.pipeline.scoring.FrameScorer;
import dev.clipcurate.pipeline.scoring.ScoringModel;
import dev.clipcurate.pipeline.scoring.ScoringRules;
import dev.clipcurate.pipeline.scoring.ScoringSettings;

import java.io.File;
import java.util.List;

/**
 * Scores one file on its own as {@link DecodeOnce} scores a clip (same sampling, same detector or model): for the
 * evaluation and benchmark tools and the tests. Not thread-safe.
 */
public final class ScoreFile implements AutoCloseable {
    private final ClipDecoder decoder;
    private final ScoringModel model;
    private final float[] batch;
    private final HeadDetector people;
    private final ScoringModel.Identity identity;
    private long detectorNanos;

    public ScoreFile(ScoringSettings scoring, DecodeLimits limits) throws Exception {
        this.decoder = new ClipDecoder(limits);
        this.model = ScoringModel.open(scoring);
        this.batch = model == null ? null : model.batchBuffer(model.batchSize(scoring.batchSize()));
        this.people = model == null ? new HeadDetector(PrivacySettings.defaults().headThreshold()) : null;
        this.identity = model == null ? ScoringModel.identify(scoring) : model.identity();
    }

    /** The detector's people, or the model's scores, for each frame the job would sample; with their motion. */
    public FrameScorer.Scored score(File file, ScoringRules rules) throws ClipRejected {
        FrameScorer scorer = model == null ? FrameScorer.ofDetections(rules) : FrameScorer.ofModel(model, batch);
        decoder.decode(file, (index, tsMs, image) -> {
            List<ObjectDetection> persons = List.of();
            if (people != null) {
                long started = System.nanoTime();
                try {
                    persons = people.detectPeople(image).scored();
                } catch (OrtException e) {
                    throw new InfrastructureFailure("the person detector failed: " + e.getMessage(), e);
                }
                detectorNanos += System.nanoTime() - started;
            }
            scorer.add(tsMs, image, persons);
        });
        return scorer.finish();
    }

    public ScoringModel.Identity identity() {
        return identity;
    }

    /** Time the person detector has spent so far. */
    public long detectorNanos() {
        return detectorNanos;
    }

    @Override
    public void close() throws Exception {
        if (model != null) model.close();
        if (people != null) people.close();
    }
}
