package dev.clipcurate.pipeline.scoring;

import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.opencv.opencv_core.Size;

import static org.bytedeco.opencv.global.opencv_imgproc.COLOR_BGR2RGB;
import static org.bytedeco.opencv.global.opencv_imgproc.INTER_AREA;
import static org.bytedeco.opencv.global.opencv_imgproc.cvtColor;
import static org.bytedeco.opencv.global.opencv_imgproc.resize;

/**
 * The model contract's input layout: the frame resized to the model's width × height (aspect not kept),
 * RGB, channel-first, values 0..1.
 */
public final class FrameTensor {
    private FrameTensor() {}

    /** Writes one frame (OpenCV BGR, any size) into {@code batch} at frame slot {@code slot}. */
    public static void fill(Mat bgr, int width, int height, float[] batch, int slot) {
        byte[] rgb = new byte[width * height * 3];
        try (Mat small = new Mat(); Size size = new Size(width, height)) {
            resize(bgr, small, size, 0, 0, INTER_AREA);
            cvtColor(small, small, COLOR_BGR2RGB);
            small.data().get(rgb);
        }
        int plane = width * height;
        int base = slot * 3 * plane;
        for (int p = 0, i = 0; p < plane; p++) {
            batch[base + p] = (rgb[i++] & 0xff) / 255f;
            batch[base + plane + p] = (rgb[i++] & 0xff) / 255f;
            batch[base + 2 * plane + p] = (rgb[i++] & 0xff) / 255f;
        }
    }
}
