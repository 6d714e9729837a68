package dev.clipcurate.pipeline.dedup;

import org.bytedeco.javacpp.indexer.FloatIndexer;
import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.opencv.opencv_core.Size;

import java.util.Arrays;

import static org.bytedeco.opencv.global.opencv_core.CV_32F;
import static org.bytedeco.opencv.global.opencv_core.dct;
import static org.bytedeco.opencv.global.opencv_imgproc.COLOR_BGR2GRAY;
import static org.bytedeco.opencv.global.opencv_imgproc.INTER_AREA;
import static org.bytedeco.opencv.global.opencv_imgproc.cvtColor;
import static org.bytedeco.opencv.global.opencv_imgproc.resize;

/**
 * A PDQ-style perceptual hash (after Meta's PDQ): luma, area-downscaled to 64×64, 2-D DCT, the 16×16 lowest
 * frequencies without the DC row and column, each bit set where its coefficient is above the median (so half of
 * the bits are set). Quality is the mean absolute luma gradient of the 64×64 image, scaled to 0–100: flat or dark
 * frames hash unreliably and PDQ drops those below 50. Not thread-safe (reuses buffers).
 */
public final class PdqHasher {
    static final int SIZE = 64;
    static final int KEEP = 16;

    private final Mat gray = new Mat();
    private final Mat small = new Mat();
    private final Mat floats = new Mat();
    private final Mat coefficients = new Mat();

    public PdqHash hash(Mat bgr) {
        cvtColor(bgr, gray, COLOR_BGR2GRAY);
        resize(gray, small, new Size(SIZE, SIZE), 0, 0, INTER_AREA);
        small.convertTo(floats, CV_32F);
        int quality = quality(floats);
        dct(floats, coefficients);
        float[] low = new float[KEEP * KEEP];
        try (FloatIndexer c = coefficients.createIndexer()) {
            for (int r = 0; r < KEEP; r++) {
                for (int k = 0; k < KEEP; k++) low[r * KEEP + k] = c.get(r + 1, k + 1);
            }
        }
        float[] sorted = low.clone();
        Arrays.sort(sorted);
        float median = (sorted[sorted.length / 2 - 1] + sorted[sorted.length / 2]) / 2;
        long[] bits = new long[4];
        for (int i = 0; i < low.length; i++) {
            if (low[i] > median) bits[i / 64] |= 1L << (63 - (i % 64));
        }
        return new PdqHash(bits, quality);
    }

    /** Mean absolute horizontal and vertical luma step of the 64×64 image, as 0–100 (10 grey levels per step = 100). */
    private static int quality(Mat image) {
        double sum = 0;
        try (FloatIndexer p = image.createIndexer()) {
            for (int y = 0; y < SIZE; y++) {
                for (int x = 0; x < SIZE; x++) {
                    if (x + 1 < SIZE) sum += Math.abs(p.get(y, x + 1) - p.get(y, x));
                    if (y + 1 < SIZE) sum += Math.abs(p.get(y + 1, x) - p.get(y, x));
                }
            }
        }
        double meanStep = sum / (2.0 * SIZE * (SIZE - 1));
        return (int) Math.min(100, Math.round(meanStep * 10));
    }
}
