package dev.clipcurate.pipeline.pass;

import dev.clipcurate.pipeline.common.Campaigns;
import dev.clipcurate.pipeline.intake.ClipTask;
import dev.clipcurate.pipeline.media.DecodeGuard;
import dev.clipcurate.pipeline.media.DecodeLimits;
import dev.clipcurate.pipeline.media.FrameSample;
import dev.clipcurate.pipeline.privacy.ClipAnonymiser;
import dev.clipcurate.pipeline.privacy.ConsentedRegions;
import dev.clipcurate.pipeline.privacy.PrivacySettings;
import dev.clipcurate.pipeline.scoring.ScoringSettings;
import dev.clipcurate.pipeline.testing.PassRun;
import dev.clipcurate.pipeline.testing.TestClips;
import dev.clipcurate.pipeline.testing.TestFootage;
import dev.clipcurate.pipeline.testing.TestTasks;
import org.apache.flink.streaming.util.ProcessFunctionTestHarnesses;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DecodeOnceTest {
    @TempDir Path tmp;

    private static ClipTask task(String id, Path clip) {
        ClipTask task = TestTasks.task(id, "package-theft");
        task.resolvedPath = clip.toUri().toString();
        return task;
    }

    /** The garden clip (nobody in view) scores below the minimum: fingerprinted and scored, never anonymised. */
    @Test
    void aClipBelowTheMinimumScoreGetsNoFaceWork() throws Exception {
        ClipTask tree = task("tree", TestFootage.sample("tree.avi"));
        PassRun.Result result = PassRun.run(List.of(tree), Campaigns.load(null), DecodeGuard.none(), PrivacySettings.defaults());
        ClipTask out = result.analysed().get(0);
        assertTrue(out.belowMinimumScore, out.scoreDetail);
        assertNotNull(out.fingerprint, "fingerprinted in the same pass");
        assertNotNull(out.clipScore);
        assertNull(out.anonymisedFrames);
        assertEquals(0, out.framesVerified, "no frame went through the privacy stage");
        assertEquals(List.of(), result.frames());
    }

    /**
     * A clip longer than the frames the pass holds (40 s at 2 fps = 80 sampled frames, 64 held) starts its privacy
     * work while decoding; its frames are byte for byte those of anonymising the file on its own.
     */
    @Test
    void aClipLongerThanTheHoldLimitIsAnonymisedAsTheFileAloneWouldBe() throws Exception {
        Path clip = TestClips.panning(tmp.resolve("long.mp4"), TestFootage.sample("faces.jpg"), 320, 240, 10, 40);
        PassRun.Result result = PassRun.run(tmp, List.of(task("long", clip)));
        assertTrue(result.frames().size() > PassFrames.MAX_HELD, "frames: " + result.frames().size());
        try (ClipAnonymiser reference = new ClipAnonymiser(DecodeLimits.defaults(), PrivacySettings.defaults())) {
            ClipAnonymiser.Outcome alone = reference.anonymise(clip.toFile(), ConsentedRegions.parse(null), "long");
            assertEquals(0, alone.leakFrames());
            assertEquals(alone.frames().size(), result.frames().size());
            for (int i = 0; i < alone.frames().size(); i++) {
                FrameSample written = result.frames().get(i);
                assertEquals(alone.frames().get(i).tsMs, written.tsMs);
                assertArrayEquals(alone.frames().get(i).jpeg, written.jpeg, "frame " + i);
            }
        }
    }

    /** The fingerprint keeps its own 2 fps whatever the job samples, so fingerprints compare across builds. */
    @Test
    void theFingerprintSamplesAtItsOwnRate() throws Exception {
        DecodeLimits oneFps = new DecodeLimits(1.0, 320, 90, 3840, 2160, 600, 120, 1);
        DecodeOnce pass = new DecodeOnce(oneFps, DecodeGuard.none(), false, ScoringSettings.defaults(),
                PassRun.everyClipScoresEnough(tmp), PrivacySettings.defaults(), "b1");
        try (var harness = ProcessFunctionTestHarnesses.forProcessFunction(pass)) {
            harness.processElement(task("megamind", TestFootage.megamind()), 1);
            ClipTask out = harness.extractOutputValues().get(0);
            assertEquals(12, out.frameTimesMs.length, "the job's 1 fps over 11.3 s");
            assertEquals(23, out.fingerprint.tsMs.length, "the fingerprint's 2 fps");
            assertEquals(12, out.anonymisedFrames.length);
            assertTrue(out.anonymisedFrames[0].width <= 320, "the job's long side");
        }
    }
}
