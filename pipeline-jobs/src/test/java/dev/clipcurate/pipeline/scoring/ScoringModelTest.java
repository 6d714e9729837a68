package dev.clipcurate.pipeline.scoring;

import dev.clipcurate.pipeline.media.ClipDecoder;
import dev.clipcurate.pipeline.media.DecodeLimits;
import dev.clipcurate.pipeline.scoring.training.PersonWindowModel;
import dev.clipcurate.pipeline.testing.TestFootage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The bundled model on real footage, batching, and the model contract. */
class ScoringModelTest {
    private static final ScoringRules RULES = new ScoringRules(0.3, 0.25, 0.25);

    private static FrameScorer.Scored score(Path clip, int batch) throws Exception {
        try (ScoringModel model = ScoringModel.open(ScoringSettings.defaults())) {
            return FrameScorer.scoreFile(model, new ClipDecoder(DecodeLimits.defaults()), clip.toFile(), batch);
        }
    }

    @Test
    void peopleInTheStreetScoreHighAndATreeInTheWindLow() throws Exception {
        FrameScorer.Scored street = score(TestFootage.streetCamera(), 16);
        FrameScorer.Scored tree = score(TestFootage.sample("tree.avi"), 16);
        ClipScore streetScore = ClipScore.of(street.scores(), street.moving(), RULES);
        ClipScore treeScore = ClipScore.of(tree.scores(), tree.moving(), RULES);
        assertTrue(streetScore.score() > 0.6, "street " + streetScore.describe());
        assertTrue(treeScore.person() < 0.3, "tree " + treeScore.describe());
        assertTrue(treeScore.score() < RULES.minScore(), "tree " + treeScore.describe());
        // the tree moves: it is the person part that keeps it out, not the activity part
        assertTrue(treeScore.activity() > 0.5, "tree " + treeScore.describe());
        assertEquals(2.0, street.timesMs().length / 79.5, 0.1, "frames sampled at the job's 2 fps");
    }

    @Test
    void batchSizeDoesNotChangeScores() throws Exception {
        FrameScorer.Scored one = score(TestFootage.megamind(), 1);
        FrameScorer.Scored seven = score(TestFootage.megamind(), 7);
        assertEquals(one.scores().length, seven.scores().length);
        for (int i = 0; i < one.scores().length; i++) assertEquals(one.scores()[i], seven.scores()[i], 1e-5);
    }

    @Test
    void modelsOutsideTheContractAreRefusedWithTheReason(@TempDir Path dir) throws Exception {
        Path features = dir.resolve("features.onnx");
        Files.write(features, PersonWindowModel.features().toByteArray()); // output [N,4,60,80], not [N,1]
        var e = assertThrows(IllegalArgumentException.class,
                () -> ScoringModel.identify(new ScoringSettings(features.toString(), 4, 1, false)));
        assertTrue(e.getMessage().contains("model contract") && e.getMessage().contains("cells"), e.getMessage());
        Path missing = dir.resolve("nope.onnx");
        var m = assertThrows(java.io.IOException.class,
                () -> ScoringModel.identify(new ScoringSettings(missing.toString(), 4, 1, false)));
        assertTrue(m.getMessage().contains("--score-model"), m.getMessage());
    }

    @Test
    void askingForCudaWithoutItFallsBackToTheCpuWithTheSameScores() throws Exception {
        FrameScorer.Scored cpu = score(TestFootage.megamind(), 8);
        try (ScoringModel model = ScoringModel.open(new ScoringSettings(null, 8, 1, true))) {
            FrameScorer.Scored cuda = FrameScorer.scoreFile(model, new ClipDecoder(DecodeLimits.defaults()),
                    TestFootage.megamind().toFile(), 8);
            assertEquals(cpu.scores().length, cuda.scores().length);
            for (int i = 0; i < cpu.scores().length; i++) assertEquals(cpu.scores()[i], cuda.scores()[i], 1e-5);
        }
    }

    @Test
    void theBundledModelNamesItselfAndItsHash() throws Exception {
        ScoringModel.Identity id = ScoringModel.identify(ScoringSettings.defaults());
        assertEquals("clip-curation/person-window", id.name());
        assertEquals(64, id.sha256().length());
    }
}
