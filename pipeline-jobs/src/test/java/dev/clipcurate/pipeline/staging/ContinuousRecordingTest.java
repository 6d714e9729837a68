package dev.clipcurate.pipeline.staging;

import dev.clipcurate.pipeline.common.Campaigns;
import dev.clipcurate.pipeline.pass.ScoreFile;
import dev.clipcurate.pipeline.media.DecodeLimits;
import dev.clipcurate.pipeline.scoring.FrameScorer;
import dev.clipcurate.pipeline.scoring.ScoringRules;
import dev.clipcurate.pipeline.scoring.ScoringSettings;
import dev.clipcurate.pipeline.testing.TestClips;
import dev.clipcurate.pipeline.testing.TestFootage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A real fixed camera's video cut into 10-second clips and donated back to back by one donor (Debian's vtest.avi,
 * 79.5 s: eight clips), each scored by the scoring model as the pipeline scores it: not one of them is labelled
 * staged. Before, every one was (p = 0.89: repeated_scene + person_at_start), because any run of similar-length
 * clips of one camera counted as takes.
 */
class ContinuousRecordingTest {
    @TempDir Path tmp;

    @Test
    void consecutiveSegmentsOfAStreetCameraAreNotTakesOfAStagedScene() throws Exception {
        List<ClipFacts> backToBack = new ArrayList<>();
        List<ClipFacts> apart = new ArrayList<>();
        long start = Instant.parse("2026-11-20T16:00:00Z").toEpochMilli();
        ScoringRules scoring = Campaigns.load(null).of("package-theft").scoring();
        try (ScoreFile scorer = new ScoreFile(ScoringSettings.defaults(), DecodeLimits.defaults())) {
            for (int i = 0; i < 8; i++) {
                Path segment = TestClips.variant(TestFootage.streetCamera(), tmp.resolve("street-" + i + ".mp4"),
                        10 * i, Math.min(79.5, 10 * (i + 1)), false, 1, 1);
                FrameScorer.Scored scored = scorer.score(segment.toFile(), scoring);
                float best = 0;
                for (float s : scored.scores()) best = Math.max(best, s);
                long durationMs = scored.timesMs()[scored.timesMs().length - 1] + 500;
                backToBack.add(new ClipFacts("street-" + i, "donor", "street", start + 10_000L * i, durationMs, null,
                        scored.scores()[0], best, 1));
                // the same clips five minutes apart: separate recordings of similar length, as retakes would be
                apart.add(new ClipFacts("street-" + i, "donor", "street", start + 300_000L * i, durationMs, null,
                        scored.scores()[0], best, 1));
            }
        }
        StagingRules rules = Campaigns.load(null).of("package-theft").staging();
        for (ClipFacts clip : backToBack) {
            StagingVerdict v = StagedLabeller.label(clip, backToBack, rules);
            System.out.printf("%s back to back: %s %.2f %s%n", clip.clipId, v.label(), v.confidence(), v.evidence());
            assertNotEquals(StagingVerdict.STAGED, v.label(), clip.clipId + ": " + v.evidence());
            assertFalse(v.evidence().stream().anyMatch(e -> e.startsWith("repeated_scene")), v.evidence().toString());
        }
        // the rule is about continuity, not about this camera: apart, the same clips still count as takes
        StagingVerdict separate = StagedLabeller.label(apart.get(3), apart, rules);
        assertTrue(separate.evidence().stream().anyMatch(e -> e.startsWith("repeated_scene")), separate.evidence().toString());
    }
}
