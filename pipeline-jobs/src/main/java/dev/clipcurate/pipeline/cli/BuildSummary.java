package dev.clipcurate.pipeline.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.clipcurate.pipeline.shards.VersionSealer;

import java.io.PrintStream;

/** The closing summary of a build, as printed for a person. */
final class BuildSummary {
    private BuildSummary() {}

    static void print(VersionSealer.Sealed sealed, PrintStream out) {
        JsonNode doc = sealed.document();
        JsonNode c = doc.get("counts");
        out.println();
        out.printf("Sealed %s %s%n", doc.get("dataset").asText(), doc.get("name").asText());
        out.printf("  clips received        %d messages (%d redelivered, dropped)%n",
                c.get("messages_consumed").asLong(), c.get("redelivered_dropped").asLong());
        out.printf("  accepted              %d%n", c.get("clips_accepted").asLong());
        JsonNode labels = c.get("accepted_by_label");
        if (labels != null && labels.size() > 0) {
            StringBuilder split = new StringBuilder();
            labels.fields().forEachRemaining(e -> split.append(split.isEmpty() ? "" : ", ").append(e.getKey()).append(' ').append(e.getValue().asLong()));
            out.printf("    labelled            %s%n", split);
        }
        out.printf("  rejected              %d%n", c.get("clips_rejected").asLong());
        if (c.get("clips_duplicate").asLong() > 0) out.printf("  duplicate             %d%n", c.get("clips_duplicate").asLong());
        if (c.get("clips_quarantined").asLong() > 0) out.printf("  quarantined           %d%n", c.get("clips_quarantined").asLong());
        // reasons of every row not accepted: rejections, duplicates and quarantines alike
        c.get("rejected_by_reason").fields().forEachRemaining(e ->
                out.printf("    %-20s %d%n", e.getKey(), e.getValue().asLong()));
        out.printf("  frames written        %d%n", c.get("frames_written").asLong());
        out.printf("  video-seconds         %.1f processed, %.1f accepted%n",
                c.get("video_seconds_processed").asDouble(), c.get("video_seconds_accepted").asDouble());
        out.printf("  wall time             %.1f s%n", doc.get("build").get("wall_seconds").asDouble());
        out.printf("  dataset totals        %d clips, %d frames%n",
                doc.get("totals").get("clips_accepted").asLong(), doc.get("totals").get("frames").asLong());
        out.printf("  version file          %s%n", sealed.versionFile().toUri().getPath());
    }
}
