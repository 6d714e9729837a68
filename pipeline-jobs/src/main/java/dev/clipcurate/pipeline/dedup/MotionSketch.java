package dev.clipcurate.pipeline.dedup;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * 64-bit sketches of two seconds of motion, one per index table: the motion grids blurred and averaged to 16×12
 * cells, of {@value #FRAMES} consecutive sampled frames, mean-centred, signed against 64 fixed random hyperplanes per table (SimHash).
 * Two windows agree on a bit with probability 1 − θ/π, θ the angle between them, so the Hamming distance of two
 * sketches estimates the motion correlation that {@link ClipMatcher} scores. A fixed camera's background does not
 * move, so the sketch describes the event, not the scene. Each bit's margin (|projection|) says how close it was to
 * flipping: lookups probe the least certain bits both ways.
 */
final class MotionSketch {
    static final int FRAMES = 4;
    static final int BITS = 64;
    static final int TABLES = 2;
    /** 16×12 cells blurred by σ = 1 cell: fine enough that one walker's second differs from another's. */
    static final int BLOCK = 2;
    static final double SIGMA = 1.0;
    private static final int CELLS = (ClipFingerprint.GRID_W / BLOCK) * (ClipFingerprint.GRID_H / BLOCK);
    private static final int DIMS = CELLS * FRAMES;
    /** Mean squared motion (per coarse cell, around the window's mean) below which a window says nothing. */
    static final double FLAT = 1e-3;
    private static final float[][] PLANES = planes();

    /**
     * @param sketches one independent sketch per index table ({@value #TABLES})
     * @param margins  |projection| over the window's norm per table and bit (as a standard normal for random
     *                 windows): small means the bit could flip under re-encoding
     */
    record Window(int frame, long[] sketches, float[][] margins, double energy) {}

    private MotionSketch() {}

    /** The grids a sketch is taken of: blurred block means of the motion grids. */
    static float[][] sketchGrids(float[][] grids) {
        return ClipMatcher.blurredBlocks(grids, SIGMA, (int) Math.ceil(4 * SIGMA), BLOCK);
    }

    /**
     * The sketches of every window of frames {@code [i, i + FRAMES)}, i ≥ 1 (frame 0 has no motion), that is not
     * flat: {@link #windows(float[][], int)} with blocks of one, without centring each window twice.
     */
    static List<Window> windows(float[][] grids) {
        List<Window> out = new ArrayList<>();
        double[] v = new double[DIMS];
        for (int i = 1; i + FRAMES - 1 < grids.length; i++) {
            double energy = centred(grids, i, v);
            if (energy >= FLAT) out.add(sketch(i, v, energy));
        }
        return out;
    }

    /**
     * Like {@link #windows(float[][])}, but of each block of {@code every} windows only the one with most motion
     * (the anchors a clip stores): the others are not sketched at all.
     */
    static List<Window> windows(float[][] grids, int every) {
        List<Window> out = new ArrayList<>();
        double[] v = new double[DIMS];
        int best = -1;
        double bestEnergy = 0;
        for (int i = 1; i + FRAMES - 1 < grids.length; i++) {
            double energy = centred(grids, i, v);
            if (energy >= FLAT && energy > bestEnergy) {
                best = i;
                bestEnergy = energy;
            }
            boolean blockEnds = i % every == 0 || i + FRAMES >= grids.length;
            if (!blockEnds) continue;
            if (best > 0) {
                centred(grids, best, v);
                out.add(sketch(best, v, bestEnergy));
            }
            best = -1;
            bestEnergy = 0;
        }
        return out;
    }

    /** Window i of the grids, mean-centred, into v; returns its mean squared value. */
    private static double centred(float[][] grids, int i, double[] v) {
        double mean = 0;
        for (int f = 0; f < FRAMES; f++) for (int c = 0; c < CELLS; c++) mean += v[f * CELLS + c] = grids[i + f][c];
        mean /= DIMS;
        double energy = 0;
        for (int d = 0; d < DIMS; d++) {
            v[d] -= mean;
            energy += v[d] * v[d];
        }
        return energy / DIMS;
    }

    private static Window sketch(int frame, double[] v, double energy) {
        double norm = Math.sqrt(energy * DIMS);
        long[] sketches = new long[TABLES];
        float[][] margins = new float[TABLES][BITS];
        for (int t = 0; t < TABLES; t++) {
            for (int b = 0; b < BITS; b++) {
                double p = 0;
                float[] plane = PLANES[t * BITS + b];
                for (int d = 0; d < DIMS; d++) p += v[d] * plane[d];
                if (p > 0) sketches[t] |= 1L << b;
                margins[t][b] = (float) (Math.abs(p) / norm);
            }
        }
        return new Window(frame, sketches, margins, energy);
    }

    private static float[][] planes() {
        Random random = new Random(0x5eed_d00dL); // fixed: every build and version must sketch alike
        float[][] planes = new float[TABLES * BITS][DIMS];
        for (float[] plane : planes) for (int d = 0; d < DIMS; d++) plane[d] = (float) random.nextGaussian();
        return planes;
    }
}
