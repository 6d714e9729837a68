package dev.clipcurate.pipeline.privacy;

import dev.clipcurate.pipeline.intake.ClipTask;
import dev.clipcurate.pipeline.media.ClipDecoder;
import dev.clipcurate.pipeline.media.DecodeLimits;
import dev.clipcurate.pipeline.media.FrameSample;
import dev.clipcurate.pipeline.testing.PixelChanges;
import dev.clipcurate.pipeline.testing.PassRun;
import dev.clipcurate.pipeline.testing.TestClips;
import dev.clipcurate.pipeline.testing.TestFootage;
import dev.clipcurate.pipeline.testing.TestTasks;
import dev.clipcurate.schemas.ClipRow;
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
import static org.junit.jupiter.api.Assertions.assertFalse;
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
            System.out.println(scene.name + ": all heads " + heads + " all faces " + faces);
            System.out.printf("%s: head %s (truth %s, IoU %.2f); BlazeFace alone: %s%n", scene.name, found, truth,
                    found.iou(truth), faces.stream().filter(f -> f.intersectionArea(truth) > 0).toList());

            {
                ClipTask task = TestTasks.task(scene.name, "package-theft");
                task.resolvedPath = clip.toUri().toString();
                PassRun.Result result = PassRun.run(tmp, List.of(task));
                ClipRow row = result.rows().get(0);
                assertEquals("accepted", row.getDecision(), row.toString());
                List<FrameSample> written = result.frames();
                assertEquals(originals.size(), written.size());
                for (int i = 0; i < written.size(); i++) {
                    try (Mat encoded = new Mat(new BytePointer(written.get(i).jpeg)); Mat decoded = imdecode(encoded, IMREAD_COLOR)) {
                        byte[] out = pixels(decoded);
                        if (System.getProperty("privacy.dump") != null) {
                            org.bytedeco.opencv.global.opencv_imgcodecs.imwrite(System.getProperty("privacy.dump") + "/"
                                    + scene.name + "-" + i + ".png", decoded);
                        }
                        double head = meanAbsDiff(originals.get(i), out, scene.head);
                        // the same size of empty road at the bottom right: JPEG noise only
                        double road = meanAbsDiff(originals.get(i), out, new int[] {560, 380, scene.head[2], scene.head[3]});
                        assertTrue(head > 4 * road && head > 6, String.format("%s frame %d: head changed by %.1f, road by %.1f",
                                scene.name, i, head, road));
                        // the mask follows the head: the changed region over it is at most twice the head's area
                        int[] changed = changedBounds(originals.get(i), out, scene.head);
                        double ratio = (double) changed[2] * changed[3] / (scene.head[2] * scene.head[3]);
                        System.out.printf("%s frame %d: changed region %s, %.2f x the head%n", scene.name, i,
                                java.util.Arrays.toString(changed), ratio);
                        assertTrue(ratio <= 2, String.format("%s frame %d: the mask %s is %.2f x the head %s", scene.name,
                                i, java.util.Arrays.toString(changed), ratio, java.util.Arrays.toString(scene.head)));
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
        assertEquals(3, found.boxes().size(), "all detected");
        List<FaceBox> masks = found.masks(1.3);
        assertEquals(2, masks.size(), "one mask per person: the face inside the head is merged into it");
        FaceBox grown = head.scaled(ClipAnonymiser.HEAD_MARGIN);
        assertEquals(grown.x(), masks.get(0).x(), 1e-9, "the face lies inside the head's margin");
        assertEquals(grown.y(), masks.get(0).y(), 1e-9);
        assertEquals(grown.w(), masks.get(0).w(), 1e-9);
        assertEquals(grown.h(), masks.get(0).h(), 1e-9);
        assertEquals(otherFace.scaled(1.3), masks.get(1), "a face without a head grows to cover its head");
        ConsentedRegions leftHalf = ConsentedRegions.parse(
                "[{\"subject\":\"c-1\",\"region\":{\"x\":0,\"y\":0,\"w\":0.5,\"h\":1},\"from_ms\":0,\"to_ms\":1000}]");
        ClipAnonymiser.Found bystanders = found.bystanders(leftHalf, 500, 640, 480);
        assertEquals(List.of(otherFace), bystanders.boxes(), "the consenting subject's face and head stay visible");
        assertEquals(1, bystanders.people());
    }

    /**
     * The bounding box (x, y, w, h) of the changed region that holds the head's centre: 4x4 blocks in which at least
     * 4 pixels moved by more than re-encoding moves them ({@link PixelChanges}), joined to their
     * neighbours. Other people's masks elsewhere in the frame are other regions.
     */
    private static int[] changedBounds(byte[] a, byte[] b, int[] head) {
        int cols = 640 / 4, rows = 480 / 4;
        boolean[] changed = new boolean[cols * rows];
        for (int by = 0; by < rows; by++) {
            for (int bx = 0; bx < cols; bx++) {
                int n = 0;
                for (int y = by * 4; y < by * 4 + 4; y++) {
                    for (int x = bx * 4; x < bx * 4 + 4; x++) {
                        if (PixelChanges.changed(a, b, (y * 640 + x) * 3)) n++;
                    }
                }
                changed[by * cols + bx] = n >= 4;
            }
        }
        // start from the changed block nearest the head's centre, inside the head box
        int start = -1;
        double best = Double.MAX_VALUE;
        for (int by = head[1] / 4; by < Math.min(rows, (head[1] + head[3]) / 4 + 1); by++) {
            for (int bx = head[0] / 4; bx < Math.min(cols, (head[0] + head[2]) / 4 + 1); bx++) {
                double d = Math.hypot(bx * 4 + 2 - (head[0] + head[2] / 2.0), by * 4 + 2 - (head[1] + head[3] / 2.0));
                if (changed[by * cols + bx] && d < best) {
                    best = d;
                    start = by * cols + bx;
                }
            }
        }
        if (start < 0) return new int[] {0, 0, 0, 0};
        int x0 = cols, y0 = rows, x1 = -1, y1 = -1;
        java.util.ArrayDeque<Integer> queue = new java.util.ArrayDeque<>(List.of(start));
        boolean[] seen = new boolean[cols * rows];
        seen[start] = true;
        while (!queue.isEmpty()) {
            int q = queue.poll(), bx = q % cols, by = q / cols;
            x0 = Math.min(x0, bx); y0 = Math.min(y0, by); x1 = Math.max(x1, bx); y1 = Math.max(y1, by);
            for (int[] d : new int[][] {{1, 0}, {-1, 0}, {0, 1}, {0, -1}}) {
                int nx = bx + d[0], ny = by + d[1];
                if (nx < 0 || ny < 0 || nx >= cols || ny >= rows || seen[ny * cols + nx] || !changed[ny * cols + nx]) continue;
                seen[ny * cols + nx] = true;
                queue.add(ny * cols + nx);
            }
        }
        return new int[] {x0 * 4, y0 * 4, (x1 - x0 + 1) * 4, (y1 - y0 + 1) * 4};
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

    @Test
    void aCoarseRunHeadCountsOnlyWhereTheFineRunHasNone() {
        FaceBox fine = new FaceBox(100, 100, 40, 48, 0.5f);
        assertTrue(HeadDetector.seenBefore(new FaceBox(104, 98, 42, 50, 0.4f), List.of(fine)), "the same head, a little off");
        assertTrue(HeadDetector.seenBefore(new FaceBox(90, 90, 70, 80, 0.4f), List.of(fine)), "a coarser box around it");
        assertFalse(HeadDetector.seenBefore(new FaceBox(300, 100, 40, 48, 0.4f), List.of(fine)), "another person");
        assertFalse(HeadDetector.seenBefore(new FaceBox(100, 100, 40, 48, 0.4f), List.of()), "the fine run saw nobody");
    }
}
