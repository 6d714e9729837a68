package dev.clipcurate.pipeline.cli;

import dev.clipcurate.pipeline.common.Campaigns;
import dev.clipcurate.pipeline.staging.Evidence;
import dev.clipcurate.pipeline.staging.StagingEvalSet;
import dev.clipcurate.pipeline.staging.StagingRules;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.List;

/** Precision and recall of the staged/real labeller on a constructed labelled set. */
@Command(name = "eval-staging", mixinStandardHelpOptions = true,
        description = {"Measures the staged/real labeller with a campaign's rules on a constructed labelled set: "
                + "donors over 30 days with real incidents and staged sessions (takes, second cameras, declarations, "
                + "hand-started recordings) drawn from the assumptions stated in staging.StagingEvalSet. Prints "
                + "precision and recall per label, the share left uncertain, and what each kind of evidence adds."})
final class EvalStagingCommand implements java.util.concurrent.Callable<Integer> {
    @Option(names = "--donors", defaultValue = "1000", description = "Donors in the set (default: ${DEFAULT-VALUE}).")
    int donors;

    @Option(names = "--seed", defaultValue = "7", description = "Seed of the set (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--campaign", defaultValue = "package-theft", description = "Whose rules to use (default: ${DEFAULT-VALUE}).")
    String campaign;

    @Option(names = "--campaigns", paramLabel = "FILE", description = "Rules merged over the bundled campaigns.json, as the job takes them.")
    Path campaignsFile;

    @Override
    public Integer call() throws Exception {
        StagingRules rules = Campaigns.load(campaignsFile).of(campaign).staging();
        List<List<StagingEvalSet.LabelledClip>> set = StagingEvalSet.donors(donors, seed);
        long staged = set.stream().flatMap(List::stream).filter(StagingEvalSet.LabelledClip::staged).count();
        long total = set.stream().mapToLong(List::size).sum();
        System.out.printf("Constructed set: %d donors, %d clips (%d staged, %d real), seed %d; rules of campaign %s%n",
                donors, total, staged, total - staged, seed, campaign);
        StagingEvalSet.Confusion r = StagingEvalSet.evaluate(set, rules);
        System.out.println("truth \\ label      real   staged  uncertain");
        System.out.printf("real          %8d %8d %10d%n", r.counts()[0][0], r.counts()[0][1], r.counts()[0][2]);
        System.out.printf("staged        %8d %8d %10d%n", r.counts()[1][0], r.counts()[1][1], r.counts()[1][2]);
        System.out.printf("staged: precision %.3f recall %.3f | real: precision %.3f recall %.3f | uncertain: %.1f %% of real, %.1f %% of staged%n",
                r.precision(1), r.recall(1), r.precision(0), r.recall(0), 100 * r.uncertain(0), 100 * r.uncertain(1));
        System.out.println("\nWithout one kind of evidence (its weight set to 0):");
        System.out.printf("%-18s %10s %10s %10s %10s%n", "evidence", "staged P", "staged R", "real P", "real R");
        for (Evidence e : Evidence.values()) {
            if (rules.weight(e) == 0) continue;
            StagingEvalSet.Confusion w = StagingEvalSet.evaluate(set, rules.withWeight(e, 0));
            System.out.printf("%-18s %10.3f %10.3f %10.3f %10.3f%n", e.code(), w.precision(1), w.recall(1), w.precision(0), w.recall(0));
        }
        return 0;
    }
}
