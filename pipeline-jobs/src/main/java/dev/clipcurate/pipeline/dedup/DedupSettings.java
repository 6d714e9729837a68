package dev.clipcurate.pipeline.dedup;

import dev.clipcurate.pipeline.media.DecodeLimits;

import java.io.Serializable;

/**
 * Tuning of the dedup stage.
 *
 * @param matchThreshold minimal motion correlation for two clips to be duplicates (0.55: measured on the variant set,
 *                       see {@code scripts/curate eval-dedup})
 */
public record DedupSettings(double matchThreshold) implements Serializable {
    /**
     * Fingerprints are sampled at this rate and size whatever the job's frame settings, so that clips of versions
     * built with other settings stay comparable (the matcher was measured at this rate).
     */
    public static final double SAMPLE_FPS = 2.0;
    public static final int MAX_LONG_SIDE = 640;

    public static DedupSettings defaults() {
        return new DedupSettings(0.55);
    }

    public DedupSettings {
        if (!(matchThreshold > 0 && matchThreshold < 1)) throw new IllegalArgumentException("match threshold must be in (0, 1)");
    }

    /** The job's safety limits with the fingerprint's sampling. */
    public static DecodeLimits fingerprintLimits(DecodeLimits job) {
        return new DecodeLimits(SAMPLE_FPS, MAX_LONG_SIDE, job.jpegQuality(), job.maxWidth(), job.maxHeight(),
                job.maxDurationSeconds(), job.decodeBudgetSeconds(), job.decoderThreads());
    }
}
