package dev.clipcurate.pipeline.scoring;

import java.util.Arrays;

/**
 * A clip's usefulness: a person in view (mean of the best frame scores) times activity (how much of the clip
 * moves), both 0..1. A still scene with a person, or a busy scene with nobody, scores low.
 */
public record ClipScore(double score, double person, double activity) {

    /**
     * @param frameScores the model's per-frame scores, in clip order
     * @param moving      per frame: whether it moved against the frame before (the first never does)
     */
    public static ClipScore of(float[] frameScores, boolean[] moving, ScoringRules rules) {
        int n = frameScores.length;
        if (n == 0) return new ClipScore(0, 0, 0);
        float[] sorted = frameScores.clone();
        Arrays.sort(sorted);
        int top = Math.max(1, (int) Math.ceil(n * rules.topFraction()));
        double person = 0;
        for (int i = n - top; i < n; i++) person += sorted[i];
        person /= top;
        int steps = n - 1;
        int movingSteps = 0;
        for (int i = 1; i < n; i++) if (moving[i]) movingSteps++;
        double activity = steps == 0 ? 0 : Math.min(1, movingSteps / (double) steps / rules.activityFull());
        return new ClipScore(person * activity, person, activity);
    }

    public String describe() {
        return String.format(java.util.Locale.ROOT, "score %.3f = person %.3f x activity %.3f", score, person, activity);
    }
}
