package dev.clipcurate.pipeline.privacy;

import dev.clipcurate.pipeline.intake.ClipTask;
import dev.clipcurate.pipeline.intake.Decisions;
import dev.clipcurate.pipeline.media.ClipDecoder;
import dev.clipcurate.pipeline.media.DecodeGuard;
import dev.clipcurate.pipeline.media.DecodeLimits;
import dev.clipcurate.pipeline.media.FrameSample;
import dev.clipcurate.pipeline.testing.TestClips;
import dev.clipcurate.pipeline.testing.TestFootage;
import dev.clipcurate.pipeline.testing.TestTasks;
import dev.clipcurate.schemas.ClipRow;
import org.apache.flink.streaming.util.ProcessFunctionTestHarnesses;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.opencv.opencv_core.Mat;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.bytedeco.opencv.global.opencv_imgcodecs.IMREAD_COLOR;
import static org.bytedeco.opencv.global.opencv_imgcodecs.imdecode;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Heads that face detectors miss, in real footage: people of the street camera (vtest.avi, frame 260) seen
 * closer, as a doorbell camera would (a part of the frame scaled 2.7× to 3.2×, to 640×480). The head boxes were
 * drawn by hand on these frames for this test: a man walking left, his face in profile; a man standing with his
 * back half turned to the camera. Each must be found by the head detector and be masked in the written frames.
 */
class HeadDetectorTest {
    @TempDir Path tmp;

    /** A scene: the crop of frame 260 and the hand-drawn head box in the 640×480 clip (x, y, w, h). */
    private record Scene(String name, int[] crop, int[] head) {}

    private static final Scene PROFILE = new Scene("profile", new int[] {440, 180, 240, 180}, new int[] {262, 168, 38, 38});
    private static final Scene TURNED_AWAY = new Scene("turned-away", new int[] {420, 140, 200, 150}, new int[] {230, 118, 32, 34});

    @Test
    void headsInProfileAndTurnedAwayAreFoundAndMaskedInTheWrittenFrames() throws Exception {
        for (Scene scene : List.of(PROFILE, TURNED_AWAY)) {
            Path clip = TestClips.stillCrop(TestFootage.streetCamera(), tmp.resolve(scene.name + ".mp4"), 260,
                    scene.crop[0], scene.crop[1], scene.crop[2], scene.crop[3], 640, 480, 2);
            FaceBox truth = new FaceBox(scene.head[0], scene.head[1], scene.head[2], scene.head[3], 1);
            // the decoder's frames live in its pointer scope: keep their pixels
            List<byte[]> originals = new ArrayList<>();
            new ClipDecoder(DecodeLimits.defaults()).decode(clip.toFile(), (i, ts, image) -> originals.add(pixels(image)));

            List<FaceBox> heads;
            List<FaceBox> faces;
            try (HeadDetector detector = new HeadDetector(HeadDetector.PERSON_THRESHOLD); BlazeFaceDetector blazeFace = new BlazeFaceDetector(0.5f);
                 BytePointer data = new BytePointer(originals.get(0));
                 Mat first = new Mat(480, 640, org.bytedeco.opencv.global.opencv_core.CV_8UC3, data)) {
                heads = detector.detect(first);
                faces = blazeFace.detect(first);
            }
            assertTrue(heads.stream().anyMatch(h -> h.iou(truth) >= 0.3), scene.name + ": " + heads);
            FaceBox found = heads.stream().filter(h -> h.iou(truth) >= 0.3).findFirst().orElseThrow();
            assertTrue(found.w() * found.h() <= 2 * truth.w() * truth.h(), scene.name + ": a mask no more than twice the head: " + found);
            System.out.printf("%s: head %s (truth %s, IoU %.2f); BlazeFace alone: %s%n", scene.name, found, truth,
                    found.iou(truth), faces.stream().filter(f -> f.intersectionArea(truth) > 0).toList());

            AnonymiseClip operator = new AnonymiseClip(DecodeLimits.defaults(), DecodeGuard.none(), PrivacySettings.defaults(), "b1");
            try (var harness = ProcessFunctionTestHarnesses.forProcessFunction(operator)) {
                ClipTask task = TestTasks.task(scene.name, "package-theft");
                task.resolvedPath = clip.toUri().toString();
                harness.processElement(task, 1);
                ClipRow row = harness.getSideOutput(Decisions.TAG).peek().getValue();
                assertEquals("accepted", row.getDecision(), row.toString());
                List<FrameSample> written = harness.extractOutputValues();
                assertEquals(originals.size(), written.size());
                for (int i = 0; i < written.size(); i++) {
                    try (Mat encoded = new Mat(new BytePointer(written.get(i).jpeg)); Mat decoded = imdecode(encoded, IMREAD_COLOR)) {
                        byte[] out = pixels(decoded);
                        double head = meanAbsDiff(originals.get(i), out, scene.head);
                        // the same size of empty road at the bottom right: JPEG noise only
                        double road = meanAbsDiff(originals.get(i), out, new int[] {560, 380, scene.head[2], scene.head[3]});
                        assertTrue(head > 4 * road && head > 6, String.format("%s frame %d: head changed by %.1f, road by %.1f",
                                scene.name, i, head, road));
                    }
                }
            }
        }
    }

    @Test
    void aFaceInsideAHeadIsOnePersonAndAConsentCoversBoth() {
        FaceBox head = new FaceBox(100, 100, 40, 48, 0.5f);
        FaceBox faceInHead = new FaceBox(108, 112, 24, 24, 0.9f);
        FaceBox otherFace = new FaceBox(400, 100, 30, 30, 0.9f);
        ClipAnonymiser.Found found = new ClipAnonymiser.Found(List.of(faceInHead, otherFace), List.of(head));
        assertEquals(2, found.people());
        assertEquals(3, found.boxes().size(), "all masked");
        ConsentedRegions leftHalf = ConsentedRegions.parse(
                "[{\"subject\":\"c-1\",\"region\":{\"x\":0,\"y\":0,\"w\":0.5,\"h\":1},\"from_ms\":0,\"to_ms\":1000}]");
        ClipAnonymiser.Found bystanders = found.bystanders(leftHalf, 500, 640, 480);
        assertEquals(List.of(otherFace), bystanders.boxes(), "the consenting subject's face and head stay visible");
        assertEquals(1, bystanders.people());
    }

    private static byte[] pixels(Mat bgr) {
        assertEquals(640, bgr.cols());
        byte[] p = new byte[(int) (bgr.total() * bgr.channels())];
        bgr.data().get(p);
        return p;
    }

    /** Mean absolute difference per channel value inside the rectangle (x, y, w, h) of two 640-wide BGR frames. */
    private static double meanAbsDiff(byte[] pa, byte[] pb, int[] r) {
        long sum = 0;
        int n = 0;
        for (int y = r[1]; y < r[1] + r[3]; y++) {
            for (int x = r[0]; x < r[0] + r[2]; x++) {
                for (int c = 0; c < 3; c++) {
                    int at = (y * 640 + x) * 3 + c;
                    sum += Math.abs((pa[at] & 0xFF) - (pb[at] & 0xFF));
                    n++;
                }
            }
        }
        return (double) sum / n;
    }
}
