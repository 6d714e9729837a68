package dev.clipcurate.pipeline.dedup;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Decides whether two clips show the same footage, by temporal alignment of their motion grids.
 *
 * <p>Whole-frame hashes cannot tell a cropped copy from another event filmed by the same fixed camera (the
 * background dominates both), so clips are compared by what moves: (1) every time offset at which the clips overlap
 * by at least {@value #MIN_OVERLAP} of the shorter one is scored by the correlation of coarse, blurred motion grids
 * (tolerant to crops, scaling and overlays; the mirrored grid is tried too); (2) the best offsets are refined over
 * crop hypotheses (one clip being a window of the other, up to 15% off either axis) on the full grids. The score is
 * the Pearson correlation of all aligned cells; clips match at {@link #threshold} or above. Clips with almost no
 * motion fall back to their PDQ hashes at the aligned frames. Pure Java, thread-safe, allocation per call only.
 */
public final class ClipMatcher {
    static final double MIN_OVERLAP = 0.7;
    static final int MIN_OVERLAP_FRAMES = 3;
    static final int OFFSETS_REFINED = 3;
    /** Mean motion per cell (grey levels) below which a clip counts as static. */
    static final double STATIC_MOTION = 0.2;
    /** Meta's PDQ match threshold, for static clips. */
    static final int STATIC_PDQ_BITS = 31;
    private static final double[][] CROPS = cropHypotheses();

    private final double threshold;

    public double threshold() {
        return threshold;
    }

    /** @param threshold minimal motion correlation (0..1) for a match; 0.55 measured on the variant set */
    public ClipMatcher(double threshold) {
        this.threshold = threshold;
    }

    /**
     * @param matched   whether the clips are duplicates
     * @param distance  1 − motion correlation, or for static clips the median PDQ distance / 256
     * @param offsetMs  where {@code clip} starts in {@code kept}
     * @param mirrored  whether {@code clip} is mirrored relative to {@code kept}
     * @param staticClips whether the static-clip fallback decided
     */
    public record Match(boolean matched, double distance, long offsetMs, boolean mirrored, boolean staticClips) {}

    public Match match(ClipFingerprint clip, ClipFingerprint kept) {
        int n = clip.frames();
        int m = kept.frames();
        if (n == 0 || m == 0) return new Match(false, 2, 0, false, false);
        float[][] gx = grids(clip);
        float[][] gy = grids(kept);
        boolean staticX = meanMotion(gx) < STATIC_MOTION;
        boolean staticY = meanMotion(gy) < STATIC_MOTION;
        if (staticX || staticY) {
            if (staticX != staticY) return new Match(false, 2, 0, false, true);
            return matchStill(clip, kept);
        }
        float[][] gyMirror = mirrored(gy);
        float[][] bx = coarse(gx);
        float[][] by = coarse(gy);
        float[][] byMirror = coarse(gyMirror);

        record Offset(double score, int d) {}
        List<Offset> offsets = new ArrayList<>();
        for (int d = -(m - 1); d < n; d++) {
            int lo = Math.max(0, d);
            int hi = Math.min(n, m + d);
            if (!overlapsEnough(hi - lo, n, m)) continue;
            double score = Math.max(correlation(bx, lo, by, lo - d, hi - lo),
                    correlation(bx, lo, byMirror, lo - d, hi - lo));
            offsets.add(new Offset(score, d));
        }
        if (offsets.isEmpty()) return new Match(false, 2, 0, false, false);
        offsets.sort(Comparator.comparingDouble(Offset::score).reversed().thenComparingInt(Offset::d));

        double best = -2;
        int bestD = 0;
        boolean bestMirror = false;
        float[][][] cropsX = new float[CROPS.length][][];
        float[][][] cropsY = new float[CROPS.length][][];
        float[][][] cropsYMirror = new float[CROPS.length][][];
        for (int c = 0; c < CROPS.length; c++) {
            cropsX[c] = window(gx, CROPS[c]);
            cropsY[c] = window(gy, CROPS[c]);
            cropsYMirror[c] = window(gyMirror, CROPS[c]);
        }
        for (Offset o : offsets.subList(0, Math.min(OFFSETS_REFINED, offsets.size()))) {
            int d = o.d();
            int lo = Math.max(0, d);
            int len = Math.min(n, m + d) - lo;
            for (boolean mirror : new boolean[] {false, true}) {
                float[][] y = mirror ? gyMirror : gy;
                float[][][] cy = mirror ? cropsYMirror : cropsY;
                for (int c = 0; c < CROPS.length; c++) {
                    // the copy may be a window of the source, or the other way round
                    double s = Math.max(correlation(cropsX[c], lo, y, lo - d, len),
                            correlation(gx, lo, cy[c], lo - d, len));
                    if (s > best + 1e-9) {
                        best = s;
                        bestD = d;
                        bestMirror = mirror;
                    }
                }
            }
        }
        int lo = Math.max(0, bestD);
        long offsetMs = kept.tsMs[lo - bestD] - clip.tsMs[lo];
        return new Match(best >= threshold, 1 - best, offsetMs, bestMirror, false);
    }

    private static boolean overlapsEnough(int overlap, int n, int m) {
        return overlap >= Math.max(MIN_OVERLAP_FRAMES, Math.ceil(MIN_OVERLAP * Math.min(n, m)));
    }

    /** Still footage (and, for measuring, any two clips): the median over aligned frames of the closest hash pair (whole frame against whole frame or a crop window; mirrored). */
    public Match matchStill(ClipFingerprint clip, ClipFingerprint kept) {
        int n = clip.frames();
        int m = kept.frames();
        int bestMedian = Integer.MAX_VALUE;
        int bestD = 0;
        boolean bestMirror = false;
        for (int d = -(m - 1); d < n; d++) {
            int lo = Math.max(0, d);
            int hi = Math.min(n, m + d);
            if (!overlapsEnough(hi - lo, n, m)) continue;
            int[] plain = new int[hi - lo];
            int[] mirror = new int[hi - lo];
            for (int i = lo; i < hi; i++) {
                PdqHash x = clip.pdq(i);
                PdqHash y = kept.pdq(i - d);
                int closest = x.distance(y);
                for (int w = 0; w < ClipFingerprint.WINDOWS.length; w++) {
                    closest = Math.min(closest, Math.min(clip.pdqWindow(i, w).distance(y), x.distance(kept.pdqWindow(i - d, w))));
                }
                plain[i - lo] = closest;
                mirror[i - lo] = clip.pdqMirror(i).distance(y);
            }
            for (boolean mirrored : new boolean[] {false, true}) {
                int[] ds = mirrored ? mirror : plain;
                java.util.Arrays.sort(ds);
                int median = ds.length == 0 ? Integer.MAX_VALUE : ds[ds.length / 2];
                if (median < bestMedian) {
                    bestMedian = median;
                    bestD = d;
                    bestMirror = mirrored;
                }
            }
        }
        if (bestMedian == Integer.MAX_VALUE) return new Match(false, 2, 0, false, true);
        int lo = Math.max(0, bestD);
        return new Match(bestMedian <= STATIC_PDQ_BITS, bestMedian / 256.0, kept.tsMs[lo - bestD] - clip.tsMs[lo],
                bestMirror, true);
    }

    static float[][] grids(ClipFingerprint f) {
        float[][] g = new float[f.frames()][ClipFingerprint.GRID_CELLS];
        for (int i = 0; i < g.length; i++) f.motion(i, g[i]);
        return g;
    }

    static double meanMotion(float[][] grids) {
        if (grids.length < 2) return 0;
        double sum = 0;
        for (int i = 1; i < grids.length; i++) for (float v : grids[i]) sum += v;
        return sum / ((grids.length - 1) * (double) ClipFingerprint.GRID_CELLS);
    }

    /** Pearson correlation of frames a[ai..ai+len) and b[bi..bi+len), all cells pooled. */
    static double correlation(float[][] a, int ai, float[][] b, int bi, int len) {
        int cells = a[0].length;
        double sa = 0, sb = 0, saa = 0, sbb = 0, sab = 0;
        long count = (long) len * cells;
        for (int f = 0; f < len; f++) {
            float[] x = a[ai + f];
            float[] y = b[bi + f];
            for (int c = 0; c < cells; c++) {
                double u = x[c], v = y[c];
                sa += u; sb += v; saa += u * u; sbb += v * v; sab += u * v;
            }
        }
        double cov = sab - sa * sb / count;
        double va = saa - sa * sa / count;
        double vb = sbb - sb * sb / count;
        if (va <= 1e-9 || vb <= 1e-9) return 0;
        return cov / Math.sqrt(va * vb);
    }

    static float[][] mirrored(float[][] grids) {
        int w = ClipFingerprint.GRID_W;
        float[][] out = new float[grids.length][grids.length == 0 ? 0 : grids[0].length];
        for (int f = 0; f < grids.length; f++) {
            for (int y = 0; y < ClipFingerprint.GRID_H; y++) {
                for (int x = 0; x < w; x++) out[f][y * w + x] = grids[f][y * w + (w - 1 - x)];
            }
        }
        return out;
    }

    /** Gaussian blur (σ = 2 cells) then 4×4 block means: 8×6 cells that move little under a 10% crop. */
    static float[][] coarse(float[][] grids) {
        return blurredBlocks(grids, 2.0, 8, 4);
    }

    /**
     * Gaussian blur (σ = {@code sigma} cells, radius {@code radius}) then block means of {@code block}×{@code block}
     * cells: {@code GRID_W / block} × {@code GRID_H / block} cells per frame.
     */
    static float[][] blurredBlocks(float[][] grids, double sigma, int radius, int block) {
        int w = ClipFingerprint.GRID_W, h = ClipFingerprint.GRID_H;
        int bw = w / block, bh = h / block;
        float[] kernel = gaussian(sigma, radius);
        float[][] out = new float[grids.length][bw * bh];
        float[] tmp = new float[w * h];
        float[] blurred = new float[w * h];
        for (int f = 0; f < grids.length; f++) {
            float[] g = grids[f];
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < w; x++) {
                    float s = 0;
                    for (int k = -radius; k <= radius; k++) s += kernel[k + radius] * g[y * w + reflect(x + k, w)];
                    tmp[y * w + x] = s;
                }
            }
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < w; x++) {
                    float s = 0;
                    for (int k = -radius; k <= radius; k++) s += kernel[k + radius] * tmp[reflect(y + k, h) * w + x];
                    blurred[y * w + x] = s;
                }
            }
            for (int cy = 0; cy < bh; cy++) {
                for (int cx = 0; cx < bw; cx++) {
                    float s = 0;
                    for (int y = cy * block; y < cy * block + block; y++) for (int x = cx * block; x < cx * block + block; x++) s += blurred[y * w + x];
                    out[f][cy * bw + cx] = s / (block * block);
                }
            }
        }
        return out;
    }

    private static float[] gaussian(double sigma, int radius) {
        float[] k = new float[2 * radius + 1];
        double sum = 0;
        for (int i = -radius; i <= radius; i++) sum += k[i + radius] = (float) Math.exp(-i * i / (2 * sigma * sigma));
        for (int i = 0; i < k.length; i++) k[i] /= (float) sum;
        return k;
    }

    /** Border handling as OpenCV's BORDER_REFLECT_101. */
    private static int reflect(int i, int n) {
        while (i < 0 || i >= n) i = i < 0 ? -i : 2 * n - 2 - i;
        return i;
    }

    /** The window {x0, y0, x1, y1} (fractions of the frame) of every grid, resampled bilinearly to a full grid. */
    static float[][] window(float[][] grids, double[] r) {
        int w = ClipFingerprint.GRID_W, h = ClipFingerprint.GRID_H;
        int[] x0 = new int[w], x1 = new int[w];
        float[] fx = new float[w];
        for (int x = 0; x < w; x++) {
            double p = Math.min(w - 1, Math.max(0, (r[0] + (x + 0.5) / w * (r[2] - r[0])) * w - 0.5));
            x0[x] = (int) Math.floor(p);
            x1[x] = Math.min(x0[x] + 1, w - 1);
            fx[x] = (float) (p - x0[x]);
        }
        int[] y0 = new int[h], y1 = new int[h];
        float[] fy = new float[h];
        for (int y = 0; y < h; y++) {
            double p = Math.min(h - 1, Math.max(0, (r[1] + (y + 0.5) / h * (r[3] - r[1])) * h - 0.5));
            y0[y] = (int) Math.floor(p);
            y1[y] = Math.min(y0[y] + 1, h - 1);
            fy[y] = (float) (p - y0[y]);
        }
        float[][] out = new float[grids.length][w * h];
        for (int f = 0; f < grids.length; f++) {
            float[] g = grids[f];
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < w; x++) {
                    float top = g[y0[y] * w + x0[x]] * (1 - fx[x]) + g[y0[y] * w + x1[x]] * fx[x];
                    float bottom = g[y1[y] * w + x0[x]] * (1 - fx[x]) + g[y1[y] * w + x1[x]] * fx[x];
                    out[f][y * w + x] = top * (1 - fy[y]) + bottom * fy[y];
                }
            }
        }
        return out;
    }

    /** Windows {x0, y0, x1, y1}: the whole frame, and 85-95% of either or both axes at 3 positions per axis. */
    private static double[][] cropHypotheses() {
        List<double[]> out = new ArrayList<>();
        out.add(new double[] {0, 0, 1, 1});
        for (double s : new double[] {0.95, 0.9, 0.85}) {
            for (double[] size : new double[][] {{s, s}, {1, s}, {s, 1}}) {
                double[] xs = size[0] < 1 ? new double[] {0, (1 - size[0]) / 2, 1 - size[0]} : new double[] {0};
                double[] ys = size[1] < 1 ? new double[] {0, (1 - size[1]) / 2, 1 - size[1]} : new double[] {0};
                for (double ox : xs) for (double oy : ys) out.add(new double[] {ox, oy, ox + size[0], oy + size[1]});
            }
        }
        return out.toArray(new double[0][]);
    }
}
