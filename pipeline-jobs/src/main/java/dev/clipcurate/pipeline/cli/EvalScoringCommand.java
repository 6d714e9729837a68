package dev.clipcurate.pipeline.cli;

import dev.clipcurate.pipeline.common.Campaigns;
import dev.clipcurate.pipeline.intake.ClipRejected;
import dev.clipcurate.pipeline.media.DecodeLimits;
import dev.clipcurate.pipeline.scoring.ClipScore;
import dev.clipcurate.pipeline.scoring.FrameScorer;
import dev.clipcurate.pipeline.pass.ScoreFile;
import dev.clipcurate.pipeline.scoring.ScoringRules;
import dev.clipcurate.pipeline.scoring.ScoringSettings;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.util.List;
import java.util.stream.Stream;

/** Clip-level check of the scoring stage on a directory of clips whose names say whether anyone is in view. */
@Command(name = "eval-scoring", mixinStandardHelpOptions = true,
        description = {"Scores every clip in a directory as the job does (model, person x activity, a campaign's "
                + "min_score) and counts, for clips with people and clips without (told apart by --empty, a file-name "
                + "glob), how many would be kept. Default: the variant set of scripts/make-dedup-set (6 events x 13 "
                + "re-encodes, crops, mirrors...; the tree clips have nobody in view)."})
final class EvalScoringCommand implements java.util.concurrent.Callable<Integer> {
    @Option(names = "--clips", paramLabel = "DIR", defaultValue = ".cache/dedup-eval",
            description = "Clips to score (default: ${DEFAULT-VALUE}, made by scripts/make-dedup-set).")
    Path clips;

    @Option(names = "--empty", paramLabel = "GLOB", defaultValue = "*tree*",
            description = "File names of clips with nobody in view (default: ${DEFAULT-VALUE}).")
    String empty;

    @Option(names = "--campaign", defaultValue = "package-theft", description = "Whose min_score to apply (default: ${DEFAULT-VALUE}).")
    String campaign;

    @Option(names = "--score-model", paramLabel = "FILE", description = "Model under the model contract to evaluate, or "
            + ScoringSettings.PERSON_WINDOW + " (default: the person detector's detections, as the job scores).")
    String scoreModel;

    @Override
    public Integer call() throws Exception {
        org.bytedeco.opencv.global.opencv_core.setNumThreads(1);
        if (!Files.isDirectory(clips)) {
            throw new IllegalArgumentException(clips + " is not a directory: run scripts/make-scoring-set (or make-dedup-set)");
        }
        ScoringRules rules = Campaigns.load(null).of(campaign).scoring();
        PathMatcher isEmpty = FileSystems.getDefault().getPathMatcher("glob:" + empty);
        List<Path> files;
        try (Stream<Path> s = Files.list(clips)) {
            files = s.filter(Files::isRegularFile).filter(p -> !p.getFileName().toString().startsWith(".")).sorted().toList();
        }
        // [0] people, [1] empty: clips, kept, min score, max score
        int[][] counts = new int[2][2];
        double[][] range = {{1, 0}, {1, 0}};
        ScoringSettings settings = new ScoringSettings(scoreModel, ScoringSettings.defaults().batchSize(), 1, false);
        long frames = 0;
        long started = System.nanoTime();
        try (ScoreFile scorer = new ScoreFile(settings, DecodeLimits.defaults())) {
            System.out.printf("Scored by %s (sha256 %s…), campaign %s: %s; %d clips in %s%n", scorer.identity().name(),
                    scorer.identity().sha256().substring(0, 12), campaign, rules, files.size(), clips);
            for (Path f : files) {
                FrameScorer.Scored scored;
                try {
                    scored = scorer.score(f.toFile(), rules);
                    frames += scored.scores().length;
                } catch (ClipRejected e) {
                    System.out.printf("  %-34s not scored: %s%n", f.getFileName(), e.getMessage());
                    continue;
                }
                ClipScore s = ClipScore.of(scored, rules);
                int group = isEmpty.matches(f.getFileName()) ? 1 : 0;
                boolean kept = s.score() >= rules.minScore();
                counts[group][0]++;
                if (kept) counts[group][1]++;
                range[group][0] = Math.min(range[group][0], s.score());
                range[group][1] = Math.max(range[group][1], s.score());
                System.out.printf("  %-34s %-6s %s%s%n", f.getFileName(), group == 1 ? "empty" : "people", s.describe(),
                        kept == (group == 0) ? "" : "   <- wrong");
            }
            System.out.printf("%d sampled frames; per frame: %.1f ms in all, %.1f ms of it the person detector%n", frames,
                    (System.nanoTime() - started) / 1e6 / Math.max(1, frames), scorer.detectorNanos() / 1e6 / Math.max(1, frames));
        }
        System.out.printf("clips with people: %d of %d kept (scores %.3f..%.3f)%n", counts[0][1], counts[0][0], range[0][0], range[0][1]);
        System.out.printf("clips without:     %d of %d rejected low_score (scores %.3f..%.3f)%n", counts[1][0] - counts[1][1],
                counts[1][0], range[1][0], range[1][1]);
        return 0;
    }
}
