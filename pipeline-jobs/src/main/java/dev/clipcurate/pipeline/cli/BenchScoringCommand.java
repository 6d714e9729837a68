package dev.clipcurate.pipeline.cli;

import dev.clipcurate.pipeline.media.ClipDecoder;
import dev.clipcurate.pipeline.media.DecodeLimits;
import dev.clipcurate.pipeline.scoring.FrameTensor;
import dev.clipcurate.pipeline.scoring.FrameScorer;
import dev.clipcurate.pipeline.scoring.ScoringModel;
import dev.clipcurate.pipeline.scoring.ScoringSettings;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** Frames per second through the scoring stage on the CPU, by batch size, against batch 1 in the same run. */
@Command(name = "bench-scoring", mixinStandardHelpOptions = true,
        description = {"Measures the scoring stage on the CPU: frames per second for the whole stage (decode at the "
                + "job's 2 fps, resize, motion, model) and for the model alone, for each batch size, as ratios against "
                + "the first batch size measured in the same run (median of --rounds; each round runs every size in "
                + "turn, after a warm-up). Footage: vtest.avi (79.5 s, 768x576)."})
final class BenchScoringCommand implements java.util.concurrent.Callable<Integer> {
    @Option(names = "--batch-sizes", split = ",", defaultValue = "1,4,16,32",
            description = "Batch sizes to compare; the first is the baseline (default: ${DEFAULT-VALUE}).")
    List<Integer> batchSizes;

    @Option(names = "--threads", defaultValue = "1",
            description = "ONNX Runtime intra-op threads, as one Flink slot gets them (default: ${DEFAULT-VALUE}).")
    int threads;

    @Option(names = "--device", defaultValue = "cpu", paramLabel = "cpu|cuda",
            description = "cuda: ONNX Runtime's CUDA provider, when the onnxruntime_gpu jar and a GPU are present (default: ${DEFAULT-VALUE}).")
    String device;

    @Option(names = "--rounds", defaultValue = "5", description = "Repetitions per batch size; the median counts (default: ${DEFAULT-VALUE}).")
    int rounds;

    @Option(names = "--score-model", paramLabel = "FILE", description = "Model under the model contract to measure "
            + "(default: the bundled person-window-v1; the default person detector has no batches: see scripts/bench).")
    String scoreModel = ScoringSettings.PERSON_WINDOW;

    @Option(names = "--samples", paramLabel = "DIR", hidden = true)
    Path samples = Paths.get(System.getProperty("curate.samples.dir", ".cache/samples"));

    @Override
    public Integer call() throws Exception {
        org.bytedeco.opencv.global.opencv_core.setNumThreads(1);
        Path clip = samples.resolve("vtest.avi");
        ClipDecoder decoder = new ClipDecoder(DecodeLimits.defaults());
        if (!device.equals("cpu") && !device.equals("cuda")) throw new IllegalArgumentException("--device must be cpu or cuda");
        ScoringSettings settings = new ScoringSettings(scoreModel, 1, threads, device.equals("cuda"));
        try (ScoringModel model = ScoringModel.open(settings)) {
            List<float[]> frames = new ArrayList<>();
            decoder.decode(clip.toFile(), (i, ts, image) -> {
                float[] t = model.batchBuffer(1);
                FrameTensor.fill(image, model.width(), model.height(), t, 0);
                frames.add(t);
            });
            System.out.printf("Model %s (sha256 %s…), input %dx%d, %s, %d intra-op thread(s); %s: %d sampled frames; "
                    + "median of %d rounds%n", model.name, model.sha256.substring(0, 12), model.width(), model.height(),
                    device, threads, clip.getFileName(), frames.size(), rounds);
            // rounds go over every batch size in turn, after one warm-up pass, so drift on a noisy machine
            // weighs on all sizes alike
            int sizes = batchSizes.size();
            double[][] stage = new double[sizes][rounds];
            double[][] alone = new double[sizes][rounds];
            int plane = frames.get(0).length;
            for (int r = -1; r < rounds; r++) {
                for (int k = 0; k < sizes; k++) {
                    int b = model.batchSize(batchSizes.get(k));
                    long t0 = System.nanoTime();
                    FrameScorer scorer = FrameScorer.ofModel(model, model.batchBuffer(b));
                    decoder.decode(clip.toFile(), (i, ts, image) -> scorer.add(ts, image, List.of()));
                    FrameScorer.Scored scored = scorer.finish();
                    double stageFps = scored.scores().length / ((System.nanoTime() - t0) / 1e9);
                    float[] batch = model.batchBuffer(b);
                    long t1 = System.nanoTime();
                    for (int start = 0; start < frames.size(); start += b) {
                        int n = Math.min(b, frames.size() - start);
                        for (int i = 0; i < n; i++) System.arraycopy(frames.get(start + i), 0, batch, i * plane, plane);
                        model.score(batch, n);
                    }
                    double aloneFps = frames.size() / ((System.nanoTime() - t1) / 1e9);
                    if (r >= 0) {
                        stage[k][r] = stageFps;
                        alone[k][r] = aloneFps;
                    }
                }
            }
            System.out.printf("%-6s %14s %10s %14s %10s%n", "batch", "stage fps", "vs first", "model fps", "vs first");
            double baseStage = median(stage[0]);
            double baseModel = median(alone[0]);
            for (int k = 0; k < sizes; k++) {
                double st = median(stage[k]);
                double m = median(alone[k]);
                System.out.printf("%-6d %14.1f %9.2fx %14.1f %9.2fx%n", batchSizes.get(k), st, st / baseStage, m, m / baseModel);
            }
        }
        return 0;
    }

    private static double median(double[] values) {
        double[] v = values.clone();
        Arrays.sort(v);
        return v[v.length / 2];
    }
}
