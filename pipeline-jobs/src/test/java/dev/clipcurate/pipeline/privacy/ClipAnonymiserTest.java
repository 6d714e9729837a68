package dev.clipcurate.pipeline.privacy;

import dev.clipcurate.pipeline.intake.ClipTask;
import dev.clipcurate.pipeline.media.DecodeLimits;
import dev.clipcurate.pipeline.media.FrameSample;
import dev.clipcurate.pipeline.testing.PassRun;
import dev.clipcurate.pipeline.testing.TestClips;
import dev.clipcurate.pipeline.testing.TestFootage;
import dev.clipcurate.schemas.ClipRow;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.opencv.opencv_core.Mat;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;

import static org.bytedeco.opencv.global.opencv_imgcodecs.IMREAD_COLOR;
import static org.bytedeco.opencv.global.opencv_imgcodecs.imdecode;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A clip of a real photo with a face, through both passes, checked frame by frame by both detectors. */
class ClipAnonymiserTest {
    @TempDir static Path tmp;
    static Path clip;
    static BlazeFaceDetector referee;
    static FaceLeakVerifier verifier;

    @BeforeAll
    static void makeClip() throws Exception {
        // three people (tracking.js example photo, 600x346) panned through a 480x340 window for 3 s
        clip = TestClips.panning(tmp.resolve("pan.mp4"), TestFootage.sample("faces.jpg"), 480, 340, 10, 3);
        referee = new BlazeFaceDetector(0.5f);
        verifier = new FaceLeakVerifier();
    }

    @AfterAll
    static void close() throws Exception {
        referee.close();
        verifier.close();
    }

    static Mat decode(AnonymisedFrame f) {
        return imdecode(new Mat(new BytePointer(f.jpeg)), IMREAD_COLOR);
    }

    @Test
    void noWrittenFrameShowsAFace() throws Exception {
        try (ClipAnonymiser anonymiser = new ClipAnonymiser(DecodeLimits.defaults(), PrivacySettings.defaults())) {
            ClipAnonymiser.Outcome out = anonymiser.anonymise(clip.toFile(), ConsentedRegions.parse(null), "pan");
            // frames the verifier still flags (it also fires on a bookshelf here) are never written
            assertEquals(6, out.frames().size() + out.leakFrames(), "3 s at 2 fps");
            assertTrue(out.frames().size() >= 4, "written: " + out.frames().size());
            for (int i = 0; i < out.frames().size(); i++) {
                try (Mat frame = decode(out.frames().get(i))) {
                    assertTrue(out.frames().get(i).facesDetected >= 2, "faces detected in written frame " + i);
                    assertTrue(referee.detect(frame).stream().noneMatch(f -> f.score() > 0.8), "BlazeFace, frame " + i);
                }
            }
            // deterministic: the same file gives the same bytes
            ClipAnonymiser.Outcome again = anonymiser.anonymise(clip.toFile(), ConsentedRegions.parse(null), "pan");
            assertTrue(java.util.Arrays.equals(out.frames().get(3).jpeg, again.frames().get(3).jpeg));
        }
    }

    @Test
    void aFaceTheDetectorMissesQuarantinesTheClip() throws Exception {
        // detectors too strict to find anything stand in for a missed face: the verifier must catch it
        PrivacySettings blind = new PrivacySettings(0.999f, 2f, Anonymiser.Mode.MOSAIC, 2, 4, 1.3);
        ClipTask task = dev.clipcurate.pipeline.testing.TestTasks.task("pan", "car-door");
        task.resolvedPath = clip.toUri().toString();
        PassRun.Result result = PassRun.run(tmp, List.of(task), blind);
        assertNull(result.analysed().get(0).anonymisedFrames, "no frame of a leaking clip leaves the decoding pass");
        assertEquals(List.of(), result.frames(), "no frame of a leaking clip is written");
        ClipRow row = result.rows().get(0);
        assertEquals("quarantined", row.getDecision());
        assertEquals("face_leak", row.getReason());
        assertEquals(0, row.getFramesWritten());
        assertTrue(row.getReasonDetail().contains("showed the verifier a face"), row.getReasonDetail());
    }

    @Test
    void aConsentedSubjectStaysVisibleAndNobodyElse() throws Exception {
        // the region covers the whole frame for the whole clip: the subject consented to appear
        ConsentedRegions all = ConsentedRegions.parse(
                "[{\"subject\":\"consent-1\",\"region\":{\"x\":0,\"y\":0,\"w\":1,\"h\":1},\"from_ms\":0,\"to_ms\":60000}]");
        try (ClipAnonymiser anonymiser = new ClipAnonymiser(DecodeLimits.defaults(), PrivacySettings.defaults())) {
            ClipAnonymiser.Outcome out = anonymiser.anonymise(clip.toFile(), all, "pan");
            assertEquals(0, out.leakFrames(), "consented faces are not leaks");
            assertEquals(6, out.frames().size());
            try (Mat frame = decode(out.frames().get(2))) {
                assertTrue(referee.detect(frame).stream().filter(f -> f.score() > 0.8).count() >= 2,
                        "the consenting faces stay visible");
            }
            assertEquals(0, out.frames().get(2).boxesAnonymised, "nothing anonymised");
        }
    }
}
