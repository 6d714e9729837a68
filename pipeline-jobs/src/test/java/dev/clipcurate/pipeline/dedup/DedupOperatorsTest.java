package dev.clipcurate.pipeline.dedup;

import dev.clipcurate.pipeline.intake.ClipTask;
import dev.clipcurate.pipeline.intake.Decisions;
import dev.clipcurate.schemas.ClipRow;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.api.operators.co.KeyedCoProcessOperator;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.apache.flink.streaming.util.KeyedTwoInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The three keyed stages of near-duplicate detection in Flink's operator harness: the band index directs pairs by
 * {@link DedupOrder} whatever the arrival order, the fingerprint store answers each pair once, and the decision
 * waits for the watermark, verifies with the real matcher and names the first clip in order that matches.
 */
class DedupOperatorsTest {
    static final int FRAMES = 20;

    @Test
    void bandIndexDirectsPairsFromTheLaterClipToTheEarlierWhateverTheArrivalOrder() throws Exception {
        ClipFingerprint early = SyntheticFingerprints.clip(1, "early", "2026-05-01T10:00:00Z", DedupOrder.BATCH_EPOCH, FRAMES);
        ClipFingerprint late = copy(early, "late", "2026-05-01T10:05:00Z", DedupOrder.BATCH_EPOCH);
        ClipFingerprint earlierVersion = copy(early, "v1-clip", "2030-01-01T00:00:00Z", 0);
        ClipFingerprint earlierVersionToo = copy(early, "v1-other", "2030-01-01T00:00:00Z", 0);
        ClipFingerprint unrelated = SyntheticFingerprints.clip(2, "unrelated", "2026-05-01T09:00:00Z", DedupOrder.BATCH_EPOCH, FRAMES);
        for (List<ClipFingerprint> arrival : List.of(List.of(late, early, earlierVersion, earlierVersionToo, unrelated),
                List.of(unrelated, earlierVersionToo, early, earlierVersion, late))) {
            try (var harness = new KeyedOneInputStreamOperatorTestHarness<>(new KeyedProcessOperator<>(new BandIndex()),
                    (IndexedHash h) -> h.bandKey, Types.INT)) {
                harness.open();
                for (ClipFingerprint f : arrival) {
                    for (IndexedHash h : IndexedHash.of(f, BandKeys.Layout.DEFAULT)) harness.processElement(h, f.epoch);
                }
                assertEquals(List.of(), harness.extractOutputValues(), "lookups wait for the watermark");
                harness.processWatermark(Long.MAX_VALUE);
                List<String> pairs = harness.extractOutputValues().stream()
                        .map(p -> p.clipId + "->" + p.earlierClipId).distinct().sorted().toList();
                // an earlier version's clip comes first even when captured later; two of them are never paired
                assertEquals(List.of("early->v1-clip", "early->v1-other", "late->early", "late->v1-clip", "late->v1-other"), pairs);
            }
        }
    }

    @Test
    void fingerprintStoreAnswersEachPairOnceAndLetsEarlyPairsWait() throws Exception {
        ClipFingerprint kept = SyntheticFingerprints.clip(1, "kept", null, 1, FRAMES);
        try (var harness = new KeyedTwoInputStreamOperatorTestHarness<>(new KeyedCoProcessOperator<>(new FingerprintStore()),
                (ClipFingerprint f) -> f.clipId, (CandidatePair p) -> p.earlierClipId, Types.STRING)) {
            harness.open();
            harness.processElement2(pair("copy-a", "kept"), 1);
            harness.processElement2(pair("copy-a", "kept"), 1);
            assertEquals(List.of(), harness.extractOutputValues(), "waits for the fingerprint");
            harness.processElement1(kept, 1);
            harness.processElement2(pair("copy-b", "kept"), 1);
            harness.processElement2(pair("copy-a", "kept"), 1);
            List<Probe> probes = harness.extractOutputValues();
            assertEquals(List.of("copy-a", "copy-b"), probes.stream().map(p -> p.clipId).toList());
            assertTrue(probes.stream().allMatch(p -> p.earlier.clipId.equals("kept")));
        }
    }

