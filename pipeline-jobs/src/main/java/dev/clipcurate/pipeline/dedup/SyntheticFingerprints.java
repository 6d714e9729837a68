package dev.clipcurate.pipeline.dedup;

import java.util.SplittableRandom;

/**
 * Made-up fingerprints for the index benchmark and the operator tests: random hashes that drift from frame to frame
 * as a moving scene's do ({@value #DRIFT_BITS} bits per sampled frame), random motion grids and textured frames.
 * Different seeds give unrelated clips; the same seed gives the same clip.
 */
public final class SyntheticFingerprints {
    static final int DRIFT_BITS = 24;

    private SyntheticFingerprints() {}

    public static ClipFingerprint clip(long seed, String clipId, String capturedAt, long epoch, int frames) {
        SplittableRandom random = new SplittableRandom(seed);
        ClipFingerprint f = ClipFingerprint.empty(clipId, capturedAt, epoch, frames);
        for (int i = 0; i < frames; i++) {
            f.tsMs[i] = i * 500L;
            f.quality[i] = 60;
            drift(f.pdq, i, 1, random);
            drift(f.pdqMirror, i, 1, random);
            drift(f.pdqWindows, i, ClipFingerprint.WINDOWS.length, random);
            for (int c = 0; c < ClipFingerprint.GRID_CELLS; c++) {
                f.motion[i * ClipFingerprint.GRID_CELLS + c] = (byte) random.nextInt(256);
            }
        }
        return f;
    }

    /** Frame i's {@code perFrame} hashes: random for the first frame, then the previous ones with bits flipped. */
    private static void drift(long[] words, int frame, int perFrame, SplittableRandom random) {
        int base = frame * 4 * perFrame;
        for (int w = 0; w < 4 * perFrame; w++) {
            words[base + w] = frame == 0 ? random.nextLong() : words[base + w - 4 * perFrame];
        }
        if (frame == 0) return;
        for (int h = 0; h < perFrame; h++) {
            for (int b = 0; b < DRIFT_BITS; b++) {
                int bit = random.nextInt(256);
                words[base + h * 4 + bit / 64] ^= 1L << (bit % 64);
            }
        }
    }
}
