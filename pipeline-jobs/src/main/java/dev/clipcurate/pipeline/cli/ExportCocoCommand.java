package dev.clipcurate.pipeline.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.clipcurate.pipeline.export.CocoExport;
import dev.clipcurate.pipeline.shards.DatasetVersions;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.nio.file.Files;
import java.nio.file.Path;

/** A version's frames and person boxes as COCO, for CVAT, Label Studio and detection trainers. */
@Command(name = "export-coco",
        description = {"Writes a sealed version's frames and their pre-annotations (people: box, score, 17 keypoints, "
                + "from the privacy stage's pose model) as a COCO dataset: OUT/images/<key>.jpg and "
                + "OUT/annotations.json. The boxes are a model's, not checked by anyone: import them into CVAT or "
                + "Label Studio to review."})
final class ExportCocoCommand implements java.util.concurrent.Callable<Integer> {
    @Mixin
    WarehouseArgs where = new WarehouseArgs();

    // no standard --version option here: --version names the dataset version, as in audit
    @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help message and exit.")
    boolean help;

    @Option(names = "--version", paramLabel = "N", description = "Version name (v000002) or number (2); default: the latest.")
    String version;

    @Option(names = "--out", paramLabel = "DIR", required = true, description = "Directory to write (must be empty or new).")
    Path out;

    @Option(names = "--min-score", defaultValue = "0.3",
            description = "Leave out detections scoring below this (default: ${DEFAULT-VALUE}).")
    float minScore;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        if (Files.exists(out)) {
            boolean empty;
            try (var entries = Files.isDirectory(out) ? Files.list(out) : null) {
                empty = entries != null && entries.findAny().isEmpty();
            }
            if (!empty) {
                throw new CommandLine.ParameterException(spec.commandLine(), "--out " + out + " exists and is not an empty directory");
            }
        }
        DatasetVersions versions = new DatasetVersions(where.layout());
        JsonNode v = version == null ? versions.latest() : versions.version(version);
        CocoExport.Summary s = new CocoExport(where.layout(), minScore).write(v, out);
        spec.commandLine().getOut().printf("Exported %s: %d images, %d person annotations (%d detections below %.2f left out) "
                + "to %s%n", v.get("name").asText(), s.images(), s.annotations(), s.detectionsBelowMinimum(), minScore,
                out.resolve("annotations.json"));
        spec.commandLine().getOut().flush();
        return 0;
    }
}
