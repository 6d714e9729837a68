package dev.clipcurate.pipeline.testing;

import com.fasterxml.jackson.databind.JsonNode;
import dev.clipcurate.pipeline.shards.ManifestFiles;
import dev.clipcurate.schemas.ClipRow;
import dev.clipcurate.schemas.FrameRow;
import org.apache.flink.core.fs.Path;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/** Reads back what a sealed version lists. */
public final class Warehouses {
    private Warehouses() {}

    public static List<ClipRow> clipRows(java.nio.file.Path datasetDir, JsonNode version) throws IOException {
        List<ClipRow> rows = new ArrayList<>();
        for (JsonNode f : version.get("files")) {
            if (f.get("kind").asText().equals("clip_manifest")) {
                rows.addAll(ManifestFiles.read(new Path(datasetDir.resolve(f.get("path").asText()).toUri()), ClipRow.class));
            }
        }
        return rows;
    }

    public static List<FrameRow> frameRows(java.nio.file.Path datasetDir, JsonNode version) throws IOException {
        List<FrameRow> rows = new ArrayList<>();
        for (JsonNode f : version.get("files")) {
            if (f.get("kind").asText().equals("frame_manifest")) {
                rows.addAll(ManifestFiles.read(new Path(datasetDir.resolve(f.get("path").asText()).toUri()), FrameRow.class));
            }
        }
        return rows;
    }
}
