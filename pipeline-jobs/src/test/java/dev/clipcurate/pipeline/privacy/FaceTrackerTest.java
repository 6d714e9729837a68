package dev.clipcurate.pipeline.privacy;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class FaceTrackerTest {
    static FaceBox face(double x) {
        return new FaceBox(x, 100, 40, 40, 0.9f);
    }

    static List<List<FaceBox>> frames(int n) {
        List<List<FaceBox>> f = new ArrayList<>();
        for (int i = 0; i < n; i++) f.add(new ArrayList<>());
        return f;
    }

    @Test
    void carriesADetectionToNeighbouringFramesGrowingATenthPerFrame() {
        List<List<FaceBox>> d = frames(9);
        d.get(4).add(face(200));
        List<List<FaceBox>> out = new FaceTracker(2, 4).boxesToAnonymise(d);
        for (int i = 0; i < 9; i++) {
            assertEquals(Math.abs(i - 4) <= 2 ? 1 : 0, out.get(i).size(), "frame " + i);
        }
        FaceBox detected = out.get(4).get(0);
        assertEquals(40, detected.w(), 1e-9, "the detected mask as given");
        assertEquals(220, detected.cx(), 1e-9, "same centre");
        assertEquals(44, out.get(5).get(0).w(), 1e-9, "one frame away: 1.1 x");
        assertEquals(48, out.get(6).get(0).w(), 1e-9, "two frames away: 1.2 x, never into the body");
    }

    @Test
    void doesNotCarryABoxIntoAFrameThatDetectedTheSameFace() {
        List<List<FaceBox>> d = frames(3);
        d.get(0).add(face(200));
        d.get(1).add(face(210)); // the same head a little further right
        d.get(2).add(face(400)); // someone else
        List<List<FaceBox>> out = new FaceTracker(1, 0).boxesToAnonymise(d);
        assertEquals(List.of(face(200)), out.get(0), "frame 1's detection is the same face: nothing carried back");
        assertEquals(List.of(face(210), face(400).scaled(1.1)), out.get(1),
                "frame 0's box is not carried over frame 1's own; frame 2's face, not detected here, is");
        assertEquals(List.of(face(400), face(210).scaled(1.1)), out.get(2),
                "frame 1's face is carried into frame 2, which did not detect it");
    }

    @Test
    void interpolatesAcrossAGapBetweenDetectionsOfTheSameFace() {
        List<List<FaceBox>> d = frames(10);
        d.get(1).add(face(100));
        d.get(6).add(face(150)); // 4 frames missed in between, moving right
        List<List<FaceBox>> out = new FaceTracker(0, 4).boxesToAnonymise(d);
        for (int i = 2; i <= 5; i++) {
            assertEquals(1, out.get(i).size(), "frame " + i);
            assertEquals(100 + 10 * (i - 1) + 20, out.get(i).get(0).cx(), 1e-6);
            assertEquals(40, out.get(i).get(0).w(), 1e-6, "interpolated between two boxes of the same size");
        }
        assertEquals(0, out.get(8).size());
    }

    @Test
    void neverRemovesADetection() {
        List<List<FaceBox>> d = frames(3);
        d.get(0).add(face(10));
        d.get(0).add(face(300));
        d.get(2).add(new FaceBox(500, 400, 25, 25, 0.6f));
        List<List<FaceBox>> out = new FaceTracker(1, 2).boxesToAnonymise(d);
        for (int i = 0; i < 3; i++) {
            for (FaceBox original : d.get(i)) {
                assertTrue(out.get(i).contains(original), "frame " + i + " keeps " + original);
            }
        }
    }

    @Test
    void refusesNegativeFrameCountsAndLessThanTheMinimumFaceEnlargement() {
        assertThrows(IllegalArgumentException.class, () -> new FaceTracker(-1, 4));
        PrivacySettings d = PrivacySettings.defaults();
        assertThrows(IllegalArgumentException.class, () -> new PrivacySettings(d.faceThreshold(), d.headThreshold(),
                d.mode(), d.carryFrames(), d.interpolateGap(), 1.2));
    }

    @Test
    void aFramesBoxesDependOnlyOnTheFramesWithinReach() {
        // what lets the privacy stage track in one decoding pass, holding only reach() frames back
        java.util.Random random = new java.util.Random(14);
        for (int round = 0; round < 200; round++) {
            FaceTracker tracker = new FaceTracker(random.nextInt(4), random.nextInt(6));
            List<List<FaceBox>> d = frames(5 + random.nextInt(30));
            for (List<FaceBox> frame : d) {
                int faces = random.nextInt(3) == 0 ? 1 + random.nextInt(2) : 0;
                for (int f = 0; f < faces; f++) {
                    frame.add(new FaceBox(random.nextInt(600), random.nextInt(440), 20 + random.nextInt(40),
                            20 + random.nextInt(40), 0.9f));
                }
            }
            List<List<FaceBox>> whole = tracker.boxesToAnonymise(d);
            int reach = tracker.reach();
            for (int i = 0; i < d.size(); i++) {
                int from = Math.max(0, i - reach);
                int to = Math.min(d.size(), i + reach + 1);
                assertEquals(whole.get(i), tracker.boxesToAnonymise(d.subList(from, to)).get(i - from),
                        "round " + round + " frame " + i);
            }
        }
    }
}
