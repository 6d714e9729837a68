package dev.clipcurate.pipeline.scoring;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ClipScoreTest {
    private static final ScoringRules RULES = ScoringRules.of(0.3, 0.25, 0.5);

    /** Frames half a second apart, as the job samples at 2 fps. */
    private static FrameScorer.Scored frames(float[] scores, boolean[] moving) {
        long[] times = new long[scores.length];
        for (int i = 0; i < times.length; i++) times[i] = 500L * i;
        return new FrameScorer.Scored(times, scores, moving);
    }

    @Test
    void personIsTheMeanOfTheBestQuarterAndActivityTheShareOfMovingSteps() {
        float[] scores = {0.1f, 0.2f, 0.9f, 0.7f, 0.1f, 0.1f, 0.1f, 0.1f};
        boolean[] moving = {false, true, true, false, false, false, false, false};
        ClipScore s = ClipScore.of(frames(scores, moving), RULES);
        assertEquals(0.8, s.person(), 1e-6);           // best 2 of 8
        assertEquals((2 / 7.0) / 0.5, s.activity(), 1e-6);
        assertEquals(s.person() * s.activity(), s.score(), 1e-9);
    }

    @Test
    void activityIsCappedAtOneAndAStillOrEmptyClipScoresZero() {
        boolean[] allMoving = {false, true, true};
        assertEquals(1.0, ClipScore.of(frames(new float[] {1, 1, 1}, allMoving), RULES).activity(), 1e-9);
        assertEquals(0.0, ClipScore.of(frames(new float[] {1, 1, 1}, new boolean[3]), RULES).score(), 1e-9);
        assertEquals(0.0, ClipScore.of(frames(new float[] {1}, new boolean[1]), RULES).score(), 1e-9);
        assertEquals(0.0, ClipScore.of(frames(new float[0], new boolean[0]), RULES).score(), 1e-9);
    }

    @Test
    void aPersonInViewForLessThanTheCampaignsMinimumScoresZero() {
        ScoringRules oneSecond = new ScoringRules(0.2, 0.25, 0.25, List.of("person"), 0.05, 0.3, 1.0);
        boolean[] moving = {false, true, true, true, true, true, true, true};
        // one frame with a clear person: 0.5 s in view; its best quarter alone would score 0.45
        ClipScore glimpse = ClipScore.of(frames(new float[] {0, 0, 0.9f, 0, 0, 0, 0, 0}, moving), oneSecond);
        assertEquals(0.5, glimpse.secondsInView(), 1e-9);
        assertFalse(glimpse.longEnough());
        assertEquals(0.0, glimpse.score(), 1e-9);
        assertTrue(glimpse.describe().contains("too short"), glimpse.describe());
        // two such frames (1 s) are enough; frames below in_view_at do not count towards it
        ClipScore twoFrames = ClipScore.of(frames(new float[] {0.25f, 0.25f, 0.9f, 0.8f, 0, 0, 0, 0}, moving), oneSecond);
        assertEquals(1.0, twoFrames.secondsInView(), 1e-9);
        assertEquals(0.85, twoFrames.score(), 1e-6);
    }
}
