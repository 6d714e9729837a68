package dev.clipcurate.pipeline.dedup;

import java.util.Base64;

/**
 * What the dedup stage knows of a clip: per sampled frame its time, PDQ hashes of the whole frame, of the
 * {@link #WINDOWS} (90% crops) and of the mirrored frame, a quality, and a 32×24 motion grid (how much each cell
 * changed since the previous sampled frame).
 * Flat arrays so that Flink serialises it as a POJO without Kryo; {@link #frames()} frames, 4 longs per hash.
 */
public class ClipFingerprint {
    public static final int GRID_W = 32;
    public static final int GRID_H = 24;
    public static final int GRID_CELLS = GRID_W * GRID_H;
    /**
     * Crop windows {x0, y0, x1, y1} hashed besides the whole frame: a copy cropped by up to 10% looks like one of
     * these windows of its source. Centre, the four corners, then top, bottom, left and right strips.
     */
    public static final double[][] WINDOWS = {
            {0.05, 0.05, 0.95, 0.95},
            {0, 0, 0.9, 0.9}, {0.1, 0, 1, 0.9}, {0, 0.1, 0.9, 1}, {0.1, 0.1, 1, 1},
            {0, 0, 1, 0.9}, {0, 0.1, 1, 1}, {0, 0, 0.9, 1}, {0.1, 0, 1, 1}};

    public String clipId;
    /** 0 for clips of earlier dataset versions, which always come first; see {@link DedupOrder}. */
    public long epoch;
    public String capturedAt;
    public long[] tsMs;
    public long[] pdq;
    /** {@link #WINDOWS}.length hashes per frame. */
    public long[] pdqWindows;
    public long[] pdqMirror;
    public int[] quality;
    /** {@link #GRID_CELLS} bytes per frame, each 16·√(mean luma change): see {@link #motion(int, float[])}. */
    public byte[] motion;

    public ClipFingerprint() {}

    public int frames() {
        return tsMs == null ? 0 : tsMs.length;
    }

    public PdqHash pdq(int frame) {
        return hashAt(pdq, frame, quality[frame]);
    }

    public PdqHash pdqWindow(int frame, int window) {
        return hashAt(pdqWindows, frame * WINDOWS.length + window, 0);
    }

    public PdqHash pdqMirror(int frame) {
        return hashAt(pdqMirror, frame, 0);
    }

    /** The {@code index}-th hash (4 longs) of {@code words}. */
    private static PdqHash hashAt(long[] words, int index, int quality) {
        long[] bits = new long[4];
        System.arraycopy(words, index * 4, bits, 0, 4);
        return new PdqHash(bits, quality);
    }

    /** The frame's motion grid as mean luma change per cell (grey levels), row-major, into {@code out}. */
    public float[] motion(int frame, float[] out) {
        int base = frame * GRID_CELLS;
        for (int i = 0; i < GRID_CELLS; i++) {
            float root = (motion[base + i] & 0xff) / 16f;
            out[i] = root * root;
        }
        return out;
    }

    /** The window hashes of a frame as one hex string, {@link #WINDOWS} in order, 64 digits each. */
    public String windowsHex(int frame) {
        StringBuilder s = new StringBuilder();
        for (int w = 0; w < WINDOWS.length; w++) s.append(pdqWindow(frame, w).hex());
        return s.toString();
    }

    public String motionBase64(int frame) {
        byte[] cells = new byte[GRID_CELLS];
        System.arraycopy(motion, frame * GRID_CELLS, cells, 0, GRID_CELLS);
        return Base64.getEncoder().encodeToString(cells);
    }

    static byte encodeMotion(float meanChange) {
        return (byte) Math.min(255, Math.round(16 * Math.sqrt(Math.max(0, meanChange))));
    }

    /** Rebuilds a fingerprint from frame-manifest columns (hex hashes, base64 grids), frames in order. */
    public static ClipFingerprint fromManifest(String clipId, String capturedAt, long[] tsMs, String[] pdqHex,
                                               String[] windowsHex, String[] mirrorHex, int[] quality,
                                               String[] motionBase64) {
        ClipFingerprint f = new ClipFingerprint();
        int n = tsMs.length;
        f.clipId = clipId;
        f.epoch = 0;
        f.capturedAt = capturedAt;
        f.tsMs = tsMs.clone();
        f.pdq = new long[n * 4];
        f.pdqWindows = new long[n * 4 * WINDOWS.length];
        f.pdqMirror = new long[n * 4];
        f.quality = quality.clone();
        f.motion = new byte[n * GRID_CELLS];
        for (int i = 0; i < n; i++) {
            System.arraycopy(PdqHash.fromHex(pdqHex[i], 0).bits(), 0, f.pdq, i * 4, 4);
            String windows = windowsHex[i];
            if (windows.length() != 64 * WINDOWS.length) throw new IllegalArgumentException("a frame has " + WINDOWS.length + " window hashes");
            for (int w = 0; w < WINDOWS.length; w++) {
                System.arraycopy(PdqHash.fromHex(windows.substring(64 * w, 64 * w + 64), 0).bits(), 0,
                        f.pdqWindows, (i * WINDOWS.length + w) * 4, 4);
            }
            System.arraycopy(PdqHash.fromHex(mirrorHex[i], 0).bits(), 0, f.pdqMirror, i * 4, 4);
            byte[] grid = Base64.getDecoder().decode(motionBase64[i]);
            if (grid.length != GRID_CELLS) throw new IllegalArgumentException("a motion grid has " + GRID_CELLS + " cells");
            System.arraycopy(grid, 0, f.motion, i * GRID_CELLS, GRID_CELLS);
        }
        return f;
    }
}
