package dev.clipcurate.pipeline.testing;

import com.fasterxml.jackson.databind.JsonNode;
import dev.clipcurate.pipeline.shards.ManifestFiles;
import dev.clipcurate.schemas.ClipRow;
import dev.clipcurate.schemas.FrameRow;
import org.apache.avro.specific.SpecificRecordBase;
import org.apache.flink.core.fs.Path;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/** Reads back what a sealed version lists. */
public final class Warehouses {
    private Warehouses() {}

    public static List<ClipRow> clipRows(java.nio.file.Path datasetDir, JsonNode version) throws IOException {
        return rows(datasetDir, version, "clip_manifest", ClipRow.class);
    }

    public static List<FrameRow> frameRows(java.nio.file.Path datasetDir, JsonNode version) throws IOException {
        return rows(datasetDir, version, "frame_manifest", FrameRow.class);
    }

    private static <T extends SpecificRecordBase> List<T> rows(java.nio.file.Path datasetDir, JsonNode version,
                                                               String kind, Class<T> type) throws IOException {
        List<T> rows = new ArrayList<>();
        for (JsonNode f : version.get("files")) {
            if (f.get("kind").asText().equals(kind)) {
                rows.addAll(ManifestFiles.read(new Path(datasetDir.resolve(f.get("path").asText()).toUri()), type));
            }
        }
        return rows;
    }
}
