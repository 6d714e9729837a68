package dev.clipcurate.pipeline.shards;

import dev.clipcurate.pipeline.common.AvroJson;
import dev.clipcurate.pipeline.common.Hashing;
import dev.clipcurate.pipeline.testing.Warehouses;
import dev.clipcurate.schemas.ClipRow;
import dev.clipcurate.schemas.FrameRow;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/**
 * The job's version committer in an operator harness, sealing real files with the real sealer: it waits for every
 * file of a checkpoint and for the seal interval, and a restore that reports the same checkpoint again seals nothing
 * twice.
 */
class VersionCommitterTest {
    private static final long INTERVAL_MS = 10_000;

    @Test
    void sealsACheckpointOnceAllItsFilesArrivedAndTheIntervalPassed(@TempDir Path tmp) throws Exception {
        DatasetLayout layout = new DatasetLayout(tmp.resolve("warehouse").toString(), "clips");
        VersionSealer versions = new VersionSealer(layout);
        Files files = stage(layout, "b1", "c1", 0, 2);
        OperatorSubtaskState beforeSeal;
        try (var harness = harness(layout)) {
            harness.open();
            harness.processElement(CommitReport.summary(VersionSealer.FRAMES, 1, 0, 1, 1), 0);
            harness.processElement(CommitReport.committed(VersionSealer.FRAMES, 1, 0, files.tar, 100), 0);
            harness.processElement(CommitReport.summary(VersionSealer.CLIP_MANIFEST, 1, 0, 1, 1), 0);
            harness.setProcessingTime(INTERVAL_MS + 1_000);
            assertNull(versions.latest(), "the clip manifest of checkpoint 1 has not arrived: nothing sealed");

            harness.processElement(CommitReport.committed(VersionSealer.CLIP_MANIFEST, 1, 0, files.clips, 100), 0);
            beforeSeal = harness.snapshot(2, INTERVAL_MS + 1_500);
            harness.setProcessingTime(INTERVAL_MS + 2_000);
            var v1 = versions.latest();
            assertEquals("v000001", v1.get("name").asText());
            assertEquals(1, v1.get("build").get("checkpoint_id").asLong());
            assertEquals(2, v1.get("counts").get("frames_written").asLong());
            assertEquals(1, v1.get("counts").get("clips_accepted").asLong());
        }
        // the job failed after the seal and restored the snapshot taken before it: the committer reports
        // checkpoint 1 again; nothing is sealed twice
        try (var restored = harness(layout)) {
            restored.initializeState(beforeSeal);
            restored.open();
            report(restored, 1, 0, 1, files);
            restored.setProcessingTime(3 * INTERVAL_MS);
            restored.endInput();
        }
        assertEquals("v000001", versions.latest().get("name").asText());
    }

    @Test
    void aCheckpointWaitsForEveryCommitterSubtaskUntilTheInputEnds(@TempDir Path tmp) throws Exception {
        DatasetLayout layout = new DatasetLayout(tmp.resolve("warehouse").toString(), "clips");
        VersionSealer versions = new VersionSealer(layout);
        Files files = stage(layout, "b1", "c1", 0, 1);
        try (var harness = harness(layout)) {
            harness.open();
            // two committer subtasks per sink; subtask 1 sent its summaries, subtask 0 has not
            report(harness, 4, 1, 2, files);
            harness.setProcessingTime(2 * INTERVAL_MS);
            assertNull(versions.latest(), "subtask 0 has not reported checkpoint 4");
            // at the end of the input a finished writer subtask sends no summary: what arrived is sealed
            harness.endInput();
            assertEquals(4, versions.latest().get("build").get("checkpoint_id").asLong());
            assertEquals(true, versions.latest().get("build").get("input_ended").asBoolean());
        }
    }

    private static OneInputStreamOperatorTestHarness<CommitReport, Void> harness(DatasetLayout layout) throws Exception {
        return new OneInputStreamOperatorTestHarness<>(new VersionCommitter(layout, build("b1"),
                Set.of(VersionSealer.FRAMES, VersionSealer.CLIP_MANIFEST), INTERVAL_MS));
    }

    /** What committer subtask {@code subtask} of {@code subtasks} of each sink reports for a checkpoint: one file each. */
    private static void report(OneInputStreamOperatorTestHarness<CommitReport, Void> harness, long checkpoint,
                               int subtask, int subtasks, Files files) throws Exception {
        harness.processElement(CommitReport.summary(VersionSealer.FRAMES, checkpoint, subtask, subtasks, 1), 0);
        harness.processElement(CommitReport.committed(VersionSealer.FRAMES, checkpoint, subtask, files.tar, 100), 0);
        harness.processElement(CommitReport.summary(VersionSealer.CLIP_MANIFEST, checkpoint, subtask, subtasks, 1), 0);
        harness.processElement(CommitReport.committed(VersionSealer.CLIP_MANIFEST, checkpoint, subtask, files.clips, 100), 0);
    }

    private static BuildInfo build(String id) {
        Map<String, Map<Integer, long[]>> offsets = new TreeMap<>();
        offsets.put("clips.donated", new TreeMap<>(Map.of(0, new long[] {0, -1})));
        return new BuildInfo(id, "streaming", List.of(), offsets, Map.of("consent_scope", "training"), "test",
                Map.of(), Instant.now(), null);
    }

    private record Files(String tar, String clips) {}

    /** One accepted clip as a checkpoint commits it: a tar part with its frames, a clip-manifest part with its row. */
    private static Files stage(DatasetLayout layout, String buildId, String clipId, long offset, int frames) throws Exception {
        Path framesDir = java.nio.file.Files.createDirectories(Path.of(layout.framesDir(buildId).toUri()));
        Path tar = framesDir.resolve("frames-" + clipId + "-0-0.tar");
        try (TarArchiveOutputStream out = new TarArchiveOutputStream(java.nio.file.Files.newOutputStream(tar))) {
            for (int i = 0; i < frames; i++) {
                String key = clipId + "_" + i;
                byte[] jpg = ("jpeg " + key).getBytes(StandardCharsets.UTF_8);
                FrameRow row = FrameRow.newBuilder().setKey(key).setClipId(clipId).setDonorPseudonym("d")
                        .setCampaign("package-theft").setCameraId("cam").setFrameIndex(i).setTsMs(i * 500L)
                        .setWidth(4).setHeight(4).setSourceWidth(4).setSourceHeight(4)
                        .setJpgSha256(Hashing.sha256Hex(jpg)).setBuildId(buildId).setFacesDetected(0)
                        .setBoxesAnonymised(0).setAnonymiser("test").build();
                Warehouses.putTarMember(out, key + ".json", AvroJson.toJsonBytes(row));
                Warehouses.putTarMember(out, key + ".jpg", jpg);
            }
        }
        Path clipsDir = java.nio.file.Files.createDirectories(Path.of(layout.clipsDir(buildId).toUri()));
        var manifest = new org.apache.flink.core.fs.Path(clipsDir.resolve("clips-" + clipId + "-0-0.parquet").toUri());
        ManifestFiles.write(manifest, ClipRow.class, List.of(ClipRow.newBuilder().setClipId(clipId)
                .setDecision("accepted").setFramesWritten(frames).setSourceTopic("clips.donated").setSourcePartition(0)
                .setSourceOffset(offset).setDonorPseudonym("d").setBuildId(buildId)
                .setProcessedAt(Instant.now().toString()).setDonatedAt(Instant.now().minusSeconds(5).toString()).build()));
        return new Files(new org.apache.flink.core.fs.Path(tar.toUri()).toString(), manifest.toString());
    }
}
