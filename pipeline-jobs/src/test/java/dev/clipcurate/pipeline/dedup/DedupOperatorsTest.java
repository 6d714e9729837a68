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

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The keyed stages of near-duplicate detection in Flink's operator harness: the index directs pairs by
 * {@link DedupOrder} whatever the arrival order and caps crowded keys, votes put a copy's source first among a
 * busy camera's events, the fingerprint store answers each pair once, and the decision waits for the watermark,
 * verifies with the real matcher and names the first clip in order that matches.
 */
class DedupOperatorsTest {
    static final int FRAMES = 20;

    @Test
    void indexDirectsPairsFromTheLaterClipToTheEarlierWhateverTheArrivalOrder() throws Exception {
        ClipFingerprint early = SyntheticFingerprints.clip(1, "early", "2026-05-01T10:00:00Z", DedupOrder.BATCH_EPOCH, FRAMES);
        ClipFingerprint late = copy(early, "late", "2026-05-01T10:05:00Z", DedupOrder.BATCH_EPOCH);
        ClipFingerprint earlierVersion = copy(early, "v1-clip", "2030-01-01T00:00:00Z", 0);
        ClipFingerprint earlierVersionToo = copy(early, "v1-other", "2030-01-01T00:00:00Z", 0);
        ClipFingerprint unrelated = SyntheticFingerprints.clip(2, "unrelated", "2026-05-01T09:00:00Z", DedupOrder.BATCH_EPOCH, FRAMES);
        Map<Long, String> names = new HashMap<>();
        for (ClipFingerprint f : List.of(early, late, earlierVersion, earlierVersionToo, unrelated)) names.put(ClipKey.of(f.clipId), f.clipId);
        for (List<ClipFingerprint> arrival : List.of(List.of(late, early, earlierVersion, earlierVersionToo, unrelated),
                List.of(unrelated, earlierVersionToo, early, earlierVersion, late))) {
            try (var harness = indexHarness(EventIndex.DEFAULT_CAP)) {
                harness.open();
                for (ClipFingerprint f : arrival) {
                    for (IndexBatch b : IndexBatch.of(f, IndexKeys.Layout.DEFAULT, EventIndex.MAX_PARALLELISM)) harness.processElement(b, f.epoch);
                }
                assertEquals(List.of(), harness.extractOutputValues(), "lookups wait for the watermark");
                harness.processWatermark(Long.MAX_VALUE);
                Map<String, List<IndexHit>> byClip = new TreeMap<>();
                for (IndexHit h : harness.extractOutputValues()) byClip.computeIfAbsent(h.clipId, k -> new ArrayList<>()).add(h);
                List<String> pairs = new ArrayList<>();
                byClip.forEach((clip, hits) -> Votes.ranked(hits, Votes.MAX_CANDIDATES)
                        .forEach(c -> pairs.add(clip + "->" + names.get(c.clipKey()))));
                Collections.sort(pairs);
                // an earlier version's clip comes first even when captured later; two of them are never paired
                assertEquals(List.of("early->v1-clip", "early->v1-other", "late->early", "late->v1-clip", "late->v1-other"), pairs);
            }
        }
    }

