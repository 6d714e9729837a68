package dev.clipcurate.pipeline.privacy;

import dev.clipcurate.pipeline.testing.TestFootage;
import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.opencv.opencv_core.Scalar;
import org.bytedeco.opencv.opencv_core.Size;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.bytedeco.opencv.global.opencv_core.CV_8UC3;
import static org.bytedeco.opencv.global.opencv_imgcodecs.imread;
import static org.bytedeco.opencv.global.opencv_imgproc.INTER_AREA;
import static org.bytedeco.opencv.global.opencv_imgproc.INTER_LINEAR;
import static org.bytedeco.opencv.global.opencv_imgproc.resize;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class BlazeFaceDetectorTest {
    static BlazeFaceDetector detector;
    static Mat messi;

    @BeforeAll
    static void load() throws Exception {
        detector = new BlazeFaceDetector(0.5f);
        messi = imread(TestFootage.sample("messi5.jpg").toString());
    }

    @AfterAll
    static void close() throws Exception {
        detector.close();
    }

    /**
     * messi5.jpg (548x342): the player's face, about 35 px, centred near (240, 115), and blurred spectators
     * behind him (weaker detections, which anonymisation should cover too).
     */
    @Test
    void findsTheFaceInARealPhoto() throws Exception {
        List<FaceBox> faces = detector.detect(messi);
        FaceBox f = faces.stream().max(java.util.Comparator.comparingDouble(FaceBox::score)).orElseThrow();
        assertTrue(f.score() > 0.8, faces.toString());
        assertEquals(240, f.cx(), 8);
        assertEquals(115, f.cy(), 8);
        assertEquals(37, f.w(), 10);
    }

    @Test
    void findsSmallAndLargeFacesThroughThePyramid() throws Exception {
        for (double scale : new double[] {0.55, 3.0}) {
            try (Mat scaled = new Mat()) {
                resize(messi, scaled, new Size(), scale, scale, scale < 1 ? INTER_AREA : INTER_LINEAR);
                List<FaceBox> faces = detector.detect(scaled);
                assertTrue(faces.stream().anyMatch(f -> Math.abs(f.cx() - 240 * scale) < 10 * scale
                        && Math.abs(f.cy() - 115 * scale) < 10 * scale), "scale " + scale + ": " + faces);
            }
        }
    }

    @Test
    void findsNothingWhereThereIsNoFace() throws Exception {
        try (Mat blank = new Mat(480, 640, CV_8UC3, new Scalar(90, 120, 140, 0))) {
            assertEquals(List.of(), detector.detect(blank));
        }
    }

    @Test
    void pyramidLevelsArePaddedToTheCoarsestStride() {
        assertEquals(640, BlazeFaceDetector.align(640));
        assertEquals(480, BlazeFaceDetector.align(480));
        assertEquals(256, BlazeFaceDetector.align(240));
        assertEquals(32, BlazeFaceDetector.align(1));
    }

    @Test
    void largerFacesNeedHigherScores() {
        assertEquals(0.5f, BlazeFaceDetector.requiredScore(20, 0.5f), 1e-6, "small faces: the threshold");
        assertEquals(0.5f, BlazeFaceDetector.requiredScore(BlazeFaceDetector.SMALL_FACE_PX, 0.5f), 1e-6);
        assertEquals(0.625f, BlazeFaceDetector.requiredScore(72, 0.5f), 1e-6, "half way");
        assertEquals(0.75f, BlazeFaceDetector.requiredScore(125, 0.5f), 1e-6, "a squirrel's 125 px fur at 0.51 is not a face");
        assertEquals(0.9f, BlazeFaceDetector.requiredScore(125, 0.9f), 1e-6, "never below the threshold asked for");
    }
}
