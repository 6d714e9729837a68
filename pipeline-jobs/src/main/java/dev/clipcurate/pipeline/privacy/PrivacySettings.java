package dev.clipcurate.pipeline.privacy;

import java.io.Serializable;
import java.util.Locale;

/**
 * How faces and heads are found, tracked and anonymised.
 *
 * @param enlarge       how much a face box grows to cover the head around it (BlazeFace boxes the face, not the hair
 *                      and ears); at least 1.3
 * @param headThreshold the pose model's person score from which a person's head is masked; above 1 turns the head
 *                      detector off (for tests that need a detector that misses)
 */
public record PrivacySettings(float faceThreshold, float headThreshold, Anonymiser.Mode mode, int carryFrames,
                              int interpolateGap, double enlarge) implements Serializable {

    public static PrivacySettings defaults() {
        return new PrivacySettings(0.5f, HeadDetector.PERSON_THRESHOLD, Anonymiser.Mode.MOSAIC, 2, 4, 1.3);
    }

    public PrivacySettings {
        if (!(faceThreshold > 0 && faceThreshold < 1)) throw new IllegalArgumentException("face threshold must be in (0, 1)");
        if (!(headThreshold > 0)) throw new IllegalArgumentException("head threshold must be above 0");
        if (enlarge < 1.3) throw new IllegalArgumentException("faces must be enlarged at least 1.3 times, not " + enlarge);
        new FaceTracker(carryFrames, interpolateGap); // validates
    }

    public FaceTracker tracker() {
        return new FaceTracker(carryFrames, interpolateGap);
    }

    /** Detector, threshold, tracking and method, as written to every frame's {@code anonymiser} column. */
    public String describe() {
        return String.format(Locale.ROOT, "%s threshold=%.2f (%.2f from %d px) tiles=256/overlap64 + %s input=%d person>=%.2f; "
                        + "faces enlarged x%.2f, heads x%.2f, a face inside a head merged into it; %s; %s; verified by %s",
                BlazeFaceDetector.NAME, faceThreshold, BlazeFaceDetector.LARGE_FACE_SCORE, BlazeFaceDetector.LARGE_FACE_PX,
                HeadDetector.NAME, HeadDetector.INPUT_LONG_SIDE, headThreshold, enlarge, ClipAnonymiser.HEAD_MARGIN,
                tracker().describe(),
                new Anonymiser(mode).describe(), FaceLeakVerifier.NAME);
    }
}