    @Test
    void decisionWaitsForTheWatermarkAndNamesTheFirstMatchingClip() throws Exception {
        ClipFingerprint original = SyntheticFingerprints.clip(1, "original", "2026-05-01T10:00:00Z", 1000, FRAMES);
        ClipFingerprint firstCopy = copy(original, "first-copy", "2026-05-01T10:01:00Z", 1000);
        ClipFingerprint other = SyntheticFingerprints.clip(2, "other", "2026-05-01T09:00:00Z", 900, FRAMES);
        ClipTask task = task(copy(original, "second-copy", "2026-05-01T10:02:00Z", 2000));
        try (var harness = decideHarness()) {
            harness.open();
            harness.processElement1(task, 2000);
            // probes arrive in any order; the earliest clip in DedupOrder that matches is named
            harness.processElement2(probe("second-copy", 2000, firstCopy), 2000);
            harness.processElement2(probe("second-copy", 2000, other), 2000);
            harness.processElement2(probe("second-copy", 2000, original), 2000);
            harness.processBothWatermarks(new org.apache.flink.streaming.api.watermark.Watermark(1999));
            assertEquals(0, harness.getSideOutput(Decisions.TAG) == null ? 0 : harness.getSideOutput(Decisions.TAG).size(),
                    "no decision before the watermark passes the clip's stamp");
            harness.processBothWatermarks(new org.apache.flink.streaming.api.watermark.Watermark(2000));
            assertEquals(List.of(), harness.extractOutputValues());
            ClipRow row = (ClipRow) harness.getSideOutput(Decisions.TAG).peek().getValue();
            assertEquals("duplicate", row.getDecision());
            assertEquals("near_duplicate", row.getReason());
            assertEquals("original", row.getDupOf());
            assertEquals(0f, row.getDupDistance(), 1e-6);
            assertEquals(0L, row.getDupOffsetMs());

            // a probe after the decision is late: counted and dropped, nothing changes
            harness.processElement2(probe("second-copy", 2000, original), 2001);
            assertEquals(1, harness.getSideOutput(Decisions.TAG).size());
        }
    }

    @Test
    void aClipThatMatchesNoProbeGoesOn() throws Exception {
        ClipTask task = task(SyntheticFingerprints.clip(3, "fresh", null, 1, FRAMES));
        try (var harness = decideHarness()) {
            harness.open();
            harness.processElement1(task, 1);
            harness.processElement2(probe("fresh", 1, SyntheticFingerprints.clip(4, "unrelated", null, 1, FRAMES)), 1);
            harness.processBothWatermarks(new org.apache.flink.streaming.api.watermark.Watermark(Long.MAX_VALUE));
            assertEquals(List.of("fresh"), harness.extractOutputValues().stream().map(t -> t.clipId).toList());
        }
    }

    private static KeyedTwoInputStreamOperatorTestHarness<String, ClipTask, Probe, ClipTask> decideHarness() throws Exception {
        return new KeyedTwoInputStreamOperatorTestHarness<>(
                new KeyedCoProcessOperator<>(new DecideDuplicates(DedupSettings.defaults(), "b1")),
                (ClipTask t) -> t.clipId, (Probe p) -> p.clipId, Types.STRING);
    }

    static ClipFingerprint copy(ClipFingerprint f, String clipId, String capturedAt, long epoch) {
        ClipFingerprint c = ClipFingerprint.fromBytes(clipId, capturedAt, epoch, java.nio.ByteBuffer.wrap(f.toBytes()));
        return c;
    }

    private static ClipTask task(ClipFingerprint f) {
        ClipTask t = DropExactCopiesTest.task(f.clipId, "c".repeat(64), f.capturedAt);
        t.fingerprint = f;
        return t;
    }

    private static CandidatePair pair(String clip, String earlier) {
        CandidatePair p = new CandidatePair();
        p.clipId = clip;
        p.clipEpoch = 1;
        p.earlierClipId = earlier;
        return p;
    }

    private static Probe probe(String clip, long clipEpoch, ClipFingerprint earlier) {
        Probe p = new Probe();
        p.clipId = clip;
        p.clipEpoch = clipEpoch;
        p.earlier = earlier;
        return p;
    }
}
