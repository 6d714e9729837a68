package dev.clipcurate.pipeline.dedup;

import java.io.Serializable;

/**
 * Tuning of the dedup stage.
 *
 * @param matchThreshold minimal motion correlation for two clips to be duplicates (0.55: measured on the variant set,
 *                       see {@code scripts/curate eval-dedup})
 */
public record DedupSettings(double matchThreshold) implements Serializable {
    public static DedupSettings defaults() {
        return new DedupSettings(0.55);
    }

    public DedupSettings {
        if (!(matchThreshold > 0 && matchThreshold < 1)) throw new IllegalArgumentException("match threshold must be in (0, 1)");
    }
}
