package dev.clipcurate.pipeline.scoring;

import java.util.Arrays;
import java.util.Locale;

/**
 * A clip's usefulness: a person in view (mean of the best frame scores) times activity (how much of the clip
 * moves), both 0..1. A still scene with a person, or a busy scene with nobody, scores low; so does a clip in which
 * the person is in view for less than the campaign's {@link ScoringRules#minSecondsInView()} (a passer-by at the
 * edge of one frame is not a clip of someone at a door).
 *
 * @param secondsInView sampled frames scoring at least {@link ScoringRules#inViewAt()}, times the sampling step
 */
public record ClipScore(double score, double person, double activity, double secondsInView, boolean longEnough) {

    public static ClipScore of(FrameScorer.Scored frames, ScoringRules rules) {
        float[] frameScores = frames.scores();
        boolean[] moving = frames.moving();
        int n = frameScores.length;
        if (n == 0) return new ClipScore(0, 0, 0, 0, false);
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
        long[] times = frames.timesMs();
        double step = steps == 0 ? 0 : (times[n - 1] - times[0]) / 1000.0 / steps;
        int inView = 0;
        for (float s : frameScores) if (s > 0 && s >= rules.inViewAt()) inView++;
        double seconds = inView * step;
        boolean longEnough = seconds >= rules.minSecondsInView();
        return new ClipScore(longEnough ? person * activity : 0, person, activity, seconds, longEnough);
    }

    public String describe() {
        String s = String.format(Locale.ROOT, "score %.3f = person %.3f x activity %.3f, in view %.1f s", score, person,
                activity, secondsInView);
        return longEnough ? s : s + " (too short: 0)";
    }
}
