package dev.clipcurate.pipeline.privacy;

import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.opencv.opencv_core.Rect;
import org.bytedeco.opencv.opencv_core.Scalar;
import org.bytedeco.opencv.opencv_core.Size;

import java.io.Serializable;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;

import static org.bytedeco.opencv.global.opencv_core.mean;
import static org.bytedeco.opencv.global.opencv_core.randn;
import static org.bytedeco.opencv.global.opencv_core.add;
import static org.bytedeco.opencv.global.opencv_core.CV_8UC3;
import static org.bytedeco.opencv.global.opencv_core.CV_16SC3;
import static org.bytedeco.opencv.global.opencv_imgproc.INTER_AREA;
import static org.bytedeco.opencv.global.opencv_imgproc.INTER_NEAREST;
import static org.bytedeco.opencv.global.opencv_imgproc.resize;

/**
 * Irreversible anonymisation of face boxes, in place. {@code MOSAIC} (default): the box becomes at most 4×4
 * cells of their average colour plus strong luminance noise, so no facial detail survives and a model cannot invert it;
 * {@code FILL}: the box becomes its average colour. A light blur, which can be reversed or re-identified, is not
 * offered.
 */
public final class Anonymiser implements Serializable {
    public enum Mode { MOSAIC, FILL }

    static final int MOSAIC_CELLS = 4;
    static final double NOISE_SIGMA = 24;

    private final Mode mode;

    public Anonymiser(Mode mode) {
        this.mode = mode;
    }

    public String describe() {
        return mode == Mode.MOSAIC
                ? "mosaic ≤" + MOSAIC_CELLS + "x" + MOSAIC_CELLS + " cells + noise σ=" + (int) NOISE_SIGMA
                : "solid fill";
    }

    public Mode mode() {
        return mode;
    }

    public static Mode parse(String s) {
        try {
            return Mode.valueOf(s.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("anonymisation must be 'mosaic' or 'fill', not '" + s + "'");
        }
    }

    /** Anonymises every box; {@code seed} makes the noise reproducible for the same frame. */
    public void apply(Mat bgr, List<FaceBox> boxes, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        for (FaceBox box : boxes) {
            int[] r = box.pixels(bgr.cols(), bgr.rows());
            if (r == null) continue;
            try (Mat region = new Mat(bgr, new Rect(r[0], r[1], r[2], r[3]))) {
                if (mode == Mode.FILL) {
                    // copyTo writes the pixels (Mat.put would only re-point the region's header)
                    try (Mat filled = new Mat(region.rows(), region.cols(), CV_8UC3, mean(region))) {
                        filled.copyTo(region);
                    }
                } else {
                    mosaic(region, random.nextLong());
                }
            }
        }
    }

    private static void mosaic(Mat region, long seed) {
        int cellsX = Math.max(1, Math.min(MOSAIC_CELLS, region.cols()));
        int cellsY = Math.max(1, Math.min(MOSAIC_CELLS, region.rows()));
        try (Mat cells = new Mat();
             Mat noise1 = new Mat(cellsY, cellsX, org.bytedeco.opencv.global.opencv_core.CV_16SC1);
             Mat noise = new Mat();
             Mat noisy = new Mat();
             Mat blocks = new Mat()) {
            resize(region, cells, new Size(cellsX, cellsY), 0, 0, INTER_AREA);
            org.bytedeco.opencv.global.opencv_core.setRNGSeed((int) seed);
            randn(noise1, new Mat(1, 1, org.bytedeco.opencv.global.opencv_core.CV_64F, new Scalar(0)),
                    new Mat(1, 1, org.bytedeco.opencv.global.opencv_core.CV_64F, new Scalar(NOISE_SIGMA)));
            org.bytedeco.opencv.global.opencv_core.merge(new org.bytedeco.opencv.opencv_core.MatVector(noise1, noise1, noise1), noise);
            cells.convertTo(noisy, CV_16SC3);
            add(noisy, noise, noisy);
            noisy.convertTo(cells, CV_8UC3); // saturates to 0..255
            resize(cells, blocks, new Size(region.cols(), region.rows()), 0, 0, INTER_NEAREST);
            blocks.copyTo(region);
        }
    }
}
