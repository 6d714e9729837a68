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

    /**
     * The newest version once the versions of the build that sealed it hold {@code rows} manifest rows in all
     * ({@code build.run_rows}), or null after {@code patience}: for tests of runs that seal while they run.
     */
    public static JsonNode waitForRows(dev.clipcurate.pipeline.shards.VersionSealer versions, long rows,
                                       java.time.Duration patience) throws Exception {
        long deadline = System.nanoTime() + patience.toNanos();
        while (System.nanoTime() < deadline) {
            JsonNode latest = versions.latest();
            if (latest != null && latest.get("build").get("run_rows").asLong() >= rows) return latest;
            Thread.sleep(250);
        }
        return null;
    }

    /** Adds one member to a tar, as TarShardWriter writes them. */
    public static void putTarMember(org.apache.commons.compress.archivers.tar.TarArchiveOutputStream tar, String name,
                                    byte[] bytes) throws IOException {
        var e = new org.apache.commons.compress.archivers.tar.TarArchiveEntry(name);
        e.setSize(bytes.length);
        tar.putArchiveEntry(e);
        tar.write(bytes);
        tar.closeArchiveEntry();
    }
}
