package dev.clipcurate.pipeline.dedup;

import org.bytedeco.javacpp.indexer.UByteIndexer;
import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.opencv.opencv_core.Rect;
import org.bytedeco.opencv.opencv_core.Size;

import java.util.ArrayList;
import java.util.List;

import static org.bytedeco.opencv.global.opencv_core.flip;
import static org.bytedeco.opencv.global.opencv_imgproc.COLOR_BGR2GRAY;
import static org.bytedeco.opencv.global.opencv_imgproc.INTER_AREA;
import static org.bytedeco.opencv.global.opencv_imgproc.cvtColor;
import static org.bytedeco.opencv.global.opencv_imgproc.resize;

/**
 * Builds a {@link ClipFingerprint} from the sampled frames of one clip, fed in order. The motion grid is the absolute
 * luma change between consecutive sampled frames (at 128×96, less a noise floor of {@value #NOISE_FLOOR} grey levels
 * that re-encoding adds), averaged over 4×4 blocks: a fixed camera's background cancels out and what people do stays.
 * Not thread-safe; one per clip.
 */
public final class ClipFingerprinter {
    static final int SMALL_W = ClipFingerprint.GRID_W * 4;
    static final int SMALL_H = ClipFingerprint.GRID_H * 4;
    static final float NOISE_FLOOR = 6f;

    private final PdqHasher hasher;
    private final List<Long> ts = new ArrayList<>();
    private final List<PdqHash> full = new ArrayList<>();
    private final List<PdqHash[]> windows = new ArrayList<>();
    private final List<PdqHash> mirror = new ArrayList<>();
    private final List<byte[]> grids = new ArrayList<>();
    private float[] previous;

    public ClipFingerprinter(PdqHasher hasher) {
        this.hasher = hasher;
    }

    /** Adds the next sampled frame (BGR). Keeps only Java arrays: the Mat may be freed after the call. */
    public void add(long tsMs, Mat bgr) {
        ts.add(tsMs);
        full.add(hasher.hash(bgr));
        PdqHash[] crops = new PdqHash[ClipFingerprint.WINDOWS.length];
        for (int w = 0; w < crops.length; w++) {
            double[] r = ClipFingerprint.WINDOWS[w];
            int x0 = (int) Math.round(bgr.cols() * r[0]), y0 = (int) Math.round(bgr.rows() * r[1]);
            int x1 = (int) Math.round(bgr.cols() * r[2]), y1 = (int) Math.round(bgr.rows() * r[3]);
            try (Mat window = new Mat(bgr, new Rect(x0, y0, x1 - x0, y1 - y0))) {
                crops[w] = hasher.hash(window);
            }
        }
        windows.add(crops);
        try (Mat flipped = new Mat()) {
            flip(bgr, flipped, 1);
            mirror.add(hasher.hash(flipped));
        }
        float[] small = smallLuma(bgr);
        grids.add(motionGrid(previous, small));
        previous = small;
    }

    public ClipFingerprint build(String clipId, String capturedAt, long epoch) {
        int n = ts.size();
        ClipFingerprint f = ClipFingerprint.empty(clipId, capturedAt, epoch, n);
        for (int i = 0; i < n; i++) {
            f.tsMs[i] = ts.get(i);
            System.arraycopy(full.get(i).bits(), 0, f.pdq, i * 4, 4);
            for (int w = 0; w < ClipFingerprint.WINDOWS.length; w++) {
                System.arraycopy(windows.get(i)[w].bits(), 0, f.pdqWindows, (i * ClipFingerprint.WINDOWS.length + w) * 4, 4);
            }
            System.arraycopy(mirror.get(i).bits(), 0, f.pdqMirror, i * 4, 4);
            f.quality[i] = full.get(i).quality();
            System.arraycopy(grids.get(i), 0, f.motion, i * ClipFingerprint.GRID_CELLS, ClipFingerprint.GRID_CELLS);
        }
        return f;
    }

    private static float[] smallLuma(Mat bgr) {
        float[] out = new float[SMALL_W * SMALL_H];
        try (Mat gray = new Mat(); Mat small = new Mat()) {
            cvtColor(bgr, gray, COLOR_BGR2GRAY);
            resize(gray, small, new Size(SMALL_W, SMALL_H), 0, 0, INTER_AREA);
            try (UByteIndexer px = small.createIndexer()) {
                for (int y = 0; y < SMALL_H; y++) {
                    for (int x = 0; x < SMALL_W; x++) out[y * SMALL_W + x] = px.get(y, x);
                }
            }
        }
        return out;
    }

    /** The first frame has no predecessor: its grid is all zero. */
    static byte[] motionGrid(float[] before, float[] now) {
        byte[] grid = new byte[ClipFingerprint.GRID_CELLS];
        if (before == null) return grid;
        for (int gy = 0; gy < ClipFingerprint.GRID_H; gy++) {
            for (int gx = 0; gx < ClipFingerprint.GRID_W; gx++) {
                float sum = 0;
                for (int y = gy * 4; y < gy * 4 + 4; y++) {
                    for (int x = gx * 4; x < gx * 4 + 4; x++) {
                        int i = y * SMALL_W + x;
                        sum += Math.max(0f, Math.abs(now[i] - before[i]) - NOISE_FLOOR);
                    }
                }
                grid[gy * ClipFingerprint.GRID_W + gx] = ClipFingerprint.encodeMotion(sum / 16f);
            }
        }
        return grid;
    }
}
