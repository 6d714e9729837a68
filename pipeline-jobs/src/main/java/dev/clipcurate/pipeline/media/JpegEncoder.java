package dev.clipcurate.pipeline.media;

import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.IntPointer;
import org.bytedeco.opencv.opencv_core.Mat;

import static org.bytedeco.opencv.global.opencv_imgcodecs.IMWRITE_JPEG_QUALITY;
import static org.bytedeco.opencv.global.opencv_imgcodecs.imencode;

/** BGR frame to JPEG bytes (OpenCV's libjpeg). */
public final class JpegEncoder {
    private JpegEncoder() {}

    public static byte[] encode(Mat bgr, int quality) {
        try (BytePointer buffer = new BytePointer();
             IntPointer params = new IntPointer(IMWRITE_JPEG_QUALITY, quality)) {
            if (!imencode(".jpg", bgr, buffer, params)) throw new IllegalStateException("JPEG encoding failed");
            byte[] jpeg = new byte[(int) buffer.limit()];
            buffer.get(jpeg);
            return jpeg;
        }
    }
}
