package dev.clipcurate.pipeline.scoring;

import com.fasterxml.jackson.annotation.JsonProperty;

import java.io.Serializable;
import java.util.List;

/**
 * A campaign's scoring rules (campaigns.json, {@code scoring}).
 *
 * @param minScore         clips scoring below are rejected with reason {@code low_score}
 * @param topFraction      the person part of the score is the mean of this fraction of the clip's best frame scores
 * @param activityFull     share of frame-to-frame steps with motion at which the activity part reaches 1
 * @param classes          the detector's classes that count as what the campaign wants in view
 * @param minHeight        a detection counts from this height, as a fraction of the frame's height
 * @param inViewAt         frame score from which a frame has what the campaign wants in view
 * @param minSecondsInView a clip with less time in view than this scores 0, however good its best frames
 */
public record ScoringRules(
        @JsonProperty("min_score") double minScore,
        @JsonProperty("top_fraction") double topFraction,
        @JsonProperty("activity_full") double activityFull,
        @JsonProperty("classes") List<String> classes,
        @JsonProperty("min_height") double minHeight,
        @JsonProperty("in_view_at") double inViewAt,
        @JsonProperty("min_seconds_in_view") double minSecondsInView) implements Serializable {

    /** What the bundled detector (MoveNet MultiPose) finds: people only. */
    public static final List<String> DETECTOR_CLASSES = List.of("person");

    public ScoringRules {
        if (minScore < 0 || minScore > 1) throw new IllegalArgumentException("scoring.min_score must be within 0..1");
        if (!(topFraction > 0 && topFraction <= 1)) throw new IllegalArgumentException("scoring.top_fraction must be within (0, 1]");
        if (!(activityFull > 0 && activityFull <= 1)) throw new IllegalArgumentException("scoring.activity_full must be within (0, 1]");
        if (classes == null || classes.isEmpty()) throw new IllegalArgumentException("scoring.classes must name at least one class");
        for (String c : classes) {
            if (!DETECTOR_CLASSES.contains(c)) {
                throw new IllegalArgumentException("scoring.classes: the bundled detector finds only " + DETECTOR_CLASSES
                        + ", not \"" + c + "\" (objects such as cars and bags need a detector with a usable licence: README, Scoring)");
            }
        }
        classes = List.copyOf(classes);
        if (minHeight < 0 || minHeight >= 1) throw new IllegalArgumentException("scoring.min_height must be within [0, 1)");
        if (inViewAt < 0 || inViewAt > 1) throw new IllegalArgumentException("scoring.in_view_at must be within 0..1");
        if (minSecondsInView < 0) throw new IllegalArgumentException("scoring.min_seconds_in_view must be 0 or more");
    }

    /** People of any size, no time-in-view rule: the score alone decides. */
    public static ScoringRules of(double minScore, double topFraction, double activityFull) {
        return new ScoringRules(minScore, topFraction, activityFull, DETECTOR_CLASSES, 0, 0, 0);
    }
}
