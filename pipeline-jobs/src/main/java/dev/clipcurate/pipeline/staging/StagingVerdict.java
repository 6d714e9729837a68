package dev.clipcurate.pipeline.staging;

import java.util.List;

/**
 * The labeller's answer.
 *
 * @param label      staged | real | uncertain
 * @param confidence probability of the more likely of staged and real (0.5..1)
 * @param evidence   what decided it, one line each: code, weight, detail
 */
public record StagingVerdict(String label, float confidence, List<String> evidence) {
    public static final String STAGED = "staged";
    public static final String REAL = "real";
    public static final String UNCERTAIN = "uncertain";
}
