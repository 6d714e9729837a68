package dev.clipcurate.pipeline.media;

import dev.clipcurate.pipeline.common.Hashing;
import dev.clipcurate.pipeline.common.Campaigns;
import dev.clipcurate.pipeline.pass.DecodeOnce;
import dev.clipcurate.pipeline.privacy.PrivacySettings;
import dev.clipcurate.pipeline.scoring.ScoringSettings;
import dev.clipcurate.pipeline.intake.ClipTask;
import dev.clipcurate.pipeline.intake.Decisions;
import dev.clipcurate.pipeline.testing.TestFootage;
import dev.clipcurate.pipeline.testing.TestTasks;
import dev.clipcurate.schemas.ClipRow;
import org.apache.flink.streaming.util.ProcessFunctionTestHarnesses;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A process that dies of a segmentation fault in the middle of a guarded decode leaves its marker; the next
 * attempt, in another process as after a restart, rejects the clip decoder_crash without decoding it.
 */
class DecodeGuardTest {
    @TempDir Path tmp;

    @Test
    void aClipWhoseDecodeKilledTheProcessIsRejectedDecoderCrashAtTheNextAttempt() throws Exception {
        Path clip = Files.copy(TestFootage.megamind(), tmp.resolve("clip.avi"));
        String sha;
        try (InputStream in = Files.newInputStream(clip)) {
            sha = Hashing.sha256Hex(in);
        }
        Path markers = tmp.resolve("warehouse/clips/_decoding");

        // a separate JVM, as a TaskManager: it crashes in native code while decoding
        Process child = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx512m", "-XX:-CreateCoredumpOnCrash", "-XX:ErrorFile=" + tmp.resolve("hs_err.log"),
                "-cp", System.getProperty("java.class.path"), CrashingDecode.class.getName(),
                markers.toString(), clip.toString(), sha)
                .directory(tmp.toFile()).redirectErrorStream(true).start();
        String output = new String(child.getInputStream().readAllBytes());
        assertTrue(child.waitFor(2, TimeUnit.MINUTES));
        assertTrue(output.contains("crashing while decoding"), output);
        assertFalse(output.contains("decoded without crashing"), output);
        assertNotEquals(0, child.exitValue(), output);
        assertTrue(Files.exists(markers.resolve(sha)), "the dead attempt's marker stays");
        assertEquals(1, new DecodeGuard(markers.toUri().toString(), 1).deaths(sha));

        // the restarted operator meets the clip again: a row, no decode, no crash
        ClipTask task = TestTasks.task("crasher", "car-door");
        task.sha256 = sha;
        task.resolvedPath = clip.toUri().toString();
        DecodeGuard guard = new DecodeGuard(markers.toUri().toString(), 1);
        try (var harness = ProcessFunctionTestHarnesses.forProcessFunction(
                pass(guard))) {
            harness.processElement(task, 1);
            assertEquals(List.of(), harness.extractOutputValues());
            List<ClipRow> rows = harness.getSideOutput(Decisions.TAG).stream().map(r -> r.getValue()).toList();
            assertEquals(1, rows.size());
            assertEquals("decoder_crash", rows.get(0).getReason());
            assertTrue(rows.get(0).getReasonDetail().contains("died 1 time(s)"), rows.get(0).getReasonDetail());
        }
        assertTrue(Files.exists(markers.resolve(sha)), "kept: the same bytes donated again are not decoded either");

        // with a limit of 2 deaths the clip gets one more try; a decode that ends clears its marker
        ClipTask again = TestTasks.task("crasher-again", "car-door");
        again.sha256 = sha;
        again.resolvedPath = clip.toUri().toString();
        try (var harness = ProcessFunctionTestHarnesses.forProcessFunction(
                pass(new DecodeGuard(markers.toUri().toString(), 2)))) {
            harness.processElement(again, 1);
            assertEquals(1, harness.extractOutputValues().size(), "decoded");
        }
        assertFalse(Files.exists(markers.resolve(sha)));
    }

    @Test
    void aMarkerOfThisLiveJvmIsNoCrash() throws Exception {
        // a cancelled task of a MiniCluster may still be decoding when its restarted successor meets the clip
        Path clip = Files.copy(TestFootage.megamind(), tmp.resolve("clip.avi"));
        String sha = Hashing.sha256Hex(Files.readAllBytes(clip));
        DecodeGuard guard = new DecodeGuard(tmp.resolve("markers").toUri().toString(), 1);
        ClipDecoder decoder = new ClipDecoder(DecodeLimits.defaults());
        int[] frames = {0};
        guard.around(sha, () -> {
            assertEquals(0, guard.deaths(sha), "the marker of a live attempt counts no death");
            return guard.around(sha, () -> decoder.decode(clip.toFile(), (i, ts, image) -> frames[0]++));
        });
        assertEquals(23, frames[0]);
    }

    @Test
    void aDecodeThatEndsInAnExceptionClearsItsMarkerToo() throws Exception {
        Path notVideo = Files.writeString(tmp.resolve("letter.mp4"), "Dear curators,\n".repeat(50));
        String sha = Hashing.sha256Hex(Files.readAllBytes(notVideo));
        Path markers = tmp.resolve("markers");
        ClipTask task = TestTasks.task("letter", "car-door");
        task.sha256 = sha;
        task.resolvedPath = notVideo.toUri().toString();
        try (var harness = ProcessFunctionTestHarnesses.forProcessFunction(
                pass(new DecodeGuard(markers.toUri().toString(), 1)))) {
            harness.processElement(task, 1);
            assertEquals("not_a_video", harness.getSideOutput(Decisions.TAG).peek().getValue().getReason());
        }
        assertFalse(Files.exists(markers.resolve(sha)));
    }

    /** The job's decoding pass, with the bundled campaign rules. */
    private static DecodeOnce pass(DecodeGuard guard) throws java.io.IOException {
        return new DecodeOnce(DecodeLimits.defaults(), guard, false, ScoringSettings.defaults(), Campaigns.load(null),
                PrivacySettings.defaults(), "b1");
    }
}
