package dev.clipcurate.pipeline.privacy;

import java.util.List;

/** An axis-aligned face box in pixels of the frame, with the detector's confidence (1 for added boxes). */
public record FaceBox(double x, double y, double w, double h, float score) {

    public double cx() {
        return x + w / 2;
    }

    public double cy() {
        return y + h / 2;
    }

    public double intersectionArea(FaceBox o) {
        double ix = Math.max(0, Math.min(x + w, o.x + o.w) - Math.max(x, o.x));
        double iy = Math.max(0, Math.min(y + h, o.y + o.h) - Math.max(y, o.y));
        return ix * iy;
    }

    public double iou(FaceBox o) {
        double inter = intersectionArea(o);
        double union = w * h + o.w * o.h - inter;
        return union <= 0 ? 0 : inter / union;
    }

    /** The same centre, each side multiplied by {@code factor}. */
    public FaceBox scaled(double factor) {
        return new FaceBox(cx() - w * factor / 2, cy() - h * factor / 2, w * factor, h * factor, score);
    }

    /** Linear interpolation towards {@code to}, t in [0, 1]. */
    public FaceBox lerp(FaceBox to, double t) {
        return new FaceBox(x + (to.x - x) * t, y + (to.y - y) * t, w + (to.w - w) * t, h + (to.h - h) * t,
                Math.min(score, to.score));
    }

    /** The share of a frame that a set of boxes covers (their union, clipped to the frame): what a mask changes. */
    public static double coveredShare(List<FaceBox> boxes, int frameWidth, int frameHeight) {
        boolean[] covered = new boolean[frameWidth * frameHeight];
        long count = 0;
        for (FaceBox b : boxes) {
            int[] r = b.pixels(frameWidth, frameHeight);
            if (r == null) continue;
            for (int y = r[1]; y < r[1] + r[3]; y++) {
                for (int x = r[0]; x < r[0] + r[2]; x++) {
                    if (!covered[y * frameWidth + x]) {
                        covered[y * frameWidth + x] = true;
                        count++;
                    }
                }
            }
        }
        return (double) count / ((long) frameWidth * frameHeight);
    }

    /** Integer pixel rectangle clipped to the frame, or null when nothing of it is inside. */
    public int[] pixels(int frameWidth, int frameHeight) {
        int x0 = (int) Math.max(0, Math.floor(x));
        int y0 = (int) Math.max(0, Math.floor(y));
        int x1 = (int) Math.min(frameWidth, Math.ceil(x + w));
        int y1 = (int) Math.min(frameHeight, Math.ceil(y + h));
        return x1 <= x0 || y1 <= y0 ? null : new int[] {x0, y0, x1 - x0, y1 - y0};
    }
}
