package dev.clipcurate.pipeline.staging;

import com.fasterxml.jackson.annotation.JsonProperty;

import java.io.Serializable;
import java.util.Map;
import java.util.TreeMap;

/**
 * A campaign's staged-or-real rules (campaigns.json, {@code staging}).
 *
 * @param priorLogOdds            log-odds of staged before any evidence (0: even)
 * @param stagedAt                label staged when the probability is at least this
 * @param realAt                  label real when the probability is at most this; uncertain between
 * @param weights                 log-odds each kind of evidence adds (positive: toward staged), by {@link Evidence#code()}
 * @param multiCameraSlackSeconds clips of two cameras count as simultaneous when their spans overlap or lie this close
 * @param repeatedWindowMinutes   other clips of the same camera within this many minutes count as takes...
 * @param repeatedDurationRatio   ...when their lengths differ by at most this factor
 * @param repeatedMinClips        how many such clips make the evidence
 * @param continuousGapSeconds    clips of one camera that overlap or follow each other within this gap are one
 *                                continuous recording cut into parts, never takes of each other
 * @param usualTimeMinHistory     the camera needs this many clips of the donor before its usual hours are judged
 * @param usualTimeMaxShare       a clip is at an unusual time when at most this share of the camera's clips lie within an hour of its time of day
 * @param personAt                frame score at which a person counts as in view (model signals)
 */
public record StagingRules(
        @JsonProperty("prior_log_odds") double priorLogOdds,
        @JsonProperty("staged_at") double stagedAt,
        @JsonProperty("real_at") double realAt,
        @JsonProperty("weights") Map<String, Double> weights,
        @JsonProperty("multi_camera_slack_seconds") double multiCameraSlackSeconds,
        @JsonProperty("repeated_window_minutes") double repeatedWindowMinutes,
        @JsonProperty("repeated_duration_ratio") double repeatedDurationRatio,
        @JsonProperty("repeated_min_clips") int repeatedMinClips,
        @JsonProperty("continuous_gap_seconds") double continuousGapSeconds,
        @JsonProperty("usual_time_min_history") int usualTimeMinHistory,
        @JsonProperty("usual_time_max_share") double usualTimeMaxShare,
        @JsonProperty("person_at") double personAt) implements Serializable {

    public StagingRules {
        if (!(realAt < stagedAt) || realAt < 0 || stagedAt > 1) {
            throw new IllegalArgumentException("staging needs 0 <= real_at < staged_at <= 1");
        }
        weights = new TreeMap<>(weights == null ? Map.of() : weights);
        for (String code : weights.keySet()) Evidence.ofCode(code);
        if (repeatedDurationRatio < 1) throw new IllegalArgumentException("staging.repeated_duration_ratio must be at least 1");
        if (repeatedMinClips < 1) throw new IllegalArgumentException("staging.repeated_min_clips must be at least 1");
        if (multiCameraSlackSeconds < 0 || repeatedWindowMinutes < 0 || continuousGapSeconds < 0) {
            throw new IllegalArgumentException("staging.multi_camera_slack_seconds, repeated_window_minutes and "
                    + "continuous_gap_seconds must be 0 or more");
        }
        if (usualTimeMinHistory < 1) throw new IllegalArgumentException("staging.usual_time_min_history must be at least 1");
        if (usualTimeMaxShare < 0 || usualTimeMaxShare > 1) {
            throw new IllegalArgumentException("staging.usual_time_max_share must be within 0..1");
        }
        if (personAt < 0 || personAt > 1) throw new IllegalArgumentException("staging.person_at must be within 0..1");
    }

    /** The same rules with one kind of evidence weighted {@code weight} (0 switches it off). */
    public StagingRules withWeight(Evidence e, double weight) {
        Map<String, Double> changed = new TreeMap<>(weights);
        changed.put(e.code(), weight);
        return new StagingRules(priorLogOdds, stagedAt, realAt, changed, multiCameraSlackSeconds, repeatedWindowMinutes,
                repeatedDurationRatio, repeatedMinClips, continuousGapSeconds, usualTimeMinHistory, usualTimeMaxShare, personAt);
    }

    /** The weight of a kind of evidence; one without a weight is not used. */
    public double weight(Evidence e) {
        return weights.getOrDefault(e.code(), 0.0);
    }
}
