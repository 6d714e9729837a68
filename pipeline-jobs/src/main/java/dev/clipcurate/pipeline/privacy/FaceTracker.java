package dev.clipcurate.pipeline.privacy;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;

/**
 * Uses neighbouring frames, as files allow: a face detected in frame i is also covered in frames i−k … i+k
 * (a detector missing a face for a frame must not leak it), gaps of up to {@code interpolateGap} frames between
 * two detections of the same face are filled with interpolated boxes. A carried box grows by a tenth per frame
 * for motion, no more: larger growth put masks on bodies. A box is not carried into a frame where the same face
 * was detected (IoU ≥ {@link #SAME_FACE_IOU}): there the detection says where the face is, and the carried box
 * beside it only made the mask larger than the head (2.1× on a head walking away). The boxes it is given are masks already (a face box
 * enlarged to its head, a head box; {@link ClipAnonymiser.Found#masks}). Tracking only ever adds boxes; it never
 * removes a detection.
 */
public final class FaceTracker implements Serializable {
    /** How much a carried box grows per frame it is carried. */
    static final double CARRY_GROWTH = 0.1;
    /** Overlap at which a detection in a frame is the same face as a box carried there. */
    static final double SAME_FACE_IOU = 0.3;
    private final int carryFrames;
    private final int interpolateGap;

    public FaceTracker(int carryFrames, int interpolateGap) {
        if (carryFrames < 0 || interpolateGap < 0) throw new IllegalArgumentException("frame counts must be >= 0");
        this.carryFrames = carryFrames;
        this.interpolateGap = interpolateGap;
    }

    /**
     * How many frames before and after a frame its boxes depend on: carried boxes come from at most
     * {@code carryFrames} away, interpolated ones from two detections at most {@code interpolateGap + 1} apart
     * around it.
     */
    public int reach() {
        return Math.max(carryFrames, interpolateGap + 1);
    }

    public String describe() {
        return "carry ±" + carryFrames + " frames (+" + Math.round(100 * CARRY_GROWTH) + " % per frame), interpolate gaps ≤ "
                + interpolateGap;
    }

    /** The boxes to anonymise in each frame, given the detections of each frame. */
    public List<List<FaceBox>> boxesToAnonymise(List<List<FaceBox>> detections) {
        int n = detections.size();
        List<List<FaceBox>> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) out.add(new ArrayList<>(detections.get(i)));
        for (int i = 0; i < n; i++) {
            for (FaceBox d : detections.get(i)) {
                // carry forward and backward; the box grows a little per frame for motion
                for (int k = 1; k <= carryFrames; k++) {
                    FaceBox carried = d.scaled(1 + CARRY_GROWTH * k);
                    if (i - k >= 0 && !detected(d, detections.get(i - k))) out.get(i - k).add(carried);
                    if (i + k < n && !detected(d, detections.get(i + k))) out.get(i + k).add(carried);
                }
                // interpolate towards the next detection of the same face within the gap
                for (int j = i + 2; j <= Math.min(n - 1, i + interpolateGap + 1); j++) {
                    FaceBox next = sameFace(d, detections.get(j));
                    if (next == null) continue;
                    for (int m = i + 1; m < j; m++) out.get(m).add(d.lerp(next, (double) (m - i) / (j - i)));
                    break;
                }
            }
        }
        return out;
    }

    private static boolean detected(FaceBox face, List<FaceBox> detections) {
        for (FaceBox d : detections) if (face.iou(d) >= SAME_FACE_IOU) return true;
        return false;
    }

    /** The detection in {@code candidates} that continues {@code face}: overlapping, or near and of similar size. */
    private static FaceBox sameFace(FaceBox face, List<FaceBox> candidates) {
        FaceBox best = null;
        double bestDistance = Double.MAX_VALUE;
        for (FaceBox c : candidates) {
            double distance = Math.hypot(c.cx() - face.cx(), c.cy() - face.cy());
            double size = Math.max(face.w(), c.w());
            boolean similarSize = c.w() < 2 * face.w() && face.w() < 2 * c.w();
            if ((face.iou(c) > 0.1 || distance < 1.5 * size) && similarSize && distance < bestDistance) {
                best = c;
                bestDistance = distance;
            }
        }
        return best;
    }
}
