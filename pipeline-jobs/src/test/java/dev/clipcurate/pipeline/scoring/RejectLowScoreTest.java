package dev.clipcurate.pipeline.scoring;

import dev.clipcurate.pipeline.common.Campaigns;
import dev.clipcurate.pipeline.intake.ClipTask;
import dev.clipcurate.pipeline.intake.Decisions;
import dev.clipcurate.pipeline.testing.TestTasks;
import dev.clipcurate.schemas.ClipRow;
import org.apache.flink.streaming.util.ProcessFunctionTestHarnesses;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RejectLowScoreTest {
    /**
     * The decoding pass decides on the score as a double and stores it as a float: a clip it did not anonymise is
     * rejected even when the stored float rounds up to the minimum (it has no frames to write), and one it did is
     * kept.
     */
    @Test
    void followsTheDecodingPassDecisionNotTheRoundedScore() throws Exception {
        ClipTask below = TestTasks.task("below", "package-theft");
        below.clipScore = 0.2f; // 0.19999999... as a double, rounded up
        below.scoreDetail = "score 0.200 = person 0.200 x activity 1.000";
        below.belowMinimumScore = true;
        ClipTask kept = TestTasks.task("kept", "package-theft");
        kept.clipScore = 0.8f;
        kept.belowMinimumScore = false;
        try (var harness = ProcessFunctionTestHarnesses.forProcessFunction(new RejectLowScore(Campaigns.load(null), "b1"))) {
            harness.processElement(below, 1);
            harness.processElement(kept, 2);
            assertEquals(List.of("kept"), harness.extractOutputValues().stream().map(t -> t.clipId).toList());
            ClipRow row = harness.getSideOutput(Decisions.TAG).peek().getValue();
            assertEquals("below", row.getClipId());
            assertEquals("low_score", row.getReason());
            assertTrue(row.getReasonDetail().contains("below the minimum 0.20"), row.getReasonDetail());
        }
    }
}
