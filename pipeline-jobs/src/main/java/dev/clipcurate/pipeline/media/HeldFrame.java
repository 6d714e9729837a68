package dev.clipcurate.pipeline.media;

import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.opencv.opencv_core.Mat;

import static org.bytedeco.opencv.global.opencv_core.CV_8UC3;

/**
 * A sampled frame kept past the decoder's call: its BGR pixels copied out of the decoder's memory, which the next
 * frame reuses. Only the operator that holds it sees it: it is never a Flink record.
 */
public record HeldFrame(int index, long tsMs, int width, int height, byte[] bgr) {

    public static HeldFrame copyOf(int index, long tsMs, Mat image) {
        byte[] bgr = new byte[(int) (image.total() * image.channels())];
        image.data().get(bgr);
        return new HeldFrame(index, tsMs, image.cols(), image.rows(), bgr);
    }

    /** Something done with the frame as a Mat, valid only during the call. */
    @FunctionalInterface
    public interface WithMat<T> {
        T apply(Mat image);
    }

    public <T> T withMat(WithMat<T> action) {
        try (BytePointer pixels = new BytePointer(bgr);
             Mat image = new Mat(height, width, CV_8UC3, pixels)) {
            return action.apply(image);
        }
    }
}
