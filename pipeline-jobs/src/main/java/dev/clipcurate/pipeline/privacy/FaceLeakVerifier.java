package dev.clipcurate.pipeline.privacy;

import ai.onnxruntime.OrtException;
import dev.clipcurate.pipeline.common.InfrastructureFailure;
import org.bytedeco.opencv.opencv_core.Mat;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * The second, independent check of every frame before it is written: MediaPipe's full-range face
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

    /**
     * Faces the verifier sees in a BGR frame, outside the given anonymised boxes. The pipeline gives it the frame
     * before masking with the masks it is about to apply: what the written frame will show outside them (inside,
     * nothing recognisable survives a 4×4 mosaic). Looking at the frame before masking, not at the masked JPEG,
     * matters: on the Solvay photo the verifier saw 3 of the 5 faces the masks missed before masking and none of them
     * after (the mosaics around them changed what it sees), and on Megamind.avi the edge of a mosaic next to dark hair
     * read as a face.
     */
    public List<FaceBox> visibleFaces(Mat bgr, List<FaceBox> anonymised) {
        List<FaceBox> found;
        try {
            found = new ArrayList<>(detector.detect(bgr));
        } catch (OrtException e) {
            // a verifier that cannot run must not let frames through unverified: the job fails
            throw new InfrastructureFailure("the face-leak verifier failed: " + e.getMessage(), e);
        }
        found.removeIf(face -> face.w() < MIN_FACE_PX);
        return outside(found, anonymised);
    }

    /** The faces that are not anonymised heads ({@link #isAnonymisedHead}) of any of the boxes. */
    public static List<FaceBox> outside(List<FaceBox> faces, List<FaceBox> anonymised) {
        return faces.stream().filter(face -> anonymised.stream().noneMatch(a -> isAnonymisedHead(face, a))).toList();
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
