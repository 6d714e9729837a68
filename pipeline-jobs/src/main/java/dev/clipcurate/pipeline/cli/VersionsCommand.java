package dev.clipcurate.pipeline.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.clipcurate.pipeline.erasure.ShardCollector;
import dev.clipcurate.pipeline.shards.DatasetLayout;
import dev.clipcurate.pipeline.shards.DatasetVersions;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

import java.io.PrintWriter;
import java.util.List;
import java.util.Set;

/** The sealed versions of a dataset, one line each, with what each build added. */
@Command(name = "versions", mixinStandardHelpOptions = true,
        description = {"Lists a dataset's sealed versions, oldest first: when and how each was built, its parent, "
                + "what its build decided (messages, accepted, rejected, duplicate, quarantined, frames, the "
                + "staged/real/uncertain split of accepted clips) and the version's cumulative totals."})
final class VersionsCommand implements java.util.concurrent.Callable<Integer> {
    @Mixin
    WarehouseArgs where = new WarehouseArgs();

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        DatasetLayout layout = where.layout();
        List<JsonNode> versions = new DatasetVersions(layout).all();
        PrintWriter out = spec.commandLine().getOut();
        out.printf("Dataset %s in %s: %d version(s)%n", layout.dataset(), layout.warehouse(), versions.size());
        out.printf("%-8s %-20s %-9s %-8s %8s %8s %8s %9s %11s %7s  %-22s %s%n", "version", "sealed at", "mode", "parent",
                "messages", "accepted", "rejected", "duplicate", "quarantined", "frames", "staged/real/uncertain", "totals");
        for (JsonNode v : versions) {
            JsonNode c = v.get("counts");
            JsonNode labels = c.path("accepted_by_label");
            out.printf("%-8s %-20s %-9s %-8s %8d %8d %8d %9d %11d %7d  %-22s %d clips, %d frames%n", v.get("name").asText(),
                    java.time.Instant.parse(v.get("created_at").asText()).truncatedTo(java.time.temporal.ChronoUnit.SECONDS),
                    v.get("build").get("mode").asText(), v.path("parent").asText("-"),
                    c.get("messages_consumed").asLong(), c.get("clips_accepted").asLong(), c.get("clips_rejected").asLong(),
                    c.get("clips_duplicate").asLong(), c.get("clips_quarantined").asLong(), c.get("frames_written").asLong(),
                    labels.path("staged").asLong() + "/" + labels.path("real").asLong() + "/" + labels.path("uncertain").asLong(),
                    v.get("totals").get("clips_accepted").asLong(), v.get("totals").get("frames").asLong());
        }
        for (JsonNode v : versions) {
            JsonNode p = v.get("purge");
            if (p == null) continue;
            out.printf("%s purged %d donor(s): %d clip row(s), %d of them accepted, and %d frame(s) removed; %d file(s) "
                            + "rewritten, %d dropped (receipts in %s/receipts/%s)%n", v.get("name").asText(),
                    p.get("donors").asLong(), p.get("clip_rows_removed").asLong(), p.get("accepted_clips_removed").asLong(),
                    p.get("frames_removed").asLong(), p.get("files_rewritten").asLong(), p.get("files_dropped").asLong(),
                    layout.dataset(), v.get("build").get("id").asText());
        }
        Set<String> collected = new ShardCollector(layout).collectedVersions();
        if (!collected.isEmpty()) {
            out.printf("Files deleted by gc (their versions can no longer be read; see %s/gc/): %s%n", layout.dataset(),
                    String.join(", ", collected));
        }
        out.flush();
        return 0;
    }
}
