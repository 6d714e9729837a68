package dev.clipcurate.pipeline.privacy;

import ai.onnxruntime.OrtException;
import dev.clipcurate.pipeline.common.InfrastructureFailure;
import org.bytedeco.opencv.opencv_core.Mat;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * The second, independent check run over every anonymised frame as it will be written: MediaPipe's full-range face
 * detector ({@link FullRangeFaceDetector}), a network of another training and anchor layout than the BlazeFace
 * models and the pose model that decide the masks, so that what they miss it can still see. It replaced OpenCV's
 * boosted cascades, which cost 430 ms per 640×480 frame and fired on textures and on a face hidden behind a board.
 * Faces inside anonymised boxes do not count: that is where the faces were, nor do hits around them (the head
 * shape around a mosaic). Not thread-safe.
 */
public final class FaceLeakVerifier implements AutoCloseable {
    /**
     * Above the detector's own 0.5: on clips with no person it reported sweets at 0.56 and 0.67 (smarties.png,
     * as a photo and as a panning clip of the benchmark set), which quarantined a faceless clip at 0.6.
     */
    public static final float THRESHOLD = 0.7f;
    /** Smaller hits are not recognisable faces (an 8 px "face" on a circuit board quarantined a clip). */
    static final int MIN_FACE_PX = 16;
    /** The frame's long side at the pyramid's first level: decoded frames are at most 640 px. */
    static final int LONG_SIDE = 640;
    public static final String NAME = FullRangeFaceDetector.NAME + " threshold=" + THRESHOLD + " pyramid from "
            + LONG_SIDE + " px, faces from " + MIN_FACE_PX + " px";

    private final FullRangeFaceDetector detector;

    public FaceLeakVerifier() throws IOException, OrtException {
        detector = new FullRangeFaceDetector(THRESHOLD, LONG_SIDE);
    }

    /** Faces the verifier sees in a BGR frame, outside the given anonymised boxes. */
    public List<FaceBox> visibleFaces(Mat bgr, List<FaceBox> anonymised) {
        List<FaceBox> found;
        try {
            found = new ArrayList<>(detector.detect(bgr));
        } catch (OrtException e) {
            // a verifier that cannot run must not let frames through unverified: the job fails
            throw new InfrastructureFailure("the face-leak verifier failed: " + e.getMessage(), e);
        }
        found.removeIf(face -> face.w() < MIN_FACE_PX || anonymised.stream().anyMatch(a -> isAnonymisedHead(face, a)));
        return found;
    }

    /**
     * The faces left visible in a written frame: the verifier's faces outside the anonymised boxes that it also sees
     * in the frame before anonymisation. A mask cannot create a face; the edges of its cells next to hair or a dark
     * background can look like one (a 26 px "face" at 0.62 above a mosaic in Megamind.avi), and such a hit is not
     * there in the original. Only frames with a hit pay for the second look.
     */
    public List<FaceBox> leaks(Mat written, Mat original, List<FaceBox> anonymised) {
        List<FaceBox> hits = visibleFaces(written, anonymised);
        if (hits.isEmpty()) return hits;
        List<FaceBox> before = visibleFaces(original, List.of());
        return hits.stream().filter(h -> before.stream().anyMatch(b -> b.iou(h) > 0.3)).toList();
    }

    /**
     * A hit that lies mostly inside an anonymised box, or that mostly contains one and is at most three times its
     * size, is the anonymised head itself (detectors also fire on the head shape around a mosaic), not a new face.
     */
    static boolean isAnonymisedHead(FaceBox hit, FaceBox anonymised) {
        return coveredFraction(hit, anonymised) > 0.5
                || (coveredFraction(anonymised, hit) > 0.5 && hit.w() <= 3 * anonymised.w());
    }

    static double coveredFraction(FaceBox face, FaceBox cover) {
        return face.intersectionArea(cover) / (face.w() * face.h());
    }

    @Override
    public void close() throws OrtException {
        detector.close();
    }
}
