package dev.clipcurate.pipeline.dedup;

import java.io.Serializable;
import java.time.Duration;

/**
 * Tuning of the dedup stage.
 *
 * @param matchThreshold minimal motion correlation for two clips to be duplicates (0.55: measured on the variant set,
 *                       see {@code scripts/curate eval-dedup})
 * @param settle         streaming only: how long a clip waits for match candidates from other subtasks before it is
 *                       decided (a batch build decides when all input is in)
 */
public record DedupSettings(double matchThreshold, Duration settle) implements Serializable {
    public static DedupSettings defaults() {
        return new DedupSettings(0.55, Duration.ofSeconds(10));
    }

    public DedupSettings {
        if (!(matchThreshold > 0 && matchThreshold < 1)) throw new IllegalArgumentException("match threshold must be in (0, 1)");
        if (settle.isNegative()) throw new IllegalArgumentException("settle time must not be negative");
    }
}
