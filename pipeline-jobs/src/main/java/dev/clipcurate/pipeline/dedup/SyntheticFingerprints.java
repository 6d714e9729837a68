package dev.clipcurate.pipeline.dedup;

import java.util.SplittableRandom;

/**
 * Made-up fingerprints for the index benchmark and the operator tests.
 * <ul>
 *   <li>{@link #clip}: an unrelated clip: random hashes that drift from frame to frame as a moving scene's do
 *   ({@value #DRIFT_BITS} bits per sampled frame) and random motion grids;</li>
 *   <li>{@link #cameraClip}: an event filmed by a fixed camera: the camera's background hash (each clip a few bits
 *   off it) and people walking along the camera's one path (a street, a drive to a door) at their own times and
 *   speeds: the clips that crowd an index;</li>
 *   <li>{@link #resubmitted}: a copy as re-encoding leaves it: motion off by up to ±12 %, hashes a few bits off.</li>
 * </ul>
 * The same seeds give the same clip.
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

    /** Clip {@code seed} of fixed camera {@code camera}: see the class comment. */
    public static ClipFingerprint cameraClip(long camera, long seed, String clipId, String capturedAt, long epoch, int frames) {
        SplittableRandom scene = new SplittableRandom(camera * 0x9E3779B97F4A7C15L + 1);
        long[] background = {scene.nextLong(), scene.nextLong(), scene.nextLong(), scene.nextLong()};
        // the camera's one path: through a point of the frame at an angle; people nearer the camera look bigger
        double pathX = 6 + scene.nextInt(ClipFingerprint.GRID_W - 12), pathY = 4 + scene.nextInt(ClipFingerprint.GRID_H - 8);
        double angle = scene.nextDouble() * Math.PI, dx = Math.cos(angle), dy = Math.sin(angle);
        double nearScale = 1 + scene.nextDouble();
        SplittableRandom random = new SplittableRandom(seed);
        ClipFingerprint f = ClipFingerprint.empty(clipId, capturedAt, epoch, frames);
        int people = 1 + random.nextInt(3);
        double[] start = new double[people], speed = new double[people], lane = new double[people], size = new double[people];
        float[][] texture = new float[people][49];
        for (int p = 0; p < people; p++) {
            start[p] = random.nextDouble() * frames * 0.6;
            speed[p] = (0.4 + random.nextDouble() * 1.4) * (random.nextBoolean() ? 1 : -1); // cells per sampled frame
            lane[p] = (random.nextDouble() - 0.5) * 4;
            size[p] = 0.8 + random.nextDouble() * 0.8;
            for (int t = 0; t < 49; t++) texture[p][t] = (float) (0.4 + random.nextDouble() * 0.6); // clothes, gait
        }
        long[] clipBackground = background.clone();
        flip(clipBackground, 0, 12, random);
        for (int i = 0; i < frames; i++) {
            f.tsMs[i] = i * 500L;
            f.quality[i] = 60;
            System.arraycopy(clipBackground, 0, f.pdq, i * 4, 4);
            flip(f.pdq, i * 4, 4, random);
            for (int k = 0; k < 4; k++) f.pdqMirror[i * 4 + k] = Long.reverse(f.pdq[i * 4 + k]);
            for (int w = 0; w < ClipFingerprint.WINDOWS.length; w++) {
                System.arraycopy(f.pdq, i * 4, f.pdqWindows, (i * ClipFingerprint.WINDOWS.length + w) * 4, 4);
                flip(f.pdqWindows, (i * ClipFingerprint.WINDOWS.length + w) * 4, 40, random);
            }
            int base = i * ClipFingerprint.GRID_CELLS;
            for (int c = 0; c < ClipFingerprint.GRID_CELLS; c++) f.motion[base + c] = (byte) random.nextInt(12);
            if (i == 0) continue; // no previous frame, no motion
            for (int p = 0; p < people; p++) {
                double along = (i - start[p]) * speed[p] + (speed[p] > 0 ? -20 : 20);
                if (i < start[p] || Math.abs(along) > 22) continue;
                double x = pathX + along * dx - lane[p] * dy, y = pathY + along * dy + lane[p] * dx;
                double r = size[p] * (1 + (nearScale - 1) * y / ClipFingerprint.GRID_H) * 1.5;
                for (int gy = (int) Math.floor(y - 2 * r); gy <= y + 2 * r; gy++) {
                    for (int gx = (int) Math.floor(x - r); gx <= x + r; gx++) {
                        if (gx < 0 || gy < 0 || gx >= ClipFingerprint.GRID_W || gy >= ClipFingerprint.GRID_H) continue;
                        double u = (gx - x) / r, v = (gy - y) / (2 * r); // people are taller than wide
                        if (u * u + v * v > 1) continue;
                        float t = texture[p][(int) ((u + 1) * 3) * 7 + (int) ((v + 1) * 3)];
                        f.motion[base + gy * ClipFingerprint.GRID_W + gx] = (byte) Math.min(255, 60 + 180 * t);
                    }
                }
            }
        }
        return f;
    }

    /** {@code f} re-encoded: every motion cell scaled by 0.88–1.12, every hash 6 bits off. */
    public static ClipFingerprint resubmitted(ClipFingerprint f, long seed, String clipId, String capturedAt, long epoch) {
        SplittableRandom random = new SplittableRandom(seed);
        ClipFingerprint c = ClipFingerprint.fromBytes(clipId, capturedAt, epoch, java.nio.ByteBuffer.wrap(f.toBytes()));
        for (int i = 0; i < c.motion.length; i++) {
            c.motion[i] = (byte) Math.min(255, Math.round((c.motion[i] & 0xff) * (0.88 + random.nextDouble() * 0.24)));
        }
        for (int h = 0; h < c.frames(); h++) {
            flip(c.pdq, h * 4, 6, random);
            flip(c.pdqMirror, h * 4, 6, random);
        }
        for (int h = 0; h < c.frames() * ClipFingerprint.WINDOWS.length; h++) flip(c.pdqWindows, h * 4, 6, random);
        return c;
    }

    private static void flip(long[] words, int from, int bits, SplittableRandom random) {
        for (int b = 0; b < bits; b++) {
            int bit = random.nextInt(256);
            words[from + bit / 64] ^= 1L << (bit % 64);
        }
    }

    /** Frame i's {@code perFrame} hashes: random for the first frame, then the previous ones with bits flipped. */
    private static void drift(long[] words, int frame, int perFrame, SplittableRandom random) {
        int base = frame * 4 * perFrame;
        for (int w = 0; w < 4 * perFrame; w++) {
            words[base + w] = frame == 0 ? random.nextLong() : words[base + w - 4 * perFrame];
        }
        if (frame == 0) return;
        for (int h = 0; h < perFrame; h++) flip(words, base + h * 4, DRIFT_BITS, random);
    }
}