    @Test
    void aFullKeySplitsByItsSketchesNextBitsAndALookupReadsTheOneKeyItsSketchLeadsTo() throws Exception {
        int cap = 3, bits = IndexKeys.Layout.DEFAULT.keyBits();
        long base = 0x5A5A_0000_0000_F0F0L & ~(0xFL << bits);
        org.apache.flink.runtime.checkpoint.OperatorSubtaskState snapshot;
        try (var harness = indexHarness(cap)) {
            harness.open();
            // four paths (the two bits after the key's) of three postings each: the key fills at the fourth and splits
            for (int path = 0; path < 4; path++) {
                for (int j = 0; j < cap; j++) harness.processElement(posting(0xF0F0, "p" + path + "-" + j, 0, base | (long) path << bits), 0);
            }
            assertEquals(List.of(ClipKey.of("p2-0"), ClipKey.of("p2-1"), ClipKey.of("p2-2")).stream().sorted().toList(),
                    met(harness, lookup(0xF0F0, "new", (base | 2L << bits) ^ 1), 5),
                    "all 12 postings kept; the lookup reads only its path's overflow key");
            IndexBatch unsure = lookup(0xF0F0, "unsure", (base | 2L << bits) ^ 1);
            unsure.uncertain = new long[] {1L << bits};
            assertEquals(java.util.stream.Stream.of("p2-0", "p2-1", "p2-2", "p3-0", "p3-1", "p3-2").map(ClipKey::of).sorted().toList(),
                    met(harness, unsure, 6).stream().distinct().toList(),
                    "a sketch uncertain in the bit that chose its overflow key reads the sibling too");
            snapshot = harness.snapshot(1, 1);
        }
        try (var restored = indexHarness(cap)) {
            restored.initializeState(snapshot);
            restored.open();
            assertEquals(List.of(ClipKey.of("p1-0"), ClipKey.of("p1-1"), ClipKey.of("p1-2")).stream().sorted().toList(),
                    met(restored, lookup(0xF0F0, "new", (base | 1L << bits) ^ 1), 5), "after a restore the split is known");
        }
    }

    @Test
    void everyOverflowKeyNamesTheKeyAboveIt() {
        IndexKeys.Layout layout = IndexKeys.Layout.DEFAULT;
        long sketch = 0x9E37_79B9_7F4A_7C15L;
        for (int level = 1; level <= IndexKeys.OVERFLOW_LEVELS; level++) {
            assertEquals(IndexKeys.stateKey(0x1ABCDE, sketch, level - 1, layout),
                    IndexKeys.parent(IndexKeys.stateKey(0x1ABCDE, sketch, level, layout)), "level " + level);
        }
    }

    @Test
    void postingsThatShareTheWholePathAreDroppedOnceTheDeepestOverflowKeyIsFull() throws Exception {
        int cap = 3, deepest = cap;
        long sketch = 0x0000_00F0_00F0_F0F0L;
        try (var harness = indexHarness(cap)) {
            harness.open();
            // sketches alike in every path bit, apart in the last bits: they split down to the deepest key
            for (int clip = 0; clip < deepest + 4; clip++) harness.processElement(posting(0xF0F0, "c" + clip, 0, sketch ^ (long) clip << 56), 0);
            var context = harness.getOperator().getRuntimeContext();
            assertEquals(deepest, context.getLongCounter(EventIndex.POSTINGS).getLocalValue(), "kept");
            assertEquals(4L, context.getLongCounter(EventIndex.POSTINGS_DROPPED).getLocalValue(), "dropped");
            assertTrue(met(harness, lookup(0xF0F0, "new", sketch), 5).contains(ClipKey.of("c0")), "the lookup reads the deepest key");
        }
    }

    private static List<Long> met(KeyedOneInputStreamOperatorTestHarness<Integer, IndexBatch, IndexHit> harness, IndexBatch lookup,
                                  long watermark) throws Exception {
        harness.processElement(lookup, lookup.epoch);
        harness.processWatermark(watermark);
        return harness.extractOutputValues().stream().filter(h -> h.clipId.equals(lookup.clipId))
                .flatMap(h -> java.util.Arrays.stream(h.earlierClipKeys).boxed()).sorted().toList();
    }

