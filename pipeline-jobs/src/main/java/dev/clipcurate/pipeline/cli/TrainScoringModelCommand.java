package dev.clipcurate.pipeline.cli;

import dev.clipcurate.pipeline.scoring.training.TrainScoringModel;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.nio.file.Paths;

/** Trains the default scoring model; scripts/train-scoring-model fetches the footage first and runs this. */
@Command(name = "train-scoring-model", mixinStandardHelpOptions = true,
        description = {"Trains the default scoring model (a per-frame person classifier) from Debian's opencv-doc "
                + "sample footage, labelled by OpenCV's HOG people detector, and writes the .onnx file and its model "
                + "card with the accuracy measured on held-out frames. Deterministic (fixed seed); about 1 minute."})
final class TrainScoringModelCommand implements java.util.concurrent.Callable<Integer> {
    @Option(names = "--samples", paramLabel = "DIR", description = "Footage from scripts/fetch-samples (default: ${DEFAULT-VALUE}).")
    Path samples = Paths.get(System.getProperty("curate.samples.dir", ".cache/samples"));

    @Option(names = "--out", paramLabel = "FILE", defaultValue = "pipeline-jobs/src/main/resources/scoring/person-window-v1.onnx",
            description = "Where to write the model (default: ${DEFAULT-VALUE}); the card goes beside it as .md.")
    Path out;

    @Override
    public Integer call() throws Exception {
        org.bytedeco.opencv.global.opencv_core.setNumThreads(1);
        String name = out.getFileName().toString().replaceFirst("\\.onnx$", "");
        new TrainScoringModel(samples, System.out).run(out, out.resolveSibling(name + ".md"));
        return 0;
    }
}
