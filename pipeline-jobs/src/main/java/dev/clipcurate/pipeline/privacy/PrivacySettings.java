package dev.clipcurate.pipeline.privacy;

import java.io.Serializable;
import java.util.Locale;

/**
 * How faces and heads are found, tracked and anonymised.
 *
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
        new FaceTracker(carryFrames, interpolateGap, enlarge); // validates
    }

    public FaceTracker tracker() {
        return new FaceTracker(carryFrames, interpolateGap, enlarge);
    }

    /** Detector, threshold, tracking and method, as written to every frame's {@code anonymiser} column. */
    public String describe() {
        return String.format(Locale.ROOT, "%s threshold=%.2f tiles=256/overlap64 + %s input=%d person>=%.2f; %s; %s; "
                        + "verified by %s", BlazeFaceDetector.NAME, faceThreshold, HeadDetector.NAME,
                HeadDetector.INPUT_LONG_SIDE, headThreshold, tracker().describe(),
                new Anonymiser(mode).describe(), FaceLeakVerifier.NAME);
    }
}
