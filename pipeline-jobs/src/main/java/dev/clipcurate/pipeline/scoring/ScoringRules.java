package dev.clipcurate.pipeline.scoring;

import com.fasterxml.jackson.annotation.JsonProperty;

import java.io.Serializable;

/**
 * A campaign's scoring rules (campaigns.json, {@code scoring}).
 *
 * @param minScore     clips scoring below are rejected with reason {@code low_score}
 * @param topFraction  the person part of the score is the mean of this fraction of the clip's best frame scores
 * @param activityFull share of frame-to-frame steps with motion at which the activity part reaches 1
 */
public record ScoringRules(
        @JsonProperty("min_score") double minScore,
        @JsonProperty("top_fraction") double topFraction,
        @JsonProperty("activity_full") double activityFull) implements Serializable {

    public ScoringRules {
        if (minScore < 0 || minScore > 1) throw new IllegalArgumentException("scoring.min_score must be within 0..1");
        if (!(topFraction > 0 && topFraction <= 1)) throw new IllegalArgumentException("scoring.top_fraction must be within (0, 1]");
        if (!(activityFull > 0 && activityFull <= 1)) throw new IllegalArgumentException("scoring.activity_full must be within (0, 1]");
    }
}
