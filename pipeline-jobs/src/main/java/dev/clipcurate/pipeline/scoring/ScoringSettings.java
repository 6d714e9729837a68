package dev.clipcurate.pipeline.scoring;

import java.io.Serializable;

/**
 * How the scoring stage runs its model.
 *
 * @param modelPath      an ONNX file meeting the model contract (README, Scoring), {@link #PERSON_WINDOW} for the
 *                       small model this project trained, or null for the default: the person detector's detections
 * @param batchSize      frames per model call
 * @param intraOpThreads threads per model call; slots × threads should not exceed the TaskManager's cores
 * @param cuda           use ONNX Runtime's CUDA provider when present (needs the onnxruntime_gpu jar); CPU otherwise
 */
public record ScoringSettings(String modelPath, int batchSize, int intraOpThreads, boolean cuda) implements Serializable {
    /** The model this project trained on two scenes of one camera (the default until the person detector). */
    public static final String PERSON_WINDOW = "bundled:person-window-v1";
    public static final String PERSON_WINDOW_RESOURCE = "/scoring/person-window-v1.onnx";

    public static ScoringSettings defaults() {
        return new ScoringSettings(null, 4, 1, false);
    }

    /** Whether frames are scored by the person detector's detections (the default) rather than by a model. */
    public boolean usesDetector() {
        return modelPath == null;
    }

    public ScoringSettings {
        if (batchSize < 1) throw new IllegalArgumentException("scoring batch size must be at least 1");
        if (intraOpThreads < 1) throw new IllegalArgumentException("scoring threads must be at least 1");
    }
}
