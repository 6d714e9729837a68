package dev.clipcurate.pipeline.scoring.training;

import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import dev.clipcurate.pipeline.common.OnnxSessions;
import dev.clipcurate.pipeline.scoring.ScoringSettings;
import dev.clipcurate.pipeline.testing.TestFootage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The committed default model is what scripts/train-scoring-model makes from the pinned footage: retrained here
 * (about a minute), its learned window matches the committed one. Compared by value, not by bytes, so that a
 * CPU with other float kernels in ONNX Runtime does not fail it.
 */
class TrainScoringModelTest {
    @Test
    void retrainingGivesTheCommittedModel(@TempDir Path dir) throws Exception {
        Path model = dir.resolve("retrained.onnx");
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        new TrainScoringModel(TestFootage.streetCamera().getParent(), new PrintStream(log, true))
                .run(model, dir.resolve("retrained.md"));
        ModelProto retrained = ModelProto.parseFrom(Files.readAllBytes(model));
        ModelProto committed = ModelProto.parseFrom(OnnxSessions.resource(ScoringSettings.PERSON_WINDOW_RESOURCE, "build"));
        for (String name : List.of("window", "window_bias")) {
            List<Float> a = initializer(retrained, name).getFloatDataList();
            List<Float> b = initializer(committed, name).getFloatDataList();
            assertEquals(b.size(), a.size());
            for (int i = 0; i < a.size(); i++) {
                assertEquals(b.get(i), a.get(i), 1e-3 * Math.max(1, Math.abs(b.get(i))), name + "[" + i + "]");
            }
        }
        assertEquals(committed.getMetadataPropsList(), retrained.getMetadataPropsList());
        String card = Files.readString(dir.resolve("retrained.md"));
        assertTrue(card.contains("| test frames (held-out time) |"), card);
    }

    private static TensorProto initializer(ModelProto m, String name) {
        return m.getGraph().getInitializerList().stream().filter(t -> t.getName().equals(name)).findFirst().orElseThrow();
    }
}
