package dev.clipcurate.pipeline.scoring;

import dev.clipcurate.pipeline.common.Campaigns;
import dev.clipcurate.pipeline.media.ClipDecoder;
import dev.clipcurate.pipeline.media.DecodeLimits;
import dev.clipcurate.pipeline.media.ObjectDetection;
import dev.clipcurate.pipeline.pass.ScoreFile;
import dev.clipcurate.pipeline.privacy.HeadDetector;
import dev.clipcurate.pipeline.privacy.PrivacySettings;
import dev.clipcurate.pipeline.testing.TestClips;
import dev.clipcurate.pipeline.testing.TestFootage;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The default scoring, as the pass scores: the person detector's people under a campaign's rules, on real footage.
 * What the issue found: photos of things (the coffee cup scored 0.998) were accepted as clips of people.
 */
class PersonScoringTest {
    private static final ScoringRules RULES = rules();
    private static ScoreFile scorer;
    @TempDir static Path tmp;

    private static ScoringRules rules() {
        try {
            return Campaigns.load(null).of("package-theft").scoring();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @BeforeAll
    static void open() throws Exception {
        scorer = new ScoreFile(ScoringSettings.defaults(), DecodeLimits.defaults());
    }

    @AfterAll
    static void close() throws Exception {
        scorer.close();
    }

    private static ClipScore score(Path clip) throws Exception {
        return ClipScore.of(scorer.score(clip.toFile(), RULES), RULES);
    }

    /** A window of three quarters of the photo's width panning across it, 10 fps. */
    private static Path pan(String photo, double seconds) throws Exception {
        Path file = TestFootage.sample(photo);
        int w, h;
        try (var image = org.bytedeco.opencv.global.opencv_imgcodecs.imread(file.toString())) {
            w = image.cols() * 3 / 4 / 2 * 2;
            h = image.rows() / 2 * 2;
        }
        return TestClips.panning(tmp.resolve(photo + ".mp4"), file, w, h, 10, seconds);
    }

    @Test
    void peopleInTheStreetAreKeptAndATreeInTheWindIsNot() throws Exception {
        Path street = TestClips.variant(TestFootage.streetCamera(), tmp.resolve("street.mp4"), 0, 16, false, 1, 1);
        ClipScore s = score(street);
        assertTrue(s.score() >= RULES.minScore() && s.secondsInView() >= 5, s.describe());
        ClipScore tree = score(TestFootage.sample("tree.avi"));
        // the tree moves: it is the person part that keeps it out, not the activity part
        assertTrue(tree.activity() > 0.5, tree.describe());
        assertEquals(0.0, tree.score(), 1e-9, tree.describe());
    }

    @Test
    void photosOfThingsPannedLikeACameraScoreZero() throws Exception {
        for (String photo : List.of("fruits.jpg", "building.jpg", "smarties.png")) {
            Path clip = pan(photo, 6);
            ClipScore s = score(clip);
            assertTrue(s.activity() > 0.5, photo + ": " + s.describe());
            assertTrue(s.score() < RULES.minScore(), photo + ": " + s.describe());
        }
    }

    @Test
    void aPersonCloseToTheCameraIsFoundByTheCoarseRun() throws Exception {
        Path clip = pan("messi5.jpg", 4);
        float[] best = new float[2]; // fine run, coarse run
        try (HeadDetector detector = new HeadDetector(PrivacySettings.defaults().headThreshold())) {
            new ClipDecoder(DecodeLimits.defaults()).decode(clip.toFile(), (i, ts, image) -> {
                try {
                    HeadDetector.People people = detector.detectPeople(image);
                    for (ObjectDetection d : people.persons()) best[0] = Math.max(best[0], d.score);
                    for (ObjectDetection d : people.closeUps()) best[1] = Math.max(best[1], d.score);
                } catch (ai.onnxruntime.OrtException e) {
                    throw new IllegalStateException(e);
                }
            });
        }
        assertTrue(best[1] > best[0] + 0.1, "fine " + best[0] + ", coarse " + best[1]);
        ClipScore s = score(clip);
        assertTrue(s.score() >= RULES.minScore(), s.describe());
    }

    @Test
    void aPersonSmallerThanTheCampaignsMinimumHeightDoesNotCount() {
        ObjectDetection tall = new ObjectDetection("person", 0, 0, 20, 100, 0.6f, null);
        ObjectDetection small = new ObjectDetection("person", 0, 0, 5, 20, 0.9f, null);
        ObjectDetection other = new ObjectDetection("car", 0, 0, 100, 100, 0.9f, null);
        assertEquals(0.6f, FrameScorer.detectionScore(List.of(tall, small, other), 480, RULES), 1e-6);
        assertEquals(0.0f, FrameScorer.detectionScore(List.of(small, other), 480, RULES), 1e-6);
    }
}