    @Test
    void aResubmittedCopyOutvotesEveryOtherEventOfItsBusyCamera() {
        IndexKeys.Layout layout = IndexKeys.Layout.DEFAULT;
        List<IndexBatch> stored = new ArrayList<>();
        for (int i = 0; i < 400; i++) {
            ClipFingerprint event = SyntheticFingerprints.cameraClip(7, i, "event-" + i, null, 0, 32);
            stored.addAll(IndexBatch.of(event, layout, EventIndex.MAX_PARALLELISM));
        }
        Map<Integer, byte[]> index = IndexKeys.postingsByKey(stored);
        for (int source : new int[] {3, 150, 333}) {
            ClipFingerprint copy = SyntheticFingerprints.resubmitted(
                    SyntheticFingerprints.cameraClip(7, source, "event-" + source, null, 0, 32), 99, "copy", null, 1);
            ClipFingerprint newEvent = SyntheticFingerprints.cameraClip(7, 1000 + source, "new", null, 1, 32);
            List<Votes.Candidate> copyVotes = Votes.ranked(List.of(IndexKeys.hits(lookups(copy, layout), index, layout)), Votes.MAX_CANDIDATES);
            assertEquals(ClipKey.of("event-" + source), copyVotes.get(0).clipKey(), "the source comes first: " + copyVotes);
            List<Votes.Candidate> eventVotes = Votes.ranked(List.of(IndexKeys.hits(lookups(newEvent, layout), index, layout)), Votes.MAX_CANDIDATES);
            assertTrue(eventVotes.isEmpty() || eventVotes.get(0).votes() < copyVotes.get(0).votes(),
                    "a new event of the camera meets its other events less than a copy meets its source: " + eventVotes);
        }
    }

    /** The index as the job runs it: all {@link EventIndex#MAX_PARALLELISM} key groups in one subtask. */
    private static KeyedOneInputStreamOperatorTestHarness<Integer, IndexBatch, IndexHit> indexHarness(int cap) throws Exception {
        return new KeyedOneInputStreamOperatorTestHarness<>(new EventIndex(IndexKeys.Layout.DEFAULT, cap),
                (IndexBatch b) -> b.route, Types.INT, EventIndex.MAX_PARALLELISM, 1, 0);
    }

    private static List<IndexBatch> lookups(ClipFingerprint f, IndexKeys.Layout layout) {
        return IndexBatch.of(f, layout, EventIndex.MAX_PARALLELISM).stream().filter(b -> !b.stored).toList();
    }

    private static IndexBatch posting(int key, String clip, long epoch, long sketch) {
        IndexBatch b = new IndexBatch();
        b.route = KeyGroupRoutes.route(org.apache.flink.runtime.state.KeyGroupRangeAssignment.assignToKeyGroup(key,
                EventIndex.MAX_PARALLELISM), EventIndex.MAX_PARALLELISM);
        b.clipId = clip;
        b.clipKey = ClipKey.of(clip);
        b.epoch = epoch;
        b.captureMs = DedupOrder.UNKNOWN_CAPTURE;
        b.keys = new int[] {key};
        b.ends = new int[] {1};
        b.sketches = new long[] {sketch};
        b.atMs = new int[] {0};
        b.stored = true;
        return b;
    }

    private static IndexBatch lookup(int key, String clip, long sketch) {
        IndexBatch b = posting(key, clip, 5, sketch);
        b.stored = false;
        return b;
    }

    @Test
    void fingerprintStoreAnswersEachPairOnceAndLetsEarlyPairsWait() throws Exception {
        ClipFingerprint kept = SyntheticFingerprints.clip(1, "kept", null, 1, FRAMES);
        try (var harness = new KeyedTwoInputStreamOperatorTestHarness<>(new KeyedCoProcessOperator<>(new FingerprintStore()),
                (ClipFingerprint f) -> ClipKey.of(f.clipId), (CandidatePair p) -> p.earlierClipKey, Types.LONG)) {
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
        return CandidatePair.of(clip, 1, ClipKey.of(earlier));
    }

    private static Probe probe(String clip, long clipEpoch, ClipFingerprint earlier) {
        Probe p = new Probe();
        p.clipId = clip;
        p.clipEpoch = clipEpoch;
        p.earlier = earlier;
        return p;
    }
}
