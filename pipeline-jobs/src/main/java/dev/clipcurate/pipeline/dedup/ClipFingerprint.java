package dev.clipcurate.pipeline.dedup;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

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

    static byte encodeMotion(float meanChange) {
        return (byte) Math.min(255, Math.round(16 * Math.sqrt(Math.max(0, meanChange))));
    }

    private static final byte FORMAT = 1;
    private static final int FRAME_BYTES = 8 + 8 * 4 * (2 + WINDOWS.length) + 4 + GRID_CELLS;

    /**
     * The clip manifest's {@code fingerprint} column: a format byte (1), the frame count n (int), then per frame its
     * time (long), the 4 words of the frame hash, {@link #WINDOWS}.length × 4 words of window hashes, 4 words of the
     * mirrored hash, the quality (int) and {@link #GRID_CELLS} motion bytes; big-endian. Clip id, capture time and
     * epoch are not part of it.
     */
    public byte[] toBytes() {
        int n = frames();
        ByteBuffer b = ByteBuffer.allocate(5 + n * FRAME_BYTES);
        b.put(FORMAT).putInt(n);
        for (int i = 0; i < n; i++) {
            b.putLong(tsMs[i]);
            for (int w = 0; w < 4; w++) b.putLong(pdq[i * 4 + w]);
            for (int w = 0; w < 4 * WINDOWS.length; w++) b.putLong(pdqWindows[i * 4 * WINDOWS.length + w]);
            for (int w = 0; w < 4; w++) b.putLong(pdqMirror[i * 4 + w]);
            b.putInt(quality[i]);
            b.put(motion, i * GRID_CELLS, GRID_CELLS);
        }
        return b.array();
    }

    /** A fingerprint of {@code frames} frames, every hash and grid zero, to be filled in. */
    static ClipFingerprint empty(String clipId, String capturedAt, long epoch, int frames) {
        ClipFingerprint f = new ClipFingerprint();
        f.clipId = clipId;
        f.capturedAt = capturedAt;
        f.epoch = epoch;
        f.tsMs = new long[frames];
        f.pdq = new long[frames * 4];
        f.pdqWindows = new long[frames * 4 * WINDOWS.length];
        f.pdqMirror = new long[frames * 4];
        f.quality = new int[frames];
        f.motion = new byte[frames * GRID_CELLS];
        return f;
    }

    /** Reads {@link #toBytes()}; {@code epoch} places the clip in {@link DedupOrder} (0: an earlier version). */
    public static ClipFingerprint fromBytes(String clipId, String capturedAt, long epoch, ByteBuffer bytes) {
        ByteBuffer b = bytes.duplicate().order(ByteOrder.BIG_ENDIAN);
        byte format = b.get();
        if (format != FORMAT) throw new IllegalArgumentException("unknown fingerprint format " + format + " of clip " + clipId);
        int n = b.getInt();
        if (n < 0 || (long) n * FRAME_BYTES != b.remaining()) {
            throw new IllegalArgumentException("fingerprint of clip " + clipId + " has the wrong length");
        }
        ClipFingerprint f = empty(clipId, capturedAt, epoch, n);
        for (int i = 0; i < n; i++) {
            f.tsMs[i] = b.getLong();
            for (int w = 0; w < 4; w++) f.pdq[i * 4 + w] = b.getLong();
            for (int w = 0; w < 4 * WINDOWS.length; w++) f.pdqWindows[i * 4 * WINDOWS.length + w] = b.getLong();
            for (int w = 0; w < 4; w++) f.pdqMirror[i * 4 + w] = b.getLong();
            f.quality[i] = b.getInt();
            b.get(f.motion, i * GRID_CELLS, GRID_CELLS);
        }
        return f;
    }
}
