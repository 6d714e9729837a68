package dev.clipcurate.pipeline.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.clipcurate.pipeline.intake.Decisions;
import dev.clipcurate.pipeline.shards.DatasetVersions;
import dev.clipcurate.schemas.ClipRow;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

import java.io.PrintWriter;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;

/** The clips one version has and another has not, and why. */
@Command(name = "diff", mixinStandardHelpOptions = true,
        description = {"Lists the clips added and removed between two versions of a dataset, and why: for an added "
                + "clip the build that accepted it with its campaign, score and staged/real label; for a removed one "
                + "that the newer version no longer lists it. Then the clips the builds in between decided not to "
                + "add, with their decision and reason."})
final class DiffCommand implements java.util.concurrent.Callable<Integer> {
    @Mixin
    WarehouseArgs where = new WarehouseArgs();

    @Parameters(index = "0", paramLabel = "FROM", description = "The older version: a name (v000001) or a number (1).")
    String from;

    @Parameters(index = "1", paramLabel = "TO", description = "The newer version.")
    String to;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        DatasetVersions versions = new DatasetVersions(where.layout());
        JsonNode a = versions.version(from);
        JsonNode b = versions.version(to);
        Map<String, ClipRow> accepted = accepted(versions.clipRows(a));
        Map<String, ClipRow> acceptedNow = accepted(versions.clipRows(b));
        PrintWriter out = spec.commandLine().getOut();
        out.printf("%s %s → %s%n", where.dataset, a.get("name").asText(), b.get("name").asText());

        List<ClipRow> added = acceptedNow.values().stream().filter(r -> !accepted.containsKey(r.getClipId())).toList();
        out.printf("added (%d):%n", added.size());
        for (ClipRow r : added) {
            out.printf("  + %-40s accepted by build %s: campaign %s, %d frames, score %s, %s%n", r.getClipId(), r.getBuildId(),
                    r.getCampaign(), r.getFramesWritten(), r.getClipScore() == null ? "-" : String.format("%.3f", r.getClipScore()),
                    r.getStagedLabel() == null ? "no staged/real label" : r.getStagedLabel() + " (" + String.format("%.2f", r.getStagedConfidence()) + ")");
        }
        List<ClipRow> removed = accepted.values().stream().filter(r -> !acceptedNow.containsKey(r.getClipId())).toList();
        out.printf("removed (%d):%n", removed.size());
        for (ClipRow r : removed) {
            out.printf("  - %-40s accepted by build %s; %s lists no accepted row for it%n", r.getClipId(), r.getBuildId(),
                    b.get("name").asText());
        }

        // rows written by builds that TO lists and FROM does not: what the builds in between decided
        Set<String> fromBuilds = builds(a);
        List<ClipRow> between = versions.clipRows(b).stream()
                .filter(r -> !Decisions.ACCEPTED.equals(r.getDecision()) && !fromBuilds.contains(r.getBuildId()))
                .toList();
        out.printf("not added by the builds in between (%d):%n", between.size());
        for (ClipRow r : between) {
            out.printf("  · %-40s %s %s%s%n", r.getClipId() == null ? "(unparsed message)" : r.getClipId(), r.getDecision(),
                    r.getReason(), r.getReasonDetail() == null ? "" : ": " + r.getReasonDetail());
        }
        out.flush();
        return 0;
    }

    private static Map<String, ClipRow> accepted(List<ClipRow> rows) {
        return rows.stream().filter(r -> Decisions.ACCEPTED.equals(r.getDecision()))
                .collect(Collectors.toMap(ClipRow::getClipId, r -> r, (x, y) -> x, TreeMap::new));
    }

    /** The builds whose files a version lists. */
    private static Set<String> builds(JsonNode version) {
        Set<String> ids = new HashSet<>();
        version.get("files").forEach(f -> ids.add(f.get("build_id").asText()));
        return ids;
    }
}
