package dev.clipcurate.pipeline.staging;

import dev.clipcurate.pipeline.common.Campaigns;
import dev.clipcurate.pipeline.intake.ClipTask;
import dev.clipcurate.pipeline.testing.TestTasks;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.operators.co.KeyedCoProcessOperator;
import org.apache.flink.streaming.util.KeyedTwoInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The staging operator: when a clip is labelled and which of the donor's clips it sees. */
class LabelStagingTest {
    private static ClipTask task(String id, String camera, String capturedAt) {
        ClipTask t = TestTasks.task(id, "package-theft");
        t.cameraId = camera;
        t.capturedAt = capturedAt;
        t.durationS = 20.0;
        t.frameScores = new float[] {0.2f, 0.9f};
        return t;
    }

    private static KeyedTwoInputStreamOperatorTestHarness<String, ClipTask, ClipFacts, ClipTask> harness(long settleMs,
                                                                                                      boolean streaming)
            throws Exception {
        var h = new KeyedTwoInputStreamOperatorTestHarness<>(new KeyedCoProcessOperator<>(new LabelStaging(Campaigns.load(null), settleMs, streaming, "test-build")),
                (ClipTask t) -> t.donorPseudonym, (ClipFacts f) -> f.donorPseudonym, Types.STRING);
        h.open();
        return h;
    }

    private static Map<String, String> evidence(List<ClipTask> out) {
        return out.stream().collect(Collectors.toMap(t -> t.clipId, t -> Arrays.toString(t.stagedEvidence)));
    }

    @Test
    void inABatchBuildEveryClipOfTheDonorSeesTheOthers() throws Exception {
        try (var h = harness(0, false)) {
            h.processElement1(task("a", "front", "2026-11-20T14:00:00Z"), 1);
            h.processElement1(task("b", "drive", "2026-11-20T14:00:05Z"), 1);
            assertEquals(List.of(), h.extractOutputValues(), "labels wait for the watermark");
            h.processBothWatermarks(new org.apache.flink.streaming.api.watermark.Watermark(Long.MAX_VALUE));
            Map<String, String> ev = evidence(h.extractOutputValues());
            assertTrue(ev.get("a").contains("multi_camera") && ev.get("a").contains("camera drive"), ev.toString());
            assertTrue(ev.get("b").contains("multi_camera") && ev.get("b").contains("camera front"), ev.toString());
            assertTrue(ev.get("a").contains("starts 5 s after") && ev.get("b").contains("starts 5 s before"), ev.toString());
            ClipTask a = h.extractOutputValues().get(0);
            assertTrue(List.of("staged", "real", "uncertain").contains(a.stagedLabel) && a.stagedConfidence >= 0.5f);
        }
    }

    @Test
    void whileStreamingAClipSeesTheClipsStampedBeforeItAndEarlierVersions() throws Exception {
        try (var h = harness(0, true)) {
            long t0 = Instant.parse("2026-11-22T10:00:00Z").toEpochMilli();
            h.processElement2(new ClipFacts("old", "d_x", "front", Instant.parse("2026-11-20T14:10:00Z").toEpochMilli(),
                    20_000, null, null, null, 0), Long.MIN_VALUE);
            h.processElement1(task("late", "drive", "2026-11-20T14:00:05Z"), t0 + 5000);
            h.processElement1(task("early", "front", "2026-11-20T14:00:00Z"), t0);
            h.processBothWatermarks(new org.apache.flink.streaming.api.watermark.Watermark(t0 + 10_000));
            Map<String, String> ev = evidence(h.extractOutputValues());
            assertTrue(!ev.get("early").contains("multi_camera"), "early cannot see late: " + ev);
            assertTrue(ev.get("early").contains("repeated_scene"), "early sees the earlier version's take: " + ev);
            assertTrue(ev.get("late").contains("multi_camera") && ev.get("late").contains("camera front"), ev.toString());
        }
    }

    @Test
    void theSettleTimeLetsAStreamingClipSeeTheDonorsNextUploads() throws Exception {
        try (var h = harness(10_000, true)) {
            long t0 = Instant.parse("2026-11-22T10:00:00Z").toEpochMilli();
            h.processElement1(task("first", "front", "2026-11-20T14:00:00Z"), t0);
            h.processElement1(task("second-camera", "drive", "2026-11-20T14:00:05Z"), t0 + 5000);
            // a camera that sorts before "drive": were it visible, the evidence would cite it
            h.processElement1(task("much-later", "carport", "2026-11-20T14:00:05Z"), t0 + 60_000);
            h.processBothWatermarks(new org.apache.flink.streaming.api.watermark.Watermark(t0 + 9_999));
            assertEquals(List.of(), h.extractOutputValues(), "the first clip waits out its settle time");
            h.processBothWatermarks(new org.apache.flink.streaming.api.watermark.Watermark(t0 + 15_000));
            Map<String, String> ev = evidence(h.extractOutputValues());
            assertEquals(java.util.Set.of("first", "second-camera"), ev.keySet());
            assertTrue(ev.get("first").contains("camera drive"), "uploaded 5 s later, within 10 s: " + ev);
            assertTrue(!ev.get("first").contains("carport"), "a minute later is past the settle time: " + ev);
        }
    }

    @Test
    void oldHistoryIsDroppedButNeverAClipStillWaiting() throws Exception {
        try (var h = harness(10_000, true)) {
            long t0 = Instant.parse("2026-11-22T10:00:00Z").toEpochMilli();
            // an archive clip captured months before the donor's newest, uploaded together with it
            h.processElement1(task("archive", "front", "2026-06-01T14:00:00Z"), t0 + 5000);
            h.processElement1(task("new", "front", "2026-11-20T14:00:00Z"), t0);
            h.processBothWatermarks(new org.apache.flink.streaming.api.watermark.Watermark(t0 + 10_000));
            assertEquals(List.of("new"), h.extractOutputValues().stream().map(t -> t.clipId).toList());
            h.processBothWatermarks(new org.apache.flink.streaming.api.watermark.Watermark(t0 + 15_000));
            assertEquals(List.of("new", "archive"), h.extractOutputValues().stream().map(t -> t.clipId).toList(),
                    "the archive clip was older than the history window but still waiting: labelled, not lost");
        }
    }
}
