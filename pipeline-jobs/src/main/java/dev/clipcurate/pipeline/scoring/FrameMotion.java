package dev.clipcurate.pipeline.scoring;

/**
 * Whether anything moved between consecutive sampled frames: the model input's grey image in 16x16 px blocks;
 * a block moved when its mean absolute change exceeds {@value #BLOCK_CHANGE} (sensor noise and compression stay
 * below), a step has motion when at least {@value #MOVING_SHARE} of the blocks moved.
 */
public final class FrameMotion {
    static final int BLOCK = 16;
    static final double BLOCK_CHANGE = 0.06;
    static final double MOVING_SHARE = 0.01;
    private final int width;
    private final int height;
    private float[] previous;
    private float[] current;

    public FrameMotion(int width, int height) {
        this.width = width;
        this.height = height;
    }

    /** Takes the next frame (slot of a batch in the model's layout); true when it moved against the previous one. */
    public boolean next(float[] batch, int slot) {
        int plane = width * height;
        int base = slot * 3 * plane;
        if (current == null) current = new float[plane];
        float[] grey = current;
        for (int p = 0; p < plane; p++) {
            grey[p] = 0.299f * batch[base + p] + 0.587f * batch[base + plane + p] + 0.114f * batch[base + 2 * plane + p];
        }
        float[] before = previous;
        previous = grey;
        current = before; // reused for the next frame
        int bw = width / BLOCK;
        int bh = height / BLOCK;
        if (before == null || bw == 0 || bh == 0) return false;
        int moved = 0;
        for (int by = 0; by < bh; by++) {
            for (int bx = 0; bx < bw; bx++) {
                double change = 0;
                for (int y = by * BLOCK; y < (by + 1) * BLOCK; y++) {
                    for (int x = bx * BLOCK; x < (bx + 1) * BLOCK; x++) change += Math.abs(grey[y * width + x] - before[y * width + x]);
                }
                if (change / (BLOCK * BLOCK) > BLOCK_CHANGE) moved++;
            }
        }
        return moved >= MOVING_SHARE * bw * bh;
    }
}
