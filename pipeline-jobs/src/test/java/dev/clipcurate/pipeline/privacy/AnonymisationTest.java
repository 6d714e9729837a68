package dev.clipcurate.pipeline.privacy;

import dev.clipcurate.pipeline.testing.TestFootage;
import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.opencv.opencv_core.Rect;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.bytedeco.opencv.global.opencv_imgcodecs.imread;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Anonymisation on a real face, checked by both detectors, and what each mode leaves of the face. */
class AnonymisationTest {
    static BlazeFaceDetector detector;
    static FaceLeakVerifier verifier;

    @BeforeAll
    static void load() throws Exception {
        detector = new BlazeFaceDetector(0.5f);
        verifier = new FaceLeakVerifier();
    }

    @AfterAll
    static void close() throws Exception {
        detector.close();
        verifier.close();
    }

    static Mat messi() {
        return imread(TestFootage.sample("messi5.jpg").toString());
    }

    static FaceBox player(List<FaceBox> faces) {
        return faces.stream().max(java.util.Comparator.comparingDouble(FaceBox::score)).orElseThrow();
    }

    @Test
    void theVerifierSeesTheFaceBeforeAndNotAfter() throws Exception {
        for (Anonymiser.Mode mode : Anonymiser.Mode.values()) {
            try (Mat image = messi()) {
                FaceBox face = player(detector.detect(image));
                assertTrue(verifier.visibleFaces(image, List.of()).stream().anyMatch(v -> v.iou(face) > 0.3),
                        "the verifier must see the unmasked face");
                List<FaceBox> boxes = new ClipAnonymiser.Found(detector.detect(image), List.of()).masks(1.3);
                new Anonymiser(mode).apply(image, boxes, 7);
                // as the pipeline asks: faces outside the anonymised boxes and the heads around them
                assertTrue(verifier.visibleFaces(image, boxes).stream().noneMatch(v -> v.iou(face) > 0.3),
                        mode + ": verifier after: " + verifier.visibleFaces(image, List.of()) + " face " + face);
                assertTrue(detector.detect(image).stream().noneMatch(f -> f.iou(face) > 0.3), mode + ": detector after");
                if (mode == Anonymiser.Mode.FILL) {
                    int[] r = face.pixels(image.cols(), image.rows());
                    try (Mat region = new Mat(image, new Rect(r[0], r[1], r[2], r[3])); Mat gray = new Mat()) {
                        org.bytedeco.opencv.global.opencv_imgproc.cvtColor(region, gray, org.bytedeco.opencv.global.opencv_imgproc.COLOR_BGR2GRAY);
                        double[] min = new double[1], max = new double[1];
                        org.bytedeco.opencv.global.opencv_core.minMaxLoc(gray, min, max, null, null, null);
                        assertEquals(min[0], max[0], "filled box is one colour");
                    }
                }
            }
        }
    }

    @Test
    void aFaceOutsideTheMasksIsALeakAndAMaskedOneIsNot() throws Exception {
        try (Mat image = messi()) {
            FaceBox face = player(detector.detect(image));
            assertTrue(verifier.visibleFaces(image, List.of()).stream().anyMatch(v -> v.iou(face) > 0.3),
                    "without masks the player's face is a leak");
            List<FaceBox> masks = new ClipAnonymiser.Found(List.of(face), List.of()).masks(1.3);
            assertEquals(List.of(), verifier.visibleFaces(image, masks), "masked, it is not");
            FaceBox elsewhere = new FaceBox(400, 200, 60, 60, 1f);
            assertTrue(verifier.visibleFaces(image, List.of(elsewhere)).stream().anyMatch(v -> v.iou(face) > 0.3),
                    "a mask somewhere else does not hide it");
        }
    }

    @Test
    void mosaicLeavesAtMostFourByFourCellsPlusNoise() {
        try (Mat image = messi()) {
            FaceBox box = new FaceBox(220, 95, 40, 40, 1f);
            new Anonymiser(Anonymiser.Mode.MOSAIC).apply(image, List.of(box), 1);
            try (Mat region = new Mat(image, new Rect(220, 95, 40, 40))) {
                // every 10x10 cell is one colour: no detail finer than a quarter of the face survives
                for (int cy = 0; cy < 4; cy++) {
                    for (int cx = 0; cx < 4; cx++) {
                        try (Mat cell = new Mat(region, new Rect(cx * 10, cy * 10, 10, 10))) {
                            double[] min = new double[1], max = new double[1];
                            try (Mat gray = new Mat()) {
                                org.bytedeco.opencv.global.opencv_imgproc.cvtColor(cell, gray,
                                        org.bytedeco.opencv.global.opencv_imgproc.COLOR_BGR2GRAY);
                                org.bytedeco.opencv.global.opencv_core.minMaxLoc(gray, min, max, null, null, null);
                            }
                            assertEquals(min[0], max[0], "cell " + cx + "," + cy + " is uniform");
                        }
                    }
                }
            }
        }
    }

    @Test
    void noiseMakesTheMosaicDifferFromAPlainAverage() {
        try (Mat a = messi(); Mat b = messi()) {
            FaceBox box = new FaceBox(220, 95, 40, 40, 1f);
            new Anonymiser(Anonymiser.Mode.MOSAIC).apply(a, List.of(box), 1);
            new Anonymiser(Anonymiser.Mode.MOSAIC).apply(b, List.of(box), 2);
            try (Mat ra = new Mat(a, new Rect(220, 95, 40, 40)); Mat rb = new Mat(b, new Rect(220, 95, 40, 40))) {
                assertNotEquals(0, org.bytedeco.opencv.global.opencv_core.norm(ra, rb, org.bytedeco.opencv.global.opencv_core.NORM_L1, new Mat()),
                        "different seeds, different noise");
            }
        }
    }

    @Test
    void consentedRegionsKeepOnlyTheirSubjectVisible() {
        ConsentedRegions consent = ConsentedRegions.parse(
                "[{\"subject\":\"consent-77\",\"region\":{\"x\":0.3,\"y\":0.2,\"w\":0.3,\"h\":0.3},\"from_ms\":0,\"to_ms\":5000}]");
        FaceBox inside = new FaceBox(240, 100, 30, 30, 0.9f);   // centre (255, 115) of 548x342 = (0.47, 0.34)
        FaceBox outside = new FaceBox(20, 20, 30, 30, 0.9f);
        assertEquals(List.of(outside), consent.bystanders(List.of(inside, outside), 1000, 548, 342));
        assertEquals(List.of(inside, outside), consent.bystanders(List.of(inside, outside), 6000, 548, 342), "span over");
        assertEquals(List.of(inside), ConsentedRegions.parse(null).bystanders(List.of(inside), 0, 548, 342));
    }
}
