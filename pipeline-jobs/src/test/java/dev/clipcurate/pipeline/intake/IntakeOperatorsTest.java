package dev.clipcurate.pipeline.intake;

import dev.clipcurate.pipeline.common.Hashing;
import dev.clipcurate.pipeline.testing.TestTasks;
import dev.clipcurate.schemas.ClipRow;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.api.operators.ProcessOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The intake operators in Flink's operator test harnesses: outputs, side outputs and restored state. */
class IntakeOperatorsTest {
    @TempDir Path tmp;

    static ClipTask task(String clipId, String uri, String sha, long size) {
        ClipTask t = TestTasks.task(clipId, "car-door");
        t.clipUri = uri;
        t.sha256 = sha;
        t.sizeBytes = size;
        return t;
    }

    @Test
    void redeliveriesAreDroppedAlsoAfterRestoringState() throws Exception {
        OperatorSubtaskState snapshot;
        try (var harness = keyed()) {
            harness.open();
            harness.processElement(task("a", "a.mp4", "", 0), 1);
            harness.processElement(task("b", "b.mp4", "", 0), 2);
            harness.processElement(task("a", "a.mp4", "", 0), 3);
            assertEquals(List.of("a", "b"), harness.extractOutputValues().stream().map(t -> t.clipId).toList());
            snapshot = harness.snapshot(1, 10);
        }
        try (var restored = keyed()) {
            restored.initializeState(snapshot);
            restored.open();
            restored.processElement(task("a", "a.mp4", "", 0), 4);
            restored.processElement(task("c", "c.mp4", "", 0), 5);
            assertEquals(List.of("c"), restored.extractOutputValues().stream().map(t -> t.clipId).toList());
        }
    }

    private static KeyedOneInputStreamOperatorTestHarness<String, ClipTask, ClipTask> keyed() throws Exception {
        return keyed(List.of());
    }

    private static KeyedOneInputStreamOperatorTestHarness<String, ClipTask, ClipTask> keyed(List<String> earlier)
            throws Exception {
        return new KeyedOneInputStreamOperatorTestHarness<>(new KeyedProcessOperator<>(new DropRedeliveries(earlier)),
                t -> t.clipId, Types.STRING);
    }

    @Test
    void clipIdsOfEarlierVersionsAreTakenUnlessTheClipMayBeJudgedAgain() throws Exception {
        List<ClipRow> rows = new java.util.ArrayList<>();
        for (String[] r : new String[][] {{"kept", "accepted", null}, {"cut", "rejected", "truncated_video"},
                {"crashed", "rejected", "decoder_crash"}, {"unconsented", "rejected", "no_consent"},
                {"failed", "rejected", "processing_error"}, {"invalid", "rejected", "schema_violation"}}) {
            rows.add(Decisions.rejected(task(r[0], r[0] + ".mp4", "", 0), new ClipRejected(RejectReason.PROCESSING_ERROR, "x"), "b0"));
            rows.get(rows.size() - 1).setDecision(r[1]);
            rows.get(rows.size() - 1).setReason(r[2]);
        }
        org.apache.flink.core.fs.Path manifest = new org.apache.flink.core.fs.Path(tmp.resolve("clips-0.parquet").toUri());
        dev.clipcurate.pipeline.shards.ManifestFiles.write(manifest, ClipRow.class, rows);
        try (var harness = keyed(List.of(manifest.toString()))) {
            harness.open();
            for (String id : List.of("kept", "cut", "crashed", "unconsented", "failed", "invalid", "new")) {
                harness.processElement(task(id, id + ".mp4", "", 0), 1);
            }
            assertEquals(List.of("unconsented", "failed", "invalid", "new"),
                    harness.extractOutputValues().stream().map(t -> t.clipId).toList());
        }
    }

    @Test
    void landingFileChecksGiveTheirReasonCodes() throws Exception {
        Path root = Files.createDirectories(tmp.resolve("landing"));
        byte[] content = "pretend video bytes".getBytes(StandardCharsets.UTF_8);
        Files.write(root.resolve("ok.mp4"), content);
        Files.write(root.resolve("big.mp4"), new byte[2048]);
        String sha = Hashing.sha256Hex(content);
        Process mkfifo = new ProcessBuilder("mkfifo", root.resolve("pipe.mp4").toString()).start();
        assertEquals(0, mkfifo.waitFor());
        ResolveLandingFile resolve = new ResolveLandingFile(new LandingArea(root.toString()), 1024, "b1");
        try (var harness = new OneInputStreamOperatorTestHarness<>(new ProcessOperator<>(resolve))) {
            harness.open();
            harness.processElement(new StreamRecord<>(task("ok", "ok.mp4", sha, content.length)));
            harness.processElement(new StreamRecord<>(task("gone", "missing.mp4", sha, content.length)));
            harness.processElement(new StreamRecord<>(task("escape", "../ok.mp4", sha, content.length)));
            harness.processElement(new StreamRecord<>(task("tampered", "ok.mp4", "0".repeat(64), content.length)));
            harness.processElement(new StreamRecord<>(task("resized", "ok.mp4", sha, content.length + 1)));
            harness.processElement(new StreamRecord<>(task("huge", "big.mp4", sha, 2048)));
            harness.processElement(new StreamRecord<>(task("dir", ".", sha, 0)));
            harness.processElement(new StreamRecord<>(task("fifo", "pipe.mp4", sha, 0)));
            assertEquals(List.of("ok"), harness.extractOutputValues().stream().map(t -> t.clipId).toList());
            List<String> reasons = harness.getSideOutput(Decisions.TAG).stream()
                    .map(r -> ((ClipRow) r.getValue()).getClipId() + ":" + ((ClipRow) r.getValue()).getReason()).toList();
            assertEquals(List.of("gone:missing_file", "escape:uri_outside_landing", "tampered:sha256_mismatch",
                    "resized:size_mismatch", "huge:file_too_large", "dir:missing_file", "fifo:missing_file"), reasons);
        }
    }
}
