package dev.clipcurate.pipeline.dedup;

import dev.clipcurate.pipeline.intake.ClipTask;
import dev.clipcurate.pipeline.intake.Decisions;
import dev.clipcurate.pipeline.shards.ManifestFiles;
import dev.clipcurate.pipeline.testing.TestTasks;
import dev.clipcurate.schemas.ClipRow;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Exact copies in Flink's operator harness: arrival order (streaming), capture order (batch), earlier versions. */
class DropExactCopiesTest {
    static final String SHA_A = "a".repeat(64);
    static final String SHA_B = "b".repeat(64);
    @TempDir Path tmp;

    static ClipTask task(String clipId, String sha, String capturedAt) {
        ClipTask t = TestTasks.task(clipId, "parcel");
        t.sha256 = sha;
        t.capturedAt = capturedAt;
        return t;
    }

    @Test
    void streamingKeepsTheFirstToArriveAlsoAfterARestore() throws Exception {
        OperatorSubtaskState snapshot;
        try (var harness = harness(List.of(), false)) {
            harness.open();
            harness.processElement(task("late-capture", SHA_A, "2026-05-01T10:05:00Z"), 1);
            harness.processElement(task("other", SHA_B, "2026-05-01T10:00:00Z"), 2);
            assertEquals(List.of("late-capture", "other"), harness.extractOutputValues().stream().map(t -> t.clipId).toList());
            snapshot = harness.snapshot(1, 10);
        }
        try (var harness = harness(List.of(), false)) {
            harness.initializeState(snapshot);
            harness.open();
            harness.processElement(task("early-capture", SHA_A, "2026-05-01T10:00:00Z"), 3);
            assertEquals(List.of(), harness.extractOutputValues());
            assertEquals(List.of("early-capture:late-capture"), copies(harness));
        }
    }

    @Test
    void batchKeepsTheFirstCapturedThenTheSmallestClipIdWhateverTheArrivalOrder() throws Exception {
        for (List<String> arrival : List.of(List.of("c", "b", "a"), List.of("a", "c", "b"))) {
            try (var harness = harness(List.of(), true)) {
                harness.open();
                for (String id : arrival) {
                    // b and c were captured at the same instant (different offsets), a later
                    String at = switch (id) {
                        case "a" -> "2026-05-01T10:05:00Z";
                        case "b" -> "2026-05-01T12:00:00+02:00";
                        default -> "2026-05-01T10:00:00Z";
                    };
                    harness.processElement(task(id, SHA_A, at), 1);
                }
                assertEquals(List.of(), harness.extractOutputValues(), "nothing is decided before the input ends");
                harness.processWatermark(Long.MAX_VALUE);
                assertEquals(List.of("b"), harness.extractOutputValues().stream().map(t -> t.clipId).toList());
                assertEquals(List.of("a:b", "c:b"), copies(harness).stream().sorted().toList());
            }
        }
    }

    @Test
    void aClipAcceptedInAnEarlierVersionWins() throws Exception {
        Path manifest = tmp.resolve("clips-000001.parquet");
        ManifestFiles.write(new org.apache.flink.core.fs.Path(manifest.toUri()), ClipRow.class, List.of(
                row("v1-accepted", SHA_A, Decisions.ACCEPTED), row("v1-rejected", SHA_B, Decisions.REJECTED)));
        try (var harness = harness(List.of(manifest.toUri().toString()), true)) {
            harness.open();
            harness.processElement(task("new-a", SHA_A, "2020-01-01T00:00:00Z"), 1);
            harness.processElement(task("new-b", SHA_B, "2026-05-01T10:00:00Z"), 2);
            harness.processWatermark(Long.MAX_VALUE);
            assertEquals(List.of("new-b"), harness.extractOutputValues().stream().map(t -> t.clipId).toList());
            assertEquals(List.of("new-a:v1-accepted"), copies(harness));
            ClipRow row = (ClipRow) harness.getSideOutput(Decisions.TAG).peek().getValue();
            assertEquals("duplicate", row.getDecision());
            assertEquals("exact_copy", row.getReason());
            assertEquals(0f, row.getDupDistance());
        }
    }

    private static ClipRow row(String clipId, String sha, String decision) {
        return ClipRow.newBuilder().setClipId(clipId).setSha256(sha).setDecision(decision).setSourceTopic("t")
                .setSourcePartition(0).setSourceOffset(0).setBuildId("b0").setProcessedAt("2026-01-01T00:00:00Z").build();
    }

    private static List<String> copies(KeyedOneInputStreamOperatorTestHarness<String, ClipTask, ClipTask> harness) {
        return harness.getSideOutput(Decisions.TAG).stream()
                .map(r -> ((ClipRow) r.getValue()).getClipId() + ":" + ((ClipRow) r.getValue()).getDupOf()).toList();
    }

    private static KeyedOneInputStreamOperatorTestHarness<String, ClipTask, ClipTask> harness(List<String> manifests,
                                                                                           boolean batch) throws Exception {
        return new KeyedOneInputStreamOperatorTestHarness<>(
                new KeyedProcessOperator<>(new DropExactCopies(manifests, batch, "b1")), t -> t.sha256, Types.STRING);
    }
}
