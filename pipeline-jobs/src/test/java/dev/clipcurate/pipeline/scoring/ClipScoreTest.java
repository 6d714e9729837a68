package dev.clipcurate.pipeline.scoring;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

class ClipScoreTest {
    private static final ScoringRules RULES = new ScoringRules(0.3, 0.25, 0.5);

    @Test
    void personIsTheMeanOfTheBestQuarterAndActivityTheShareOfMovingSteps() {
        float[] scores = {0.1f, 0.2f, 0.9f, 0.7f, 0.1f, 0.1f, 0.1f, 0.1f};
        boolean[] moving = {false, true, true, false, false, false, false, false};
        ClipScore s = ClipScore.of(scores, moving, RULES);
        assertEquals(0.8, s.person(), 1e-6);           // best 2 of 8
        assertEquals((2 / 7.0) / 0.5, s.activity(), 1e-6);
        assertEquals(s.person() * s.activity(), s.score(), 1e-9);
    }

    @Test
    void activityIsCappedAtOneAndAStillOrEmptyClipScoresZero() {
        boolean[] allMoving = {false, true, true};
        assertEquals(1.0, ClipScore.of(new float[] {1, 1, 1}, allMoving, RULES).activity(), 1e-9);
        assertEquals(0.0, ClipScore.of(new float[] {1, 1, 1}, new boolean[3], RULES).score(), 1e-9);
        assertEquals(0.0, ClipScore.of(new float[] {1}, new boolean[1], RULES).score(), 1e-9);
        assertEquals(0.0, ClipScore.of(new float[0], new boolean[0], RULES).score(), 1e-9);
    }
}
