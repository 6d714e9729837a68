package dev.clipcurate.pipeline.scoring;

import java.io.Serializable;

/**
 * How the scoring stage runs its model.
 *
 * @param modelPath      an ONNX file meeting the model contract (README, Scoring), or null for the bundled default
 * @param batchSize      frames per model call
 * @param intraOpThreads threads per model call; slots × threads should not exceed the TaskManager's cores
 * @param cuda           use ONNX Runtime's CUDA provider when present (needs the onnxruntime_gpu jar); CPU otherwise
 */
public record ScoringSettings(String modelPath, int batchSize, int intraOpThreads, boolean cuda) implements Serializable {
    public static final String BUNDLED_MODEL = "/scoring/person-window-v1.onnx";

    public static ScoringSettings defaults() {
        return new ScoringSettings(null, 4, 1, false);
    }

    public ScoringSettings {
        if (batchSize < 1) throw new IllegalArgumentException("scoring batch size must be at least 1");
        if (intraOpThreads < 1) throw new IllegalArgumentException("scoring threads must be at least 1");
    }
}
