package dev.clipcurate.pipeline.staging;

import dev.clipcurate.pipeline.common.Campaigns;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class StagedLabellerTest {
    private static StagingRules rules() throws Exception {
        return Campaigns.load(null).of("package-theft").staging();
    }

    private static ClipFacts clip(String id, String camera, String at, long seconds, Boolean declared, Float first, Float best) {
        return new ClipFacts(id, "donor", camera, Instant.parse(at).toEpochMilli(), seconds * 1000, declared, first, best, 1);
    }

    private static boolean has(StagingVerdict v, Evidence e) {
        return v.evidence().stream().anyMatch(s -> s.startsWith(e.code() + " "));
    }

    @Test
    void aDeclaredStagedClipIsStagedAndSaysWhy() throws Exception {
        StagingVerdict v = StagedLabeller.label(clip("a", "front", "2026-11-20T18:00:00Z", 20, true, 0.1f, 0.9f), List.of(), rules());
        assertEquals(StagingVerdict.STAGED, v.label());
        assertTrue(has(v, Evidence.DECLARED_STAGED) && has(v, Evidence.PERSON_ENTERS), v.evidence().toString());
        assertTrue(v.confidence() > 0.85f, "confidence " + v.confidence());
    }

    @Test
    void aMotionTriggeredClipDeclaredRealIsReal() throws Exception {
        StagingVerdict v = StagedLabeller.label(clip("a", "front", "2026-11-20T03:00:00Z", 20, false, 0.05f, 0.95f), List.of(), rules());
        assertEquals(StagingVerdict.REAL, v.label());
        assertTrue(has(v, Evidence.DECLARED_REAL) && has(v, Evidence.PERSON_ENTERS));
    }

    @Test
    void noEvidenceIsUncertain() throws Exception {
        StagingVerdict v = StagedLabeller.label(clip("a", "front", "2026-11-20T18:00:00Z", 20, null, null, null), List.of(), rules());
        assertEquals(StagingVerdict.UNCERTAIN, v.label());
        assertEquals(0.5f, v.confidence(), 1e-6);
        assertTrue(v.evidence().isEmpty());
    }

    @Test
    void takesAndASecondCameraMakeAnUndeclaredClipStaged() throws Exception {
        ClipFacts a = clip("a", "front", "2026-11-20T14:00:00Z", 20, null, 0.9f, 0.9f);
        List<ClipFacts> others = List.of(
                clip("b", "front", "2026-11-20T14:05:00Z", 24, null, 0.9f, 0.9f),   // a second take, similar length
                clip("c", "drive", "2026-11-20T14:00:15Z", 30, null, 0.9f, 0.9f),   // another camera, same moment
                clip("d", "front", "2026-11-20T14:50:00Z", 20, null, 0.9f, 0.9f),   // outside the 30-min window
                clip("e", "front", "2026-11-20T14:10:00Z", 90, null, 0.9f, 0.9f));  // too long to be a take
        StagingVerdict v = StagedLabeller.label(a, others, rules());
        assertEquals(StagingVerdict.STAGED, v.label(), v.evidence().toString());
        assertTrue(has(v, Evidence.MULTI_CAMERA) && has(v, Evidence.REPEATED_SCENE) && has(v, Evidence.PERSON_AT_START));
        assertTrue(v.evidence().stream().anyMatch(s -> s.contains("1 other clip(s)")), v.evidence().toString());
    }

    @Test
    void aClipAtAnHourTheCameraNeverRecordsIsUnusual() throws Exception {
        List<ClipFacts> history = new ArrayList<>();
        for (int day = 1; day <= 9; day++) {
            history.add(clip("h" + day, "front", String.format("2026-11-%02dT08:30:00Z", day), 20, null, null, null));
        }
        ClipFacts night = clip("n", "front", "2026-11-15T02:00:00Z", 20, null, null, null);
        ClipFacts morning = clip("m", "front", "2026-11-15T09:00:00Z", 20, null, null, null);
        assertTrue(has(StagedLabeller.label(night, history, rules()), Evidence.UNUSUAL_TIME));
        assertTrue(!has(StagedLabeller.label(morning, history, rules()), Evidence.UNUSUAL_TIME));
        assertTrue(!has(StagedLabeller.label(night, history.subList(0, 5), rules()), Evidence.UNUSUAL_TIME),
                "too little history to know the camera's hours");
        assertEquals(1.0, StagedLabeller.hoursApart(Instant.parse("2026-11-15T23:30:00Z").toEpochMilli(),
                Instant.parse("2026-11-16T00:30:00Z").toEpochMilli()), 1e-9);
    }
}
