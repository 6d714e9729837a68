package dev.clipcurate.pipeline.scoring;

import dev.clipcurate.pipeline.media.ClipDecoder;
import dev.clipcurate.pipeline.media.DecodeLimits;
import dev.clipcurate.pipeline.scoring.training.PersonWindowModel;
import dev.clipcurate.pipeline.testing.TestFootage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A model under the model contract (the bundled person-window-v1, chosen with --score-model): batching and the contract. */
class ScoringModelTest {
    private static final ScoringSettings PERSON_WINDOW = new ScoringSettings(ScoringSettings.PERSON_WINDOW, 4, 1, false);

    private static FrameScorer.Scored score(ScoringModel model, Path clip, int batch) throws Exception {
        FrameScorer scorer = FrameScorer.ofModel(model, model.batchBuffer(model.batchSize(batch)));
        new ClipDecoder(DecodeLimits.defaults()).decode(clip.toFile(), (i, ts, image) -> scorer.add(ts, image, List.of()));
        return scorer.finish();
    }

    private static FrameScorer.Scored score(Path clip, int batch) throws Exception {
        try (ScoringModel model = ScoringModel.open(PERSON_WINDOW)) {
            return score(model, clip, batch);
        }
    }

    @Test
    void theDefaultIsThePersonDetectorNotAModel() throws Exception {
        assertNull(ScoringModel.open(ScoringSettings.defaults()));
        ScoringModel.Identity id = ScoringModel.identify(ScoringSettings.defaults());
        assertTrue(id.name().contains("movenet-multipose"), id.name());
        assertEquals(64, id.sha256().length());
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
        try (ScoringModel model = ScoringModel.open(new ScoringSettings(ScoringSettings.PERSON_WINDOW, 8, 1, true))) {
            FrameScorer.Scored cuda = score(model, TestFootage.megamind(), 8);
            assertEquals(cpu.scores().length, cuda.scores().length);
            for (int i = 0; i < cpu.scores().length; i++) assertEquals(cpu.scores()[i], cuda.scores()[i], 1e-5);
        }
    }

    @Test
    void theBundledModelNamesItselfAndItsHash() throws Exception {
        ScoringModel.Identity id = ScoringModel.identify(PERSON_WINDOW);
        assertEquals("clip-curation/person-window", id.name());
        assertEquals(64, id.sha256().length());
    }
}
